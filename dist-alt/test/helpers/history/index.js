/** The history checker: record concurrent operations, then check every read against the writes. */
export * from './types.js';
export { checkHistory, describeOperation, summarizeCheck, } from './checker.js';
export { HistoryRecorder } from './recorder.js';
export { LegacySource } from './gateway-source.js';
export { readAll, startWorkload } from './workload.js';
export { runFaultScenario, } from './fault-scenario.js';
export { RoutingSource } from './routing-source.js';
//# sourceMappingURL=index.js.map