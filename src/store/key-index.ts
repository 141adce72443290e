/**
 * The store's key → slot index without a JS object per key: key bytes (UTF-8) live in a
 * SlabArena, and an open-addressing hash table (linear probing, backward-shift deletion, so no
 * tombstones) maps them to slots in typed arrays. A million keys are a few hundred arena pages and
 * a handful of typed arrays, which the collector does not walk, instead of a Map's entries and a
 * million strings.
 *
 * Keys are compared as their UTF-8 bytes, as a wire protocol sees them: a lone surrogate encodes
 * as U+FFFD, so two strings that differ only there name the same key (they cannot come off the
 * wire as different keys anyway). Keys longer than the arena's largest chunk keep a Buffer of
 * their own, looked up through a Map; they are rare (a node refuses keys over 1 KiB).
 *
 * The index owns slot numbers: `add` hands out the lowest freed slot or a new one, `remove` gives
 * it back. It knows nothing of values, bytes charged or policies.
 *
 * Recent keys: a lookup hashes the key's characters and compares them with its bytes, where a V8
 * Map finds a string by the hash V8 cached on it and, for the same string, by identity. The index
 * keeps the last `recentKeys` keys it found in such a Map (key → slot), so that a hot key costs one
 * Map lookup; a slot leaves it when the slot is removed. It holds up to `recentKeys` strings (about
 * 100 bytes each with their Map entry, a 10-byte key) however many keys the index holds.
 */
import { OptionError } from '../errors.js';
import { SlabArena } from './slab-arena.js';

/** Slots and buckets the arrays start with. */
const INITIAL_SLOTS = 16;
/**
 * The table grows once it is more than half full: linear probing's runs stay short, so a miss
 * and a removal's backward shift read fewer buckets (a cache that evicts a key for every miss
 * does both all the time; docs/benchmarks.md, 2026-12-02). It costs up to 8 bytes of buckets per
 * key more than growing at 3/4, and none at a million or two million keys (the table is the same
 * power of two).
 */
const MAX_LOAD_NUMERATOR = 1;
const MAX_LOAD_DENOMINATOR = 2;
/** Key reference of a free slot; a key in the arena is its handle + 2. */
const FREE = 0;
/** Key reference of a key too long for the arena (its bytes are in `#longKeys`). */
const LONG = 1;
/** 32-bit FNV-1a's offset basis (as a signed integer) and prime. */
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
/** Key bytes encoded in JavaScript; longer keys go through Buffer's native encoder. */
const ENCODE_IN_JS_MAX = 64;
/** Default number of recent keys a lookup finds through a Map. */
export const RECENT_KEYS_DEFAULT = 65_536;

/** Options of KeyIndex. */
export interface KeyIndexOptions {
  /** Keys last found kept in a Map for faster lookups, an integer >= 0; default 65,536. */
  recentKeys?: number;
}

export class KeyIndex {
  readonly #arena = new SlabArena({
    pageBytes: 256 * 1024,
    minChunkBytes: 8,
    maxChunkBytes: 2048,
    growthFactor: 1.1,
    sparePages: 2,
    // A key's chunk needs its length only: tags and generations would cost 8 bytes a key.
    chunkTags: false,
  });
  /** Buckets: slot + 1, or 0 when empty. Its length is a power of two. */
  #table = new Int32Array(INITIAL_SLOTS * 2);
  #mask = INITIAL_SLOTS * 2 - 1;
  /**
   * Per slot, side by side so that a lookup reads one cache line: at 2 × slot the hash of its key
   * (a signed 32-bit integer, so that it stays a small integer), at 2 × slot + 1 its key
   * reference (FREE, LONG or the arena handle of its key + 2).
   */
  #slotMeta = new Int32Array(INITIAL_SLOTS * 2);
  readonly #longKeys = new Map<number, Buffer>();
  /** Freed slots, reused last-freed first. */
  #free = new Int32Array(INITIAL_SLOTS);
  #freeCount = 0;
  /** Slots handed out so far (the next new slot). */
  #slots = 0;
  #size = 0;
  /** The key last encoded (#encoded): its bytes, their length and their hash. */
  #scratch = Buffer.allocUnsafeSlow(1024);
  #length = 0;
  #hash = 0;
  #encoded: string | undefined;
  /**
   * The recent keys: the Map gives a key's slot; the ring (#recentKeys, #recentSlots) their order
   * and where to find the Map's entry of a slot being removed.
   */
  #recentMax: number;
  readonly #recent = new Map<string, number>();
  #recentKeys: (string | undefined)[] = [];
  #recentSlots: Int32Array;
  /** Per slot, its position in the ring + 1, or 0 (so that removing a slot forgets it). */
  #slotRecent = new Int32Array(INITIAL_SLOTS);
  #recentNext = 0;
  /**
   * The key of the last lookup that found nothing, until a key is added: a read's miss and the
   * write that follows it hash the key once.
   */
  #lastMiss: string | undefined;

  constructor(options: KeyIndexOptions = {}) {
    const recentKeys = checkRecentKeys(options.recentKeys ?? RECENT_KEYS_DEFAULT);
    this.#recentMax = recentKeys;
    this.#recentSlots = new Int32Array(recentKeys);
  }

  /** How many recent keys the Map may hold. */
  get recentKeys(): number {
    return this.#recentMax;
  }

  /** How many it holds now. */
  get recentKeysHeld(): number {
    return this.#recent.size;
  }

  /** Makes room for `recentKeys` recent keys from now on; the ones held are forgotten. */
  setRecentKeys(recentKeys: number): void {
    if (checkRecentKeys(recentKeys) === this.#recentMax) return;
    this.#recent.clear();
    this.#recentKeys = [];
    this.#recentSlots = new Int32Array(recentKeys);
    this.#slotRecent.fill(0);
    this.#recentNext = 0;
    this.#recentMax = recentKeys;
  }

  /** Live keys. */
  get size(): number {
    return this.#size;
  }

  /** Slots handed out so far: every live slot is below it. */
  get slotCount(): number {
    return this.#slots;
  }

  /** The slot of `key`, or -1. */
  find(key: string): number {
    if (key === this.#lastMiss) return -1;
    return this.#recent.get(key) ?? this.#lookUp(key);
  }

  /**
   * As `find`, and a key found joins the recent keys (reads call this; writes do not, since a
   * write to a key read before finds it anyway, and a write-heavy load would churn the ring).
   */
  findRecent(key: string): number {
    if (key === this.#lastMiss) return -1;
    const recent = this.#recent.get(key);
    if (recent !== undefined) return recent;
    const slot = this.#lookUp(key);
    if (slot !== -1 && this.#recentMax > 0) this.#remember(key, slot);
    return slot;
  }

  #lookUp(key: string): number {
    const slot = this.#probe(key);
    if (slot === -1) this.#lastMiss = key;
    return slot;
  }

  #probe(key: string): number {
    // A key whose length was just asked for (a write's) is encoded already.
    if (key === this.#encoded) return this.#findEncoded();
    // An ASCII key is hashed and compared from its characters, and its bytes are left in
    // #scratch for an `add` that follows a miss.
    const length = key.length;
    if (length <= ENCODE_IN_JS_MAX) {
      const scratch = this.#scratch;
      let hash = FNV_OFFSET;
      let i = 0;
      for (; i < length; i++) {
        const code = key.charCodeAt(i);
        if (code >= 0x80) break;
        scratch[i] = code;
        hash = Math.imul(hash ^ code, FNV_PRIME);
      }
      if (i === length) {
        hash = mix(hash);
        this.#length = length;
        this.#hash = hash;
        this.#encoded = key;
        return this.#findAscii(key, hash);
      }
    }
    this.#encode(key);
    return this.#findEncoded();
  }

  /**
   * The UTF-8 length of `key`. A key just looked up was encoded then, so a write that follows its
   * read's miss does not scan it again; any other key is encoded now, ready for `add`.
   */
  byteLengthOf(key: string): number {
    if (key !== this.#encoded) this.#encode(key);
    return this.#length;
  }

  /**
   * A slot for `key`, which must be absent (`find` returned -1): the most recently freed slot, or
   * a new one (then `slotCount` grows by one, and the caller grows its per-slot arrays to it).
   */
  add(key: string): number {
    this.#lastMiss = undefined;
    if (key !== this.#encoded) this.#encode(key);
    // Grow before the new key is in: a rehash places every live slot.
    if ((this.#size + 1) * MAX_LOAD_DENOMINATOR > this.#table.length * MAX_LOAD_NUMERATOR)
      this.#rehash(this.#table.length * 2);
    const slot = this.#freeCount > 0 ? this.#free[--this.#freeCount]! : this.#newSlot();
    const length = this.#length;
    if (length <= this.#arena.maxChunkBytes) {
      const handle = this.#arena.allocate(length);
      this.#arena.writeBytes(handle, this.#scratch, length);
      this.#slotMeta[2 * slot + 1] = handle + 2;
    } else {
      this.#longKeys.set(slot, Buffer.from(this.#scratch.subarray(0, length)));
      this.#slotMeta[2 * slot + 1] = LONG;
    }
    this.#slotMeta[2 * slot] = this.#hash;
    this.#place(slot);
    this.#size++;
    return slot;
  }

  /** Forgets the key of a live `slot` and frees the slot. */
  remove(slot: number): void {
    if (this.#slotRecent[slot] !== 0) this.#forget(this.#slotRecent[slot]! - 1);
    const mask = this.#mask;
    const table = this.#table;
    const meta = this.#slotMeta;
    let hole = meta[2 * slot]! & mask;
    while (table[hole] !== slot + 1) hole = (hole + 1) & mask;
    // Backward-shift deletion: move later members of the probe run into the hole when their home
    // bucket is not between the hole and where they sit, so every key stays reachable.
    let at = hole;
    for (;;) {
      at = (at + 1) & mask;
      const member = table[at]!;
      if (member === 0) break;
      const home = meta[2 * (member - 1)]! & mask;
      const homeInRange = hole <= at ? hole < home && home <= at : hole < home || home <= at;
      if (homeInRange) continue;
      table[hole] = member;
      hole = at;
    }
    table[hole] = 0;
    const ref = this.#slotMeta[2 * slot + 1]!;
    if (ref === LONG) this.#longKeys.delete(slot);
    else this.#arena.free(ref - 2);
    this.#slotMeta[2 * slot + 1] = FREE;
    if (this.#freeCount === this.#free.length) {
      const grown = new Int32Array(this.#free.length * 2);
      grown.set(this.#free);
      this.#free = grown;
    }
    this.#free[this.#freeCount++] = slot;
    this.#size--;
  }

  /** Whether `slot` holds a key. */
  isLive(slot: number): boolean {
    return slot < this.#slots && this.#slotMeta[2 * slot + 1] !== FREE;
  }

  /** The key of a live `slot`, decoded from its bytes. */
  keyOf(slot: number): string {
    const ref = this.#slotMeta[2 * slot + 1]!;
    if (ref === LONG) return this.#longKeys.get(slot)!.toString('utf8');
    return this.#arena.view(ref - 2).toString('utf8');
  }

  /** Forgets every key; slots start again from 0. */
  clear(): void {
    this.#arena.clear();
    this.#longKeys.clear();
    this.#table = new Int32Array(INITIAL_SLOTS * 2);
    this.#mask = this.#table.length - 1;
    this.#slotMeta = new Int32Array(INITIAL_SLOTS * 2);
    this.#free = new Int32Array(INITIAL_SLOTS);
    this.#freeCount = 0;
    this.#slots = 0;
    this.#size = 0;
    this.#recent.clear();
    this.#recentKeys = [];
    this.#slotRecent = new Int32Array(INITIAL_SLOTS);
    this.#recentNext = 0;
  }

  /** Bytes of arena pages holding keys. */
  get keyBytes(): number {
    return this.#arena.stats().pageBytes;
  }

  /** Checks that every live slot is found by its key exactly once, for tests: O(n). */
  assertInvariants(): void {
    let live = 0;
    for (let slot = 0; slot < this.#slots; slot++) {
      if (this.#slotMeta[2 * slot + 1] === FREE) continue;
      live++;
      if (this.#lookUp(this.keyOf(slot)) !== slot)
        throw new Error(`slot ${slot} is not found by its key ${this.keyOf(slot)}`);
    }
    if (live !== this.#size) throw new Error(`index counts ${this.#size} keys, holds ${live}`);
    let members = 0;
    for (const member of this.#table) if (member !== 0) members++;
    if (members !== live) throw new Error(`table holds ${members} slots, index ${live} keys`);
    if (live + this.#freeCount !== this.#slots)
      throw new Error(`${live} live + ${this.#freeCount} free slots != ${this.#slots} slots`);
    for (const [key, slot] of this.#recent) {
      const at = this.#slotRecent[slot]! - 1;
      if (this.#recentKeys[at] !== key || this.#recentSlots[at] !== slot)
        throw new Error(`recent key ${key} is not at its ring position ${at}`);
      if (!this.isLive(slot) || this.#lookUp(key) !== slot)
        throw new Error(`recent key ${key} names slot ${slot}, which does not hold it`);
    }
  }

  /**
   * Puts `key`, found at `slot`, into the ring of recent keys in place of the oldest one. A slot
   * is in the ring once at most: two strings can name one key (lone surrogates), and removing the
   * slot must forget every string that leads to it.
   */
  #remember(key: string, slot: number): void {
    if (this.#slotRecent[slot] !== 0) this.#forget(this.#slotRecent[slot]! - 1);
    const at = this.#recentNext;
    this.#recentNext = at + 1 === this.#recentMax ? 0 : at + 1;
    if (this.#recentKeys[at] !== undefined) this.#forget(at);
    this.#recent.set(key, slot);
    this.#recentKeys[at] = key;
    this.#recentSlots[at] = slot;
    this.#slotRecent[slot] = at + 1;
  }

  /** Empties the ring position `at`. */
  #forget(at: number): void {
    this.#recent.delete(this.#recentKeys[at]!);
    this.#recentKeys[at] = undefined;
    this.#slotRecent[this.#recentSlots[at]!] = 0;
  }

  #findEncoded(): number {
    const mask = this.#mask;
    const table = this.#table;
    const hash = this.#hash;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const member = table[at]!;
      if (member === 0) return -1;
      const slot = member - 1;
      if (this.#slotMeta[2 * slot] === hash && this.#matches(slot)) return slot;
    }
  }

  #findAscii(key: string, hash: number): number {
    const mask = this.#mask;
    const table = this.#table;
    const meta = this.#slotMeta;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const member = table[at]!;
      if (member === 0) return -1;
      const slot = member - 1;
      if (meta[2 * slot] !== hash) continue;
      const ref = meta[2 * slot + 1]!;
      // An ASCII key is never LONG: the arena holds keys up to 2 KiB and ASCII ones here up to 64.
      if (ref !== LONG && this.#arena.equalsAscii(ref - 2, key)) return slot;
    }
  }

  /** Whether the key of `slot` is the one last encoded. */
  #matches(slot: number): boolean {
    const ref = this.#slotMeta[2 * slot + 1]!;
    const length = this.#length;
    if (ref === LONG) {
      const bytes = this.#longKeys.get(slot)!;
      return bytes.length === length && bytes.equals(this.#scratch.subarray(0, length));
    }
    return this.#arena.equals(ref - 2, this.#scratch, length);
  }

  /** Puts a slot into the first empty bucket of its probe run. */
  #place(slot: number): void {
    const mask = this.#mask;
    const table = this.#table;
    let at = this.#slotMeta[2 * slot]! & mask;
    while (table[at] !== 0) at = (at + 1) & mask;
    table[at] = slot + 1;
  }

  #rehash(buckets: number): void {
    this.#table = new Int32Array(buckets);
    this.#mask = buckets - 1;
    for (let slot = 0; slot < this.#slots; slot++)
      if (this.#slotMeta[2 * slot + 1] !== FREE) this.#place(slot);
  }

  #newSlot(): number {
    const slot = this.#slots++;
    if (2 * slot >= this.#slotMeta.length) {
      const slotMeta = new Int32Array(this.#slotMeta.length * 2);
      slotMeta.set(this.#slotMeta);
      this.#slotMeta = slotMeta;
      const slotRecent = new Int32Array(this.#slotRecent.length * 2);
      slotRecent.set(this.#slotRecent);
      this.#slotRecent = slotRecent;
    }
    return slot;
  }

  /**
   * Encodes `key` as UTF-8 into #scratch and hashes it (32-bit FNV-1a, then a final mix so that
   * the low bits the table uses depend on every byte). ASCII keys are encoded here in one pass;
   * others, and long ones, through Buffer.write.
   */
  #encode(key: string): void {
    this.#encoded = key;
    const length = key.length;
    let scratch = this.#scratch;
    let hash = FNV_OFFSET;
    if (length <= ENCODE_IN_JS_MAX) {
      let i = 0;
      for (; i < length; i++) {
        const code = key.charCodeAt(i);
        if (code >= 0x80) break;
        scratch[i] = code;
        hash = Math.imul(hash ^ code, FNV_PRIME);
      }
      if (i === length) {
        this.#length = length;
        this.#hash = mix(hash);
        return;
      }
      hash = FNV_OFFSET;
    }
    if (length * 3 > scratch.length) {
      const bytes = Buffer.byteLength(key, 'utf8');
      if (bytes > scratch.length) this.#scratch = scratch = Buffer.allocUnsafeSlow(bytes * 2);
    }
    const bytes = scratch.write(key, 0, 'utf8');
    for (let i = 0; i < bytes; i++) hash = Math.imul(hash ^ scratch[i]!, FNV_PRIME);
    this.#length = bytes;
    this.#hash = mix(hash);
  }
}

function checkRecentKeys(recentKeys: number): number {
  if (!Number.isSafeInteger(recentKeys) || recentKeys < 0)
    throw new OptionError('recentKeys', 'must be an integer >= 0', recentKeys);
  return recentKeys;
}

/** A finalizer (murmur3's) so that keys differing in their last bytes spread over the table. */
function mix(hash: number): number {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return hash ^ (hash >>> 16);
}
