/**
 * Prometheus exposition of one node (`GET /metrics`): a per-app Registry (never prom-client's
 * global one, so several nodes can live in one process), each series labelled with the node's
 * `cache_index`. Values are read at scrape time from the source; nothing runs per request.
 */
import { Counter, Gauge, Registry } from 'prom-client';
/** A Registry with the node's series. */
export function createNodeRegistry(source) {
    const registry = new Registry();
    const labelNames = ['cache_index'];
    const labels = () => ({ cache_index: String(source.cacheIndex()) });
    const gauge = (name, help, read) => new Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        collect() {
            this.reset();
            this.set(labels(), read());
        },
    });
    const counter = (name, help, read) => new Counter({
        name,
        help,
        labelNames,
        registers: [registry],
        collect() {
            // The source's totals are monotonic; mirror them (reset + inc keeps the counter type).
            this.reset();
            this.inc(labels(), read());
        },
    });
    gauge('cachepool_node_items', 'Keys held by the node', source.items);
    gauge('cachepool_node_used_bytes', 'Bytes used by entries (key + value bytes)', source.usedBytes);
    gauge('cachepool_node_charged_bytes', 'Bytes charged against the capacity (key + value + per-entry bookkeeping)', source.chargedBytes);
    gauge('cachepool_node_capacity_bytes', 'Capacity of the node in bytes', source.capacityBytes);
    counter('cachepool_node_requests_total', 'Requests served (gets, puts, invalidations)', source.requestsTotal);
    counter('cachepool_node_get_requests_total', 'GET requests of a key', source.getRequestsTotal);
    counter('cachepool_node_hits_total', 'GET requests that hit', source.hitsTotal);
    counter('cachepool_node_misses_total', 'GET requests that missed', source.missesTotal);
    counter('cachepool_node_evictions_total', 'Entries evicted to make room', source.evictionsTotal);
    counter('cachepool_node_expired_total', 'Entries removed because their deadline passed', source.expiredTotal);
    return registry;
}
//# sourceMappingURL=node-prometheus.js.map