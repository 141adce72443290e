/**
 * Which partitions this node serves, as its manager last said (`POST /internal/table`), and the
 * rule a request is checked by. A node that no manager has told anything (a standalone node, or a
 * pool node before the first word) serves every key, as the original node did. One that dropped
 * its keys to rejoin (Publisher) serves none until its manager tells it its partitions again: it
 * is no member meanwhile, and a write that a router sent it by a table from before would be
 * acknowledged and then lost. It has no partition then, as under a table without it (a refused
 * router is told routing version 0, and reads its table again). A pool node:
 * - reads a key of a partition it owns, receives or is leaving (a move's old owner still answers
 *   the read that falls back to it — for a router that says its version, only if it knows of the
 *   move: one that does not might read a miss for a key already handed off);
 * - writes a key of a partition it owns or receives; a partition it is leaving only for a router
 *   that does not say which routing it used (the in-process gateway, which drains its requests
 *   before a handoff begins: such a late write is still swept over);
 * - invalidates any key for a router that does not say its routing (removing a copy is safe);
 *   for one that does, a key of a partition it owns or receives, or is leaving when the router
 *   knows about the move (it invalidated the new owner first).
 * A router that says its routing version (`X-Cachepool-Table-Version`) and is refused learns the
 * node's version and refreshes its table (421, like Redis Cluster's MOVED). Pure bookkeeping.
 *
 * A partition can come back to a node that was leaving it (a rolled-back move runs backwards), and
 * a write routed by the state before that still invalidates its copy on this node as the old
 * owner: landing after a write routed by the newer state, it would remove that newer value. So a
 * router that says its version is refused a write or removal routed by a state older than the one
 * in which this node (again) took the partition's writes.
 */
import { PARTITION_COUNT, type NodeRoles, type PartitionRole } from '../partition/index.js';

/** What a request does with its key. */
export type KeyOperation = 'read' | 'write' | 'delete';

/** The node's partition roles. */
export class Ownership {
  #version: number | undefined;
  #roles: (PartitionRole | undefined)[] = new Array<PartitionRole | undefined>(
    PARTITION_COUNT,
  ).fill(undefined);
  /** The routing version in which this node last began to take each partition's writes. */
  #takesWritesSince: number[] = new Array<number>(PARTITION_COUNT).fill(0);
  /** True from a reset to the next update: nothing is served. */
  #awaitingWord = false;

  /** The routing version last applied; undefined while no manager has said anything. */
  get version(): number | undefined {
    return this.#version;
  }

  /** True while no manager has said anything: every key is served (no need to hash it). */
  get servesAll(): boolean {
    return this.#version === undefined && !this.#awaitingWord;
  }

  /** Applies the roles of a newer routing state; an older or equal one is ignored (false). */
  update(roles: NodeRoles): boolean {
    if (this.#version !== undefined && roles.version <= this.#version) return false;
    const next: (PartitionRole | undefined)[] = new Array<PartitionRole | undefined>(
      PARTITION_COUNT,
    ).fill(undefined);
    for (const partition of roles.owned) next[partition] = 'owned';
    for (const partition of roles.receiving) next[partition] = 'receiving';
    for (const partition of roles.leaving) next[partition] = 'leaving';
    for (let partition = 0; partition < PARTITION_COUNT; partition++)
      if (takesWrites(next[partition]) && !takesWrites(this.#roles[partition]))
        this.#takesWritesSince[partition] = roles.version;
    this.#roles = next;
    this.#version = roles.version;
    this.#awaitingWord = false;
    return true;
  }

  /**
   * Forgets every role (the node dropped its keys to rejoin): it serves no key until the next
   * update, whatever routing version that has.
   */
  reset(): void {
    this.#awaitingWord = true;
    this.#version = undefined;
    this.#roles = new Array<PartitionRole | undefined>(PARTITION_COUNT).fill(undefined);
    this.#takesWritesSince.fill(0);
  }

  /** This node's role in `partition`, or undefined (none, or no manager has said). */
  roleOf(partition: number): PartitionRole | undefined {
    return this.#roles[partition];
  }

  /**
   * Whether this node takes `operation` on a key of `partition` from a router that routed by
   * routing version `routedBy` (undefined: it did not say). See the module header.
   */
  allows(operation: KeyOperation, partition: number, routedBy?: number): boolean {
    if (this.servesAll) return true;
    // Reset to rejoin (no version): no partition has a role, as under a table without this node.
    const version = this.#version ?? 0;
    const role = this.#roles[partition];
    if (takesWrites(role))
      return (
        operation === 'read' ||
        routedBy === undefined ||
        routedBy >= this.#takesWritesSince[partition]!
      );
    // A read of a partition being handed off may miss a key already on the new owner: a router
    // that says it routed by an older state (it does not know about the move) must learn first.
    if (operation === 'read')
      return role === 'leaving' && (routedBy === undefined || routedBy >= version);
    // Removing a copy is always safe for the node itself; a router that says its version learns
    // that it routed by an older state unless it knew about the move.
    if (routedBy === undefined) return operation === 'delete' || role === 'leaving';
    return operation === 'delete' && role === 'leaving' && routedBy >= version;
  }
}

/** Whether a node in `role` takes the partition's writes (it owns or receives it). */
function takesWrites(role: PartitionRole | undefined): boolean {
  return role === 'owned' || role === 'receiving';
}
