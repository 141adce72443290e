import { partitionOf, PartitionTable } from '../partition/index.js';
import { handOffKeys } from '../pool/index.js';
/** Completes or rolls back `record` (see the module header). Never throws. */
export async function settleMigration(record, context) {
    const missing = [...new Set(record.toTable.owners)].filter((address) => !context.alive.has(address));
    let reason;
    if (missing.length === 0) {
        try {
            await complete(record, context);
            context.logger.info({ migration: record.id }, 'interrupted migration completed');
            return {
                outcome: 'done',
                table: tableOf(record.toTable, record.toTable.version),
                reason: null,
            };
        }
        catch (error) {
            reason = `completing it failed: ${error instanceof Error ? error.message : String(error)}`;
        }
    }
    else {
        reason = `new owners do not answer: ${missing.join(', ')}`;
    }
    await rollBack(record, context);
    context.logger.warn({ migration: record.id, reason }, 'interrupted migration rolled back');
    const version = Math.max(record.fromTable.version, record.toTable.version) + 1;
    return { outcome: 'rolled-back', table: tableOf(record.fromTable, version), reason };
}
async function complete(record, context) {
    const destOf = new Map(record.moves.map((move) => [move.partition, move.to]));
    // A source whose every move is journaled done is skipped: its flag was written only after its
    // last sweep found none of those keys on it, and from the moving state on, writes of moving
    // partitions went to the destinations (the source got invalidations only), so it has nothing
    // left to hand off. Without flags (an older journal, or a manager killed before its first
    // source finished) every live source is gone through, which is always correct.
    const pending = new Set(record.moves.filter((move) => !move.done).map((move) => move.from));
    const sources = [...new Set(record.moves.map((move) => move.from))].filter((address) => context.alive.has(address) && pending.has(address));
    const skipped = [...new Set(record.moves.map((move) => move.from))].filter((address) => !pending.has(address));
    if (skipped.length > 0)
        context.logger.info({ migration: record.id, sources: skipped }, 'sources already drained before the interruption are not gone through again');
    // The same hand-off as a running migration's (busy retries, calls in flight, sweeps), under
    // the journaled migration id so that the destinations' open fences still apply.
    for (const source of sources)
        await handOffKeys(context.clientOf(source), destOf, {
            migration: record.id,
            chunkKeys: context.chunkKeys,
        });
    await endFences(record, context);
}
async function rollBack(record, context) {
    const backOf = new Map(record.moves.map((move) => [move.partition, move.from]));
    // Keys go back only to an old owner that answers; the others' are dropped below.
    const backToAlive = new Map([...backOf].filter(([, from]) => context.alive.has(from)));
    const destinations = [...new Set(record.moves.map((move) => move.to))].filter((address) => context.alive.has(address));
    await endFences(record, context);
    for (const destination of destinations) {
        const client = context.clientOf(destination);
        // The executor's hand-off (busy retries, calls in flight, sweeps), as a plain import: what
        // the destination holds is the newest value, since writes went there and invalidated the
        // old owner.
        await handOffKeys(client, backToAlive, {
            migration: undefined,
            chunkKeys: context.chunkKeys,
        }).catch((error) => context.logger.warn({ address: destination, err: error }, 'could not hand every key back after an interrupted migration; what is left is dropped'));
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
                context.logger.warn({ address: destination, keys: failed.length, err: failed[0].reason }, 'could not drop keys an interrupted migration left where the table does not route');
            }
        }
        catch (error) {
            context.logger.warn({ address: destination, err: error }, 'could not list the keys an interrupted migration left where the table does not route');
        }
    }
}
async function endFences(record, context) {
    const destinations = [...new Set(record.moves.map((move) => move.to))].filter((address) => context.alive.has(address));
    await Promise.all(destinations.map((address) => context
        .clientOf(address)
        .endMigration(record.id)
        .catch((error) => context.logger.warn({ address, migration: record.id, err: error }, "could not end an interrupted migration's fence"))));
}
function tableOf(stored, version) {
    return new PartitionTable(version, stored.strategy, stored.owners);
}
//# sourceMappingURL=recovery.js.map