/**
 * Settling a resize that a killed manager left half done. The migration journal (StateDb) holds
 * the old table T1, the new table T2 and the partition moves; the nodes still hold their fences
 * (a fence lives in the destination node until `end`). On restart the manager calls
 * `settleMigration` before it serves a new resize, and gets back the one table in force:
 *
 * - **complete** when every owner of T2 answers: each live source hands the keys it still holds
 *   in moving partitions to their new owners, under the *same* migration id — so the open fences
 *   still skip a key written on the destination since the move began, and a key already there is
 *   kept (the newer one wins) — then the fences close and T2 is in force;
 * - **roll back** otherwise (or when completing fails), with the executor's own rollback
 *   (apply-plan.ts, rollBackMoves): the fences close; each move whose two nodes answer runs
 *   backwards (the old owner fenced keeping its keys, writes routed to it, the new owner's keys
 *   handed back under that fence: what the new owner holds is the newest value, since writes went
 *   there and invalidated the old owner); a partition whose old owner is gone stays with its new
 *   owner, one whose new owner is gone goes back to its old owner; T1's owners (but those) are in
 *   force again under a version above T2's, so that no client that saw T2 takes T1 for newer.
 *
 * Completing uses the journal's per-move `done` flags (written as each source finished its
 * drain): a source whose moves are all done is not listed or called again. Missing flags only
 * cost work, never correctness.
 *
 * Either way every key ends up on the owner the returned table names (or is gone, a miss), never
 * on a node that does not own it. Starting and stopping nodes is the caller's business.
 */
import type { Logger } from 'pino';
import { systemClock, type WaitingClock } from '../clock.js';
import { PartitionTable } from '../partition/index.js';
import {
  handOffKeys,
  MigrationProgress,
  rollBackMoves,
  type NodeClient,
  type Publish,
} from '../pool/index.js';
import type { MigrationRecord, StoredPartitionTable } from './state-db.js';

/** What settleMigration needs. */
export interface SettleContext {
  clientOf(address: string): NodeClient;
  /** Nodes that answered their health probe at restart. */
  alive: ReadonlySet<string>;
  /** Keys per move_keys call. */
  chunkKeys: number;
  logger: Logger;
  /**
   * Tells the nodes their roles under a routing state and routes this process by it (the
   * manager's MigrationRunner.publish): a rollback routes writes to the old owners first.
   */
  publish: Publish;
  /** The time of the rollback's waits; default the system's. */
  clock?: WaitingClock;
}

/** The outcome: the table in force and how the migration ended. */
export interface Settlement {
  outcome: 'done' | 'rolled-back';
  table: PartitionTable;
  /** Why it was rolled back, or null. */
  reason: string | null;
}

/** Completes or rolls back `record` (see the module header). Never throws. */
export async function settleMigration(
  record: MigrationRecord,
  context: SettleContext,
): Promise<Settlement> {
  const missing = [...new Set(record.toTable.owners)].filter(
    (address) => !context.alive.has(address),
  );
  let reason: string;
  if (missing.length === 0) {
    try {
      await complete(record, context);
      context.logger.info({ migration: record.id }, 'interrupted migration completed');
      return {
        outcome: 'done',
        table: tableOf(record.toTable, record.toTable.version),
        reason: null,
      };
    } catch (error) {
      reason = `completing it failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  } else {
    reason = `new owners do not answer: ${missing.join(', ')}`;
  }
  const table = await rollBack(record, context);
  context.logger.warn(
    { migration: record.id, reason, version: table.version },
    'interrupted migration rolled back',
  );
  return { outcome: 'rolled-back', table, reason };
}

async function complete(record: MigrationRecord, context: SettleContext): Promise<void> {
  const destOf = new Map(record.moves.map((move) => [move.partition, move.to]));
  // A source whose every move is journaled done is skipped: its flag was written only after its
  // last sweep found none of those keys on it, and from the moving state on, writes of moving
  // partitions went to the destinations (the source got invalidations only), so it has nothing
  // left to hand off. Without flags (an older journal, or a manager killed before its first
  // source finished) every live source is gone through, which is always correct.
  const pending = new Set(record.moves.filter((move) => !move.done).map((move) => move.from));
  const sources = [...new Set(record.moves.map((move) => move.from))].filter(
    (address) => context.alive.has(address) && pending.has(address),
  );
  const skipped = [...new Set(record.moves.map((move) => move.from))].filter(
    (address) => !pending.has(address),
  );
  if (skipped.length > 0)
    context.logger.info(
      { migration: record.id, sources: skipped },
      'sources already drained before the interruption are not gone through again',
    );
  // The same hand-off as a running migration's (busy retries, calls in flight, sweeps), under
  // the journaled migration id so that the destinations' open fences still apply.
  for (const source of sources)
    await handOffKeys(context.clientOf(source), destOf, {
      migration: record.id,
      chunkKeys: context.chunkKeys,
    });
  await endFences(record, context);
}

/**
 * The executor's rollback (rollBackMoves): every move whose two nodes answer runs backwards under
 * a fence on the old owner that keeps its keys, with writes routed to it (published to the nodes
 * and to this process's routing), so that a write a router still sends by the interrupted moving
 * state either reaches the old owner or is refused there, and is never overwritten by the
 * hand-back. A move whose old owner is gone leaves its partition with the new owner (its writes
 * are there); one whose new owner is gone sends it back to the old owner.
 */
function rollBack(record: MigrationRecord, context: SettleContext): Promise<PartitionTable> {
  const moves = record.moves.map(({ partition, from, to }) => ({ partition, from, to }));
  const clock = context.clock ?? systemClock;
  return rollBackMoves({
    current: tableOf(record.fromTable, record.fromTable.version),
    plan: { table: tableOf(record.toTable, record.toTable.version), moves },
    progress: new MigrationProgress(
      record.id,
      new Set(record.fromTable.owners).size,
      new Set(record.toTable.owners).size,
      moves.length,
      clock,
    ),
    clientOf: (address) => context.clientOf(address),
    publish: context.publish,
    chunkKeys: context.chunkKeys,
    clock,
    logger: context.logger,
    onRollbackFailure: (error) =>
      context.logger.error(
        { migration: record.id, error },
        'settling an interrupted migration could not hand every key back; writes made during the move were lost',
      ),
  });
}

async function endFences(record: MigrationRecord, context: SettleContext): Promise<void> {
  const destinations = [...new Set(record.moves.map((move) => move.to))].filter((address) =>
    context.alive.has(address),
  );
  await Promise.all(
    destinations.map((address) =>
      context
        .clientOf(address)
        .endMigration(record.id)
        .catch((error: unknown) =>
          context.logger.warn(
            { address, migration: record.id, err: error },
            "could not end an interrupted migration's fence",
          ),
        ),
    ),
  );
}

function tableOf(stored: StoredPartitionTable, version: number): PartitionTable {
  return new PartitionTable(version, stored.strategy, stored.owners);
}
