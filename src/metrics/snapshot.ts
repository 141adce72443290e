/**
 * The statistics snapshot a node takes every `statsIntervalS` seconds and pushes to its manager
 * (`POST /api/manager/stats`, JSON body = one NodeSnapshot). Counters ending in `Total` are
 * monotonic since the node process started (never reset by `DELETE /api/cache/statistics`), so
 * the manager can compute rates across resets; a new `startedAtMs` tells it the process restarted.
 */
export interface NodeSnapshot {
  /** The node's cache_index (SPEC §2). */
  cacheIndex: number;
  /** host:port the node serves on. */
  address: string;
  /** When the snapshot was taken, ms since the epoch. */
  timeMs: number;
  /** When the node process started, ms since the epoch. */
  startedAtMs: number;
  items: number;
  usedBytes: number;
  capacityBytes: number;
  /** usedBytes / capacityBytes, 0 when the capacity is 0. */
  utilization: number;
  policy: string;
  requestsTotal: number;
  getRequestsTotal: number;
  hitsTotal: number;
  missesTotal: number;
  evictionsTotal: number;
  /** Entries removed because their deadline passed (absent from nodes that predate expiry). */
  expiredTotal?: number;
  /** The legacy, resettable figures of GET /api/cache/statistics at this moment. */
  legacy: {
    num_request_served: number;
    num_GET_request_served: number;
    num_hit: number;
  };
  /** Hit and miss rate over the last interval, 0..1 (0 when there was no GET). */
  hitRate: number;
  missRate: number;
}
