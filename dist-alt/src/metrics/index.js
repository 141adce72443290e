export { resizeCauses } from './store-db.js';
export { MINUTE_MS, minuteOf, counterDelta, poolMissRate, rollupMinutes, sumDeltas, withRates, } from './rollup.js';
export { MetricsStore, METRICS_FILE, checkSnapshot, toAggregateStats, toLegacyAggregateStats, } from './metrics-store.js';
export { createManagerMetrics, } from './manager-prometheus.js';
//# sourceMappingURL=index.js.map