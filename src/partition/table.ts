/**
 * The partition table: which node owns each of the 16 partitions, with a version that grows on
 * every change (SPEC §3, §6). A table is immutable; a change is a new table (see
 * planRebalance). It knows nothing of keys in flight or of the network.
 */
import { defaults } from '../defaults.js';
import { OptionError } from '../errors.js';
import {
  partitionStrategies,
  type PartitionStrategy,
  type PartitionTableJSON,
} from '../wire/index.js';
import { assertNodeList, isNodeId } from './node-id.js';
import { PARTITION_COUNT, partitionOf } from './partition-of.js';

/**
 * How partitions are assigned to nodes (`minimal`, the default, or the original's `round-robin`),
 * every strategy name, and the wire form of a table (SPEC §6, `GET /api/manager/partitions`):
 * declared once in wire/.
 */
export { partitionStrategies, type PartitionStrategy, type PartitionTableJSON };

/** An immutable, versioned map of partition → owner node id (`host:port`). */
export class PartitionTable {
  /** Grows by one on every change; 1 for a new pool. */
  readonly version: number;
  readonly strategy: PartitionStrategy;
  /** 16 node ids: `owners[i]` owns partition i. Frozen. */
  readonly owners: readonly string[];

  /**
   * Builds a table from its parts, validating each: `version` an integer ≥ 1, a known
   * `strategy`, exactly 16 `host:port` owners. Throws OptionError otherwise. The owners are
   * copied, so the caller's array may change afterwards.
   */
  constructor(version: number, strategy: PartitionStrategy, owners: readonly string[]) {
    if (!Number.isSafeInteger(version) || version < 1) {
      throw new OptionError('partition table version', 'must be an integer >= 1', version);
    }
    assertStrategy(strategy);
    if (!Array.isArray(owners as unknown) || owners.length !== PARTITION_COUNT) {
      throw new OptionError(
        'partition table owners',
        `must list exactly ${PARTITION_COUNT} node ids`,
        owners,
      );
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
  static initial(
    nodes: readonly string[],
    strategy: PartitionStrategy = defaults.partitionStrategy,
  ): PartitionTable {
    assertNodeList(nodes, 'nodes');
    assertStrategy(strategy);
    return new PartitionTable(1, strategy, roundRobinOwners(nodes));
  }

  /** Reads the wire form back (e.g. from the manager's database); validates like the constructor. */
  static fromJSON(json: unknown): PartitionTable {
    if (typeof json !== 'object' || json === null) {
      throw new OptionError('partition table', 'must be an object', json);
    }
    const { version, strategy, partitions } = json as Record<string, unknown>;
    return new PartitionTable(
      version as number,
      strategy as PartitionStrategy,
      partitions as string[],
    );
  }

  /** The owner of `partition` (an integer 0..15; anything else throws OptionError). */
  ownerOf(partition: number): string {
    if (!Number.isInteger(partition) || partition < 0 || partition >= PARTITION_COUNT) {
      throw new OptionError(
        'partition',
        `must be an integer from 0 to ${PARTITION_COUNT - 1}`,
        partition,
      );
    }
    return this.owners[partition]!;
  }

  /** The owner of the partition of `key` (any string, the empty one included). */
  ownerOfKey(key: string): string {
    return this.owners[partitionOf(key)]!;
  }

  /** The partitions `node` owns, ascending; empty when it owns none or is unknown. */
  partitionsOf(node: string): number[] {
    const owned: number[] = [];
    this.owners.forEach((owner, partition) => {
      if (owner === node) owned.push(partition);
    });
    return owned;
  }

  /** The distinct owners, in the order of their first partition. Nodes owning nothing are absent. */
  nodes(): string[] {
    return [...new Set(this.owners)];
  }

  /** True when `other` has the same strategy and the same owner for every partition (versions aside). */
  sameAssignment(other: PartitionTable): boolean {
    return (
      this.strategy === other.strategy && this.owners.every((owner, i) => owner === other.owners[i])
    );
  }

  /** The wire form: `{version, strategy, partitions}` (a fresh copy). */
  toJSON(): PartitionTableJSON {
    return { version: this.version, strategy: this.strategy, partitions: [...this.owners] };
  }
}

/** Partition i → nodes[i mod N]. */
export function roundRobinOwners(nodes: readonly string[]): string[] {
  return Array.from({ length: PARTITION_COUNT }, (_, i) => nodes[i % nodes.length]!);
}

function assertStrategy(strategy: unknown): asserts strategy is PartitionStrategy {
  if (!partitionStrategies.includes(strategy as PartitionStrategy)) {
    throw new OptionError(
      'partition strategy',
      `must be one of ${partitionStrategies.join(', ')}`,
      strategy,
    );
  }
}
