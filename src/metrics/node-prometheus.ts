/**
 * Prometheus exposition of one node (`GET /metrics`): a per-app Registry (never prom-client's
 * global one, so several nodes can live in one process), each series labelled with the node's
 * `cache_index`. Values are read at scrape time from the source; nothing runs per request.
 */
import { Counter, Gauge, Registry } from 'prom-client';

/** What the exposition reads at scrape time. */
export interface NodeMetricsSource {
  cacheIndex: () => number;
  items: () => number;
  usedBytes: () => number;
  /** What the capacity bounds: key and value bytes plus each entry's bookkeeping. */
  chargedBytes: () => number;
  capacityBytes: () => number;
  requestsTotal: () => number;
  getRequestsTotal: () => number;
  hitsTotal: () => number;
  missesTotal: () => number;
  evictionsTotal: () => number;
  expiredTotal: () => number;
  /** Batches this node's move_keys handed off, by way: pulled by the destination, or sent in a request. */
  moveBatchesTotal: () => { pulled: number; sent: number };
}

/** A Registry with the node's series. */
export function createNodeRegistry(source: NodeMetricsSource): Registry {
  const registry = new Registry();
  const labelNames = ['cache_index'] as const;
  const labels = () => ({ cache_index: String(source.cacheIndex()) });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        this.set(labels(), read());
      },
    });
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({
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
  gauge(
    'cachepool_node_charged_bytes',
    'Bytes charged against the capacity (key + value + per-entry bookkeeping)',
    source.chargedBytes,
  );
  gauge('cachepool_node_capacity_bytes', 'Capacity of the node in bytes', source.capacityBytes);
  counter(
    'cachepool_node_requests_total',
    'Requests served (gets, puts, invalidations)',
    source.requestsTotal,
  );
  counter('cachepool_node_get_requests_total', 'GET requests of a key', source.getRequestsTotal);
  counter('cachepool_node_hits_total', 'GET requests that hit', source.hitsTotal);
  counter('cachepool_node_misses_total', 'GET requests that missed', source.missesTotal);
  counter('cachepool_node_evictions_total', 'Entries evicted to make room', source.evictionsTotal);
  counter(
    'cachepool_node_expired_total',
    'Entries removed because their deadline passed',
    source.expiredTotal,
  );
  new Counter({
    name: 'cachepool_node_move_batches_total',
    help: 'Batches handed off by move_keys, by way (pulled by the destination, or sent in a request)',
    labelNames: ['cache_index', 'way'] as const,
    registers: [registry],
    collect() {
      const totals = source.moveBatchesTotal();
      this.reset();
      for (const way of ['pulled', 'sent'] as const) this.inc({ ...labels(), way }, totals[way]);
    },
  });
  return registry;
}
