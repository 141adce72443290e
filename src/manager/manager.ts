/**
 * The manager core: membership, the partition table in force, the cache config, the last
 * snapshot of every node, and resizes (start or pick nodes, plan with planRebalance, carry out
 * with applyPlan, then start or stop nodes). Resizes run one at a time (ResizeCoordinator); a node
 * that registers on its own joins through the same path. Every change of membership, table and
 * config is written to the StateDb as it happens, and each resize is journaled, so that a manager
 * that restarts re-adopts the nodes still running and settles an interrupted resize
 * (`start()`, recovery.ts). The HTTP routes (routes.ts) and the auto-scaler call into this class;
 * it never speaks HTTP itself except to the nodes, through NodeClient.
 */
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../clock.js';
import { defaults } from '../defaults.js';
import { CachePoolError, errors } from '../errors.js';
import type { NodeSnapshot } from '../metrics/snapshot.js';
import { PartitionTable, planRebalance, type PartitionStrategy } from '../partition/index.js';
import {
  applyPlan,
  MigrationProgress,
  NodeClient,
  type MigrationJSON,
  type Routing,
} from '../pool/index.js';
import { HealthMonitor } from './health-monitor.js';
import { Membership, type Member, type MemberStatus } from './membership.js';
import type { NodeSpec, Provisioner, ProvisionerEvent } from './provisioner.js';
import { nodeToDrain } from './provisioners/command.js';
import { settleMigration } from './recovery.js';
import { ResizeCoordinator } from './resize-coordinator.js';
import { StateDb, type MigrationRecord } from './state-db.js';

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
  /** Durable state; an in-memory database when absent (nothing survives a restart). */
  db?: StateDb;
  /** The gateway's routing, when a gateway runs in this process. */
  routing?: Routing | undefined;
  clock?: Clock;
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
  /** Consecutive failed health probes that make a member down; default defaults.healthFailuresDown. */
  healthFailuresDown?: number;
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
  #db: StateDb;
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
  #health: HealthMonitor;
  #joinScheduled = false;
  #closed = false;
  /** The database held a pool when this manager was made: start() recovers instead of starting fresh. */
  #restored = false;
  /** Aborts the running migration; with the nodes taking part in it. */
  #abort: { controller: AbortController; nodes: Set<string> } | null = null;

  constructor(options: ManagerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger;
    this.#db = options.db ?? StateDb.open(':memory:');
    this.minNodes = options.minNodes ?? defaults.minNodes;
    this.maxNodes = options.maxNodes ?? defaults.maxNodes;
    const stored = this.#db.loadPartitionTable();
    if (stored) {
      // A pool that existed: its table, members and config are the truth, not the options.
      this.#table = new PartitionTable(stored.version, stored.strategy, stored.owners);
      this.#config = this.#db.loadCacheConfig();
      for (const node of this.#db.listNodes())
        this.#members.add(node.address, node.cacheIndex, node.status, node.addedAtMs);
      this.#restored = this.#members.size > 0;
    } else {
      this.#config = {
        capacityMb: options.config?.capacityMb ?? defaults.capacityMb,
        policy: options.config?.policy ?? defaults.replacementPolicy,
      };
    }
    this.#health = new HealthMonitor({
      addresses: () =>
        this.#members
          .list()
          .filter((m) => m.status === 'up' || m.status === 'down')
          .map((m) => m.address),
      probe: (address) => this.#client(address).healthy(),
      failuresDown: options.healthFailuresDown ?? defaults.healthFailuresDown,
      onDown: (address) => this.#nodeDown(address, 'it stopped answering its health checks'),
      onUp: (address) => void this.#nodeBack(address),
    });
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

  /** True when the database held a pool when this manager was made (it is a restart). */
  get restored(): boolean {
    return this.#restored;
  }

  /**
   * Brings the pool up: a new pool starts its initial nodes and publishes the first table; a
   * restored one re-adopts the nodes that answer, settles an interrupted resize and replaces the
   * nodes that are gone (see `#recover`).
   */
  async start(): Promise<void> {
    await this.#coordinator.run(async () => {
      if (this.restored) await this.#recover();
      else await this.#startFresh();
    });
  }

  /** Probes every member every `intervalMs` and marks the silent ones down. */
  startHealthChecks(intervalMs: number = defaults.healthIntervalMs): void {
    this.#health.start(intervalMs);
  }

  /** One round of health probes now (what the timer calls). */
  checkHealth(): Promise<void> {
    return this.#health.tick();
  }

  get table(): PartitionTable {
    // Only reachable by a bug (routes are served after start()): a generic 500, logged.
    if (!this.#table) throw errors.internal();
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

  /** The database (the auto-scaler's settings and decisions live there too). */
  get db(): StateDb {
    return this.#db;
  }

  members(): Member[] {
    return this.#members.list();
  }

  /** The process id of the node at `address` when the provisioner runs it locally, else null. */
  pidOf(address: string): number | null {
    return this.#options.provisioner.pidOf?.(address) ?? null;
  }

  /** The node's last snapshot, if any. */
  snapshotOf(address: string): NodeSnapshot | undefined {
    return this.#snapshots.get(address);
  }

  /**
   * The running or the last migration (after a restart, the last one journaled). `outcome` is
   * null while it runs, then `done` or `rolled-back` (the old table stays in force).
   */
  migration(): (MigrationJSON & { outcome: string | null }) | null {
    if (this.#migration) {
      const state = this.#migration.toJSON();
      const outcome = state.running ? null : state.error === null ? 'done' : 'rolled-back';
      return { ...state, outcome };
    }
    const last = this.#db.lastMigration();
    return last ? journaledMigration(last) : null;
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
      const error =
        newSize > oldSize
          ? await this.#grow(newSize - oldSize)
          : await this.#shrink(oldSize - newSize);
      this.#recordEvent(oldSize, cause);
      if (error !== null) {
        throw errors.resizeFailed(
          `the resize from ${oldSize} to ${newSize} nodes failed: ${error}`,
        );
      }
      await this.#resetStatistics();
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
      throw errors.invalid(
        `${JSON.stringify(address)} is not leaving the pool; only a node that handed its keys off may be removed`,
      );
    }
    this.#handedOff.add(address);
  }

  /**
   * A node registering itself: its cache_index and the config it must apply. A member keeps its
   * index; an unknown node waits as pending and joins the pool through a resize (the one waiting
   * for it, or one of its own once no resize runs).
   */
  register(
    address: string,
    wanted: number | null,
  ): { cache_index: number; capacity: number; replacement_policy: string } {
    const index = this.#members.indexForRegistration(address, wanted);
    if (!this.#members.has(address)) this.#scheduleJoin();
    return {
      cache_index: index,
      capacity: this.#config.capacityMb,
      replacement_policy: this.#config.policy,
    };
  }

  /**
   * Keeps a member's snapshot (last one per node, and a few minutes of history for rates).
   * Snapshots of nodes that are not members (left the pool, not joined yet) are ignored.
   */
  acceptSnapshot(snapshot: NodeSnapshot): void {
    if (!this.#members.has(snapshot.address)) return;
    this.#snapshots.set(snapshot.address, snapshot);
    const history = this.#history.get(snapshot.address) ?? [];
    history.push(snapshot);
    const horizon = snapshot.timeMs - defaults.snapshotHistoryMs;
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
      const base =
        first === last && history.length === 1 ? { getRequestsTotal: 0, hitsTotal: 0 } : first;
      gets += Math.max(0, last.getRequestsTotal - base.getRequestsTotal);
      hits += Math.max(0, last.hitsTotal - base.hitsTotal);
    }
    return { missRate: gets === 0 ? null : (gets - hits) / gets, getRequests: gets };
  }

  /**
   * Applies a new cache config to every member that is not down (a down node gets it when it is
   * back); later nodes start with it. When a node refuses, the nodes that had accepted get the
   * previous config back and the call fails with a 400 naming the refusing nodes: the pool never
   * runs two configs.
   */
  async setConfig(config: CacheConfig): Promise<void> {
    const previous = { ...this.#config };
    const targets = this.#members.list().filter((member) => member.status !== 'down');
    const results = await Promise.allSettled(
      targets.map((member) =>
        this.#client(member.address).setConfig({
          capacity: config.capacityMb,
          replacement_policy: config.policy,
        }),
      ),
    );
    const refused = targets.filter((_, i) => results[i]!.status === 'rejected');
    if (refused.length > 0) {
      const accepted = targets.filter((_, i) => results[i]!.status === 'fulfilled');
      await Promise.all(
        accepted.map((member) =>
          this.#client(member.address)
            .setConfig({ capacity: previous.capacityMb, replacement_policy: previous.policy })
            .catch((error: unknown) =>
              this.#logger.error(
                { address: member.address, err: error },
                'could not restore the previous config',
              ),
            ),
        ),
      );
      const reasons = refused.map((member) => {
        const result = results[targets.indexOf(member)] as PromiseRejectedResult;
        return `${member.address} (${result.reason instanceof Error ? result.reason.message : String(result.reason)})`;
      });
      throw errors.configRejected(
        `the config was not applied: refused by ${reasons.join('; ')}; the previous config stays`,
      );
    }
    this.#config = { ...config };
    this.#db.saveCacheConfig(this.#config);
  }

  /** Clears every node that is not down. */
  async clear(): Promise<void> {
    const targets = this.#members.list().filter((member) => member.status !== 'down');
    await Promise.all(targets.map((member) => this.#client(member.address).clear()));
  }

  /** Waits for a running resize, stops every node (local kind), closes the clients and the database. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#health.stop();
    await this.#coordinator.idle();
    await this.#options.provisioner.close();
    await Promise.all([...this.#clients.values()].map((client) => client.close()));
    this.#clients.clear();
    this.#db.close();
  }

  async #startFresh(): Promise<void> {
    const count = this.#options.initialNodes ?? defaults.startNodes;
    const started = await this.#startNodes(count);
    for (const [address, index] of started) this.#addMember(address, index, 'up');
    this.#setTable(
      PartitionTable.initial(
        this.#members.addresses(),
        this.#options.strategy ?? defaults.partitionStrategy,
      ),
    );
    this.#db.saveCacheConfig(this.#config);
    await this.#options.routing?.publish(this.table, []);
    this.#logger.info(
      { nodes: this.#members.addresses(), version: this.table.version },
      'pool started',
    );
  }

  /**
   * A restart: probe every stored member; re-adopt those that answer (with their keys); settle
   * an interrupted resize; then replace the members that are gone — with the local provisioner,
   * by fresh nodes of the same cache_index taking over their partitions (their keys were lost
   * with them, so nothing moves); with the others, the node stays a member marked down until the
   * orchestrator or the operator brings it back and it answers again.
   */
  async #recover(): Promise<void> {
    const stored = new Map(this.#db.listNodes().map((node) => [node.address, node]));
    const probes = await Promise.all(
      this.#members
        .addresses()
        .map(async (address) => [address, await this.#client(address).healthy()] as const),
    );
    const alive = new Set(probes.filter(([, ok]) => ok).map(([address]) => address));
    for (const address of alive) {
      const member = this.#members.get(address)!;
      this.#options.provisioner.adopt?.(
        address,
        stored.get(address)?.pid ?? null,
        this.#spec(member.cacheIndex),
      );
    }
    this.#logger.info(
      { alive: [...alive], gone: this.#members.addresses().filter((a) => !alive.has(a)) },
      'members probed after a restart',
    );

    const unfinished = this.#db.unfinishedMigration();
    if (unfinished) await this.#settle(unfinished, alive);
    for (const member of this.#members.list()) {
      if (member.status === 'starting' || member.status === 'draining')
        this.#setStatus(member.address, alive.has(member.address) ? 'up' : 'down');
    }

    const gone = this.#members.list().filter((member) => !alive.has(member.address));
    if (gone.length > 0 && this.#options.provisioner.kind === 'local')
      await this.#replace(gone.map((member) => member.address));
    for (const member of this.#members.list()) {
      if (!alive.has(member.address) && this.#options.provisioner.kind !== 'local')
        this.#setStatus(member.address, 'down');
      if (alive.has(member.address)) this.#setStatus(member.address, 'up');
    }
    await this.#options.routing?.publish(this.table, []);
    this.#logger.info(
      { nodes: this.#members.addresses(), version: this.table.version },
      'pool restored',
    );
  }

  /** Settles the journaled migration and makes the membership match the table it leaves. */
  async #settle(record: MigrationRecord, alive: ReadonlySet<string>): Promise<void> {
    const settlement = await settleMigration(record, {
      clientOf: (address) => this.#client(address),
      alive,
      chunkKeys: this.#options.moveChunkKeys ?? defaults.moveChunkKeys,
      logger: this.#logger,
    });
    const owners = new Set(settlement.table.owners);
    this.#db.atomically(() => {
      this.#db.finishMigration(record.id, settlement.outcome, settlement.reason ?? undefined);
      this.#setTable(settlement.table);
    });
    // Nodes of the migration that own nothing in the table now: the leaving ones of a completed
    // shrink, the new ones of a rolled-back grow.
    const involved = new Set([...record.fromTable.owners, ...record.toTable.owners]);
    for (const member of this.#members.list()) {
      if (!involved.has(member.address) || owners.has(member.address)) continue;
      await this.#options.provisioner
        .stopNode(member.address, this.#members.size - 1)
        .catch((error: unknown) => {
          this.#logger.warn(
            { address: member.address, err: error },
            'could not stop a node after settling a migration',
          );
        });
      this.#removeMember(member.address);
    }
  }

  /** Starts one fresh node per gone local member, with its cache_index, and hands it the partitions. */
  async #replace(gone: string[]): Promise<void> {
    const specs = gone.map((address) => this.#spec(this.#members.get(address)!.cacheIndex));
    let started: string[];
    try {
      started = await this.#options.provisioner.startNodes(specs, this.#members.size - gone.length);
      await Promise.all(
        started.map((address, i) => this.#configure(address, specs[i]!.cacheIndex)),
      );
    } catch (error) {
      this.#logger.error(
        { err: error, gone },
        'could not replace the nodes that are gone; they stay down',
      );
      for (const address of gone) this.#setStatus(address, 'down');
      return;
    }
    const substitute = new Map(gone.map((address, i) => [address, started[i]!]));
    this.#db.atomically(() => {
      gone.forEach((address, i) => {
        this.#removeMember(address);
        this.#addMember(started[i]!, specs[i]!.cacheIndex, 'up');
      });
      const owners = this.table.owners.map((owner) => substitute.get(owner) ?? owner);
      this.#setTable(new PartitionTable(this.table.version + 1, this.table.strategy, owners));
    });
    this.#logger.warn(
      { replaced: Object.fromEntries(substitute) },
      'nodes gone during the restart were replaced by empty ones',
    );
  }

  /**
   * Starts `count` nodes, applies the config, waits until healthy. Resolves with
   * [address, cache_index] pairs. Nodes of a `command` provisioner register themselves: then it
   * waits for `count` registrations.
   */
  async #startNodes(count: number): Promise<[string, number][]> {
    const first = this.#members.nextIndex();
    const specs = Array.from({ length: count }, (_, i) => this.#spec(first + i));
    const addresses = await this.#options.provisioner.startNodes(specs, this.#members.size);
    const pairs: [string, number][] = addresses.map((address, i) => [address, first + i]);
    if (pairs.length < count && this.#options.provisioner.kind === 'command') {
      pairs.push(...(await this.#awaitRegistrations(count - pairs.length)));
    }
    try {
      if (pairs.length < count) {
        throw errors.resizeFailed(
          `only ${pairs.length} of ${count} new nodes are available from the ${this.#options.provisioner.kind} provisioner`,
        );
      }
      await Promise.all(pairs.map(([address, index]) => this.#configure(address, index)));
    } catch (error) {
      for (const [address] of pairs) this.#members.dropPending(address);
      await Promise.all(
        pairs.map(([address]) =>
          this.#options.provisioner.stopNode(address, this.#members.size).catch(() => {}),
        ),
      );
      throw error;
    }
    return pairs;
  }

  /** Waits until `count` nodes registered and are pending; resolves with them (fewer on timeout). */
  async #awaitRegistrations(count: number): Promise<[string, number][]> {
    const deadline =
      this.#clock.now() + (this.#options.registrationTimeoutMs ?? defaults.registrationTimeoutMs);
    for (;;) {
      const pending = [...this.#members.pending()];
      if (pending.length >= count || this.#clock.now() > deadline || this.#closed)
        return pending.slice(0, count);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Checks that a new node answers and gives it the config and its cache_index. */
  async #configure(address: string, index: number): Promise<void> {
    const client = this.#client(address);
    if (!(await client.healthy())) throw errors.resizeFailed(`node ${address} is not healthy`);
    await client.setConfig({
      capacity: this.#config.capacityMb,
      replacement_policy: this.#config.policy,
      cache_index: index,
    });
  }

  /**
   * Nodes that registered on their own (an orchestrator started them) join the pool through the
   * resize path once no resize runs, up to the maximum size.
   */
  #scheduleJoin(): void {
    if (this.#joinScheduled || this.#closed || this.#table === null) return;
    this.#joinScheduled = true;
    void (async () => {
      // Yield first: a grow waiting for registrations takes the node in its own resize.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await this.#coordinator.idle();
      this.#joinScheduled = false;
      const pending = [...this.#members.pending()].slice(
        0,
        Math.max(0, this.maxNodes - this.#members.size),
      );
      if (pending.length === 0 || this.#closed) return;
      try {
        await this.#coordinator.run(async () => {
          const oldSize = this.#members.size;
          const error = await this.#join(pending);
          this.#recordEvent(oldSize, 'manual');
          if (error === null) await this.#resetStatistics();
          else
            this.#logger.warn(
              { nodes: pending.map(([a]) => a), error },
              'registered nodes could not join',
            );
        });
      } catch (error) {
        // Busy again (a resize started meanwhile): try once it is over.
        if (error instanceof CachePoolError && error.code === 'CP_ERR_POOL_BUSY')
          this.#scheduleJoin();
      }
    })();
  }

  async #join(pending: [string, number][]): Promise<string | null> {
    const ready: [string, number][] = [];
    for (const [address, index] of pending) {
      try {
        await this.#configure(address, index);
        ready.push([address, index]);
      } catch (error) {
        this.#members.dropPending(address);
        this.#logger.warn({ address, err: error }, 'a registered node does not answer; not added');
      }
    }
    if (ready.length === 0) return null;
    return this.#addAndMigrate(ready);
  }

  async #grow(count: number): Promise<string | null> {
    let started: [string, number][];
    try {
      started = await this.#startNodes(count);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    return this.#addAndMigrate(started);
  }

  /** Adds nodes as `starting`, migrates onto them, and marks them up (or removes them again). */
  async #addAndMigrate(started: [string, number][]): Promise<string | null> {
    for (const [address, index] of started) this.#addMember(address, index, 'starting');
    const added = started.map(([address]) => address);
    const error = await this.#migrate([], this.#members.addresses());
    if (error === null) {
      for (const address of added) this.#setStatus(address, 'up');
      return null;
    }
    for (const address of added) {
      this.#removeMember(address);
      await this.#options.provisioner.stopNode(address, this.#members.size).catch(() => {});
      await this.#dropClient(address);
    }
    return error;
  }

  async #shrink(count: number): Promise<string | null> {
    const leaving = this.#leavingNodes(count);
    for (const address of leaving) this.#setStatus(address, 'draining');
    const staying = this.#members.addresses().filter((address) => !leaving.includes(address));
    const error = await this.#migrate(leaving, staying);
    if (error !== null) {
      for (const address of leaving) this.#setStatus(address, 'up');
      for (const address of leaving) this.#handedOff.delete(address);
      return error;
    }
    for (const address of leaving) {
      this.#removeMember(address);
      this.#handedOff.delete(address);
      try {
        await this.#options.provisioner.stopNode(address, this.#members.size);
      } catch (stopError) {
        // The keys are handed off and the table no longer names it: the pool is consistent; the
        // node itself may still run.
        this.#logger.error(
          { address, err: stopError },
          'the node left the pool but could not be stopped',
        );
      }
      await this.#dropClient(address);
    }
    return null;
  }

  /**
   * Which nodes leave: with a scale command, the node the orchestrator will remove (nodeToDrain),
   * one at a time; otherwise the highest cache indexes, as in the original.
   */
  #leavingNodes(count: number): string[] {
    if (this.#options.provisioner.kind !== 'command')
      return this.#members
        .list()
        .slice(-count)
        .map((member) => member.address);
    const leaving: string[] = [];
    const candidates = this.#members.list();
    for (let i = 0; i < count; i++) {
      const next = nodeToDrain(candidates.filter((member) => !leaving.includes(member.address)));
      if (next) leaving.push(next);
    }
    return leaving;
  }

  /** Plans and applies the move of the table to `nodes`; returns the error, or null when done. */
  async #migrate(leaving: string[], nodes: string[]): Promise<string | null> {
    const current = this.table;
    const plan = planRebalance(current, nodes);
    const id = `m${this.#clock.now().toString(36)}-${++this.#migrationSeq}`;
    const progress = new MigrationProgress(
      id,
      current.nodes().length,
      nodes.length,
      plan.moves.length,
      this.#clock,
    );
    this.#migration = progress;
    this.#logger.info({ migration: id, moves: plan.moves.length, nodes }, 'migration started');
    // Journaled before the first key moves: a manager killed from here on settles it at restart.
    this.#db.beginMigration({
      id,
      fromTable: current,
      toTable: plan.table,
      moves: plan.moves,
      startedAtMs: this.#clock.now(),
    });
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
      chunkKeys: this.#options.moveChunkKeys ?? defaults.moveChunkKeys,
      // Journals each source's progress: a restart settling this migration skips those sources.
      onPartitionsDone: (moves) => {
        try {
          this.#db.atomically(() => {
            for (const move of moves) this.#db.markMoveDone(id, move.partition);
          });
        } catch (error) {
          this.#logger.warn(
            { migration: id, err: error },
            'could not journal moves as done; a restart would go through them again',
          );
        }
      },
    });
    this.#abort = null;
    this.#moving = [];
    this.#db.atomically(() => {
      this.#setTable(outcome.table);
      this.#db.finishMigration(
        id,
        outcome.ok ? 'done' : 'rolled-back',
        outcome.ok ? undefined : outcome.error,
      );
    });
    progress.finish(outcome.ok ? null : outcome.error);
    if (outcome.ok)
      this.#logger.info({ migration: id, version: outcome.table.version }, 'migration done');
    else
      this.#logger.warn(
        { migration: id, error: outcome.error },
        'migration failed; the previous table stays in force',
      );
    return outcome.ok ? null : outcome.error;
  }

  async #onProvisionerEvent(event: ProvisionerEvent): Promise<void> {
    if (event.kind === 'exited' && this.#abort?.nodes.has(event.address)) {
      this.#abort.controller.abort(
        `node ${event.address} exited during the migration (code ${event.code}, signal ${event.signal})`,
      );
    }
    if (!this.#members.has(event.address)) return;
    if (event.kind === 'exited') {
      this.#nodeDown(
        event.address,
        `its process exited (code ${event.code}, signal ${event.signal})`,
      );
      return;
    }
    this.#health.forget(event.address);
    const member = this.#members.get(event.address)!;
    // A restarted local node has a new process id: keep the stored one current for the next restart.
    this.#db.upsertNode({
      ...member,
      pid: this.#options.provisioner.pidOf?.(event.address) ?? null,
    });
    await this.#nodeBack(event.address);
  }

  /** A member died or stopped answering: down, and its figures dropped (its keys are gone). */
  #nodeDown(address: string, why: string): void {
    const member = this.#members.get(address);
    if (!member || member.status === 'down') return;
    this.#logger.warn({ address, why }, 'node down');
    this.#setStatus(address, 'down');
    this.#snapshots.delete(address);
    this.#history.delete(address);
  }

  /** A down member answers again (restarted, most likely empty): give it its config, then up. */
  async #nodeBack(address: string): Promise<void> {
    const member = this.#members.get(address);
    if (!member) return;
    try {
      await this.#client(address).setConfig({
        capacity: this.#config.capacityMb,
        replacement_policy: this.#config.policy,
        cache_index: member.cacheIndex,
      });
      if (this.#members.get(address)?.status === 'down') {
        this.#setStatus(address, 'up');
        this.#logger.info({ address }, 'node up again');
      }
    } catch (error) {
      this.#logger.warn({ address, err: error }, 'could not configure a node that came back');
    }
  }

  #recordEvent(oldSize: number, cause: ResizeCause): void {
    this.#events.push({
      time_ms: this.#clock.now(),
      old_size: oldSize,
      new_size: this.#members.size,
      cause,
    });
    if (this.#events.length > defaults.resizeEventsKept) this.#events.shift();
    this.#options.onResize?.(this.#events.at(-1)!, this.migration());
  }

  async #resetStatistics(): Promise<void> {
    await Promise.all(
      this.#members.addresses().map((a) =>
        this.#client(a)
          .resetStatistics()
          .catch(() => {}),
      ),
    );
  }

  #spec(cacheIndex: number): NodeSpec {
    return { cacheIndex, capacityMb: this.#config.capacityMb, policy: this.#config.policy };
  }

  #addMember(address: string, cacheIndex: number, status: MemberStatus): void {
    const addedAtMs = this.#clock.now();
    this.#members.add(address, cacheIndex, status, addedAtMs);
    this.#db.upsertNode({
      address,
      cacheIndex,
      status,
      pid: this.#options.provisioner.pidOf?.(address) ?? null,
      addedAtMs,
    });
  }

  #removeMember(address: string): void {
    this.#members.remove(address);
    this.#db.removeNode(address);
    this.#snapshots.delete(address);
    this.#history.delete(address);
    this.#health.forget(address);
  }

  #setStatus(address: string, status: MemberStatus): void {
    this.#members.setStatus(address, status);
    this.#db.setNodeStatus(address, status);
  }

  #setTable(table: PartitionTable): void {
    this.#table = table;
    this.#db.savePartitionTable(table);
  }

  /** Closes the connections to a node that left (its address may later be another node's). */
  async #dropClient(address: string): Promise<void> {
    const client = this.#clients.get(address);
    this.#clients.delete(address);
    await client?.close().catch(() => {});
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

/** A journaled migration in the shape of `GET /api/manager/migration`. */
function journaledMigration(record: MigrationRecord): MigrationJSON & { outcome: string | null } {
  return {
    id: record.id,
    running: record.outcome === null,
    from_size: new Set(record.fromTable.owners).size,
    to_size: new Set(record.toTable.owners).size,
    started_at_ms: record.startedAtMs,
    finished_at_ms: record.finishedAtMs,
    partitions_total: record.moves.length,
    partitions_done: record.moves.filter((move) => move.done).length,
    keys_total: 0,
    keys_done: 0,
    bytes_done: 0,
    error: record.error,
    outcome: record.outcome,
  };
}

/** True when `error` is a deliberate error of ours (safe to show). */
export function isKnownError(error: unknown): error is CachePoolError {
  return error instanceof CachePoolError;
}
