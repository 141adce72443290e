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
 * - **roll back** otherwise (or when completing fails): each live destination hands the keys of
 *   moving partitions back to their old owner when it answers, through the same hand-off
 *   (busy retries, sweeps) as a plain import (whatever the
 *   destination holds is the newest value, since writes went there and invalidated the old
 *   owner), drops those whose old owner is gone, the fences close, and T1 is in force again under
 *   a version above T2's, so that no client that saw T2 takes T1 for newer.
 *
 * Completing uses the journal's per-move `done` flags (written as each source finished its
 * drain): a source whose moves are all done is not listed or called again. Missing flags only
 * cost work, never correctness.
 *
 * Either way every key ends up on the owner the returned table names (or is gone, a miss), never
 * on a node that does not own it. Starting and stopping nodes is the caller's business.
 */
import type { Logger } from 'pino';
import { partitionOf, PartitionTable } from '../partition/index.js';
import { handOffKeys, type NodeClient } from '../pool/index.js';
import type { MigrationRecord, StoredPartitionTable } from './state-db.js';

/** What settleMigration needs. */
export interface SettleContext {
  clientOf(address: string): NodeClient;
  /** Nodes that answered their health probe at restart. */
  alive: ReadonlySet<string>;
  /** Keys per move_keys call. */
  chunkKeys: number;
  logger: Logger;
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
  await rollBack(record, context);
  context.logger.warn({ migration: record.id, reason }, 'interrupted migration rolled back');
  const version = Math.max(record.fromTable.version, record.toTable.version) + 1;
  return { outcome: 'rolled-back', table: tableOf(record.fromTable, version), reason };
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

async function rollBack(record: MigrationRecord, context: SettleContext): Promise<void> {
  const backOf = new Map(record.moves.map((move) => [move.partition, move.from]));
  // Keys go back only to an old owner that answers; the others' are dropped below.
  const backToAlive = new Map([...backOf].filter(([, from]) => context.alive.has(from)));
  const destinations = [...new Set(record.moves.map((move) => move.to))].filter((address) =>
    context.alive.has(address),
  );
  await endFences(record, context);
  for (const destination of destinations) {
    const client = context.clientOf(destination);
    // The executor's hand-off (busy retries, calls in flight, sweeps), as a plain import: what
    // the destination holds is the newest value, since writes went there and invalidated the
    // old owner.
    await handOffKeys(client, backToAlive, {
      migration: undefined,
      chunkKeys: context.chunkKeys,
    }).catch((error: unknown) =>
      context.logger.warn(
        { address: destination, err: error },
        'could not hand every key back after an interrupted migration; what is left is dropped',
      ),
    );
    try {
      // What could not go back (its old owner is gone, or the hand-back failed) must not stay
      // where the table does not route: drop it, a later read misses.
      const left = (await client.keys()).filter((key) => {
        const from = backOf.get(partitionOf(key));
        return from !== undefined && from !== destination;
      });
      const dropped = await Promise.allSettled(left.map((key) => client.invalidate(key)));
      const failed = dropped.filter((result) => result.status === 'rejected');
      if (failed.length > 0) {
        context.logger.warn(
          { address: destination, keys: failed.length, err: failed[0]!.reason },
          'could not drop keys an interrupted migration left where the table does not route',
        );
      }
    } catch (error) {
      context.logger.warn(
        { address: destination, err: error },
        'could not list the keys an interrupted migration left where the table does not route',
      );
    }
  }
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
