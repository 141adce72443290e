import { errors } from '../errors.js';
import { fieldInteger, sendSuccess } from '../http/index.js';
import { createManagerMetrics } from '../metrics/index.js';
import { MAX_QUERY_MINUTES } from '../metrics/metrics-store.js';
/** Registers `aggregate_stats` and `/metrics` on the manager app (before listen). */
export async function registerObservability(app, parts) {
    const { manager, scaling, store } = parts;
    // No query: the original manager's flat lists (its UI draws them as they are); `?minutes=N`:
    // cachepool's timestamped series, which its own dashboard reads.
    app.get('/api/manager/aggregate_stats', async (request, reply) => {
        const query = request.query;
        const minutes = fieldInteger(query, 'minutes', 1);
        if (minutes === undefined)
            return sendSuccess(reply, store.legacyAggregate(30));
        // The OpenAPI document promises 1..10080: a longer window is refused, not quietly cut.
        if (minutes > MAX_QUERY_MINUTES)
            throw errors.invalid(`minutes must be an integer from 1 to ${MAX_QUERY_MINUTES} (a week), got ${JSON.stringify(query.minutes)}`);
        return sendSuccess(reply, store.aggregate(minutes));
    });
    const metrics = createManagerMetrics({ poolFigures: () => poolFigures(manager, scaling, store) });
    app.get('/metrics', async (_request, reply) => reply.type(metrics.contentType).send(await metrics.render()));
}
function poolFigures(manager, scaling, store) {
    let items = 0;
    let usedBytes = 0;
    let capacityBytes = 0;
    for (const member of manager.members()) {
        const snapshot = manager.snapshotOf(member.address);
        items += snapshot?.items ?? 0;
        usedBytes += snapshot?.usedBytes ?? 0;
        capacityBytes += snapshot?.capacityBytes ?? 0;
    }
    const totals = store.totals();
    const migration = manager.migration();
    return {
        nodes: manager.size,
        minNodes: manager.minNodes,
        maxNodes: manager.maxNodes,
        items,
        usedBytes,
        capacityBytes,
        requestsTotal: totals.requests,
        getRequestsTotal: totals.getRequests,
        hitsTotal: totals.hits,
        missesTotal: totals.misses,
        resizesTotal: manager.events(Number.MAX_SAFE_INTEGER / 60_000).length,
        automatic: scaling.mode === 'automatic',
        migration: migration && migration.running
            ? {
                partitionsTotal: migration.partitions_total,
                partitionsDone: migration.partitions_done,
                keysDone: migration.keys_done,
                bytesDone: migration.bytes_done,
            }
            : null,
    };
}
//# sourceMappingURL=observability.js.map