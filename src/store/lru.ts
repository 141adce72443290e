/**
 * Exact least-recently-used order as an intrusive doubly linked list over slot numbers, kept in
 * one Int32Array (no per-entry objects, so no GC pressure). Head = least recent = next victim.
 */
import { type EvictionPolicy, growInt32 } from './policy.js';

/** `prev` of a slot that is not in the list. */
const UNLINKED = -2;

export class LruPolicy implements EvictionPolicy {
  readonly name = 'lru';
  /**
   * At 2 × slot the previous (less recent) slot, at 2 × slot + 1 the next one, -1 at the ends:
   * side by side, so that moving a slot to the tail reads one cache line for it. A slot not in
   * the list has UNLINKED as its previous one.
   */
  #links = new Int32Array(0);
  #head = -1;
  #tail = -1;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  recordSet(slot: number): void {
    if (2 * slot >= this.#links.length)
      this.#links = growInt32(this.#links, 2 * slot + 1, UNLINKED);
    if (this.#links[2 * slot] !== UNLINKED) this.#unlink(slot);
    this.#append(slot);
  }

  recordGet(slot: number): void {
    if (slot === this.#tail) return;
    this.#unlink(slot);
    this.#append(slot);
  }

  recordDelete(slot: number): void {
    if (2 * slot < this.#links.length && this.#links[2 * slot] !== UNLINKED) this.#unlink(slot);
  }

  victim(): number {
    return this.#head;
  }

  *order(): Iterable<number> {
    for (let slot = this.#head; slot !== -1; slot = this.#links[2 * slot + 1]!) yield slot;
  }

  clear(): void {
    this.#links.fill(UNLINKED);
    this.#head = this.#tail = -1;
    this.#size = 0;
  }

  #append(slot: number): void {
    const links = this.#links;
    links[2 * slot] = this.#tail;
    links[2 * slot + 1] = -1;
    if (this.#tail === -1) this.#head = slot;
    else links[2 * this.#tail + 1] = slot;
    this.#tail = slot;
    this.#size++;
  }

  #unlink(slot: number): void {
    const links = this.#links;
    const prev = links[2 * slot]!;
    const next = links[2 * slot + 1]!;
    if (prev === -1) this.#head = next;
    else links[2 * prev + 1] = next;
    if (next === -1) this.#tail = prev;
    else links[2 * next] = prev;
    links[2 * slot] = UNLINKED;
    this.#size--;
  }
}
