/**
 * Membership: the nodes of the pool as the manager knows them — address (`host:port`, also the
 * node's id), cache_index and status. Nodes registering on their own before they are members are
 * kept apart (`pending`). No I/O.
 */
import type { MemberStatus } from '../wire/index.js';

export type { MemberStatus };

/** One node of the pool. */
export interface Member {
  address: string;
  cacheIndex: number;
  status: MemberStatus;
  /** When the node joined the pool, ms since the epoch (which node a scale command removes). */
  addedAtMs: number;
}

/** The pool's nodes, ordered by cache_index. */
export class Membership {
  #members = new Map<string, Member>();
  #pending = new Map<string, number>();

  /** Members ordered by cache_index (copies). */
  list(): Member[] {
    return [...this.#members.values()]
      .sort((a, b) => a.cacheIndex - b.cacheIndex)
      .map((m) => ({ ...m }));
  }

  /** Member addresses ordered by cache_index. */
  addresses(): string[] {
    return this.list().map((member) => member.address);
  }

  get size(): number {
    return this.#members.size;
  }

  get(address: string): Member | undefined {
    const member = this.#members.get(address);
    return member ? { ...member } : undefined;
  }

  has(address: string): boolean {
    return this.#members.has(address);
  }

  add(address: string, cacheIndex: number, status: MemberStatus, addedAtMs = Date.now()): void {
    this.#pending.delete(address);
    this.#members.set(address, { address, cacheIndex, status, addedAtMs });
  }

  /** Nodes that registered on their own and are not members yet: address → cache_index. */
  pending(): Map<string, number> {
    return new Map(this.#pending);
  }

  /** Forgets a pending node (it did not answer, or the pool is full). */
  dropPending(address: string): void {
    this.#pending.delete(address);
  }

  remove(address: string): void {
    this.#members.delete(address);
  }

  setStatus(address: string, status: MemberStatus): void {
    const member = this.#members.get(address);
    if (member) member.status = status;
  }

  /** The lowest cache_index used by no member and no pending node. */
  nextIndex(): number {
    const used = new Set(
      [...this.#members.values()].map((m) => m.cacheIndex).concat([...this.#pending.values()]),
    );
    let index = 0;
    while (used.has(index)) index++;
    return index;
  }

  /**
   * The cache_index of a node that registers itself: a member keeps its own; an unknown node gets
   * the one it asks for when free, else the next free one, and waits as pending.
   */
  indexForRegistration(address: string, wanted: number | null): number {
    const member = this.#members.get(address);
    if (member) return member.cacheIndex;
    const known = this.#pending.get(address);
    if (known !== undefined) return known;
    const used = new Set(
      [...this.#members.values()].map((m) => m.cacheIndex).concat([...this.#pending.values()]),
    );
    const index = wanted !== null && !used.has(wanted) ? wanted : this.nextIndex();
    this.#pending.set(address, index);
    return index;
  }
}
