/**
 * Follows the manager's partition table for a gateway of its own (`cachepool gateway`): reads
 * `GET /api/manager/partitions` every `intervalMs` and publishes each new table (or new set of
 * moving partitions) into the gateway's Routing. When the manager does not answer, the last
 * table stays in force and the failure is counted; nothing else changes. `tick()` is one read,
 * what the timer calls and what tests call; `catchUp` reads at once after a node refused a request
 * routed by an older table. `parsePartitions` reads the manager's answer; the
 * client (src/client) uses it too.
 */
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { defaults } from '../defaults.js';
import { errors } from '../errors.js';
import { InternalClient } from '../http/index.js';
import { PARTITION_COUNT, PartitionTable, routingVersionOf } from '../partition/index.js';
import type { MovingPartition, Routing } from './routing.js';
import { catchUpTo, movedOnSince } from './stale-routing.js';

/** The table and moving partitions of a `GET /api/manager/partitions` answer's content. */
export interface PartitionsContent {
  table: PartitionTable;
  moving: MovingPartition[];
  /**
   * The routing version (partition/roles.ts): the answer's `routing_version`, or computed from
   * the table and its moves when the manager does not send one. Orders routing states.
   */
  routingVersion: number;
}

/** Reads the content of the manager's answer; throws an Error when it is not a table. */
export function parsePartitions(content: unknown): PartitionsContent {
  const table = PartitionTable.fromJSON(content);
  const { moving: value, routing_version: sent } = content as {
    moving?: unknown;
    routing_version?: unknown;
  };
  const moving = movingOf(value);
  if (sent !== undefined && (!Number.isSafeInteger(sent) || (sent as number) < 0))
    throw new Error('routing_version is not an integer >= 0');
  const routingVersion = (sent as number | undefined) ?? routingVersionOf(table, moving);
  return { table, moving, routingVersion };
}

function movingOf(value: unknown): MovingPartition[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error('moving is not a list');
  return value.map((move: unknown) => {
    const { partition, from, to } = (move ?? {}) as Record<string, unknown>;
    if (
      typeof partition !== 'number' ||
      !Number.isInteger(partition) ||
      partition < 0 ||
      partition >= PARTITION_COUNT ||
      typeof from !== 'string' ||
      typeof to !== 'string'
    )
      throw new Error('a moving partition is not {partition, from, to}');
    return { partition, from, to };
  });
}

/** Options of TableFollower. */
export interface TableFollowerOptions {
  /** The manager's `host:port`. */
  manager: string;
  token?: string | undefined;
  /** Between two reads, in ms; default defaults.gatewayTableIntervalMs (500). */
  intervalMs?: number;
  /** Timeout of one read, in ms; default defaults.peerTimeoutMs. */
  timeoutMs?: number;
  clock?: Clock;
}

/** Counters of the follower, for /metrics. */
export interface FollowerStats {
  readsTotal: number;
  failedReadsTotal: number;
  /** When the last read succeeded (clock ms); 0 before the first. */
  lastReadAtMs: number;
}

/** Reads the manager's table on a timer and publishes changes into a Routing. */
export class TableFollower {
  readonly #options: TableFollowerOptions;
  readonly #clock: Clock;
  readonly #manager: InternalClient;
  #routing: Routing | undefined;
  #timer: NodeJS.Timeout | undefined;
  #reading: Promise<'failed' | 'same' | 'published'> | undefined;
  #stats: FollowerStats = { readsTotal: 0, failedReadsTotal: 0, lastReadAtMs: 0 };

  constructor(options: TableFollowerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#manager = new InternalClient({
      origin: `http://${options.manager}`,
      token: options.token,
      timeoutMs: options.timeoutMs ?? defaults.peerTimeoutMs,
      // What a gateway that cannot start without a table prints (src/cli/gateway.ts).
      wording: {
        unreachable: (_what, cause) => errors.tableUnreadable(options.manager, cause),
        refused: (_what, _message, answer) => errors.tableUnreadable(options.manager, answer),
      },
    });
  }

  /**
   * One read of the manager's table (through the internal client); throws errors.tableUnreadable
   * when the manager does not answer with a success, an Error when its content is not a table.
   */
  async read(): Promise<PartitionsContent> {
    this.#stats.readsTotal++;
    try {
      const content = await this.#manager.call({ method: 'GET', path: '/api/manager/partitions' });
      const parsed = parsePartitions(content);
      this.#stats.lastReadAtMs = this.#clock.now();
      return parsed;
    } catch (error) {
      this.#stats.failedReadsTotal++;
      throw error;
    }
  }

  /**
   * Asks the manager to clear the pool (`DELETE /api/manager/cache/clear`: between resizes).
   * True when it did; false when it did not answer (the caller clears the nodes itself); throws
   * an OperationalError (CP_ERR_NODE_UNREACHABLE, 502) when it answered with a refusal.
   */
  async clearPool(): Promise<boolean> {
    let answer;
    try {
      answer = await this.#manager.send({ method: 'DELETE', path: '/api/manager/cache/clear' });
    } catch {
      return false;
    }
    if (answer.statusCode === 200) return true;
    throw errors.fanOutRefused(
      'DELETE',
      '/api/cache',
      `the manager ${this.#options.manager} answered ${answer.statusCode} ${answer.body.slice(0, 200)}`,
    );
  }

  /** Starts publishing into `routing`, one read every intervalMs (the first after intervalMs). */
  follow(routing: Routing): void {
    this.#routing = routing;
    const schedule = () => {
      this.#timer = setTimeout(() => {
        void this.tick().finally(() => {
          if (this.#timer !== undefined) schedule();
        });
      }, this.#options.intervalMs ?? defaults.gatewayTableIntervalMs);
    };
    schedule();
  }

  /**
   * Reads the table once and publishes it when its version or its moving partitions differ
   * from the routing's (an older version is ignored); a failed read keeps the routing as it
   * is. Resolves true when a new view was published. Reads that overlap share one.
   */
  async tick(): Promise<boolean> {
    return (await this.#readOnce()) === 'published';
  }

  /**
   * After a node refused a request routed by this gateway's view (pool/stale-routing.ts): reads
   * the table at once, and again until the routing reaches version `wanted`; stops at the first
   * failed read (the manager is away: the gateway keeps serving on its last table).
   */
  async catchUp(wanted: number | undefined): Promise<void> {
    const routing = this.#routing;
    if (!routing) return;
    await catchUpTo(wanted, {
      refresh: async () => (await this.#readOnce()) !== 'failed',
      current: () => routingVersionOf(routing.view.table, routing.view.moving),
    });
  }

  /**
   * After a node did not answer a request routed by routing version `routedBy`: whether the
   * routing moved past it, reading the table a few times if not yet (stale-routing.ts).
   */
  async movedOnSince(routedBy: number): Promise<boolean> {
    const routing = this.#routing;
    if (!routing) return false;
    return movedOnSince(routedBy, {
      refresh: async () => (await this.#readOnce()) !== 'failed',
      current: () => routingVersionOf(routing.view.table, routing.view.moving),
    });
  }

  #readOnce(): Promise<'failed' | 'same' | 'published'> {
    this.#reading ??= this.#readAndPublish().finally(() => {
      this.#reading = undefined;
    });
    return this.#reading;
  }

  async #readAndPublish(): Promise<'failed' | 'same' | 'published'> {
    const routing = this.#routing;
    if (!routing) return 'failed';
    let read: PartitionsContent;
    try {
      read = await this.read();
    } catch {
      return 'failed';
    }
    const view = routing.view;
    const current = routingVersionOf(view.table, view.moving);
    if (read.routingVersion < current) return 'same';
    if (
      read.routingVersion === current &&
      read.table.version === view.table.version &&
      JSON.stringify(read.moving) === JSON.stringify(view.moving)
    )
      return 'same';
    // Not awaited: publish resolves once requests of the old view drained, which only matters
    // to a migration running in this process; the new view is in force at once.
    void routing.publish(read.table, read.moving);
    return 'published';
  }

  /** Counters for /metrics (a copy). */
  stats(): FollowerStats {
    return { ...this.#stats };
  }

  /**
   * Seconds since the last successful read, on the follower's own clock (the one that stamped
   * it), or -1 before the first.
   */
  tableAgeSeconds(): number {
    const at = this.#stats.lastReadAtMs;
    return at === 0 ? -1 : (this.#clock.now() - at) / 1000;
  }

  /** Stops the timer; a read in flight finishes but publishes nothing more after it. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#routing = undefined;
  }
}
