/** The history checker: record concurrent operations, then check every read against the writes. */
export * from './types.js';
export {
  checkHistory,
  describeOperation,
  summarizeCheck,
  type CheckOptions,
  type CheckResult,
} from './checker.js';
export { HistoryRecorder, type OperationSource, type RecorderOptions } from './recorder.js';
export { LegacySource, type LegacySourceOptions } from './gateway-source.js';
export { readAll, startWorkload, type Workload, type WorkloadOptions } from './workload.js';
export {
  runFaultScenario,
  type FaultKind,
  type FaultScenarioOptions,
  type FaultScenarioResult,
  type StepRecord,
} from './fault-scenario.js';
export { RoutingSource, type RoutingSourceOptions } from './routing-source.js';
