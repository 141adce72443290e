/**
 * The manager of one pool, as the HTTP routes (routes.ts), the auto-scaler and the CLI see it: a
 * thin composite that wires the parts and answers for them. It owns none of the pool's state
 * itself — PoolState holds the membership, table, config, node clients and statistics, written
 * through to the StateDb as they change — and delegates the work: resizes to ResizeEngine (one
 * at a time, ResizeCoordinator), each table change to MigrationRunner, new nodes to NodeStarter,
 * crashes and health checks to NodeLifecycle, bringing the pool up (fresh, or re-adopting the
 * nodes of a restarted manager and settling an interrupted resize) to startPool, and config
 * changes to rollOutConfig. It never speaks HTTP itself except to the nodes, through NodeClient.
 */
import type { Logger } from 'pino';
import { systemClock, type WaitingClock } from '../clock.js';
import { defaults } from '../defaults.js';
import type { PartitionStrategy, PartitionTable } from '../partition/index.js';
import type { MigrationJSON, Routing } from '../pool/index.js';
import { rollOutConfig } from './config-rollout.js';
import type { Member, MemberStatus } from './membership.js';
import { MigrationRunner } from './migration-runner.js';
import { NodeLifecycle } from './node-lifecycle.js';
import { NodeStarter } from './node-starter.js';
import { PoolState, type CacheConfig } from './pool-state.js';
import type { Provisioner } from './provisioner.js';
import { ResizeCoordinator } from './resize-coordinator.js';
import { ResizeEngine, type ResizeCause, type ResizeEvent } from './resize-engine.js';
import { startPool } from './start-pool.js';
import { StateDb } from './state-db.js';
import type { NodeSnapshot, PartitionMove, Registration } from '../wire/index.js';

export type { CacheConfig } from './pool-state.js';
export type { ResizeCause, ResizeEvent } from './resize-engine.js';

/** Options of Manager. */
export interface ManagerOptions {
  provisioner: Provisioner;
  logger: Logger;
  /** Durable state; an in-memory database when absent (nothing survives a restart). */
  db?: StateDb;
  /** The gateway's routing, when a gateway runs in this process. */
  routing?: Routing | undefined;
  clock?: WaitingClock;
  token?: string | undefined;
  /** Nodes of a new pool; default defaults.startNodes. A restarted pool keeps its own. */
  initialNodes?: number;
  minNodes?: number;
  maxNodes?: number;
  /** The config of a new pool; a restarted pool keeps the stored one. */
  config?: Partial<CacheConfig>;
  strategy?: PartitionStrategy;
  /** Keys per move_keys call during a migration; default defaults.moveChunkKeys. */
  moveChunkKeys?: number;
  /** How long a grow waits for the nodes a scale command started to register, in ms. */
  registrationTimeoutMs?: number;
  /** Wait before a failed failover is tried again, in ms; default defaults.failoverRetryMs. */
  failoverRetryMs?: number;
  /** Consecutive failed health probes that make a member down; default defaults.healthFailuresDown. */
  healthFailuresDown?: number;
  /**
   * Milliseconds without an answer after which a member is declared dead and its partitions fail
   * over; default defaults.downAfterMs.
   */
  downAfterMs?: number;
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
  #clock: WaitingClock;
  #logger: Logger;
  #pool: PoolState;
  #coordinator = new ResizeCoordinator();
  #migrations: MigrationRunner;
  #nodes: NodeStarter;
  #engine: ResizeEngine;
  #lifecycle: NodeLifecycle;
  #address = '';
  #closed = false;
  /** Addresses whose partitions were failed over: if one of them answers again, it rejoins empty. */
  #failedOver = new Set<string>();
  #downAfterMs: number;

  constructor(options: ManagerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger;
    this.#downAfterMs = options.downAfterMs ?? defaults.downAfterMs;
    this.minNodes = options.minNodes ?? defaults.minNodes;
    this.maxNodes = options.maxNodes ?? defaults.maxNodes;
    const { provisioner } = options;
    const clock = this.#clock;
    const logger = this.#logger;
    const closed = (): boolean => this.#closed;
    const pool = new PoolState({
      db: options.db ?? StateDb.open(':memory:'),
      provisioner,
      clock,
      token: options.token,
      config: options.config,
      onRemove: (address) => this.#lifecycle.forget(address),
    });
    this.#pool = pool;
    this.#migrations = new MigrationRunner({
      pool,
      clock,
      logger,
      routing: () => this.#options.routing,
      managerAddress: () => this.#address,
      chunkKeys: options.moveChunkKeys ?? defaults.moveChunkKeys,
      downAfterMs: this.#downAfterMs,
    });
    this.#nodes = new NodeStarter({
      pool,
      provisioner,
      clock,
      logger,
      registrationTimeoutMs: options.registrationTimeoutMs ?? defaults.registrationTimeoutMs,
      closed,
    });
    this.#engine = new ResizeEngine({
      pool,
      coordinator: this.#coordinator,
      migrations: this.#migrations,
      nodes: this.#nodes,
      provisioner,
      logger,
      clock,
      minNodes: this.minNodes,
      maxNodes: this.maxNodes,
      failoverRetryMs: options.failoverRetryMs ?? defaults.failoverRetryMs,
      closed,
      onResize: options.onResize,
      // Only a node whose partitions really went to others is told to rejoin if it answers again
      // (one that came back before its turn kept them, and its keys).
      onFailedOver: (address) => this.#failedOver.add(address),
    });
    this.#lifecycle = new NodeLifecycle({
      pool,
      provisioner,
      migrations: this.#migrations,
      logger,
      healthFailuresDown: options.healthFailuresDown ?? defaults.healthFailuresDown,
      downAfterMs: this.#downAfterMs,
      clock,
      onFailed: (address, keysLost, why) => void this.#engine.failOver(address, keysLost, why),
      onReachable: (address) => this.#options.routing?.reachable(address),
      failingOver: (address) => this.#engine.isFailingOver(address),
    });
  }

  /** Tells the manager its own `host:port` (known once it listens); nodes report to it. */
  setAddress(address: string): void {
    this.#address = address;
  }

  /** Routes a gateway of this process by this pool's table from now on. */
  attachRouting(routing: Routing): void {
    this.#options = { ...this.#options, routing };
  }

  /** True when the database held a pool when this manager was made (it is a restart). */
  get restored(): boolean {
    return this.#pool.restored;
  }

  /**
   * Brings the pool up: a new pool starts its initial nodes and publishes the first table; a
   * restored one re-adopts the nodes that answer, settles an interrupted resize and replaces the
   * nodes that are gone (see start-pool.ts).
   */
  async start(): Promise<void> {
    await this.#coordinator.run(async () => {
      await startPool({
        pool: this.#pool,
        nodes: this.#nodes,
        provisioner: this.#options.provisioner,
        logger: this.#logger,
        routing: () => this.#options.routing,
        chunkKeys: this.#options.moveChunkKeys ?? defaults.moveChunkKeys,
        publish: (table, moving) => this.#migrations.publish(table, moving),
        clock: this.#clock,
        initialNodes: this.#options.initialNodes ?? defaults.startNodes,
        strategy: this.#options.strategy ?? defaults.partitionStrategy,
      });
    });
  }

  /** Probes every member every `intervalMs` and marks the silent ones down. */
  startHealthChecks(intervalMs: number = defaults.healthIntervalMs): void {
    this.#lifecycle.startHealthChecks(intervalMs);
  }

  /** One round of health probes now (what the timer calls). */
  checkHealth(): Promise<void> {
    return this.#lifecycle.checkHealth();
  }

  /** The table in force (CP_ERR_INTERNAL before start(), only reachable by a bug). */
  get table(): PartitionTable {
    return this.#pool.table;
  }

  /**
   * What the routing follows now, for clients that route by themselves: the table (during a
   * rollback, the one being rolled back to), the partitions moving, and the routing version that
   * orders these states (src/partition/roles.ts).
   */
  routing(): {
    table: PartitionTable;
    moving: readonly PartitionMove[];
    version: number;
  } {
    return {
      table: this.#migrations.routedTable,
      moving: this.#migrations.moving,
      version: this.#migrations.routingVersion(),
    };
  }

  /** Partitions moving right now (empty when no resize runs). */
  get moving(): readonly PartitionMove[] {
    return this.#migrations.moving;
  }

  /** Members now (any status). */
  get size(): number {
    return this.#pool.members.size;
  }

  /** True while a resize (or the start) runs. */
  get busy(): boolean {
    return this.#coordinator.busy;
  }

  /** The config in force (a copy). */
  get config(): CacheConfig {
    return { ...this.#pool.config };
  }

  /** The database (the auto-scaler's settings and decisions live there too). */
  get db(): StateDb {
    return this.#pool.db;
  }

  /** The members ordered by cache_index (copies). */
  members(): Member[] {
    return this.#pool.members.list();
  }

  /** The process id of the node at `address` when the provisioner runs it locally, else null. */
  pidOf(address: string): number | null {
    return this.#options.provisioner.pidOf?.(address) ?? null;
  }

  /** The node's last snapshot, if any. */
  snapshotOf(address: string): NodeSnapshot | undefined {
    return this.#pool.statistics.last(address);
  }

  /**
   * The running or the last migration (after a restart, the last one journaled). `outcome` is
   * null while it runs, then `done` or `rolled-back` (the old table stays in force).
   */
  migration(): (MigrationJSON & { outcome: string | null }) | null {
    return this.#migrations.view();
  }

  /** Resizes of the last `minutes` minutes, oldest first. */
  events(minutes: number): ResizeEvent[] {
    return this.#engine.events(minutes);
  }

  /**
   * Resizes the pool to `newSize` nodes. Throws CP_ERR_POOL_BUSY while another resize runs,
   * CP_ERR_POOL_MAX/MIN outside the bounds, CP_ERR_POOL_RESIZE_FAILED when the migration failed
   * (the old table stays in force).
   */
  resize(newSize: number, cause: ResizeCause): Promise<void> {
    return this.#engine.resize(newSize, cause);
  }

  /**
   * A node reports that it handed all its keys off (`POST /api/poolsize/change`). Only a node
   * that is leaving may do so; it is stopped once its resize has committed.
   */
  handoffDone(address: string): void {
    this.#engine.handoffDone(address);
  }

  /**
   * A member is stopping (SIGTERM: a rolling update, a scale-down by its orchestrator): its keys
   * are handed off to the owners of its partitions and it leaves the pool; resolves once done.
   * Refused when it is not a member, when the manager is stopping, and for the pool's last
   * member (nowhere to hand off to); CP_ERR_POOL_RESIZE_FAILED when the handoff failed.
   */
  leave(address: string): Promise<void> {
    return this.#engine.leave(address);
  }

  /**
   * A node registering itself: its cache_index and the config it must apply. A member keeps its
   * index; an unknown node waits as pending and joins the pool through a resize (the one waiting
   * for it, or one of its own once no resize runs).
   */
  register(address: string, wanted: number | null): Registration {
    const members = this.#pool.members;
    const index = members.indexForRegistration(address, wanted);
    if (!members.has(address)) this.#engine.scheduleJoin();
    // A member registering again (restarted, or it dropped its keys after a pause) is told its
    // partitions at once, not at its next health check: until then it serves every key, or none.
    // Not one that is down: it may be failed over at any moment.
    else if (this.#pool.hasTable && members.get(address)!.status !== 'down')
      void this.#migrations.pushRoles([address]);
    this.#failedOver.delete(address);
    return {
      cache_index: index,
      capacity: this.#pool.config.capacityMb,
      replacement_policy: this.#pool.config.policy,
      down_after_ms: this.#downAfterMs,
    };
  }

  /**
   * Keeps a member's snapshot (last one per node, and a few minutes of history for rates).
   * Snapshots of nodes that are not members (left the pool, not joined yet) are ignored; one of
   * a node whose partitions were failed over is answered with `rejoin` (Publisher drops its keys
   * and registers again, and joins as an empty member). `status` is the node's standing as a
   * member (null: not a member) and `routing_version` the routing version in force (null before
   * the pool has a table): a node whose process stood still keeps its keys only if it is a
   * member that is not down and the routing did not change since it last heard of it
   * (src/node/stall-guard.ts).
   */
  acceptSnapshot(snapshot: NodeSnapshot): {
    rejoin: boolean;
    status: MemberStatus | null;
    routing_version: number | null;
  } {
    const member = this.#pool.members.get(snapshot.address);
    const routing_version = this.#pool.hasTable ? this.#migrations.routingVersion() : null;
    // A node failed over while it was unreachable is told to drop its keys and register again.
    if (!member)
      return { rejoin: this.#failedOver.has(snapshot.address), status: null, routing_version };
    this.#pool.statistics.record(snapshot);
    this.#options.onSnapshot?.(snapshot);
    return { rejoin: false, status: member.status, routing_version };
  }

  /**
   * The pool's miss rate over the last `periodMs` from the members' snapshots: GET requests and
   * hits are the growth of the monotonic counters (a restarted node counts from its restart).
   */
  missRate(periodMs: number): { missRate: number | null; getRequests: number } {
    const since = this.#clock.now() - periodMs;
    return this.#pool.statistics.missRate(this.#pool.members.addresses(), since);
  }

  /**
   * One member's hit and miss rate over the last `periodMs`, from the growth of its monotonic
   * counters; both null when it served no GET in that time.
   */
  nodeRates(
    address: string,
    periodMs: number,
  ): { hitRate: number | null; missRate: number | null } {
    const since = this.#clock.now() - periodMs;
    const { missRate } = this.#pool.statistics.missRate([address], since);
    return { hitRate: missRate === null ? null : 1 - missRate, missRate };
  }

  /**
   * Applies a new cache config to every member that is not down (a down node gets it when it is
   * back); later nodes start with it. When a node refuses, the nodes that had accepted get the
   * previous config back and the call fails with a 400 naming the refusing nodes: the pool never
   * runs two configs.
   */
  setConfig(config: CacheConfig): Promise<void> {
    // Under the resize lock: a node started by a resize gets the config in force when it starts,
    // so a rollout running beside that resize could miss it and leave it on the old config.
    return this.#coordinator.runWhenIdle(() => rollOutConfig(this.#pool, config, this.#logger));
  }

  /**
   * Clears every node that is not down, under the resize lock: a clear that ran during a
   * migration marked the destinations' fences cleared, which refuse every import, so a key
   * written to its old owner after the clear was skipped by the hand-off and then dropped.
   */
  clear(): Promise<void> {
    return this.#coordinator.runWhenIdle(async () => {
      const targets = this.#pool.members.list().filter((member) => member.status !== 'down');
      await Promise.all(targets.map((member) => this.#pool.client(member.address).clear()));
    });
  }

  /** Waits for a running resize, stops every node (local kind), closes the clients and the database. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#lifecycle.stopHealthChecks();
    await this.#coordinator.idle();
    await this.#options.provisioner.close();
    await this.#pool.closeClients();
    this.#pool.db.close();
  }
}
