/** The manager: membership, resizes, the auto-scaler's wiring, provisioners and its HTTP API. */
export {
  Manager,
  type ManagerOptions,
  type CacheConfig,
  type ResizeCause,
  type ResizeEvent,
} from './manager.js';
export { Membership, type Member, type MemberStatus } from './membership.js';
export { ResizeCoordinator } from './resize-coordinator.js';
export { Scaling, type ScaleMode, type ScalingOptions } from './scaling.js';
export { buildManagerApp, configFromFields, type ManagerAppOptions } from './routes.js';
export { LocalProvisioner, type LocalProvisionerOptions } from './provisioners/local.js';
export {
  CommandProvisioner,
  nodeToDrain,
  type CommandProvisionerOptions,
} from './provisioners/command.js';
export {
  StaticProvisioner,
  parseNodesList,
  type StaticProvisionerOptions,
} from './provisioners/static.js';
export { StateDb, STATE_DB_FILE, type StoredNode, type MigrationRecord } from './state-db.js';
export { HealthMonitor, type HealthMonitorOptions } from './health-monitor.js';
export { settleMigration, type Settlement } from './recovery.js';
export type { Provisioner, ProvisionerEvent, NodeSpec } from './provisioner.js';
export { registerObservability } from './observability.js';
