/**
 * The manager core: membership, the partition table in force, the cache config, the last
 * snapshot of every node, and resizes (start or pick nodes, plan with planRebalance, carry out
 * with applyPlan, then start or stop nodes). Resizes run one at a time (ResizeCoordinator). The
 * HTTP routes (routes.ts) and the auto-scaler call into this class; it never speaks HTTP itself
 * except to the nodes, through NodeClient.
 */
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../clock.js';
import { defaults } from '../defaults.js';
import { CachePoolError, errors, OperationalError } from '../errors.js';
import type { NodeSnapshot } from '../metrics/snapshot.js';
import { PartitionTable, planRebalance, type PartitionStrategy } from '../partition/index.js';
import { applyPlan, MigrationProgress, NodeClient, type MigrationJSON, type Routing } from '../pool/index.js';
import { Membership, type Member } from './membership.js';
import type { Provisioner, ProvisionerEvent } from './provisioner.js';
import { ResizeCoordinator } from './resize-coordinator.js';

/** The cache config applied to every node (SPEC §4 `cache/config`). */
export interface CacheConfig {
  capacityMb: number;
  policy: string;
}

/** Why the pool changed size. */
export type ResizeCause = 'manual' | 'automatic' | 'failure';

/** One resize, for the dashboard's charts. */
export interface ResizeEvent {
  time_ms: number;
  old_size: number;
  new_size: number;
  cause: ResizeCause;
}

/** Options of Manager. */
export interface ManagerOptions {
  provisioner: Provisioner;
  logger: Logger;
  /** The gateway's routing, when a gateway runs in this process. */
  routing?: Routing | undefined;
  clock?: Clock;
  token?: string | undefined;
  /** Nodes at start; default defaults.startNodes. */
  initialNodes?: number;
  minNodes?: number;
  maxNodes?: number;
  config?: Partial<CacheConfig>;
  strategy?: PartitionStrategy;
  /** Keys per move_keys call during a migration; default 2,000. */
  moveChunkKeys?: number;
  /** Receives every statistics snapshot a node pushes (the metrics store plugs in here). */
  onSnapshot?: (snapshot: NodeSnapshot) => void;
  /** Receives every finished resize (successful or not). */
  onResize?: (event: ResizeEvent, migration: MigrationJSON | null) => void;
}

/** The manager of one pool. */
export class Manager {
  readonly minNodes: number;
  readonly maxNodes: number;
  #options: ManagerOptions;
  #clock: Clock;
  #logger: Logger;
  #members = new Membership();
  #table: PartitionTable | null = null;
  #config: CacheConfig;
  #clients = new Map<string, NodeClient>();
  #snapshots = new Map<string, NodeSnapshot>();
  #history = new Map<string, NodeSnapshot[]>();
  #coordinator = new ResizeCoordinator();
  #migration: MigrationProgress | null = null;
  #moving: { partition: number; from: string; to: string }[] = [];
  #events: ResizeEvent[] = [];
  #handedOff = new Set<string>();
  #address = '';
  #migrationSeq = 0;
  /** Aborts the running migration; with the nodes taking part in it. */
  #abort: { controller: AbortController; nodes: Set<string> } | null = null;

  constructor(options: ManagerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger;
    this.minNodes = options.minNodes ?? defaults.minNodes;
    this.maxNodes = options.maxNodes ?? defaults.maxNodes;
    this.#config = {
      capacityMb: options.config?.capacityMb ?? defaults.capacityMb,
      policy: options.config?.policy ?? defaults.replacementPolicy,
    };
    options.provisioner.onEvent((event) => void this.#onProvisionerEvent(event));
  }

  /** Tells the manager its own `host:port` (known once it listens); nodes report to it. */
  setAddress(address: string): void {
    this.#address = address;
  }

  /** Routes a gateway of this process by this pool's table from now on. */
  attachRouting(routing: Routing): void {
    this.#options = { ...this.#options, routing };
  }

  /** Starts the initial nodes and publishes the first table. */
  async start(): Promise<void> {
    const count = this.#options.initialNodes ?? defaults.startNodes;
    const started = await this.#startNodes(count);
    for (const [address, index] of started) this.#members.add(address, index, 'up');
    const addresses = started.map(([address]) => address);
    this.#table = PartitionTable.initial(this.#members.addresses(), this.#options.strategy ?? defaults.partitionStrategy);
    await this.#options.routing?.publish(this.#table, []);
    this.#logger.info({ nodes: addresses, version: this.#table.version }, 'pool started');
  }

  get table(): PartitionTable {
    if (!this.#table) throw new OperationalError('CP_ERR_INTERNAL', 'the pool has not started');
    return this.#table;
  }

  /** Partitions moving right now (empty when no resize runs). */
  get moving(): readonly { partition: number; from: string; to: string }[] {
    return this.#moving;
  }

  get size(): number {
    return this.#members.size;
  }

  get busy(): boolean {
    return this.#coordinator.busy;
  }

  get config(): CacheConfig {
    return { ...this.#config };
  }

  members(): Member[] {
    return this.#members.list();
  }

  /** The node's last snapshot, if any. */
  snapshotOf(address: string): NodeSnapshot | undefined {
    return this.#snapshots.get(address);
  }

  /** The running or the last migration. */
  migration(): MigrationJSON | null {
    return this.#migration?.toJSON() ?? null;
  }

  /** Resizes of the last `minutes` minutes, oldest first. */
  events(minutes: number): ResizeEvent[] {
    const since = this.#clock.now() - minutes * 60_000;
    return this.#events.filter((event) => event.time_ms >= since);
  }

  /**
   * Resizes the pool to `newSize` nodes. Throws CP_ERR_POOL_BUSY while another resize runs,
   * CP_ERR_POOL_MAX/MIN outside the bounds, CP_ERR_POOL_RESIZE_FAILED when the migration failed
   * (the old table stays in force).
   */
  async resize(newSize: number, cause: ResizeCause): Promise<void> {
    if (newSize > this.maxNodes) throw errors.poolMax();
    if (newSize < this.minNodes) throw errors.poolMin();
    await this.#coordinator.run(async () => {
      const oldSize = this.#members.size;
      if (newSize === oldSize) return;
      const error = newSize > oldSize ? await this.#grow(newSize - oldSize) : await this.#shrink(oldSize - newSize);
      this.#events.push({ time_ms: this.#clock.now(), old_size: oldSize, new_size: this.#members.size, cause });
      if (this.#events.length > 1_000) this.#events.shift();
      this.#options.onResize?.(this.#events.at(-1)!, this.migration());
      if (error !== null) {
        throw new OperationalError('CP_ERR_POOL_RESIZE_FAILED', `the resize from ${oldSize} to ${newSize} nodes failed: ${error}`, {
          statusCode: 400,
        });
      }
      await Promise.all(this.#members.addresses().map((a) => this.#client(a).resetStatistics().catch(() => {})));
    });
  }

  /**
   * A node reports that it handed all its keys off (`POST /api/poolsize/change`). Only a node
   * that is leaving may do so; it is stopped once its resize has committed.
   */
  handoffDone(address: string): void {
    const member = this.#members.get(address);
    if (!member) throw errors.notMember(address);
    if (member.status !== 'draining') {
      throw errors.invalid(`${JSON.stringify(address)} is not leaving the pool; only a node that handed its keys off may be removed`);
    }
    this.#handedOff.add(address);
  }

  /** A node registering itself: its cache_index and the config it must apply. */
  register(address: string, wanted: number | null): { cache_index: number; capacity: number; replacement_policy: string } {
    const index = this.#members.indexForRegistration(address, wanted);
    return { cache_index: index, capacity: this.#config.capacityMb, replacement_policy: this.#config.policy };
  }

  /** Keeps a node's snapshot (last one per node, and a few minutes of history for rates). */
  acceptSnapshot(snapshot: NodeSnapshot): void {
    this.#snapshots.set(snapshot.address, snapshot);
    const history = this.#history.get(snapshot.address) ?? [];
    history.push(snapshot);
    const horizon = snapshot.timeMs - 5 * 60_000;
    while (history.length > 0 && history[0]!.timeMs < horizon) history.shift();
    this.#history.set(snapshot.address, history);
    this.#options.onSnapshot?.(snapshot);
  }

  /**
   * The pool's miss rate over the last `periodMs` from the members' snapshots: GET requests and
   * hits are the growth of the monotonic counters (a restarted node counts from its restart).
   */
  missRate(periodMs: number): { missRate: number | null; getRequests: number } {
    const since = this.#clock.now() - periodMs;
    let gets = 0;
    let hits = 0;
    for (const address of this.#members.addresses()) {
      const history = (this.#history.get(address) ?? []).filter((s) => s.timeMs >= since);
      const last = history.at(-1);
      if (!last) continue;
      const first = history.find((s) => s.startedAtMs === last.startedAtMs)!;
      const base = first === last && history.length === 1 ? { getRequestsTotal: 0, hitsTotal: 0 } : first;
      gets += Math.max(0, last.getRequestsTotal - base.getRequestsTotal);
      hits += Math.max(0, last.hitsTotal - base.hitsTotal);
    }
    return { missRate: gets === 0 ? null : (gets - hits) / gets, getRequests: gets };
  }

  /** Applies a new cache config to every node; later nodes start with it. */
  async setConfig(config: CacheConfig): Promise<void> {
    await Promise.all(
      this.#members.list().map((member) =>
        this.#client(member.address).setConfig({ capacity: config.capacityMb, replacement_policy: config.policy }),
      ),
    ).catch((error: unknown) => {
      throw new OperationalError('CP_ERR_CONFIG_REJECTED', error instanceof Error ? error.message : 'a node refused the config', {
        statusCode: 400,
        cause: error,
      });
    });
    this.#config = { ...config };
  }

  /** Clears every node. */
  async clear(): Promise<void> {
    await Promise.all(this.#members.addresses().map((address) => this.#client(address).clear()));
  }

  /** Waits for a running resize, stops every node, closes the clients. */
  async close(): Promise<void> {
    await this.#coordinator.idle();
    await this.#options.provisioner.close();
    await Promise.all([...this.#clients.values()].map((client) => client.close()));
    this.#clients.clear();
  }

  /**
   * Starts `count` nodes with the next free indexes, applies the config, waits until healthy.
   * Resolves with [address, cache_index] pairs.
   */
  async #startNodes(count: number): Promise<[string, number][]> {
    const first = this.#members.nextIndex();
    const specs = Array.from({ length: count }, (_, i) => ({
      cacheIndex: first + i,
      capacityMb: this.#config.capacityMb,
      policy: this.#config.policy,
    }));
    const addresses = await this.#options.provisioner.startNodes(specs, this.#members.size);
    try {
      await Promise.all(
        addresses.map(async (address, i) => {
          const client = this.#client(address);
          if (!(await client.healthy())) throw new OperationalError('CP_ERR_POOL_RESIZE_FAILED', `node ${address} is not healthy`);
          await client.setConfig({ capacity: this.#config.capacityMb, replacement_policy: this.#config.policy, cache_index: first + i });
        }),
      );
    } catch (error) {
      await Promise.all(addresses.map((address) => this.#options.provisioner.stopNode(address, this.#members.size)));
      throw error;
    }
    return addresses.map((address, i) => [address, first + i]);
  }

  async #grow(count: number): Promise<string | null> {
    let started: [string, number][];
    try {
      started = await this.#startNodes(count);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    for (const [address, index] of started) this.#members.add(address, index, 'starting');
    const added = started.map(([address]) => address);
    const error = await this.#migrate([], this.#members.addresses());
    if (error === null) {
      for (const address of added) this.#members.setStatus(address, 'up');
      return null;
    }
    for (const address of added) {
      this.#members.remove(address);
      await this.#options.provisioner.stopNode(address, this.#members.size);
    }
    return error;
  }

  async #shrink(count: number): Promise<string | null> {
    // The highest cache indexes leave, as in the original.
    const leaving = this.#members.list().slice(-count).map((member) => member.address);
    for (const address of leaving) this.#members.setStatus(address, 'draining');
    const staying = this.#members.addresses().filter((address) => !leaving.includes(address));
    const error = await this.#migrate(leaving, staying);
    if (error !== null) {
      for (const address of leaving) this.#members.setStatus(address, 'up');
      for (const address of leaving) this.#handedOff.delete(address);
      return error;
    }
    for (const address of leaving) {
      this.#members.remove(address);
      this.#handedOff.delete(address);
      await this.#options.provisioner.stopNode(address, this.#members.size);
      await this.#clients.get(address)?.close();
      this.#clients.delete(address);
    }
    return null;
  }

  /** Plans and applies the move of the table to `nodes`; returns the error, or null when done. */
  async #migrate(leaving: string[], nodes: string[]): Promise<string | null> {
    const current = this.table;
    const plan = planRebalance(current, nodes);
    const id = `m${this.#clock.now().toString(36)}-${++this.#migrationSeq}`;
    const progress = new MigrationProgress(id, current.nodes().length, nodes.length, plan.moves.length, this.#clock);
    this.#migration = progress;
    this.#logger.info({ migration: id, moves: plan.moves.length, nodes }, 'migration started');
    const controller = new AbortController();
    this.#abort = { controller, nodes: new Set([...current.nodes(), ...nodes]) };
    const outcome = await applyPlan({
      signal: controller.signal,
      current,
      plan,
      progress,
      clientOf: (address) => this.#client(address),
      publish: async (table, moving) => {
        this.#moving = [...moving];
        await this.#options.routing?.publish(table, moving);
      },
      leaving,
      managerAddress: this.#address,
      chunkKeys: this.#options.moveChunkKeys ?? 2_000,
    });
    this.#abort = null;
    this.#table = outcome.table;
    this.#moving = [];
    progress.finish(outcome.ok ? null : outcome.error);
    if (outcome.ok) this.#logger.info({ migration: id, version: outcome.table.version }, 'migration done');
    else this.#logger.warn({ migration: id, error: outcome.error }, 'migration failed; the previous table stays in force');
    return outcome.ok ? null : outcome.error;
  }

  async #onProvisionerEvent(event: ProvisionerEvent): Promise<void> {
    if (event.kind === 'exited' && this.#abort?.nodes.has(event.address)) {
      this.#abort.controller.abort(`node ${event.address} exited during the migration (code ${event.code}, signal ${event.signal})`);
    }
    const member = this.#members.get(event.address);
    if (!member) return;
    if (event.kind === 'exited') {
      this.#members.setStatus(event.address, 'down');
      return;
    }
    try {
      await this.#client(event.address).setConfig({
        capacity: this.#config.capacityMb,
        replacement_policy: this.#config.policy,
        cache_index: member.cacheIndex,
      });
      if (this.#members.get(event.address)?.status === 'down') this.#members.setStatus(event.address, 'up');
    } catch (error) {
      this.#logger.warn({ address: event.address, err: error }, 'could not configure a restarted node');
    }
  }

  #client(address: string): NodeClient {
    let client = this.#clients.get(address);
    if (!client) {
      client = new NodeClient(address, { token: this.#options.token });
      this.#clients.set(address, client);
    }
    return client;
  }
}

/** True when `error` is a deliberate error of ours (safe to show). */
export function isKnownError(error: unknown): error is CachePoolError {
  return error instanceof CachePoolError;
}
