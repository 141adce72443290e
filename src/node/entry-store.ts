/**
 * The node's store of entries: a Store of small integers (handles) beside a SlabArena that holds
 * the bytes of values up to SLAB_VALUE_MAX_BYTES, so that a million small entries are a few
 * hundred page Buffers and typed arrays rather than millions of Buffers and objects for the
 * collector to walk, and so that an evicted value's memory is reused at once rather than freed
 * by a full collection. A larger value keeps its own Buffer (its Entry object is the stored
 * value). Reads of a slab value copy it out into a fresh Entry — except a shared read (`get`
 * with `shared`) of a value kept whole, which lends the caller the slab's bytes until it calls
 * `release`: a value over WHOLE_ANSWER_MIN_BYTES that the legacy API sends framed is kept with
 * its frame, so that its hit answer is the chunk itself, and a chunk lent out is freed only once
 * every borrower released it (memcached's item reference counts).
 *
 * Accounting (docs/http-api.md): `usedBytes` is keys + values, as the legacy `used_size` says;
 * the capacity bounds `chargedBytes`, which adds what each entry really costs besides them
 * (memcached-style): its slab chunk's rounding and a fixed bookkeeping cost for a small value,
 * its Buffer's and Entry's cost for a large one.
 */
import type { Clock } from '../clock.js';
import {
  SlabArena,
  Store,
  type RandomSource,
  type SetOutcome,
  type StoreStats,
} from '../store/index.js';
import { FRAME_BYTES, transientBytes, valueOf, type Entry } from './entry.js';

/**
 * Bytes a small entry costs besides its key, its value and its value chunk's rounding, all in
 * typed arrays and slab pages (no JS object per entry): its key's slab chunk (8 bytes of
 * per-chunk arrays, up to 7 of rounding) and its share of the key index's buckets (11 bytes at
 * the table's mean load, 3/8) and per-slot arrays (8, and 4 for a recent key's ring position); the
 * store's per-slot figures (16: size, charge, deadline) and value (8); the value chunk's
 * per-chunk arrays (16); the policy's per-slot arrays (at most 16, lfu); and the room the
 * doubling per-slot arrays keep ahead (about a third more of the 76 bytes that grow with the
 * slots): about 119 bytes. Measured in process, a million entries of 100 B under 10-byte keys
 * hold 93 bytes of typed arrays and slab pages per entry beyond key and value; in a node
 * (`memory-sizes`), whose resident set also holds its heap and allocator's share, 134-159 bytes
 * per item at one million items. The charge is the node's figure, rounded up.
 */
export const SMALL_ENTRY_OVERHEAD_BYTES = 160;

/**
 * Bytes a large entry (its own Buffer) costs besides its key and value: the Buffer and its backing
 * store, the Entry object, the legacy frame around a text value and the allocator's rounding.
 */
export const LARGE_ENTRY_OVERHEAD_BYTES = 1024;

const MB = 1024 * 1024;

/**
 * The largest value kept in slab chunks (larger ones keep their own Buffer). A Buffer's memory
 * goes back only at a full collection of the heap, which stops the node for 7-18 ms; a slab
 * chunk is reused by the next write as soon as its entry leaves. Up to 4 KiB only, a full node
 * taking puts of 10 KB asked for such a collection every 800 puts, and V8, already marking by
 * then, ran two of them each time: 0.5x the fair ceiling at 16 connections, and the values' 10 KB
 * blocks, freed in between young request buffers, left glibc's heap fragmented (some 20 MB
 * above what was live at the peak). A read copies a slab value out (about 2 us for 10 KB, most
 * of it making the Buffer), where a value of its own is sent as it is. 64 KiB: a value that
 * large is its own memory mapping (runtime.ts), handed back whole to the system when freed.
 */
export const SLAB_VALUE_MAX_BYTES = 64 * 1024;

/**
 * Framed values larger than this are kept whole (with their legacy frame, 31 bytes) in their
 * chunk, so that a hit can send the chunk without copying it: copying a 10 KB value out costs a
 * hit 2-3 us in process, most of it making the Buffer. Smaller values are kept without the frame
 * (31 bytes each at a million items) and copied out, from Node's shared pool of small Buffers.
 * A value that would not fit its chunk with the frame (over SLAB_VALUE_MAX_BYTES - 31) is kept
 * without it too. Every value that may be kept whole is charged the chunk with the frame.
 */
export const WHOLE_ANSWER_MIN_BYTES = 4096;

/**
 * Recent keys the store's index finds through a Map (key-index.ts) for a capacity: one per 4 KiB
 * of capacity, at most 65,536. Each costs some 100 bytes of heap that no charge counts (the key's
 * string and its Map entry), so their number follows the capacity, and a changed capacity
 * (setCapacity): at most 1/40 of it.
 */
export function recentKeysFor(capacityBytes: number): number {
  return Math.min(65_536, Math.floor(capacityBytes / 4096));
}

/** Options of EntryStore. */
export interface EntryStoreOptions {
  capacityBytes: number;
  policy?: string;
  random?: RandomSource;
  clock?: Clock;
  /**
   * Asks the process for a collection: `major` once the value memory that left the store (large
   * values, dropped slab pages, `discarded` buffers) since the last major one and the live entries
   * together reach the capacity plus `collectAfterBytes`; `deferred` (one once the process is
   * quiet) each time `collectAfterBytes` more of it left without reaching that; `minor` once as
   * many bytes of values were written (the buffers they arrived in are young garbage). Default
   * none.
   */
  collect?: (kind: CollectionKind) => void;
  /**
   * Bytes of garbage between two calls of `collect` of a kind; default an eighth of the
   * capacity less 4 MiB, at least a sixteenth of the capacity (from 1 to 4 MiB), at most 64 MiB
   * (V8's own trigger for such garbage): what the bound of 1.3 x capacity + 80 MB leaves above a
   * full store and an idle process of some 75 MB, with room for the requests in flight. A floor
   * of 4 MiB at every capacity let 100 KB puts on 16 connections peak at 1.01× the bound at
   * 32 MB. Values up to SLAB_VALUE_MAX_BYTES leave no garbage, so a full collection is asked for
   * only after that many bytes of larger values (at 64 MB, 40 values of 100 KB), whose writes
   * cost far more than a collection each.
   */
  collectAfterBytes?: number;
}

/**
 * A young-generation (`minor`) or a full (`major`) garbage collection now, or a full one once the
 * process has been quiet for a while (`deferred`).
 */
export type CollectionKind = 'minor' | 'major' | 'deferred';

/** The memory bound of a node's process with this capacity: 1.3 × capacity + 80 MB. */
export function processBoundBytes(capacityBytes: number): number {
  return Math.floor(1.3 * capacityBytes) + 80 * MB;
}

/** The default `collectAfterBytes` for a capacity. */
export function collectAfterBytesFor(capacityBytes: number): number {
  // A sixteenth of the capacity, from 1 MiB (a node of capacity 0 still takes and drops values)
  // to 4 MiB.
  const floor = Math.min(4 * MB, Math.max(MB, Math.floor(capacityBytes / 16)));
  return Math.min(64 * MB, Math.max(floor, Math.floor(capacityBytes / 8) - 4 * MB));
}

/** Store figures plus the arena's. */
export interface EntryStoreStats extends StoreStats {
  /** Bytes of slab pages held. */
  slabBytes: number;
  /** Slab chunks in use: the entries' and those still lent to readers after their entry left. */
  slabChunks: number;
  /** Entries whose value has its own Buffer. */
  largeEntries: number;
}

export class EntryStore {
  readonly #arena = new SlabArena({ maxChunkBytes: SLAB_VALUE_MAX_BYTES });
  readonly #store: Store<number>;
  /** Entries too large for the arena, by -(handle + 1). */
  #large: (Entry | undefined)[] = [];
  #freeLarge: number[] = [];
  #largeCount = 0;
  /**
   * Interned content types. A chunk's tag is (type id << 2) | (kept whole << 1) | framed: a
   * value kept whole holds the legacy frame around the value.
   */
  #types: (string | undefined)[] = [];
  #typeIds = new Map<string, number>();
  #typeRefs: number[] = [];
  #freeTypeIds: number[] = [];
  readonly #collect: ((kind: CollectionKind) => void) | undefined;
  readonly #collectAfterBytes: number | undefined;
  /** Value memory released since a major collection was last asked for. */
  #releasedBytes = 0;
  /** #releasedBytes at which the next deferred collection is asked for. */
  #deferAtBytes = 0;
  /** Bytes of values written since a minor collection was last asked for. */
  #arrivedBytes = 0;
  /** The arena's droppedBytesTotal when last looked at. */
  #arenaDroppedBytes = 0;
  /** Chunks lent out by shared reads: handle → readers that have not released it yet. */
  readonly #lent = new Map<number, number>();
  /** Lent chunks whose entry left the store: freed when the last reader releases them. */
  readonly #leftWhileLent = new Set<number>();

  constructor(options: EntryStoreOptions) {
    this.#collect = options.collect;
    this.#collectAfterBytes = options.collectAfterBytes;
    const maxSmall = this.#arena.maxChunkBytes;
    this.#store = new Store<number>({
      capacityBytes: options.capacityBytes,
      recentKeys: recentKeysFor(options.capacityBytes),
      ...(options.policy !== undefined ? { policy: options.policy } : {}),
      ...(options.random ? { random: options.random } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      // A value that may be kept whole is charged the chunk with its frame, framed or not.
      overheadBytes: (valueBytes) =>
        valueBytes <= maxSmall
          ? this.#arena.chunkBytes(
              this.#mayKeepWhole(valueBytes) ? valueBytes + FRAME_BYTES : valueBytes,
            ) -
            valueBytes +
            SMALL_ENTRY_OVERHEAD_BYTES
          : LARGE_ENTRY_OVERHEAD_BYTES + FRAME_BYTES + Math.floor(valueBytes / 64),
      onRelease: (handle) => this.#release(handle),
    });
  }

  get size(): number {
    return this.#store.size;
  }
  get usedBytes(): number {
    return this.#store.usedBytes;
  }
  get chargedBytes(): number {
    return this.#store.chargedBytes;
  }
  get capacityBytes(): number {
    return this.#store.capacityBytes;
  }

  /**
   * Bytes of garbage the store lets the process hold before it asks for a full collection beyond
   * what the capacity leaves free (`collectAfterBytes`).
   */
  get garbageAllowanceBytes(): number {
    return this.#collectLimit();
  }

  get policyName(): string {
    return this.#store.policyName;
  }

  /**
   * The entry (a hit counts as a use), or undefined on a miss or when expired. `shared`: an
   * entry kept whole in a slab is not copied; its `bytes` are the slab's, lent (`lent` is true)
   * until the caller calls `release(entry)` — once nothing reads them any more (a response
   * written or its connection closed), and exactly once.
   */
  get(key: string, shared = false): Entry | undefined {
    const handle = this.#store.get(key);
    return handle === undefined ? undefined : this.#entryOf(handle, shared);
  }

  /** Gives back the bytes of an entry a shared `get` lent (nothing for any other entry). */
  release(entry: Entry): void {
    if (entry.lent !== true) return;
    const handle = entry.handle!;
    const readers = this.#lent.get(handle);
    if (readers === undefined)
      throw new Error(`slab chunk ${handle} released more often than lent`);
    if (readers > 1) return void this.#lent.set(handle, readers - 1);
    this.#lent.delete(handle);
    if (this.#leftWhileLent.delete(handle)) this.#freeChunk(handle);
  }

  /** Chunks lent out by shared reads now (for tests and statistics). */
  get lentChunks(): number {
    return this.#lent.size;
  }

  /** The entry without counting a use. */
  peek(key: string): Entry | undefined {
    const handle = this.#store.peek(key);
    return handle === undefined ? undefined : this.#entryOf(handle, false);
  }

  has(key: string): boolean {
    return this.#store.has(key);
  }

  expiresAt(key: string): number | undefined {
    return this.#store.expiresAt(key);
  }

  /**
   * Stores `entry` (as Store.set: evicting for room, or rejected when larger than the capacity).
   * A small value is copied into the arena; a large one is kept as it is.
   */
  set(key: string, entry: Entry, valueBytes: number, expiresAtMs = 0): SetOutcome {
    const value = valueOf(entry);
    let handle: number;
    if (value.length <= this.#arena.maxChunkBytes) {
      const whole = entry.framed && this.#mayKeepWhole(value.length);
      const kept = whole ? entry.bytes : value;
      handle = this.#arena.allocate(
        kept.length,
        (this.#internType(entry.type) << 2) | (+whole << 1) | +entry.framed,
      );
      this.#arena.write(handle, kept);
    } else {
      const index = this.#freeLarge.length > 0 ? this.#freeLarge.pop()! : this.#large.length;
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
    if (outcome.kind === 'rejected') this.#release(handle);
    // The new entry took some of the room that garbage may use (#collectReleased).
    else if (this.#releasedBytes > 0) this.#collectReleased();
    return outcome;
  }

  /** Whether `set` keeps `entry` as it is (its value is copied into a slab otherwise). */
  keepsBuffer(entry: Entry): boolean {
    return valueOf(entry).length > this.#arena.maxChunkBytes;
  }

  /** The largest value `set` copies (into a slab) rather than keeps: the buffer it came in may be used again. */
  get copiedValueMaxBytes(): number {
    return this.#arena.maxChunkBytes;
  }

  /**
   * Counts value buffers that outlived the young generation and are garbage now — an import
   * batch's, held while the whole batch streamed in, then copied into slabs or not stored — as
   * memory a full collection gives back (see #released). Their copies are live beside them, so
   * they are collected at the limit alone, whatever room the store has.
   */
  discarded(bytes: number): void {
    if (bytes > 0) this.#released(bytes, false);
  }

  /**
   * A hand-off ended (the node's partitions changed): asks for a full collection now when the
   * values that left since the last one are at least a limit's worth, rather than once the node
   * is quiet (#collectReleased). Returns whether it asked.
   */
  collectHandedOff(): boolean {
    if (this.#collect === undefined || this.#releasedBytes < this.#collectLimit()) return false;
    this.#releasedBytes = 0;
    this.#deferAtBytes = 0;
    this.#collect('major');
    return true;
  }

  /** Whether `key` still holds the value `entry` was read from (not a newer write). */
  holds(key: string, entry: Entry): boolean {
    const handle = this.#store.peek(key);
    if (handle === undefined) return false;
    if (handle < 0) return this.#large[-handle - 1] === entry;
    return entry.handle === handle && entry.generation === this.#arena.generation(handle);
  }

  delete(key: string): boolean {
    return this.#store.delete(key);
  }

  clear(): void {
    this.#store.clear();
  }

  /**
   * Sets the capacity, evicting down to it; the recent keys follow it (recentKeysFor), so that
   * their heap stays within what the new capacity allows.
   */
  setCapacity(capacityBytes: number): number {
    const evicted = this.#store.setCapacity(capacityBytes);
    this.#store.setRecentKeys(recentKeysFor(capacityBytes));
    return evicted;
  }

  /** Recent keys the index may find through its Map, and how many it holds now. */
  get recentKeys(): { max: number; held: number } {
    return this.#store.recentKeys;
  }

  setPolicy(name: string): void {
    this.#store.setPolicy(name);
  }

  sweepExpired(maxEntries: number): number {
    return this.#store.sweepExpired(maxEntries);
  }

  keys(): string[] {
    return this.#store.keys();
  }

  /** Live [key, entry] pairs in eviction order, without counting uses. */
  entries(): [string, Entry][] {
    return this.#store.entries().map(([key, handle]) => [key, this.#entryOf(handle, false)]);
  }

  stats(): EntryStoreStats {
    const arena = this.#arena.stats();
    return {
      ...this.#store.stats(),
      slabBytes: arena.pageBytes,
      slabChunks: arena.liveChunks,
      largeEntries: this.#largeCount,
    };
  }

  /** Checks the store's invariants and that the arena holds exactly the live small entries. */
  assertInvariants(): void {
    this.#store.assertInvariants();
    let small = 0;
    for (const [, handle] of this.#store.entries()) if (handle >= 0) small++;
    const live = this.#arena.stats().liveChunks;
    // Expired entries not yet swept still hold their chunks.
    if (live < small) throw new Error(`arena holds ${live} chunks, store ${small} small entries`);
    if (live + this.#largeCount < this.#store.size)
      throw new Error('the store holds entries that neither the arena nor the large list holds');
    for (const handle of this.#leftWhileLent)
      if (!this.#lent.has(handle)) throw new Error(`slab chunk ${handle} kept but lent to no one`);
  }

  #entryOf(handle: number, shared: boolean): Entry {
    if (handle < 0) return this.#large[-handle - 1]!;
    const arena = this.#arena;
    const tag = arena.tag(handle);
    const framed = (tag & 1) === 1;
    const length = arena.length(handle);
    const type = this.#types[tag >>> 2]!;
    const generation = arena.generation(handle);
    if ((tag & 2) === 0) {
      return {
        bytes: transientBytes(length, framed, (target, at) => arena.copyOut(handle, target, at)),
        framed,
        type,
        valueBytes: length,
        handle,
        generation,
      };
    }
    // Kept whole: the chunk is the framed answer.
    if (shared) this.#lent.set(handle, (this.#lent.get(handle) ?? 0) + 1);
    return {
      bytes: shared
        ? arena.view(handle)
        : transientBytes(length, false, (target, at) => arena.copyOut(handle, target, at)),
      framed: true,
      type,
      valueBytes: length - FRAME_BYTES,
      handle,
      generation,
      ...(shared ? { lent: true } : {}),
    };
  }

  /** Whether a framed value of `valueBytes` is kept whole: over 4 KiB, and fits with its frame. */
  #mayKeepWhole(valueBytes: number): boolean {
    return (
      valueBytes > WHOLE_ANSWER_MIN_BYTES && valueBytes + FRAME_BYTES <= this.#arena.maxChunkBytes
    );
  }

  #release(handle: number): void {
    if (handle < 0) {
      const index = -handle - 1;
      const entry = this.#large[index]!;
      this.#large[index] = undefined;
      this.#freeLarge.push(index);
      this.#largeCount--;
      this.#released(entry.bytes.length);
      return;
    }
    // A chunk lent to a reader (a response being written) is freed once it is given back.
    if (this.#lent.has(handle)) return void this.#leftWhileLent.add(handle);
    this.#freeChunk(handle);
  }

  #freeChunk(handle: number): void {
    this.#releaseType(this.#arena.tag(handle) >>> 2);
    this.#arena.free(handle);
    // A freed chunk is no garbage (its key's bytes neither, key-index.ts); a dropped page is.
    const dropped = this.#arena.droppedBytesTotal;
    if (dropped === this.#arenaDroppedBytes) return;
    this.#released(dropped - this.#arenaDroppedBytes);
    this.#arenaDroppedBytes = dropped;
  }

  /**
   * Counts value memory that became garbage. V8 frees a dead Buffer's memory only at a full
   * collection, which it starts by itself once some 64 MB of such garbage piled up: far more than
   * the slack a small capacity leaves (1.3 × capacity + 80 MB, with an idle process at ~80 MB), so
   * the store asks for one sooner.
   */
  #released(bytes: number, useRoom = true): void {
    if (this.#collect === undefined) return;
    this.#releasedBytes += bytes;
    this.#collectReleased(useRoom);
  }

  /**
   * Asks for a full collection once the garbage of released values reaches the limit plus the
   * room the live entries leave free under the capacity: live and dead values then never hold
   * more than the capacity plus the limit, as in a full store, however they left — overwritten,
   * evicted, deleted, expired, handed to another node. Memory that left without new values taking
   * its place leaves the process no larger than it was, and is not worth a full collection (tens
   * of ms, the node stopped) every few MB of a hand-off or of a key overwritten again and again in
   * a store with room; for it a collection once the node is quiet is asked for, at every limit's
   * worth. A capacity cut leaves no room, so what it evicted is collected at once. Checked on each
   * release and after each write, which takes room. `useRoom` false: at the limit alone.
   */
  #collectReleased(useRoom = true): void {
    const limit = this.#collectLimit();
    const released = this.#releasedBytes;
    if (released < limit) return;
    const room = useRoom ? Math.max(0, this.capacityBytes - this.chargedBytes) : 0;
    if (released >= limit + room) {
      this.#releasedBytes = 0;
      this.#deferAtBytes = 0;
      this.#collect!('major');
    } else if (released >= this.#deferAtBytes) {
      this.#deferAtBytes = released + limit;
      this.#collect!('deferred');
    }
  }

  #collectLimit(): number {
    return this.#collectAfterBytes ?? collectAfterBytesFor(this.capacityBytes);
  }

  #internType(type: string): number {
    let id = this.#typeIds.get(type);
    if (id === undefined) {
      id = this.#freeTypeIds.length > 0 ? this.#freeTypeIds.pop()! : this.#types.length;
      this.#types[id] = type;
      this.#typeRefs[id] = 0;
      this.#typeIds.set(type, id);
    }
    this.#typeRefs[id]!++;
    return id;
  }

  #releaseType(id: number): void {
    if (--this.#typeRefs[id]! > 0) return;
    this.#typeIds.delete(this.#types[id]!);
    this.#types[id] = undefined;
    this.#freeTypeIds.push(id);
  }
}
