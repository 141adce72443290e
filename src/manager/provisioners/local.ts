/**
 * The local provisioner: cache nodes as processes on 127.0.0.1 (`cachepool node --port 0 …`),
 * each found by the listening line it logs. It supervises them: a node that dies without being
 * asked to is restarted on the same port and index (its keys are gone — a cache node keeps them in
 * memory) and the manager hears of it through onEvent.
 *
 * The nodes outlive a manager that is killed: each runs in its own process group (`detached`)
 * and logs to a file under `logDir`, not to a pipe of the manager (a pipe would break with the
 * manager and make the node's next log line fail). A manager that starts again hands the nodes it
 * finds alive back to this provisioner with `adopt`; it then watches them by process id. The
 * token reaches a node through its environment (`CACHEPOOL_TOKEN`), never its argv, so that it
 * does not show in `ps`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { defaults } from '../../defaults.js';
import type { NodeSpec, Provisioner, ProvisionerEvent } from '../provisioner.js';
import { nodeProcessEnv } from '../../node/runtime.js';
import { isAlive, stopPid, waitForListening } from './local-process.js';

/** The compiled CLI the nodes run. */
const CLI = fileURLToPath(new URL('../../cli/index.js', import.meta.url));
/** How often the liveness of adopted nodes (no child handle) is checked, in ms (× 5). */
const POLL_MS = 100;

/** Options of LocalProvisioner. */
export interface LocalProvisionerOptions {
  /** The manager's base URL, given to each node as `--manager` (or set later, see setManagerUrl). */
  managerUrl?: string;
  /** Seconds between a node's statistics snapshots. */
  statsIntervalS: number;
  /** The pool token, passed in the node's environment (`CACHEPOOL_TOKEN`), never in its argv. */
  token?: string | undefined;
  /**
   * Nodes require the token on data calls too (`CACHEPOOL_PROTECT_DATA=1` in their environment);
   * needs `token`.
   */
  protectData?: boolean;
  logger: Logger;
  /** Where each node logs (`node-<cache_index>.log`, appended); default `<defaults.dataDir>/nodes`. */
  logDir?: string;
  /** How long a node may take to log its listening line, in ms; default `defaults.nodeStartTimeoutMs`. */
  startTimeoutMs?: number;
  /** The Node.js binary the nodes run with; default this process's (`process.execPath`). */
  execPath?: string;
  /** Restarts of one node allowed per minute before it is given up; default `defaults.nodeRestartsPerMinute`. */
  maxRestartsPerMinute?: number;
}

interface Child {
  /** The child handle; null for a node adopted after a manager restart. */
  process: ChildProcess | null;
  pid: number;
  spec: NodeSpec;
  port: number;
  address: string;
  stopping: boolean;
  restarts: number[];
  /** Liveness poll of an adopted node. */
  watch: NodeJS.Timeout | null;
  /** The process of this dead node's replacement while it starts (stopped with the node). */
  replacement: ChildProcess | null;
}

/** Runs nodes as supervised local processes. */
export class LocalProvisioner implements Provisioner {
  readonly kind = 'local' as const;
  readonly awaitsRegistrations = false;
  readonly replacesFailed = false;
  #options: LocalProvisionerOptions;
  #children = new Map<string, Child>();
  #listeners: ((event: ProvisionerEvent) => void)[] = [];
  #closed = false;
  /** Dead nodes whose replacement is starting. */
  #restarting = new Set<Child>();

  constructor(options: LocalProvisionerOptions) {
    this.#options = options;
  }

  /** Sets the manager URL given to nodes started from now on (known once the manager listens). */
  setManagerUrl(url: string): void {
    this.#options = { ...this.#options, managerUrl: url };
  }

  /** Starts one node per spec (in parallel) and resolves with their addresses once all listen. */
  async startNodes(specs: NodeSpec[], _currentCount: number): Promise<string[]> {
    const started = await Promise.allSettled(specs.map((spec) => this.#spawn(spec, 0)));
    const failure = started.find((result) => result.status === 'rejected');
    if (failure) {
      // All or nothing: a half-started resize would leave orphans.
      await Promise.all(
        started.map((result) =>
          result.status === 'fulfilled'
            ? this.stopNode(result.value.address, 0)
            : Promise.resolve(),
        ),
      );
      throw failure.reason;
    }
    return started.map((result) => (result as PromiseFulfilledResult<Child>).value.address);
  }

  /**
   * Takes over a node started by an earlier manager process (found alive at restart): it is
   * watched by `pid` and restarted on its port when it dies, like a node started here. Without a
   * pid it is only stopped by address… which needs one, so such a node is left alone on stop.
   */
  adopt(address: string, pid: number | null, spec: NodeSpec): void {
    if (this.#children.has(address)) return;
    const port = Number(address.slice(address.lastIndexOf(':') + 1));
    const entry: Child = {
      process: null,
      pid: pid ?? 0,
      spec,
      port,
      address,
      stopping: false,
      restarts: [],
      watch: null,
      replacement: null,
    };
    this.#children.set(address, entry);
    if (pid !== null) {
      entry.watch = setInterval(() => {
        if (!isAlive(pid)) {
          clearInterval(entry.watch!);
          entry.watch = null;
          this.#exited(entry, null, null);
        }
      }, POLL_MS * 5);
      entry.watch.unref();
    }
    this.#options.logger.info(
      { address, node_pid: pid, cache_index: spec.cacheIndex },
      'node adopted',
    );
  }

  /** Stops the node at `address` (SIGTERM, SIGKILL after 5 s); unknown addresses are ignored. */
  async stopNode(address: string, _newCount: number): Promise<void> {
    const child = this.#children.get(address);
    if (!child) return;
    child.stopping = true;
    if (child.watch) clearInterval(child.watch);
    // A replacement still starting is stopped too, before it can register with the manager.
    for (const other of this.#restarting) {
      if (other.address !== address) continue;
      other.stopping = true;
      other.replacement?.kill('SIGTERM');
    }
    this.#children.delete(address);
    if (child.pid > 0) await stopPid(child.pid);
    this.#options.logger.info({ address }, 'node stopped');
  }

  /** A failed node is stopped for good (a hung process must not resume with old values). */
  forgetFailed(address: string, newCount: number): Promise<void> {
    return this.stopNode(address, newCount);
  }

  addresses(): string[] {
    return [...this.#children.keys()];
  }

  onEvent(listener: (event: ProvisionerEvent) => void): void {
    this.#listeners.push(listener);
  }

  /** The process id of the node at `address`, for operators and the manager's database. */
  pidOf(address: string): number | undefined {
    const pid = this.#children.get(address)?.pid;
    return pid === undefined || pid === 0 ? undefined : pid;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#children.keys()].map((address) => this.stopNode(address, 0)));
  }

  /** Starts a node; `onProcess` gets its process as soon as it exists, before it listens. */
  async #spawn(
    spec: NodeSpec,
    port: number,
    onProcess?: (child: ChildProcess) => void,
  ): Promise<Child> {
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
    const logDir = this.#options.logDir ?? join(defaults.dataDir, 'nodes');
    mkdirSync(logDir, { recursive: true });
    const logPath = join(logDir, `node-${spec.cacheIndex}.log`);
    const fd = openSync(logPath, 'a');
    const offset = fstatSync(fd).size;
    let child: ChildProcess;
    try {
      child = spawn(this.#options.execPath ?? process.execPath, args, {
        stdio: ['ignore', fd, fd],
        env: nodeEnv(this.#options.token, this.#options.protectData ?? false),
        detached: true,
      });
    } finally {
      closeSync(fd);
    }
    // A spawn failure (or a failed kill later) is an 'error' event: never an uncaught one that
    // would take the manager down. A start that fails this way is refused by waitForListening.
    child.on('error', (error) => {
      logger.warn({ err: error, cache_index: spec.cacheIndex }, 'node process error');
    });
    // The manager must not wait for its nodes when it exits on purpose; it stops them itself.
    child.unref();
    onProcess?.(child);
    const url = await waitForListening(
      child,
      logPath,
      offset,
      this.#options.startTimeoutMs ?? defaults.nodeStartTimeoutMs,
      spec.cacheIndex,
    );
    const parsed = new URL(url);
    const address = `${parsed.hostname}:${parsed.port}`;
    const entry: Child = {
      process: child,
      pid: child.pid ?? 0,
      spec,
      port: Number(parsed.port),
      address,
      stopping: false,
      restarts: [],
      watch: null,
      replacement: null,
    };
    const previous = this.#children.get(address);
    if (previous) entry.restarts = previous.restarts;
    this.#children.set(address, entry);
    child.once('exit', (code, signal) => this.#exited(entry, code, signal));
    logger.info(
      { address, node_pid: child.pid, cache_index: spec.cacheIndex, log: logPath },
      'node started',
    );
    return entry;
  }

  #exited(child: Child, code: number | null, signal: string | null): void {
    if (child.stopping || this.#closed || this.#children.get(child.address) !== child) return;
    const { logger } = this.#options;
    logger.warn({ address: child.address, code, signal }, 'node exited unexpectedly');
    this.#emit({ kind: 'exited', address: child.address, code, signal });
    const now = Date.now();
    child.restarts = child.restarts.filter((time) => now - time < 60_000);
    if (
      child.restarts.length >=
      (this.#options.maxRestartsPerMinute ?? defaults.nodeRestartsPerMinute)
    ) {
      logger.error({ address: child.address }, 'node keeps dying; not restarting it');
      this.#children.delete(child.address);
      this.#emit({ kind: 'lost', address: child.address });
      return;
    }
    child.restarts.push(now);
    this.#restarting.add(child);
    this.#spawn(child.spec, child.port, (replacement) => {
      child.replacement = replacement;
    }).then(
      (restarted) => {
        this.#restarting.delete(child);
        child.replacement = null;
        // stopNode was called on the dead node while this one was starting: stop it too.
        if (child.stopping || this.#closed) {
          void this.stopNode(restarted.address, 0);
          return;
        }
        this.#emit({ kind: 'restarted', address: restarted.address });
      },
      (error: unknown) => {
        this.#restarting.delete(child);
        child.replacement = null;
        if (child.stopping || this.#closed) {
          logger.info({ address: child.address }, 'node restart abandoned: the node was stopped');
          return;
        }
        logger.error({ address: child.address, err: error }, 'node restart failed');
        // Its port may be another node's by now (a new node bound it while this one was down).
        if (this.#children.get(child.address) === child) {
          this.#children.delete(child.address);
          this.#emit({ kind: 'lost', address: child.address });
        }
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

/**
 * The environment of a node: this process's without any `CACHEPOOL_*` setting meant for the
 * manager (`CACHEPOOL_PORT`, `CACHEPOOL_TOKEN_FILE`, … would change the node), plus the token,
 * `--protect-data`, the log level and the runtime settings of a node process (node/runtime.ts).
 * Exported for tests.
 */
export function nodeEnv(token: string | undefined, protectData: boolean): NodeJS.ProcessEnv {
  const inherited: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!name.startsWith('CACHEPOOL_')) inherited[name] = value;
  const env = nodeProcessEnv(inherited);
  if (process.env.CACHEPOOL_LOG_LEVEL) env.CACHEPOOL_LOG_LEVEL = process.env.CACHEPOOL_LOG_LEVEL;
  if (token) env.CACHEPOOL_TOKEN = token;
  if (token && protectData) env.CACHEPOOL_PROTECT_DATA = '1';
  return env;
}
