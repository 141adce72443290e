/**
 * What happens to members between resizes: a member whose process exits (a provisioner event) or
 * that stops answering its health checks (HealthMonitor) goes `down` and its figures are dropped;
 * one that answers again, or that the provisioner restarted, gets its config back and goes `up`.
 * A node that exits while it takes part in a migration aborts that migration. Membership itself
 * changes only through resizes (resize-engine.ts) and the start path (start-pool.ts).
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { defaults } from '../defaults.js';
import { HealthMonitor } from './health-monitor.js';
import type { MigrationRunner } from './migration-runner.js';
import type { PoolState } from './pool-state.js';
import type { Provisioner, ProvisionerEvent } from './provisioner.js';

/** Calls configuring a node that came back before it stays down (NodeLifecycle.#nodeBack). */
const NODE_BACK_ATTEMPTS = 3;
/** Wait between two of those calls, in ms. */
const NODE_BACK_RETRY_MS = 200;
/** What NodeLifecycle needs. */
export interface NodeLifecycleOptions {
  pool: PoolState;
  /** Subscribed to on construction. */
  provisioner: Provisioner;
  migrations: MigrationRunner;
  logger: Logger;
  /** Consecutive failed health probes that make a member down. */
  healthFailuresDown: number;
  /** And at least this long without an answer, in ms (defaults.downAfterMs). */
  downAfterMs: number;
  clock: Clock;
  /**
   * A member is dead for good (silent for `downAfterMs`, or given up by its provisioner): fail
   * its partitions over. `keysLost` is its last reported item count.
   */
  onFailed(address: string, keysLost: number, why: string): void;
  /** A member answered its health probe (the gateway of this process may call it again). */
  onReachable?: (address: string) => void;
  /**
   * Whether a member's fail-over is under way (ResizeEngine.isFailingOver): one that answers
   * again then stays down.
   */
  failingOver?: (address: string) => boolean;
}

/** Marks members down and up from provisioner events and health checks. */
export class NodeLifecycle {
  #options: NodeLifecycleOptions;
  #health: HealthMonitor;
  /** Members declared dead (#failed) whose fail-over may still come: down until they answer. */
  #declaredDead = new Set<string>();

  constructor(options: NodeLifecycleOptions) {
    this.#options = options;
    const { pool } = options;
    this.#health = new HealthMonitor({
      addresses: () =>
        pool.members
          .list()
          .filter((m) => m.status === 'up' || m.status === 'down')
          .map((m) => m.address),
      probe: async (address) => {
        const health = await pool.client(address).health(defaults.healthProbeTimeoutMs);
        if (health === undefined) return false;
        const down = pool.members.get(address)?.status === 'down';
        // A member down by some other word than its health checks' (a restart of the manager
        // found it gone, its process exited) is back by this answer as well (#nodeBack); not one
        // its provisioner gave up, whose fail-over is to come.
        if (down && !this.#health.isDown(address) && !this.#declaredDead.has(address))
          this.#health.markDown(address);
        // A node that missed a push of its partitions (it restarted, a push timed out) is told
        // again: its next requests are checked against the routing in force. Not a member that
        // is down: it may be failed over at any moment, and what it took in as an owner then
        // would be lost (it is told once it is up again, #nodeBack).
        if (!down && health.routingVersion !== options.migrations.routingVersion() && pool.hasTable)
          void options.migrations.pushRoles([address]);
        options.onReachable?.(address);
        return true;
      },
      failuresDown: options.healthFailuresDown,
      downAfterMs: options.downAfterMs,
      clock: options.clock,
      onDown: (address) =>
        this.#failed(address, `it did not answer its health checks for ${options.downAfterMs} ms`),
      onUp: (address) => void this.#nodeBack(address),
    });
    options.provisioner.onEvent((event) => void this.#onProvisionerEvent(event));
  }

  /** Probes every member every `intervalMs` and marks the silent ones down. */
  startHealthChecks(intervalMs: number): void {
    this.#health.start(intervalMs);
  }

  /** One round of health probes now (what the timer calls). */
  checkHealth(): Promise<void> {
    return this.#health.tick();
  }

  /** Stops the health checks' timer. */
  stopHealthChecks(): void {
    this.#health.stop();
  }

  /** Forgets a node's failed probes (it left the pool). */
  forget(address: string): void {
    this.#health.forget(address);
    this.#declaredDead.delete(address);
  }

  async #onProvisionerEvent(event: ProvisionerEvent): Promise<void> {
    const { pool, provisioner } = this.#options;
    if (event.kind === 'exited') {
      this.#options.migrations.abortFor(
        event.address,
        `node ${event.address} exited during the migration (code ${event.code}, signal ${event.signal})`,
      );
    }
    if (!pool.members.has(event.address)) return;
    if (event.kind === 'lost') {
      this.#failed(event.address, 'its provisioner gave it up');
      return;
    }
    if (event.kind === 'exited') {
      const why = `its process exited (code ${event.code}, signal ${event.signal})`;
      const keysLost = pool.statistics.last(event.address)?.items ?? 0;
      this.#nodeDown(event.address, why);
      // Its supervisor restarts it empty on the same address: the partitions stay, the keys are
      // gone. Recorded like a fail-over, so that the loss shows on the dashboard.
      pool.db.appendDecision({
        timeMs: this.#options.clock.now(),
        missRate: null,
        requests: 0,
        oldSize: pool.members.size,
        newSize: pool.members.size,
        action: 'none',
        reason: `node ${event.address} died (${why}); ${keysLost} keys lost with it; restarting it empty`,
      });
      return;
    }
    this.#health.forget(event.address);
    const member = pool.members.get(event.address)!;
    // A restarted local node has a new process id: keep the stored one current for the next restart.
    pool.db.upsertNode({
      ...member,
      pid: provisioner.pidOf?.(event.address) ?? null,
    });
    await this.#nodeBack(event.address);
  }

  /**
   * A member is dead for good: down, the migration it takes part in aborted, and its partitions
   * failed over (counting the keys it last reported as lost).
   */
  #failed(address: string, why: string): void {
    const { pool, migrations } = this.#options;
    if (!pool.members.has(address)) return;
    const keysLost = pool.statistics.last(address)?.items ?? 0;
    migrations.abortFor(address, `node ${address} failed: ${why}`);
    this.#nodeDown(address, why);
    this.#declaredDead.add(address);
    this.#options.onFailed(address, keysLost, why);
  }

  /** A member died or stopped answering: down, and its figures dropped (its keys are gone). */
  #nodeDown(address: string, why: string): void {
    const { pool } = this.#options;
    const member = pool.members.get(address);
    if (!member || member.status === 'down') return;
    this.#options.logger.warn({ address, why }, 'node down');
    pool.setStatus(address, 'down');
    pool.statistics.forget(address);
  }

  /**
   * A down member answers again (restarted, most likely empty): give it its config, then up.
   * Not while its fail-over is under way: its health checks then count it down again, so that
   * its next answer brings it back if that fail-over fails and it is still a member.
   */
  async #nodeBack(address: string): Promise<void> {
    const { pool, logger } = this.#options;
    const member = pool.members.get(address);
    if (!member) return;
    if (this.#stillFailing(address)) return;
    try {
      // Asked again after a failure: the first call to a node restarted on its address can go
      // out on a keep-alive connection to its dead predecessor ("other side closed"), and no
      // later event would bring the node back up.
      for (let attempt = 1; ; attempt++) {
        try {
          await pool.client(address).setConfig({
            capacity: pool.config.capacityMb,
            replacement_policy: pool.config.policy,
            cache_index: member.cacheIndex,
          });
          break;
        } catch (error) {
          if (attempt >= NODE_BACK_ATTEMPTS) throw error;
          await new Promise((resolve) => setTimeout(resolve, NODE_BACK_RETRY_MS));
        }
      }
      this.#options.onReachable?.(address);
      if (this.#stillFailing(address)) return;
      if (pool.members.get(address)?.status === 'down') {
        this.#declaredDead.delete(address);
        pool.setStatus(address, 'up');
        logger.info({ address }, 'node up again');
        if (pool.hasTable) void this.#options.migrations.pushRoles([address]);
      }
    } catch (error) {
      logger.warn({ address, err: error }, 'could not configure a node that came back');
    }
  }

  /** Whether `address`'s fail-over is under way; if so, its health checks count it down again. */
  #stillFailing(address: string): boolean {
    if (!this.#options.failingOver?.(address)) return false;
    this.#health.markDown(address);
    this.#options.logger.info({ address }, 'a node answered during its fail-over: it stays down');
    return true;
  }
}
