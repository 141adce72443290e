/**
 * What the manager shows besides its pool API: the `aggregate_stats` series from the metrics
 * store (docs/internal-api.md), and Prometheus text at `GET /metrics`. Registered on the manager
 * app by the CLI, which also adds the dashboard page (src/dashboard); the figures come from the
 * Manager, the series from the MetricsStore.
 */
import type { FastifyInstance } from 'fastify';
import { errors } from '../errors.js';
import { fieldInteger, sendSuccess } from '../http/index.js';
import { createManagerMetrics, type PoolFigures } from '../metrics/index.js';
import { MAX_QUERY_MINUTES, type MetricsStore } from '../metrics/metrics-store.js';
import { managerRoutes } from '../wire/index.js';
import type { Manager } from './manager.js';
import type { Scaling } from './scaling.js';

/** Registers `aggregate_stats` and `/metrics` on the manager app (before listen). */
export async function registerObservability(
  app: FastifyInstance,
  parts: { manager: Manager; scaling: Scaling; store: MetricsStore },
): Promise<void> {
  const { manager, scaling, store } = parts;

  // No query: the original manager's flat lists (its UI draws them as they are); `?minutes=N`:
  // cachepool's timestamped series, which its own dashboard reads.
  app.get(
    '/api/manager/aggregate_stats',
    { schema: managerRoutes.aggregateStats },
    async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const minutes = fieldInteger(query, 'minutes', 1);
      if (minutes === undefined) return sendSuccess(reply, store.legacyAggregate(30));
      // The OpenAPI document promises 1..10080: a longer window is refused, not quietly cut.
      if (minutes > MAX_QUERY_MINUTES)
        throw errors.invalid(
          `minutes must be an integer from 1 to ${MAX_QUERY_MINUTES} (a week), got ${JSON.stringify(query.minutes)}`,
        );
      return sendSuccess(reply, store.aggregate(minutes));
    },
  );

  const metrics = createManagerMetrics({ poolFigures: () => poolFigures(manager, scaling, store) });
  app.get('/metrics', { schema: managerRoutes.metrics }, async (_request, reply) =>
    reply.type(metrics.contentType).send(await metrics.render()),
  );
}

function poolFigures(manager: Manager, scaling: Scaling, store: MetricsStore): PoolFigures {
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
    migration:
      migration && migration.running
        ? {
            partitionsTotal: migration.partitions_total,
            partitionsDone: migration.partitions_done,
            keysDone: migration.keys_done,
            bytesDone: migration.bytes_done,
          }
        : null,
  };
}
