/**
 * Exact least-recently-used order as an intrusive doubly linked list over slot numbers, kept in
 * two Int32Arrays (no per-entry objects, so no GC pressure). Head = least recent = next victim.
 */
import { growInt32 } from './policy.js';
export class LruPolicy {
    name = 'lru';
    #prev = new Int32Array(0);
    #next = new Int32Array(0);
    /** 1 while a slot is linked; guards against double insertion. */
    #linked = new Uint8Array(0);
    #head = -1;
    #tail = -1;
    #size = 0;
    get size() {
        return this.#size;
    }
    recordSet(slot) {
        if (slot >= this.#prev.length)
            this.#grow(slot);
        if (this.#linked[slot] === 1)
            this.#unlink(slot);
        this.#append(slot);
    }
    recordGet(slot) {
        if (slot === this.#tail)
            return;
        this.#unlink(slot);
        this.#append(slot);
    }
    recordDelete(slot) {
        if (slot < this.#linked.length && this.#linked[slot] === 1)
            this.#unlink(slot);
    }
    victim() {
        return this.#head;
    }
    *order() {
        for (let slot = this.#head; slot !== -1; slot = this.#next[slot])
            yield slot;
    }
    clear() {
        this.#prev.fill(-1);
        this.#next.fill(-1);
        this.#linked.fill(0);
        this.#head = this.#tail = -1;
        this.#size = 0;
    }
    #grow(slot) {
        this.#prev = growInt32(this.#prev, slot);
        this.#next = growInt32(this.#next, slot);
        const linked = new Uint8Array(this.#prev.length);
        linked.set(this.#linked);
        this.#linked = linked;
    }
    #append(slot) {
        this.#prev[slot] = this.#tail;
        this.#next[slot] = -1;
        if (this.#tail === -1)
            this.#head = slot;
        else
            this.#next[this.#tail] = slot;
        this.#tail = slot;
        this.#linked[slot] = 1;
        this.#size++;
    }
    #unlink(slot) {
        const prev = this.#prev[slot];
        const next = this.#next[slot];
        if (prev === -1)
            this.#head = next;
        else
            this.#next[prev] = next;
        if (next === -1)
            this.#tail = prev;
        else
            this.#prev[next] = prev;
        this.#linked[slot] = 0;
        this.#size--;
    }
}
//# sourceMappingURL=lru.js.map