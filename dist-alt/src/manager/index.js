/** The manager: membership, resizes, the auto-scaler's wiring, provisioners and its HTTP API. */
export { Manager, } from './manager.js';
export { Membership } from './membership.js';
export { ResizeCoordinator } from './resize-coordinator.js';
export { Scaling } from './scaling.js';
export { buildManagerApp, configFromFields } from './routes.js';
export { LocalProvisioner } from './provisioners/local.js';
export { CommandProvisioner, nodeToDrain, } from './provisioners/command.js';
export { StaticProvisioner, parseNodesList, } from './provisioners/static.js';
export { StateDb, STATE_DB_FILE } from './state-db.js';
export { HealthMonitor } from './health-monitor.js';
export { settleMigration } from './recovery.js';
export { registerObservability } from './observability.js';
//# sourceMappingURL=index.js.map