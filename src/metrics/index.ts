/**
 * Public surface of metrics/: the node snapshot payload, the pure 1-minute roll-up, the manager's
 * SQLite metrics store and the manager's Prometheus exposition.
 */
export type { NodeSnapshot } from '../wire/index.js';
export {
  MINUTE_MS,
  minuteOf,
  counterDelta,
  poolMissRate,
  rollupMinutes,
  sumDeltas,
  withRates,
  type CounterDelta,
  type PoolPoint,
  type RollupSample,
  type RollupOptions,
} from './rollup.js';
export {
  MetricsStore,
  METRICS_FILE,
  checkSnapshot,
  toAggregateStats,
  toLegacyAggregateStats,
  type AggregateStats,
  type LegacyAggregateStats,
  type LastMinute,
  type MetricsStoreOptions,
  type RecordOutcome,
  type ResizeEvent,
  type SeriesPoint,
} from './metrics-store.js';
export {
  createManagerMetrics,
  type ManagerMetrics,
  type PoolFigures,
  type PoolFiguresSource,
} from './manager-prometheus.js';
