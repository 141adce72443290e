/**
 * The rebalance planner: given the current table and the new membership, which partitions move
 * where (SPEC §3). Pure and deterministic — no I/O, no clock, no randomness; carrying the moves
 * out (handing keys off, fencing writes) is the pool's applyPlan.
 */
import { assertNodeList } from './node-id.js';
import { PARTITION_COUNT } from './partition-of.js';
import type { PartitionMove } from '../wire/index.js';
import { PartitionTable, roundRobinOwners } from './table.js';

/**
 * One partition changing owner: `from` the current owner (`host:port`; it may be leaving the
 * pool), `to` the new one (a member of the new membership).
 */
export type { PartitionMove };

/** What a membership change does: the next table and the moves that lead to it. */
export interface RebalancePlan {
  /**
   * The next table: version + 1 and the same strategy — or, when nothing moves, the very same
   * table object (same version), so that a no-op change is not a new version.
   */
  table: PartitionTable;
  /** Ascending by partition; empty when nothing moves. */
  moves: PartitionMove[];
}

/**
 * Plans the move of `table` to the membership `nodes` (non-empty, distinct `host:port` ids;
 * anything else throws OptionError).
 *
 * - `minimal`: every node ends with ⌊16/N⌋ or ⌈16/N⌉ partitions, and as few partitions as
 *   possible move: adding one node to a balanced pool of N moves ⌊16/(N+1)⌋; removing nodes
 *   moves exactly their partitions. Overloaded nodes give up their highest partitions; free
 *   partitions go, ascending, to the under-loaded nodes in the order of `nodes`.
 * - `round-robin`: partition i → nodes[i mod N]; the moves are the partitions whose owner
 *   differs (order of `nodes` matters).
 *
 * Same input, same plan: ties are broken by the order of `nodes`, then by partition number.
 */
export function planRebalance(table: PartitionTable, nodes: readonly string[]): RebalancePlan {
  assertNodeList(nodes, 'nodes');
  const next =
    table.strategy === 'round-robin' ? roundRobinOwners(nodes) : minimalOwners(table.owners, nodes);
  const moves: PartitionMove[] = [];
  next.forEach((to, partition) => {
    const from = table.owners[partition]!;
    if (from !== to) moves.push({ partition, from, to });
  });
  if (moves.length === 0) return { table, moves };
  return { table: new PartitionTable(table.version + 1, table.strategy, next), moves };
}

/**
 * The balanced assignment closest to `owners`. With base = ⌊16/N⌋ and `extra` = 16 mod N nodes
 * allowed base + 1, a node keeps min(owned, its cap) partitions. A +1 cap is worth one kept
 * partition exactly when the node already owns more than base, so those nodes get the +1 caps
 * first; the kept total is then the largest possible and the moves the fewest.
 */
function minimalOwners(owners: readonly string[], nodes: readonly string[]): string[] {
  const base = Math.floor(PARTITION_COUNT / nodes.length);
  let extra = PARTITION_COUNT % nodes.length;

  const owned = new Map<string, number[]>(nodes.map((node) => [node, []]));
  owners.forEach((owner, partition) => owned.get(owner)?.push(partition));

  const caps = new Map<string, number>(nodes.map((node) => [node, base]));
  for (const node of nodes) {
    if (extra === 0) break;
    if (owned.get(node)!.length > base) {
      caps.set(node, base + 1);
      extra--;
    }
  }
  for (const node of nodes) {
    if (extra === 0) break;
    if (caps.get(node) === base) {
      caps.set(node, base + 1);
      extra--;
    }
  }

  const next: (string | undefined)[] = new Array<string | undefined>(PARTITION_COUNT).fill(
    undefined,
  );
  for (const node of nodes) {
    // Partitions are listed ascending, so a node keeps its lowest ones.
    for (const partition of owned.get(node)!.slice(0, caps.get(node))) next[partition] = node;
  }
  let cursor = 0;
  for (const node of nodes) {
    let room = caps.get(node)! - Math.min(owned.get(node)!.length, caps.get(node)!);
    while (room > 0) {
      while (next[cursor] !== undefined) cursor++;
      next[cursor] = node;
      room--;
    }
  }
  // The caps sum to 16, so every partition has an owner now.
  return next as string[];
}
