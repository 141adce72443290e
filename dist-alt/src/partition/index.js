/** Partitions: key → partition, the versioned partition table and the rebalance planner (pure). */
export { PARTITION_COUNT, partitionOf } from './partition-of.js';
export { PartitionTable, partitionStrategies, roundRobinOwners, } from './table.js';
export { planRebalance } from './plan-rebalance.js';
export { assertNodeList, isNodeId } from './node-id.js';
export { ROUTED_BY_HEADER, rolesOf, routingVersionOf, } from './roles.js';
//# sourceMappingURL=index.js.map