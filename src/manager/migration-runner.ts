/**
 * One move of the partition table onto a new set of nodes: plans it (planRebalance), journals it
 * in the StateDb before the first key moves, carries it out (applyPlan) while the routing sees the
 * partitions moving, and makes the resulting table the one in force — the new one when it
 * succeeded, the old one when it was rolled back. It keeps the running (or last) migration's
 * progress for the API, and can abort the running one when a node taking part dies. Which nodes
 * start, leave or stop around a migration is the resize engine's business (resize-engine.ts).
 */
import type { Logger } from 'pino';
import type { WaitingClock } from '../clock.js';
import {
  PartitionTable,
  planRebalance,
  rolesOf,
  routingVersionOf,
  type RoleMove,
} from '../partition/index.js';
import { defaults } from '../defaults.js';
import { applyPlan, MigrationProgress, type MigrationJSON, type Routing } from '../pool/index.js';
import type { PartitionMove } from '../wire/index.js';
import type { PoolState } from './pool-state.js';
import type { MigrationRecord } from './state-db.js';

/** What MigrationRunner needs. */
export interface MigrationRunnerOptions {
  pool: PoolState;
  clock: WaitingClock;
  logger: Logger;
  /** The gateway's routing of this process now, if any (it may be attached later). */
  routing(): Routing | undefined;
  /** The manager's own `host:port` now, which the nodes report to. */
  managerAddress(): string;
  /** Keys per move_keys call. */
  chunkKeys: number;
  /** The pool's --down-after: how long a rollback waits for a node of a move to answer. */
  downAfterMs: number;
}

/** A migration as `GET /api/manager/migration` shows it. */
export type MigrationView = MigrationJSON & { outcome: string | null };

/** Runs migrations (one at a time: the caller holds the ResizeCoordinator). */
export class MigrationRunner {
  #options: MigrationRunnerOptions;
  #progress: MigrationProgress | null = null;
  #moving: PartitionMove[] = [];
  /** The table published with the moving partitions while a migration runs, else null. */
  #routedTable: PartitionTable | null = null;
  #seq = 0;
  /** Aborts the running migration; with the nodes taking part in it. */
  #abort: { controller: AbortController; nodes: Set<string> } | null = null;

  constructor(options: MigrationRunnerOptions) {
    this.#options = options;
  }

  /** Partitions moving right now (empty when no migration runs). */
  get moving(): readonly PartitionMove[] {
    return this.#moving;
  }

  /**
   * The table the routing follows now: the pool's table, or while a migration runs the one it
   * published with the moving partitions (a rollback's differs from the pool's).
   */
  get routedTable(): PartitionTable {
    const published = this.#routedTable;
    const table = this.#options.pool.table;
    // The last table published stays in force until the pool's own table has caught up with it:
    // a migration's last publish (no more moves) comes before the pool takes the new table, and
    // the routing must never step back to the old one between the two.
    if (published !== null && (this.#moving.length > 0 || published.version > table.version))
      return published;
    return table;
  }

  /** The routing version in force (src/partition/roles.ts). */
  routingVersion(): number {
    return routingVersionOf(this.routedTable, this.#moving);
  }

  /**
   * Tells `addresses` (default: every node of the routing state and every member) which
   * partitions they own, receive or leave under the routing state in force. Nodes that do not
   * answer are logged and told again after their next health probe shows an older version.
   */
  async pushRoles(addresses?: readonly string[]): Promise<void> {
    await this.#pushRoles(this.routedTable, this.#moving, addresses);
  }

  async #pushRoles(
    table: PartitionTable,
    moving: readonly RoleMove[],
    only?: readonly string[],
    skip?: string,
  ): Promise<void> {
    const { pool, logger } = this.#options;
    const roles = rolesOf(table, moving, pool.members.addresses());
    await Promise.all(
      [...roles]
        .filter(([address]) => address !== skip && (only === undefined || only.includes(address)))
        .map(async ([address, nodeRoles]) => {
          try {
            await pool.client(address).setRoles(nodeRoles, defaults.healthProbeTimeoutMs);
          } catch (error) {
            logger.debug({ address, err: error }, 'could not tell a node its partitions');
          }
        }),
    );
  }

  /**
   * Tells every node its roles under `table` + `moving`, then routes this process by it: for the
   * settling of an interrupted migration at restart (recovery.ts), whose rollback is the
   * executor's.
   */
  publish(table: PartitionTable, moving: readonly RoleMove[]): Promise<void> {
    return this.#publish(table, moving);
  }

  /**
   * Tells the nodes (but `skip`) their roles under `table` + `moving`, then routes this process by
   * it.
   */
  async #publish(table: PartitionTable, moving: readonly RoleMove[], skip?: string): Promise<void> {
    await this.#pushRoles(table, moving, undefined, skip);
    this.#routedTable = table;
    this.#moving = [...moving];
    await this.#options.routing()?.publish(table, moving);
  }

  /**
   * The running or the last migration (after a restart, the last one journaled), or null when
   * there was none. `outcome` is null while it runs, then `done` or `rolled-back`.
   */
  view(): MigrationView | null {
    if (this.#progress) {
      const state = this.#progress.toJSON();
      const outcome = state.running ? null : state.error === null ? 'done' : 'rolled-back';
      return { ...state, outcome };
    }
    const last = this.#options.pool.db.lastMigration();
    return last ? journaledMigration(last) : null;
  }

  /** Aborts the running migration with `reason` when the node at `address` takes part in it. */
  abortFor(address: string, reason: string): void {
    if (this.#abort?.nodes.has(address)) this.#abort.controller.abort(reason);
  }

  /**
   * A member failed (declared down): its partitions go to the `survivors` by the minimal plan at
   * once, without a handoff — its keys died with it (`keysLost`, its last reported item count,
   * is recorded). Each new owner first drops whatever it still held of those partitions (left
   * over from an earlier move: possibly older than what the failed member held), then the new
   * table is published; writes to those partitions succeed again from there on, and their reads
   * miss until written. Moves between survivors that the plan would also make are left to the
   * next resize. Journaled like a migration; returns the table now in force.
   */
  async failOver(failed: string, survivors: string[], keysLost: number): Promise<FailOverOutcome> {
    const { pool, clock, logger } = this.#options;
    const db = pool.db;
    const current = pool.table;
    const planned = planRebalance(current, survivors);
    const moves = planned.moves.filter((move) => move.from === failed);
    const owners = [...current.owners];
    for (const move of moves) owners[move.partition] = move.to;
    const table = new PartitionTable(current.version + 1, current.strategy, owners);
    const id = `f${clock.now().toString(36)}-${++this.#seq}`;
    const progress = new MigrationProgress(
      id,
      current.nodes().length,
      table.nodes().length,
      moves.length,
      clock,
    );
    progress.addLost(failed, keysLost);
    this.#progress = progress;
    db.beginMigration({ id, fromTable: current, toTable: table, moves, startedAtMs: clock.now() });
    const byDestination = new Map<string, number[]>();
    for (const move of moves) {
      const list = byDestination.get(move.to) ?? [];
      list.push(move.partition);
      byDestination.set(move.to, list);
    }
    // Opening and closing a fence over the partitions drops what the new owner held of them.
    await Promise.all(
      [...byDestination].map(async ([to, partitions]) => {
        const client = pool.client(to);
        try {
          await client.beginMigration(id, partitions);
          await client.endMigration(id);
        } catch (error) {
          // A survivor that does not answer either is the health checks' next case; what it
          // holds of these partitions is dropped when it is failed over or comes back.
          logger.warn({ address: to, err: error, partitions }, 'could not clear a new owner');
        }
      }),
    );
    // The failed node is told too, without waiting for it (a dead one would only cost a
    // timeout): one that is merely slow then refuses the writes of routers that still route by
    // the table before, which this table would lose.
    void this.#pushRoles(table, [], [failed]);
    // Routed by first, then made the table in force: whoever reads the new table from the
    // manager finds the gateway on it too.
    await this.#publish(table, [], failed);
    db.atomically(() => {
      pool.setTable(table);
      for (const move of moves) db.markMoveDone(id, move.partition);
      db.finishMigration(id, 'done');
    });
    progress.addPartitionsDone(moves.length);
    progress.finish(null);
    logger.warn(
      {
        migration: id,
        failed,
        partitions: moves.map((move) => move.partition),
        keysLost,
        version: table.version,
      },
      'partitions of a failed node failed over',
    );
    return { table, partitions: moves.map((move) => move.partition) };
  }

  /**
   * Plans and applies the move of the table to `nodes` (`leaving` hand their keys off); returns
   * the error, or null when done. Either way the table it leaves is in force when it resolves.
   */
  async migrate(leaving: string[], nodes: string[]): Promise<string | null> {
    const { pool, clock, logger } = this.#options;
    const db = pool.db;
    const current = pool.table;
    const plan = planRebalance(current, nodes);
    const id = `m${clock.now().toString(36)}-${++this.#seq}`;
    const progress = new MigrationProgress(
      id,
      current.nodes().length,
      nodes.length,
      plan.moves.length,
      clock,
    );
    this.#progress = progress;
    logger.info({ migration: id, moves: plan.moves.length, nodes }, 'migration started');
    // Journaled before the first key moves: a manager killed from here on settles it at restart.
    db.beginMigration({
      id,
      fromTable: current,
      toTable: plan.table,
      moves: plan.moves,
      startedAtMs: clock.now(),
    });
    const controller = new AbortController();
    this.#abort = { controller, nodes: new Set([...current.nodes(), ...nodes]) };
    const outcome = await applyPlan({
      signal: controller.signal,
      current,
      plan,
      progress,
      clientOf: (address) => pool.client(address),
      publish: (table, moving) => this.#publish(table, moving),
      leaving,
      managerAddress: this.#options.managerAddress(),
      chunkKeys: this.#options.chunkKeys,
      answerWaitMs: this.#options.downAfterMs,
      clock: this.#options.clock,
      logger,
      onRollbackFailure: (error) =>
        logger.error(
          { migration: id, error },
          'the rollback could not hand the moved keys back; writes made during the move were lost',
        ),
      // Journals each source's progress: a restart settling this migration skips those sources.
      onPartitionsDone: (moves) => {
        try {
          db.atomically(() => {
            for (const move of moves) db.markMoveDone(id, move.partition);
          });
        } catch (error) {
          logger.warn(
            { migration: id, err: error },
            'could not journal moves as done; a restart would go through them again',
          );
        }
      },
    });
    this.#abort = null;
    this.#moving = [];
    this.#routedTable = null;
    db.atomically(() => {
      pool.setTable(outcome.table);
      db.finishMigration(
        id,
        outcome.ok ? 'done' : 'rolled-back',
        outcome.ok ? undefined : outcome.error,
      );
    });
    progress.finish(outcome.ok ? null : outcome.error);
    if (outcome.ok)
      logger.info({ migration: id, version: outcome.table.version }, 'migration done');
    else
      logger.warn(
        { migration: id, error: outcome.error },
        'migration failed; the previous table stays in force',
      );
    return outcome.ok ? null : outcome.error;
  }
}

/** What a fail-over did. */
export interface FailOverOutcome {
  /** The table now in force. */
  table: PartitionTable;
  /** Partitions that went from the failed member to others. */
  partitions: number[];
}

/** A journaled migration in the shape of `GET /api/manager/migration`. */
function journaledMigration(record: MigrationRecord): MigrationView {
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
    keys_lost: 0,
    failed_node: null,
    error: record.error,
    outcome: record.outcome,
  };
}
