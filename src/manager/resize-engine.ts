/**
 * Resizes of the pool, one at a time (ResizeCoordinator): a grow starts nodes, adds them as
 * `starting` and migrates onto them; a shrink picks the leaving nodes, marks them `draining`,
 * migrates off them and stops them; nodes that registered on their own join through the same path
 * once no resize runs. A failed migration leaves the old table and membership in force, and the
 * nodes started for it are stopped again. Every resize, successful or not, is recorded for the
 * dashboard. The migration itself (planning, journaling, moving keys) is MigrationRunner's.
 */
import type { Logger } from 'pino';
import type { ResizeCause, ResizeEvent } from '../wire/index.js';
import type { Clock } from '../clock.js';
import { defaults } from '../defaults.js';
import { CachePoolError, errors } from '../errors.js';
import type { MigrationRunner, MigrationView } from './migration-runner.js';
import type { NodeStarter } from './node-starter.js';
import type { PoolState } from './pool-state.js';
import type { Provisioner } from './provisioner.js';
import type { ResizeCoordinator } from './resize-coordinator.js';

export type { ResizeCause, ResizeEvent };

/** What ResizeEngine needs. */
export interface ResizeEngineOptions {
  pool: PoolState;
  /** Held for the whole of each resize (the manager's start holds it too). */
  coordinator: ResizeCoordinator;
  migrations: MigrationRunner;
  nodes: NodeStarter;
  provisioner: Provisioner;
  logger: Logger;
  clock: Clock;
  minNodes: number;
  maxNodes: number;
  /** Wait before a failed failover is tried again, in ms (defaults.failoverRetryMs). */
  failoverRetryMs: number;
  /** True once the manager is closing: no node joins any more. */
  closed(): boolean;
  /** Told of every member whose partitions were failed over to the others. */
  onFailedOver?: ((address: string) => void) | undefined;
  /** Receives every finished resize (successful or not). */
  onResize?: ((event: ResizeEvent, migration: MigrationView | null) => void) | undefined;
}

/** Grows and shrinks the pool. */
export class ResizeEngine {
  #options: ResizeEngineOptions;
  #events: ResizeEvent[] = [];
  #joinScheduled = false;
  /** Members whose fail-over is under way: past its check that they are down, not yet removed. */
  #failingOver = new Set<string>();

  constructor(options: ResizeEngineOptions) {
    this.#options = options;
  }

  /** Resizes of the last `minutes` minutes, oldest first (the last defaults.resizeEventsKept). */
  events(minutes: number): ResizeEvent[] {
    const since = this.#options.clock.now() - minutes * 60_000;
    return this.#events.filter((event) => event.time_ms >= since);
  }

  /**
   * Resizes the pool to `newSize` nodes. Throws CP_ERR_POOL_BUSY while another resize runs,
   * CP_ERR_POOL_MAX/MIN outside the bounds, CP_ERR_POOL_RESIZE_FAILED when the migration failed
   * (the old table stays in force).
   */
  async resize(newSize: number, cause: ResizeCause): Promise<void> {
    const { pool } = this.#options;
    if (newSize > this.#options.maxNodes) throw errors.poolMax();
    if (newSize < this.#options.minNodes) throw errors.poolMin();
    await this.#options.coordinator.run(async () => {
      const oldSize = pool.members.size;
      if (newSize === oldSize) return;
      const error =
        newSize > oldSize
          ? await this.#grow(newSize - oldSize)
          : await this.#shrink(oldSize - newSize);
      if (error === null) this.#recordEvent(oldSize, cause);
      else this.#recordEvent(oldSize, 'rolled-back', newSize);
      if (error !== null) {
        throw errors.resizeFailed(
          `the resize from ${oldSize} to ${newSize} nodes failed: ${error}`,
        );
      }
      await this.#resetStatistics();
    });
  }

  /**
   * A member was declared dead (`why`): its partitions fail over to the members that are up, at
   * once and without a handoff (MigrationRunner.failOver; `keysLost` is its last reported item
   * count), it leaves the membership, and its provisioner makes sure it cannot come back with
   * old values. A pool left with no member up gets a fresh node first. Then, where the manager
   * starts nodes itself, the pool grows back to its size. Waits for a running resize (which the
   * caller has aborted if the node took part in it). Nothing happens when the node is up again
   * or gone by the time it is its turn. Never throws: a failover that fails (no fresh node for a
   * pool left without one) is logged and tried again after `failoverRetryMs`, for as long as the
   * member is down; otherwise its partitions would stay on a dead node, every write to them
   * refused.
   */
  async failOver(address: string, keysLost: number, why: string): Promise<void> {
    const { pool, coordinator, provisioner, logger } = this.#options;
    let wanted = 0;
    let failedOver = false;
    try {
      await coordinator.runWhenIdle(async () => {
        wanted = pool.members.size;
        failedOver = await this.#failOverLocked(address, keysLost, why);
      });
    } catch (error) {
      logger.error(
        { address, err: error, retry_in_ms: this.#options.failoverRetryMs },
        'could not fail a dead node over; trying again',
      );
      const retry = setTimeout(() => {
        if (pool.members.get(address)?.status === 'down' && !this.#options.closed())
          void this.failOver(address, keysLost, why);
      }, this.#options.failoverRetryMs);
      retry.unref();
      return;
    }
    if (!failedOver || provisioner.replacesFailed || this.#options.closed()) return;
    try {
      await coordinator.runWhenIdle(async () => {
        const size = pool.members.size;
        const target = Math.min(wanted, this.#options.maxNodes);
        if (size >= target || this.#options.closed()) return;
        const error = await this.#grow(target - size);
        this.#recordEvent(size, 'failure');
        if (error !== null) logger.warn({ error }, 'could not grow back after a failed node');
        else await this.#resetStatistics();
      });
    } catch (error) {
      logger.warn({ err: error }, 'could not grow back after a failed node');
    }
  }

  /**
   * Whether `address`'s fail-over is under way. It is decided then: the member stays down even
   * if it answers again (NodeLifecycle), for one marked up meanwhile could take writes that the
   * table which removes it would lose.
   */
  isFailingOver(address: string): boolean {
    return this.#failingOver.has(address);
  }

  /** failOver's work, under the resize lock; false when there was nothing to do. */
  async #failOverLocked(address: string, keysLost: number, why: string): Promise<boolean> {
    const { pool } = this.#options;
    if (pool.members.get(address)?.status !== 'down' || this.#options.closed()) return false;
    this.#failingOver.add(address);
    try {
      return await this.#failOverCommitted(address, keysLost, why);
    } finally {
      this.#failingOver.delete(address);
    }
  }

  /** #failOverLocked past its check: the member is down and stays so until it is removed. */
  async #failOverCommitted(address: string, keysLost: number, why: string): Promise<boolean> {
    const { pool, provisioner, logger } = this.#options;
    const oldSize = pool.members.size;
    let survivors = pool.members
      .list()
      .filter((member) => member.address !== address && member.status !== 'down')
      .map((member) => member.address);
    if (survivors.length === 0) {
      const started = await this.#options.nodes.start(1);
      for (const [node, index] of started) pool.addMember(node, index, 'up');
      survivors = started.map(([node]) => node);
      if (survivors.length === 0) throw errors.resizeFailed('no node to fail over to');
    }
    const outcome = await this.#options.migrations.failOver(address, survivors, keysLost);
    pool.removeMember(address);
    this.#options.onFailedOver?.(address);
    this.#recordEvent(oldSize, 'failure');
    pool.db.appendDecision({
      timeMs: this.#options.clock.now(),
      missRate: null,
      requests: 0,
      oldSize,
      newSize: pool.members.size,
      action: 'shrink',
      reason: `failover: node ${address} failed (${why}); partitions ${outcome.partitions.join(', ') || 'none'} went to the other nodes; ${keysLost} keys lost with it`,
    });
    await provisioner
      .forgetFailed(address, pool.members.size)
      .catch((error: unknown) =>
        logger.warn({ address, err: error }, 'could not stop a failed node'),
      );
    await pool.dropClient(address);
    return true;
  }

  /**
   * A member is stopping on its own (SIGTERM): hands its keys off to the owners of its partitions
   * (a shrink that drains exactly this node, waiting for a running resize first) and removes it.
   * The provisioner is not asked to stop it: it is stopping already (a local node that exits is
   * restarted by its supervisor and registers again, as an orchestrator's new pod does).
   */
  async leave(address: string): Promise<void> {
    const { pool, coordinator } = this.#options;
    if (this.#options.closed()) throw errors.invalid('the manager is stopping');
    if (!pool.members.has(address)) throw errors.notMember(address);
    await coordinator.runWhenIdle(async () => {
      const member = pool.members.get(address);
      if (!member) return;
      const oldSize = pool.members.size;
      if (oldSize <= 1) throw errors.invalid('the last node of the pool has no one to hand off to');
      pool.setStatus(address, 'draining');
      const staying = pool.members.addresses().filter((other) => other !== address);
      const error = await this.#options.migrations.migrate([address], staying);
      if (error !== null) {
        pool.setStatus(address, member.status);
        this.#recordEvent(oldSize, 'leave');
        throw errors.resizeFailed(`the handoff of ${address} failed: ${error}`);
      }
      pool.removeMember(address);
      await pool.dropClient(address);
      this.#recordEvent(oldSize, 'leave');
    });
  }

  /**
   * A node reports that it handed all its keys off (the original's removal call, made by a
   * leaving node's last move_keys). Only a member that is leaving (`draining`) may do so:
   * CP_ERR_POOL_NOT_MEMBER or CP_ERR_REQUEST_INVALID otherwise. The report itself changes
   * nothing: the manager knows a source is drained from its own sweeps, and stops the leaving
   * nodes once their resize has committed (a report cannot remove a node early).
   */
  handoffDone(address: string): void {
    const member = this.#options.pool.members.get(address);
    if (!member) throw errors.notMember(address);
    if (member.status !== 'draining') {
      throw errors.invalid(
        `${JSON.stringify(address)} is not leaving the pool; only a node that handed its keys off may be removed`,
      );
    }
  }

  /**
   * Nodes that registered on their own (an orchestrator started them) join the pool through the
   * resize path once no resize runs, up to the maximum size. Nothing before the pool's first
   * table, nor once the manager is closing.
   */
  scheduleJoin(): void {
    const { pool, coordinator, logger } = this.#options;
    if (this.#joinScheduled || this.#options.closed() || !pool.hasTable) return;
    this.#joinScheduled = true;
    void (async () => {
      // Yield first: a grow waiting for registrations takes the node in its own resize.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await coordinator.idle();
      this.#joinScheduled = false;
      const pending = [...pool.members.pending()].slice(
        0,
        Math.max(0, this.#options.maxNodes - pool.members.size),
      );
      if (pending.length === 0 || this.#options.closed()) return;
      try {
        await coordinator.run(async () => {
          const oldSize = pool.members.size;
          const error = await this.#join(pending);
          this.#recordEvent(oldSize, 'join');
          if (error === null) await this.#resetStatistics();
          else
            logger.warn(
              { nodes: pending.map(([a]) => a), error },
              'registered nodes could not join',
            );
        });
      } catch (error) {
        // Busy again (a resize started meanwhile): try once it is over.
        if (error instanceof CachePoolError && error.code === 'CP_ERR_POOL_BUSY')
          this.scheduleJoin();
      }
    })();
  }

  async #join(pending: [string, number][]): Promise<string | null> {
    const ready: [string, number][] = [];
    for (const [address, index] of pending) {
      try {
        await this.#options.nodes.configure(address, index);
        ready.push([address, index]);
      } catch (error) {
        this.#options.pool.members.dropPending(address);
        this.#options.logger.warn(
          { address, err: error },
          'a registered node does not answer; not added',
        );
      }
    }
    if (ready.length === 0) return null;
    return this.#addAndMigrate(ready);
  }

  async #grow(count: number): Promise<string | null> {
    let started: [string, number][];
    try {
      started = await this.#options.nodes.start(count);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    return this.#addAndMigrate(started);
  }

  /** Adds nodes as `starting`, migrates onto them, and marks them up (or removes them again). */
  async #addAndMigrate(started: [string, number][]): Promise<string | null> {
    const { pool, provisioner } = this.#options;
    for (const [address, index] of started) pool.addMember(address, index, 'starting');
    const added = started.map(([address]) => address);
    const error = await this.#options.migrations.migrate([], pool.members.addresses());
    if (error === null) {
      for (const address of added) pool.setStatus(address, 'up');
      return null;
    }
    for (const address of added) {
      pool.removeMember(address);
      await provisioner
        .stopNode(address, pool.members.size)
        .catch((error: unknown) =>
          this.#options.logger.warn(
            { address, err: error },
            'could not stop a node of a failed grow',
          ),
        );
      // The address may come back as another node: never reuse this one's connections.
      await pool.dropClient(address);
    }
    return error;
  }

  async #shrink(count: number): Promise<string | null> {
    const { pool, provisioner } = this.#options;
    // A member that is down leaves first, without a handoff: its keys are gone already. (Where
    // the provisioner decides which node goes, that one drains as usual.)
    if (!provisioner.chooseLeaving) {
      const down = pool.members
        .list()
        .filter((member) => member.status === 'down')
        .slice(0, count);
      for (const member of down) {
        const keysLost = pool.statistics.last(member.address)?.items ?? 0;
        if (
          await this.#failOverLocked(member.address, keysLost, 'it was down when the pool shrank')
        )
          count--;
      }
      if (count === 0) return null;
    }
    const leaving = this.#leavingNodes(count);
    const before = leaving.map((address) => [address, pool.members.get(address)!.status] as const);
    for (const address of leaving) pool.setStatus(address, 'draining');
    const staying = pool.members.addresses().filter((address) => !leaving.includes(address));
    const error = await this.#options.migrations.migrate(leaving, staying);
    if (error !== null) {
      // Back to what they were: only a real answer brings a down node up (the health checks).
      for (const [address, status] of before) pool.setStatus(address, status);
      return error;
    }
    for (const address of leaving) {
      pool.removeMember(address);
      try {
        await provisioner.stopNode(address, pool.members.size);
      } catch (stopError) {
        // The keys are handed off and the table no longer names it: the pool is consistent; the
        // node itself may still run.
        this.#options.logger.error(
          { address, err: stopError },
          'the node left the pool but could not be stopped',
        );
      }
      await pool.dropClient(address);
    }
    return null;
  }

  /**
   * Which nodes leave: those the provisioner chooses (the node an orchestrator will remove), or
   * else the highest cache indexes, as in the original.
   */
  #leavingNodes(count: number): string[] {
    const { members } = this.#options.pool;
    const chosen = this.#options.provisioner.chooseLeaving?.(members.list(), count);
    if (chosen) return chosen;
    return members
      .list()
      .slice(-count)
      .map((member) => member.address);
  }

  #recordEvent(
    oldSize: number,
    cause: ResizeCause,
    newSize: number = this.#options.pool.members.size,
  ): void {
    this.#events.push({
      time_ms: this.#options.clock.now(),
      old_size: oldSize,
      new_size: newSize,
      cause,
    });
    if (this.#events.length > defaults.resizeEventsKept) this.#events.shift();
    this.#options.onResize?.(this.#events.at(-1)!, this.#options.migrations.view());
  }

  async #resetStatistics(): Promise<void> {
    const { pool, logger } = this.#options;
    await Promise.all(
      pool.members.addresses().map((a) =>
        pool
          .client(a)
          .resetStatistics()
          .catch((error: unknown) =>
            logger.warn(
              { address: a, err: error },
              "could not reset a node's hit counts after a resize",
            ),
          ),
      ),
    );
  }
}
