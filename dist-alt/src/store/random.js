/**
 * Uniform random replacement: live slots sit in a dense array, each slot knows its position, and
 * removal swaps the last element into the hole — O(1) everything, victim drawn uniformly.
 */
import { growInt32 } from './policy.js';
export class RandomPolicy {
    name = 'rr';
    #random;
    #dense = new Int32Array(16);
    /** position of each slot in #dense, -1 when not tracked */
    #position = new Int32Array(0);
    #size = 0;
    constructor(random = Math.random) {
        this.#random = random;
    }
    get size() {
        return this.#size;
    }
    recordSet(slot) {
        if (slot >= this.#position.length)
            this.#position = growInt32(this.#position, slot);
        if (this.#position[slot] !== -1)
            return;
        if (this.#size >= this.#dense.length)
            this.#dense = growInt32(this.#dense, this.#size);
        this.#dense[this.#size] = slot;
        this.#position[slot] = this.#size;
        this.#size++;
    }
    recordGet() {
        // Random replacement ignores recency.
    }
    recordDelete(slot) {
        if (slot >= this.#position.length)
            return;
        const at = this.#position[slot];
        if (at === -1)
            return;
        const last = this.#dense[this.#size - 1];
        this.#dense[at] = last;
        this.#position[last] = at;
        this.#position[slot] = -1;
        this.#size--;
    }
    victim() {
        if (this.#size === 0)
            return -1;
        // Math.min guards against a random source that returns exactly 1.
        const at = Math.min(this.#size - 1, Math.floor(this.#random() * this.#size));
        return this.#dense[at];
    }
    *order() {
        for (let at = 0; at < this.#size; at++)
            yield this.#dense[at];
    }
    clear() {
        this.#position.fill(-1);
        this.#size = 0;
    }
}
//# sourceMappingURL=random.js.map