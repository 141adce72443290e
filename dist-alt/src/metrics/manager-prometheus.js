/**
 * The manager's Prometheus exposition (`GET /metrics` on the manager): pool-level gauges and
 * counters in a registry of its own (never prom-client's global one, so several managers in one
 * process, as in tests, do not collide). Values are read at scrape time from a small interface
 * the manager implements; this module owns names and help texts, not the figures.
 */
import { Counter, Gauge, Registry } from 'prom-client';
const PREFIX = 'cachepool_pool_';
/**
 * Builds the manager's registry over `source`. Each scrape calls `source.poolFigures()` once;
 * if it throws, the scrape fails (the manager answers 500 and logs), nothing is cached.
 */
export function createManagerMetrics(source) {
    const registry = new Registry();
    let figures;
    const gauge = (name, help, read) => {
        new Gauge({
            name: PREFIX + name,
            help,
            registers: [registry],
            collect() {
                if (figures)
                    this.set(read(figures));
            },
        });
    };
    const counter = (name, help, read) => {
        new Counter({
            name: PREFIX + name,
            help,
            registers: [registry],
            collect() {
                if (!figures)
                    return;
                // The value is owned by the manager; mirror it (reset + inc is prom-client's way to set a counter).
                this.reset();
                this.inc(Math.max(0, read(figures)));
            },
        });
    };
    gauge('nodes', 'Cache nodes in the pool.', (f) => f.nodes);
    gauge('min_nodes', 'Smallest pool size allowed.', (f) => f.minNodes);
    gauge('max_nodes', 'Largest pool size allowed.', (f) => f.maxNodes);
    gauge('items', 'Items held by the pool.', (f) => f.items);
    gauge('used_bytes', 'Bytes held by the pool.', (f) => f.usedBytes);
    gauge('capacity_bytes', 'Capacity of the pool in bytes.', (f) => f.capacityBytes);
    gauge('automatic_mode', '1 when the auto-scaler resizes the pool, 0 in manual mode.', (f) => f.automatic ? 1 : 0);
    counter('requests_total', 'Requests served by the pool nodes.', (f) => f.requestsTotal);
    counter('get_requests_total', 'GET requests served by the pool nodes.', (f) => f.getRequestsTotal);
    counter('hits_total', 'GET requests that hit.', (f) => f.hitsTotal);
    counter('misses_total', 'GET requests that missed.', (f) => f.missesTotal);
    counter('resizes_total', 'Completed pool resizes.', (f) => f.resizesTotal);
    gauge('migration_running', '1 while a resize moves partitions.', (f) => (f.migration ? 1 : 0));
    gauge('migration_partitions_total', 'Partitions the running migration moves.', (f) => f.migration?.partitionsTotal ?? 0);
    gauge('migration_partitions_done', 'Partitions the running migration has moved.', (f) => f.migration?.partitionsDone ?? 0);
    gauge('migration_keys_done', 'Keys the running migration has moved.', (f) => f.migration?.keysDone ?? 0);
    gauge('migration_bytes_done', 'Bytes the running migration has moved.', (f) => f.migration?.bytesDone ?? 0);
    return {
        registry,
        contentType: registry.contentType,
        async render() {
            figures = source.poolFigures();
            try {
                return await registry.metrics();
            }
            finally {
                figures = undefined;
            }
        },
    };
}
//# sourceMappingURL=manager-prometheus.js.map