/**
 * Least-frequently-used eviction in O(1) (Shah, Mitra and Matani, "An O(1) algorithm for
 * implementing the LFU cache eviction scheme", 2010): slots with the same use count sit in one
 * bucket, a list ordered oldest first; buckets form a list ordered by count. A use moves a slot
 * to the bucket of count + 1 (created right after its own when missing); the victim is the
 * oldest slot of the lowest bucket, so ties between equally used keys go by recency (LRU).
 *
 * Counts only grow: a key that was hot long ago keeps its rank. That suits stable popularity
 * (catalogue images) and is the known weakness of plain LFU on shifting workloads.
 */
import { growInt32 } from './policy.js';
export class LfuPolicy {
    name = 'lfu';
    #prev = new Int32Array(0);
    #next = new Int32Array(0);
    /** Each tracked slot's bucket; undefined when untracked. */
    #bucketOf = [];
    /** The bucket of the lowest count: it holds the next victim. */
    #lowest;
    #size = 0;
    get size() {
        return this.#size;
    }
    /** A new slot starts with a count of 1; an overwrite of a tracked slot counts as a use. */
    recordSet(slot) {
        if (slot >= this.#prev.length) {
            this.#prev = growInt32(this.#prev, slot);
            this.#next = growInt32(this.#next, slot);
        }
        if (this.#bucketOf[slot] !== undefined) {
            this.recordGet(slot);
            return;
        }
        let bucket = this.#lowest;
        if (bucket === undefined || bucket.count !== 1) {
            bucket = { count: 1, head: -1, tail: -1, lower: undefined, higher: bucket };
            if (this.#lowest !== undefined)
                this.#lowest.lower = bucket;
            this.#lowest = bucket;
        }
        this.#append(bucket, slot);
        this.#size++;
    }
    recordGet(slot) {
        const bucket = this.#bucketOf[slot];
        if (bucket === undefined)
            return;
        let target = bucket.higher;
        if (target === undefined || target.count !== bucket.count + 1) {
            target = { count: bucket.count + 1, head: -1, tail: -1, lower: bucket, higher: target };
            if (bucket.higher !== undefined)
                bucket.higher.lower = target;
            bucket.higher = target;
        }
        // Link the new bucket before emptying the old one, so the old one can be dropped safely.
        this.#remove(bucket, slot);
        this.#append(target, slot);
    }
    recordDelete(slot) {
        const bucket = this.#bucketOf[slot];
        if (bucket === undefined)
            return;
        this.#remove(bucket, slot);
        this.#size--;
    }
    victim() {
        return this.#lowest === undefined ? -1 : this.#lowest.head;
    }
    /** Lowest count first, oldest first within a count: exactly the eviction order. */
    *order() {
        for (let bucket = this.#lowest; bucket !== undefined; bucket = bucket.higher) {
            for (let slot = bucket.head; slot !== -1; slot = this.#next[slot])
                yield slot;
        }
    }
    clear() {
        this.#bucketOf = [];
        this.#lowest = undefined;
        this.#size = 0;
    }
    #append(bucket, slot) {
        this.#prev[slot] = bucket.tail;
        this.#next[slot] = -1;
        if (bucket.tail === -1)
            bucket.head = slot;
        else
            this.#next[bucket.tail] = slot;
        bucket.tail = slot;
        this.#bucketOf[slot] = bucket;
    }
    /** Unlinks `slot` from `bucket`, dropping the bucket when it becomes empty. */
    #remove(bucket, slot) {
        const prev = this.#prev[slot];
        const next = this.#next[slot];
        if (prev === -1)
            bucket.head = next;
        else
            this.#next[prev] = next;
        if (next === -1)
            bucket.tail = prev;
        else
            this.#prev[next] = prev;
        this.#bucketOf[slot] = undefined;
        if (bucket.head !== -1)
            return;
        if (bucket.lower !== undefined)
            bucket.lower.higher = bucket.higher;
        else
            this.#lowest = bucket.higher;
        if (bucket.higher !== undefined)
            bucket.higher.lower = bucket.lower;
    }
}
//# sourceMappingURL=lfu.js.map