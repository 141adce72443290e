/** Partitions: key → partition, the versioned partition table and the rebalance planner (pure). */
export { PARTITION_COUNT, partitionOf } from './partition-of.js';
export {
  PartitionTable,
  partitionStrategies,
  roundRobinOwners,
  type PartitionStrategy,
  type PartitionTableJSON,
} from './table.js';
export { planRebalance, type PartitionMove, type RebalancePlan } from './plan-rebalance.js';
export { assertNodeList, isNodeId } from './node-id.js';
export {
  ROUTED_BY_HEADER,
  rolesOf,
  routingVersionOf,
  type NodeRoles,
  type PartitionRole,
  type RoleMove,
} from './roles.js';
