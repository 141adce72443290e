/** The manager: membership, resizes, the auto-scaler's wiring, provisioners and its HTTP API. */
export { Manager, type ManagerOptions, type CacheConfig, type ResizeCause, type ResizeEvent } from './manager.js';
export { Membership, type Member, type MemberStatus } from './membership.js';
export { ResizeCoordinator } from './resize-coordinator.js';
export { Scaling, type ScaleMode, type ScalingOptions } from './scaling.js';
export { buildManagerApp, configFromFields, type ManagerAppOptions } from './routes.js';
export { LocalProvisioner, type LocalProvisionerOptions } from './provisioners/local.js';
export type { Provisioner, ProvisionerEvent, NodeSpec } from './provisioner.js';
export { registerObservability } from './observability.js';
