/**
 * Migration fences (docs/internal-api.md): while a node receives partitions of a running
 * migration, it records every key of those partitions written or invalidated locally, so that an
 * import of that migration never overwrites a newer write nor resurrects an invalidated key.
 * Pure bookkeeping: the node calls `touch()` on each local write; no I/O.
 */
import { partitionOf } from '../partition/partition-of.js';
export class Fences {
    #fences = new Map();
    /** Number of open fences. */
    get size() {
        return this.#fences.size;
    }
    /** Opens (or reopens, forgetting its record) fence `id` over `partitions`. */
    begin(id, partitions) {
        this.#fences.set(id, { partitions: new Set(partitions), touched: new Set(), cleared: false });
    }
    /** Closes fence `id`; true when it was open. */
    end(id) {
        return this.#fences.delete(id);
    }
    /** Records a local write or invalidation of `key` in every open fence over its partition. */
    touch(key) {
        if (this.#fences.size === 0)
            return;
        const partition = partitionOf(key);
        for (const fence of this.#fences.values()) {
            if (fence.partitions.has(partition))
                fence.touched.add(key);
        }
    }
    /** Records a clear: every open fence then refuses all its imports. */
    touchAll() {
        for (const fence of this.#fences.values())
            fence.cleared = true;
    }
    /** Whether an import of migration `id` must skip `key` (written or invalidated since begin). */
    isTouched(id, key) {
        const fence = this.#fences.get(id);
        if (!fence)
            return false;
        return fence.cleared || fence.touched.has(key);
    }
    /** Whether `partition` is covered by fence `id`. */
    covers(id, partition) {
        return this.#fences.get(id)?.partitions.has(partition) ?? false;
    }
}
//# sourceMappingURL=fences.js.map