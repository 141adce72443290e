import { SlabArena, Store, } from '../store/index.js';
import { FRAME_BYTES, transientBytes, valueOf } from './entry.js';
/**
 * Bytes a small entry costs besides its key, its value and its chunk's rounding: its slot in the
 * key index (a Map entry and the key string's header), the store's and the policy's per-slot
 * arrays and the arena's per-chunk arrays, and the garbage an evicting store's index leaves
 * between collections (a Map keeps deleted entries until it rehashes into a new table). Measured
 * with `memory-sizes` (bench/memory-sizes.ts) on nodes that evict: 230–310 bytes of live heap and
 * arrays per entry of 16–100 B values, more with the index's dead tables; 225–250 bytes per item
 * at a million items without eviction.
 */
export const SMALL_ENTRY_OVERHEAD_BYTES = 320;
/**
 * Bytes a large entry (its own Buffer) costs besides its key and value: the Buffer and its backing
 * store, the Entry object, the legacy frame around a text value and the allocator's rounding.
 */
export const LARGE_ENTRY_OVERHEAD_BYTES = 1024;
const MB = 1024 * 1024;
/**
 * Bytes of JS heap a small entry leaves for the collector when it goes: its key's string and its
 * share of the key index's rehashing. V8 lets such garbage grow with the heap, so a store that
 * evicts millions of tiny entries asks for a collection after a bounded amount of it.
 */
const SMALL_ENTRY_GARBAGE_BYTES = 128;
/** The default `collectAfterBytes` for a capacity. */
export function collectAfterBytesFor(capacityBytes) {
    return Math.min(64 * MB, Math.max(8 * MB, Math.floor(capacityBytes / 8)));
}
export class EntryStore {
    #arena = new SlabArena();
    #store;
    /** Entries too large for the arena, by -(handle + 1). */
    #large = [];
    #freeLarge = [];
    #largeCount = 0;
    /** Interned content types: a chunk's tag is (type id << 1) | framed. */
    #types = [];
    #typeIds = new Map();
    #typeRefs = [];
    #freeTypeIds = [];
    #collect;
    #collectAfterBytes;
    /** Value memory released since a major collection was last asked for. */
    #releasedBytes = 0;
    /** Bytes of values written since a minor collection was last asked for. */
    #arrivedBytes = 0;
    /** The arena's droppedBytesTotal when last looked at. */
    #arenaDroppedBytes = 0;
    constructor(options) {
        this.#collect = options.collect;
        this.#collectAfterBytes = options.collectAfterBytes;
        const maxSmall = this.#arena.maxChunkBytes;
        this.#store = new Store({
            capacityBytes: options.capacityBytes,
            ...(options.policy !== undefined ? { policy: options.policy } : {}),
            ...(options.random ? { random: options.random } : {}),
            ...(options.clock ? { clock: options.clock } : {}),
            overheadBytes: (valueBytes) => valueBytes <= maxSmall
                ? this.#arena.chunkBytes(valueBytes) - valueBytes + SMALL_ENTRY_OVERHEAD_BYTES
                : LARGE_ENTRY_OVERHEAD_BYTES + FRAME_BYTES + Math.floor(valueBytes / 64),
            onRelease: (handle) => this.#release(handle),
        });
    }
    get size() {
        return this.#store.size;
    }
    get usedBytes() {
        return this.#store.usedBytes;
    }
    get chargedBytes() {
        return this.#store.chargedBytes;
    }
    get capacityBytes() {
        return this.#store.capacityBytes;
    }
    get policyName() {
        return this.#store.policyName;
    }
    /** The entry (a hit counts as a use), or undefined on a miss or when expired. */
    get(key) {
        const handle = this.#store.get(key);
        return handle === undefined ? undefined : this.#entryOf(handle);
    }
    /** The entry without counting a use. */
    peek(key) {
        const handle = this.#store.peek(key);
        return handle === undefined ? undefined : this.#entryOf(handle);
    }
    has(key) {
        return this.#store.has(key);
    }
    expiresAt(key) {
        return this.#store.expiresAt(key);
    }
    /**
     * Stores `entry` (as Store.set: evicting for room, or rejected when larger than the capacity).
     * A small value is copied into the arena; a large one is kept as it is.
     */
    set(key, entry, valueBytes, expiresAtMs = 0) {
        const value = valueOf(entry);
        let handle;
        if (value.length <= this.#arena.maxChunkBytes) {
            handle = this.#arena.allocate(value.length, (this.#internType(entry.type) << 1) | +entry.framed);
            this.#arena.write(handle, value);
        }
        else {
            const index = this.#freeLarge.length > 0 ? this.#freeLarge.pop() : this.#large.length;
            this.#large[index] = entry;
            this.#largeCount++;
            handle = -(index + 1);
        }
        if (this.#collect !== undefined) {
            // The buffers the value arrived in (a request's chunks; a small value's own buffer, now
            // copied) are young garbage, which V8 collects only once its young generation is full of
            // objects: a few large values fill it with far more bytes than objects.
            this.#arrivedBytes += entry.bytes.length;
            if (this.#arrivedBytes >= this.#collectLimit()) {
                this.#arrivedBytes = 0;
                this.#collect('minor');
            }
        }
        const outcome = this.#store.set(key, handle, valueBytes, expiresAtMs);
        // A rejected entry was not taken: give its room back (any other outcome took it).
        if (outcome.kind === 'rejected')
            this.#release(handle);
        return outcome;
    }
    /** Whether `key` still holds the value `entry` was read from (not a newer write). */
    holds(key, entry) {
        const handle = this.#store.peek(key);
        if (handle === undefined)
            return false;
        if (handle < 0)
            return this.#large[-handle - 1] === entry;
        return entry.handle === handle && entry.generation === this.#arena.generation(handle);
    }
    delete(key) {
        return this.#store.delete(key);
    }
    clear() {
        this.#store.clear();
    }
    setCapacity(capacityBytes) {
        return this.#store.setCapacity(capacityBytes);
    }
    setPolicy(name) {
        this.#store.setPolicy(name);
    }
    sweepExpired(maxEntries) {
        return this.#store.sweepExpired(maxEntries);
    }
    keys() {
        return this.#store.keys();
    }
    /** Live [key, entry] pairs in eviction order, without counting uses. */
    entries() {
        return this.#store.entries().map(([key, handle]) => [key, this.#entryOf(handle)]);
    }
    stats() {
        return {
            ...this.#store.stats(),
            slabBytes: this.#arena.stats().pageBytes,
            largeEntries: this.#largeCount,
        };
    }
    /** Checks the store's invariants and that the arena holds exactly the live small entries. */
    assertInvariants() {
        this.#store.assertInvariants();
        let small = 0;
        for (const [, handle] of this.#store.entries())
            if (handle >= 0)
                small++;
        const live = this.#arena.stats().liveChunks;
        // Expired entries not yet swept still hold their chunks.
        if (live < small)
            throw new Error(`arena holds ${live} chunks, store ${small} small entries`);
        if (live + this.#largeCount < this.#store.size)
            throw new Error('the store holds entries that neither the arena nor the large list holds');
    }
    #entryOf(handle) {
        if (handle < 0)
            return this.#large[-handle - 1];
        const arena = this.#arena;
        const tag = arena.tag(handle);
        const framed = (tag & 1) === 1;
        const length = arena.length(handle);
        return {
            bytes: transientBytes(length, framed, (target, at) => arena.copyOut(handle, target, at)),
            framed,
            type: this.#types[tag >>> 1],
            valueBytes: length,
            handle,
            generation: arena.generation(handle),
        };
    }
    #release(handle) {
        if (handle < 0) {
            const index = -handle - 1;
            const entry = this.#large[index];
            this.#large[index] = undefined;
            this.#freeLarge.push(index);
            this.#largeCount--;
            this.#released(entry.bytes.length);
            return;
        }
        this.#releaseType(this.#arena.tag(handle) >>> 1);
        this.#arena.free(handle);
        const dropped = this.#arena.droppedBytesTotal;
        this.#released(SMALL_ENTRY_GARBAGE_BYTES + dropped - this.#arenaDroppedBytes);
        this.#arenaDroppedBytes = dropped;
    }
    /**
     * Counts value memory that became garbage. V8 frees a dead Buffer's memory only at a full
     * collection, which it starts by itself once some 64 MB of such garbage piled up: far more than
     * the slack a small capacity leaves (1.3 × capacity + 80 MB, with an idle process at ~80 MB), so
     * the store asks for one sooner.
     */
    #released(bytes) {
        if (this.#collect === undefined)
            return;
        this.#releasedBytes += bytes;
        if (this.#releasedBytes < this.#collectLimit())
            return;
        this.#releasedBytes = 0;
        this.#collect('major');
    }
    #collectLimit() {
        return this.#collectAfterBytes ?? collectAfterBytesFor(this.capacityBytes);
    }
    #internType(type) {
        let id = this.#typeIds.get(type);
        if (id === undefined) {
            id = this.#freeTypeIds.length > 0 ? this.#freeTypeIds.pop() : this.#types.length;
            this.#types[id] = type;
            this.#typeRefs[id] = 0;
            this.#typeIds.set(type, id);
        }
        this.#typeRefs[id]++;
        return id;
    }
    #releaseType(id) {
        if (--this.#typeRefs[id] > 0)
            return;
        this.#typeIds.delete(this.#types[id]);
        this.#types[id] = undefined;
        this.#freeTypeIds.push(id);
    }
}
//# sourceMappingURL=entry-store.js.map