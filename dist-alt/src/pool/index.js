/** The pool: node clients, routing state, the gateway and applyPlan (the I/O half of a rebalance). */
export { NodeClient, } from './node-client.js';
export { Routing, RouteView } from './routing.js';
export { buildGatewayApp } from './gateway.js';
export { applyPlan, handOffKeys, } from './apply-plan.js';
export { MigrationProgress } from './migration-progress.js';
export { Upstreams } from './upstreams.js';
//# sourceMappingURL=index.js.map