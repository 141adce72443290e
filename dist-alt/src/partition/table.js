/**
 * The partition table: which node owns each of the 16 partitions, with a version that grows on
 * every change (SPEC §3, §6). A table is immutable; a change is a new table (see
 * planRebalance). It knows nothing of keys in flight or of the network.
 */
import { defaults } from '../defaults.js';
import { OptionError } from '../errors.js';
import { assertNodeList, isNodeId } from './node-id.js';
import { PARTITION_COUNT, partitionOf } from './partition-of.js';
/** Every strategy name, for option parsing. */
export const partitionStrategies = ['minimal', 'round-robin'];
/** An immutable, versioned map of partition → owner node id (`host:port`). */
export class PartitionTable {
    /** Grows by one on every change; 1 for a new pool. */
    version;
    strategy;
    /** 16 node ids: `owners[i]` owns partition i. Frozen. */
    owners;
    /**
     * Builds a table from its parts, validating each: `version` an integer ≥ 1, a known
     * `strategy`, exactly 16 `host:port` owners. Throws OptionError otherwise. The owners are
     * copied, so the caller's array may change afterwards.
     */
    constructor(version, strategy, owners) {
        if (!Number.isSafeInteger(version) || version < 1) {
            throw new OptionError('partition table version', 'must be an integer >= 1', version);
        }
        assertStrategy(strategy);
        if (!Array.isArray(owners) || owners.length !== PARTITION_COUNT) {
            throw new OptionError('partition table owners', `must list exactly ${PARTITION_COUNT} node ids`, owners);
        }
        for (const owner of owners) {
            if (!isNodeId(owner)) {
                throw new OptionError('partition table owners', 'must hold "host:port" node ids', owner);
            }
        }
        this.version = version;
        this.strategy = strategy;
        this.owners = Object.freeze([...owners]);
        Object.freeze(this);
    }
    /**
     * The table of a new pool, version 1: partition i → nodes[i mod N] under both strategies
     * (already balanced within ⌊16/N⌋..⌈16/N⌉). `nodes` must be non-empty, distinct `host:port`
     * ids; with more than 16 nodes, nodes[16..] own nothing.
     */
    static initial(nodes, strategy = defaults.partitionStrategy) {
        assertNodeList(nodes, 'nodes');
        assertStrategy(strategy);
        return new PartitionTable(1, strategy, roundRobinOwners(nodes));
    }
    /** Reads the wire form back (e.g. from the manager's database); validates like the constructor. */
    static fromJSON(json) {
        if (typeof json !== 'object' || json === null) {
            throw new OptionError('partition table', 'must be an object', json);
        }
        const { version, strategy, partitions } = json;
        return new PartitionTable(version, strategy, partitions);
    }
    /** The owner of `partition` (an integer 0..15; anything else throws OptionError). */
    ownerOf(partition) {
        if (!Number.isInteger(partition) || partition < 0 || partition >= PARTITION_COUNT) {
            throw new OptionError('partition', `must be an integer from 0 to ${PARTITION_COUNT - 1}`, partition);
        }
        return this.owners[partition];
    }
    /** The owner of the partition of `key` (any string, the empty one included). */
    ownerOfKey(key) {
        return this.owners[partitionOf(key)];
    }
    /** The partitions `node` owns, ascending; empty when it owns none or is unknown. */
    partitionsOf(node) {
        const owned = [];
        this.owners.forEach((owner, partition) => {
            if (owner === node)
                owned.push(partition);
        });
        return owned;
    }
    /** The distinct owners, in the order of their first partition. Nodes owning nothing are absent. */
    nodes() {
        return [...new Set(this.owners)];
    }
    /** True when `other` has the same strategy and the same owner for every partition (versions aside). */
    sameAssignment(other) {
        return (this.strategy === other.strategy && this.owners.every((owner, i) => owner === other.owners[i]));
    }
    /** The wire form: `{version, strategy, partitions}` (a fresh copy). */
    toJSON() {
        return { version: this.version, strategy: this.strategy, partitions: [...this.owners] };
    }
}
/** Partition i → nodes[i mod N]. */
export function roundRobinOwners(nodes) {
    return Array.from({ length: PARTITION_COUNT }, (_, i) => nodes[i % nodes.length]);
}
function assertStrategy(strategy) {
    if (!partitionStrategies.includes(strategy)) {
        throw new OptionError('partition strategy', `must be one of ${partitionStrategies.join(', ')}`, strategy);
    }
}
//# sourceMappingURL=table.js.map