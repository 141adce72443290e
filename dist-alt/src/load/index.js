/** Public surface of load/: the workload generator behind `cachepool load`, importable by tests. */
export { runLoad, formatFigures, formatSummary, } from './run-load.js';
export { checkLoadOptions, loadLimits, } from './load-options.js';
export { LatencyHistogram } from './latency.js';
export { nextOperation, dataUrlValue, keyOf } from './workload.js';
//# sourceMappingURL=index.js.map