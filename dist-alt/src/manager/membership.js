/**
 * Membership: the nodes of the pool as the manager knows them — address (`host:port`, also the
 * node's id), cache_index and status. Nodes registering on their own before they are members are
 * kept apart (`pending`). No I/O.
 */
/** The pool's nodes, ordered by cache_index. */
export class Membership {
    #members = new Map();
    #pending = new Map();
    /** Members ordered by cache_index (copies). */
    list() {
        return [...this.#members.values()]
            .sort((a, b) => a.cacheIndex - b.cacheIndex)
            .map((m) => ({ ...m }));
    }
    /** Member addresses ordered by cache_index. */
    addresses() {
        return this.list().map((member) => member.address);
    }
    get size() {
        return this.#members.size;
    }
    get(address) {
        const member = this.#members.get(address);
        return member ? { ...member } : undefined;
    }
    has(address) {
        return this.#members.has(address);
    }
    add(address, cacheIndex, status, addedAtMs = Date.now()) {
        this.#pending.delete(address);
        this.#members.set(address, { address, cacheIndex, status, addedAtMs });
    }
    /** Nodes that registered on their own and are not members yet: address → cache_index. */
    pending() {
        return new Map(this.#pending);
    }
    /** Forgets a pending node (it did not answer, or the pool is full). */
    dropPending(address) {
        this.#pending.delete(address);
    }
    remove(address) {
        this.#members.delete(address);
    }
    setStatus(address, status) {
        const member = this.#members.get(address);
        if (member)
            member.status = status;
    }
    /** The lowest cache_index used by no member and no pending node. */
    nextIndex() {
        const used = new Set([...this.#members.values()].map((m) => m.cacheIndex).concat([...this.#pending.values()]));
        let index = 0;
        while (used.has(index))
            index++;
        return index;
    }
    /**
     * The cache_index of a node that registers itself: a member keeps its own; an unknown node gets
     * the one it asks for when free, else the next free one, and waits as pending.
     */
    indexForRegistration(address, wanted) {
        const member = this.#members.get(address);
        if (member)
            return member.cacheIndex;
        const known = this.#pending.get(address);
        if (known !== undefined)
            return known;
        const used = new Set([...this.#members.values()].map((m) => m.cacheIndex).concat([...this.#pending.values()]));
        const index = wanted !== null && !used.has(wanted) ? wanted : this.nextIndex();
        this.#pending.set(address, index);
        return index;
    }
}
//# sourceMappingURL=membership.js.map