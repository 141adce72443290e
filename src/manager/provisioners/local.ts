/**
 * The local provisioner: cache nodes as child processes of the manager on 127.0.0.1
 * (`cachepool node --port 0 …`), each found by the listening line it prints. It supervises them:
 * a child that dies without being asked to is restarted on the same port and index (its keys are
 * gone — a cache node keeps them in memory) and the manager hears of it through onEvent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { OperationalError } from '../../errors.js';
import type { NodeSpec, Provisioner, ProvisionerEvent } from '../provisioner.js';

/** The compiled CLI the children run. */
const CLI = fileURLToPath(new URL('../../cli/index.js', import.meta.url));

/** Options of LocalProvisioner. */
export interface LocalProvisionerOptions {
  /** The manager's base URL, given to each node as `--manager` (or set later, see setManagerUrl). */
  managerUrl?: string;
  /** Seconds between a node's statistics snapshots. */
  statsIntervalS: number;
  token?: string | undefined;
  logger: Logger;
  /** How long a child may take to print its listening line, in ms; default 15 s. */
  startTimeoutMs?: number;
  /** Restarts of one child allowed per minute before it is given up; default 5. */
  maxRestartsPerMinute?: number;
}

interface Child {
  process: ChildProcess;
  spec: NodeSpec;
  port: number;
  address: string;
  stopping: boolean;
  restarts: number[];
}

/** Runs nodes as supervised child processes. */
export class LocalProvisioner implements Provisioner {
  readonly kind = 'local' as const;
  #options: LocalProvisionerOptions;
  #children = new Map<string, Child>();
  #listeners: ((event: ProvisionerEvent) => void)[] = [];
  #closed = false;
  /** Dead children whose replacement is starting. */
  #restarting = new Set<Child>();

  constructor(options: LocalProvisionerOptions) {
    this.#options = options;
  }

  /** Sets the manager URL given to nodes started from now on (known once the manager listens). */
  setManagerUrl(url: string): void {
    this.#options = { ...this.#options, managerUrl: url };
  }

  /** Starts one child per spec (in parallel) and resolves with their addresses once all listen. */
  async startNodes(specs: NodeSpec[], _currentCount: number): Promise<string[]> {
    const started = await Promise.allSettled(specs.map((spec) => this.#spawn(spec, 0)));
    const failure = started.find((result) => result.status === 'rejected');
    if (failure) {
      // All or nothing: a half-started resize would leave orphans.
      await Promise.all(
        started.map((result) =>
          result.status === 'fulfilled' ? this.stopNode(result.value.address, 0) : undefined,
        ),
      );
      throw (failure as PromiseRejectedResult).reason;
    }
    return started.map((result) => (result as PromiseFulfilledResult<Child>).value.address);
  }

  /** Stops the child at `address` (SIGTERM, SIGKILL after 5 s); unknown addresses are ignored. */
  async stopNode(address: string, _newCount: number): Promise<void> {
    const child = this.#children.get(address);
    if (!child) return;
    child.stopping = true;
    for (const other of this.#restarting) if (other.address === address) other.stopping = true;
    this.#children.delete(address);
    await stopProcess(child.process);
    this.#options.logger.info({ address }, 'node stopped');
  }

  addresses(): string[] {
    return [...this.#children.keys()];
  }

  onEvent(listener: (event: ProvisionerEvent) => void): void {
    this.#listeners.push(listener);
  }

  /** The child process id of the node at `address`, for operators (logged as well). */
  pidOf(address: string): number | undefined {
    return this.#children.get(address)?.process.pid;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#children.keys()].map((address) => this.stopNode(address, 0)));
  }

  async #spawn(spec: NodeSpec, port: number): Promise<Child> {
    const { logger } = this.#options;
    const args = [
      CLI,
      'node',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--index',
      String(spec.cacheIndex),
      '--capacity',
      String(spec.capacityMb),
      '--policy',
      spec.policy,
      '--stats-interval',
      String(this.#options.statsIntervalS),
    ];
    if (this.#options.managerUrl) args.push('--manager', this.#options.managerUrl);
    if (this.#options.token) args.push('--token', this.#options.token);
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4_000);
    });
    const url = await new Promise<string>((resolve, reject) => {
      let buffer = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new OperationalError(
            'CP_ERR_POOL_RESIZE_FAILED',
            `node ${spec.cacheIndex} did not start in time: ${stderr.slice(-500)}`,
          ),
        );
      }, this.#options.startTimeoutMs ?? 15_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(
          new OperationalError(
            'CP_ERR_POOL_RESIZE_FAILED',
            `node ${spec.cacheIndex} exited with ${code} while starting: ${stderr.slice(-500)}`,
          ),
        );
      });
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        buffer += chunk;
        let newline: number;
        while ((newline = buffer.indexOf('\n')) !== -1) {
          const text = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (!text.includes('"listening"')) continue;
          try {
            const line = JSON.parse(text) as { msg?: string; role?: string; url?: string };
            if (line.msg === 'listening' && line.role === 'node' && typeof line.url === 'string') {
              clearTimeout(timer);
              resolve(line.url);
            }
          } catch {
            // not a log line of ours
          }
        }
        // Keep only an unfinished line; output after the listening line is drained and dropped.
        if (buffer.length > 64_000) buffer = '';
      });
    });
    child.removeAllListeners('exit');
    const parsed = new URL(url);
    const address = `${parsed.hostname}:${parsed.port}`;
    const entry: Child = {
      process: child,
      spec,
      port: Number(parsed.port),
      address,
      stopping: false,
      restarts: [],
    };
    const previous = this.#children.get(address);
    if (previous) entry.restarts = previous.restarts;
    this.#children.set(address, entry);
    child.once('exit', (code, signal) => this.#exited(entry, code, signal));
    logger.info({ address, node_pid: child.pid, cache_index: spec.cacheIndex }, 'node started');
    return entry;
  }

  #exited(child: Child, code: number | null, signal: string | null): void {
    if (child.stopping || this.#closed || this.#children.get(child.address) !== child) return;
    const { logger } = this.#options;
    logger.warn({ address: child.address, code, signal }, 'node exited unexpectedly');
    this.#emit({ kind: 'exited', address: child.address, code, signal });
    const now = Date.now();
    child.restarts = child.restarts.filter((time) => now - time < 60_000);
    if (child.restarts.length >= (this.#options.maxRestartsPerMinute ?? 5)) {
      logger.error({ address: child.address }, 'node keeps dying; not restarting it');
      this.#children.delete(child.address);
      return;
    }
    child.restarts.push(now);
    this.#restarting.add(child);
    this.#spawn(child.spec, child.port).then(
      (restarted) => {
        this.#restarting.delete(child);
        // stopNode was called on the dead child while this one was starting: stop it too.
        if (child.stopping || this.#closed) {
          void this.stopNode(restarted.address, 0);
          return;
        }
        this.#emit({ kind: 'restarted', address: restarted.address });
      },
      (error: unknown) => {
        this.#restarting.delete(child);
        logger.error({ address: child.address, err: error }, 'node restart failed');
        this.#children.delete(child.address);
      },
    );
  }

  #emit(event: ProvisionerEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#options.logger.error({ err: error }, 'provisioner listener failed');
      }
    }
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
