/** Public surface of load/: the workload generator behind `cachepool load`, importable by tests. */
export {
  runLoad,
  formatFigures,
  formatSummary,
  type LoadFigures,
  type LoadHooks,
  type LoadSummary,
} from './run-load.js';
export {
  checkLoadOptions,
  loadLimits,
  type LoadOptions,
  type CheckedLoadOptions,
} from './load-options.js';
export { LatencyHistogram } from './latency.js';
export { nextOperation, dataUrlValue, keyOf, type Operation, type Random } from './workload.js';
