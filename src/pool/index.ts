/** The pool: node clients, routing state, the gateway and applyPlan (the I/O half of a rebalance). */
export {
  NodeClient,
  type NodeClientOptions,
  type NodeStatistics,
  type MoveKeysRequest,
  type MoveKeysResult,
} from './node-client.js';
export { Routing, RouteView, type MovingPartition } from './routing.js';
export { buildGatewayApp, gatewayDocument, type GatewayOptions } from './gateway.js';
export { buildStandaloneGatewayApp, type StandaloneGatewayOptions } from './standalone-gateway.js';
export { TableFollower, type TableFollowerOptions } from './table-follower.js';
export {
  applyPlan,
  handOffKeys,
  rollBackMoves,
  type ApplyPlanOptions,
  type ApplyOutcome,
  type HandOffOptions,
  type Publish,
} from './apply-plan.js';
export { MigrationProgress, type MigrationJSON } from './migration-progress.js';
export { Upstreams, type Upstream } from './upstreams.js';
