/**
 * Migration fences (docs/internal-api.md): while a node receives partitions of a running
 * migration, it records every key of those partitions written or invalidated locally, so that an
 * import of that migration never overwrites a newer write nor resurrects an invalidated key.
 * Pure bookkeeping: the node calls `touch()` on each local write; no I/O.
 */
import { partitionOf } from '../partition/partition-of.js';
import type { FenceRecord } from '../wire/node.js';

interface Fence {
  partitions: Set<number>;
  touched: Set<string>;
  /** A clear happened since the fence began: every key counts as invalidated. */
  cleared: boolean;
  /** Opened early (a rollback's old owner, before writes are routed to it): records writes only. */
  writesOnly: boolean;
}

export class Fences {
  readonly #fences = new Map<string, Fence>();

  /** Number of open fences. */
  get size(): number {
    return this.#fences.size;
  }

  /**
   * Opens (or reopens, forgetting its record) fence `id` over `partitions`. With `writesOnly` it
   * records local writes but not invalidations. With `keepRecord`, a fence `id` already open
   * keeps what it recorded and takes the new partitions; one that recorded writes only becomes a
   * whole one unless `writesOnly` (a rollback's old owner, fenced early and then as a whole, and
   * again by the next try of the rollback).
   */
  begin(id: string, partitions: readonly number[], writesOnly = false, keepRecord = false): void {
    const open = this.#fences.get(id);
    if (open !== undefined && keepRecord) {
      open.partitions = new Set(partitions);
      if (!writesOnly) open.writesOnly = false;
      return;
    }
    this.#fences.set(id, {
      partitions: new Set(partitions),
      touched: new Set(),
      cleared: false,
      writesOnly,
    });
  }

  /** Closes fence `id`; its record, or undefined when it was not open. */
  end(id: string): FenceRecord | undefined {
    const fence = this.#fences.get(id);
    if (!fence) return undefined;
    this.#fences.delete(id);
    return { touched: [...fence.touched], cleared: fence.cleared };
  }

  /**
   * Records a local write (`write`) or invalidation of `key` in every open fence over its
   * partition (an invalidation not in a fence that records writes only).
   */
  touch(key: string, write = false): void {
    if (this.#fences.size === 0) return;
    const partition = partitionOf(key);
    for (const fence of this.#fences.values()) {
      if (fence.partitions.has(partition) && (write || !fence.writesOnly)) fence.touched.add(key);
    }
  }

  /** Records a clear: every open fence then refuses all its imports. */
  touchAll(): void {
    for (const fence of this.#fences.values()) fence.cleared = true;
  }

  /** Whether an import of migration `id` must skip `key` (written or invalidated since begin). */
  isTouched(id: string, key: string): boolean {
    const fence = this.#fences.get(id);
    if (!fence) return false;
    return fence.cleared || fence.touched.has(key);
  }

  /** Whether any open fence over `key`'s partition recorded it (or a clear). */
  touchedAnywhere(key: string): boolean {
    if (this.#fences.size === 0) return false;
    const partition = partitionOf(key);
    for (const fence of this.#fences.values())
      if (fence.partitions.has(partition) && (fence.cleared || fence.touched.has(key))) return true;
    return false;
  }

  /** Whether `partition` is covered by fence `id`. */
  covers(id: string, partition: number): boolean {
    return this.#fences.get(id)?.partitions.has(partition) ?? false;
  }
}
