/**
 * SIEVE eviction (Zhang et al., "SIEVE is Simpler than LRU", NSDI '24): a FIFO queue of slots
 * with one visited bit each and a hand. New slots enter at the head; a hit only sets the visited
 * bit (no relinking, so reads are cheaper than in LRU). To find a victim the hand walks from the
 * tail toward the head, clearing visited bits, and stops at the first unvisited slot; it wraps
 * from the head back to the tail. Survivors keep their place, so popular keys sink to the tail
 * and stay there, while one-hit wonders are evicted quickly near the head.
 *
 * Like lru.ts the queue is an intrusive doubly linked list over slot numbers in Int32Arrays.
 * Every operation is O(1) amortised: the hand clears each visited bit once per sweep.
 */
import { growInt32 } from './policy.js';
export class SievePolicy {
    name = 'sieve';
    /** Neighbour toward the tail (inserted earlier), -1 at the tail. */
    #older = new Int32Array(0);
    /** Neighbour toward the head (inserted later), -1 at the head. */
    #newer = new Int32Array(0);
    /** Bit 0: linked; bit 1: visited since the hand last passed. */
    #flags = new Uint8Array(0);
    #head = -1;
    #tail = -1;
    /** The next slot the hand examines; -1 means "start again at the tail". */
    #hand = -1;
    #size = 0;
    get size() {
        return this.#size;
    }
    /** A new slot enters at the head, unvisited; an overwrite of a tracked slot counts as a hit. */
    recordSet(slot) {
        if (slot >= this.#flags.length)
            this.#grow(slot);
        if ((this.#flags[slot] & LINKED) !== 0) {
            this.#flags[slot] = LINKED | VISITED;
            return;
        }
        this.#older[slot] = this.#head;
        this.#newer[slot] = -1;
        if (this.#head === -1)
            this.#tail = slot;
        else
            this.#newer[this.#head] = slot;
        this.#head = slot;
        this.#flags[slot] = LINKED;
        this.#size++;
    }
    recordGet(slot) {
        this.#flags[slot] = LINKED | VISITED;
    }
    recordDelete(slot) {
        if (slot >= this.#flags.length || (this.#flags[slot] & LINKED) === 0)
            return;
        const older = this.#older[slot];
        const newer = this.#newer[slot];
        // The hand moves on to where it would have gone next, so a sweep is never restarted.
        if (this.#hand === slot)
            this.#hand = newer;
        if (older === -1)
            this.#tail = newer;
        else
            this.#newer[older] = newer;
        if (newer === -1)
            this.#head = older;
        else
            this.#older[newer] = older;
        this.#flags[slot] = 0;
        this.#size--;
    }
    /**
     * Moves the hand to the next unvisited slot, clearing visited bits on the way, and returns it
     * (it stays in place until deleted, so a second call returns the same slot). -1 when empty.
     */
    victim() {
        if (this.#size === 0)
            return -1;
        let hand = this.#hand === -1 ? this.#tail : this.#hand;
        // Terminates within size + 1 steps: after one full turn every visited bit is cleared.
        while ((this.#flags[hand] & VISITED) !== 0) {
            this.#flags[hand] = LINKED;
            hand = this.#newer[hand];
            if (hand === -1)
                hand = this.#tail;
        }
        this.#hand = hand;
        return hand;
    }
    /**
     * Live slots in the order repeated evictions would take them if nothing else happened: the
     * unvisited ones from the hand onward (wrapping at the head), then the visited ones in the
     * same sweep order.
     */
    *order() {
        if (this.#size === 0)
            return;
        const start = this.#hand === -1 ? this.#tail : this.#hand;
        for (const visited of [false, true]) {
            let slot = start;
            do {
                if (((this.#flags[slot] & VISITED) !== 0) === visited)
                    yield slot;
                slot = this.#newer[slot];
                if (slot === -1)
                    slot = this.#tail;
            } while (slot !== start);
        }
    }
    clear() {
        this.#older.fill(-1);
        this.#newer.fill(-1);
        this.#flags.fill(0);
        this.#head = this.#tail = this.#hand = -1;
        this.#size = 0;
    }
    #grow(slot) {
        this.#older = growInt32(this.#older, slot);
        this.#newer = growInt32(this.#newer, slot);
        const flags = new Uint8Array(this.#older.length);
        flags.set(this.#flags);
        this.#flags = flags;
    }
}
const LINKED = 1;
const VISITED = 2;
//# sourceMappingURL=sieve.js.map