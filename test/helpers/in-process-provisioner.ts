/**
 * A provisioner whose nodes are real cache nodes in the test's own process (buildNodeApp on
 * 127.0.0.1:0), for tests of the manager's resize engine, node starter and node lifecycle without
 * child processes. It behaves as the local provisioner does towards the manager: the manager
 * chooses which node leaves, startNodes resolves with nodes that listen, stopNode closes one, and
 * `crash` / `restart` play a process that dies and the supervisor that starts it again, empty, on
 * the same port (the `exited` and `restarted` events).
 */
import { pino } from 'pino';
import { buildNodeApp, type NodeApp } from '../../src/node/index.js';
import type { NodeSpec, Provisioner, ProvisionerEvent } from '../../src/manager/provisioner.js';

export class InProcessProvisioner implements Provisioner {
  readonly kind = 'local' as const;
  readonly awaitsRegistrations = false;
  readonly replacesFailed = false;
  readonly #logger = pino({ level: 'silent' });
  readonly #nodes = new Map<string, { app: NodeApp; spec: NodeSpec }>();
  readonly #listeners: ((event: ProvisionerEvent) => void)[] = [];
  /** Every node ever started, by address (a stopped one stays here). */
  readonly started: string[] = [];
  /** Addresses stopped by the manager (stopNode or forgetFailed), in order. */
  readonly stopped: string[] = [];

  /** While set, startNodes waits for it before it starts anything (holdStarts). */
  #startGate: Promise<void> | null = null;

  /** startNodes calls still to fail (failStarts). */
  #failingStarts = 0;

  async startNodes(specs: NodeSpec[], _currentCount: number): Promise<string[]> {
    if (this.#startGate) await this.#startGate;
    if (this.#failingStarts > 0) {
      this.#failingStarts--;
      throw new Error('no node could be started (InProcessProvisioner.failStarts)');
    }
    return Promise.all(specs.map((spec) => this.#start(spec, 0)));
  }

  /** The next `count` startNodes calls fail (an orchestrator out of room, an image pull failing). */
  failStarts(count: number): void {
    this.#failingStarts = count;
  }

  /**
   * Holds every startNodes call from now on (a slow machine or orchestrator) until the returned
   * function is called.
   */
  holdStarts(): () => void {
    let release!: () => void;
    this.#startGate = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.#startGate = null;
      release();
    };
  }

  async stopNode(address: string, _newCount: number): Promise<void> {
    this.stopped.push(address);
    await this.#close(address);
  }

  async forgetFailed(address: string, _newCount: number): Promise<void> {
    this.stopped.push(address);
    await this.#close(address);
  }

  addresses(): string[] {
    return [...this.#nodes.keys()];
  }

  onEvent(listener: (event: ProvisionerEvent) => void): void {
    this.#listeners.push(listener);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#nodes.keys()].map((address) => this.#close(address)));
  }

  /** The node app at `address` (throws when none runs there). */
  node(address: string): NodeApp {
    const entry = this.#nodes.get(address);
    if (!entry) throw new Error(`no node runs at ${address}`);
    return entry.app;
  }

  /** The node at `address` dies: it stops answering, and the manager hears `exited`. */
  async crash(address: string): Promise<void> {
    await this.#close(address);
    this.#emit({ kind: 'exited', address, code: null, signal: 'SIGKILL' });
  }

  /** The provisioner gives the node up (`lost`): the manager fails it over. It keeps running. */
  giveUp(address: string): void {
    this.#emit({ kind: 'lost', address });
  }

  /** The manager hears `restarted` for a node that kept running (its supervisor saw it again). */
  announceRestart(address: string): void {
    this.#emit({ kind: 'restarted', address });
  }

  /**
   * Its supervisor starts it again, empty, on the same port; the manager hears `restarted`
   * unless `announce` is false (then only its health checks can tell).
   */
  async restart(address: string, spec: NodeSpec, announce = true): Promise<void> {
    const port = Number(address.slice(address.lastIndexOf(':') + 1));
    await this.#start(spec, port);
    if (announce) this.#emit({ kind: 'restarted', address });
  }

  async #start(spec: NodeSpec, port: number): Promise<string> {
    const app = await buildNodeApp({
      logger: this.#logger,
      capacityMb: spec.capacityMb,
      policy: spec.policy,
      cacheIndex: spec.cacheIndex,
    });
    await app.app.listen({ host: '127.0.0.1', port });
    const address = `127.0.0.1:${(app.app.server.address() as { port: number }).port}`;
    app.setAddress(address);
    this.#nodes.set(address, { app, spec });
    this.started.push(address);
    return address;
  }

  async #close(address: string): Promise<void> {
    const entry = this.#nodes.get(address);
    if (!entry) return;
    this.#nodes.delete(address);
    await entry.app.app.close();
  }

  #emit(event: ProvisionerEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}
