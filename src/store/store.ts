/**
 * A key → value store bounded by bytes, with a pluggable eviction policy. It owns keys, values
 * and byte accounting; the policy only orders slots. No HTTP, no timers.
 *
 * Memory: keys are held as UTF-8 bytes by a KeyIndex (key-index.ts) and each slot's figures in
 * typed arrays, so an entry costs the collector nothing to walk but its value (a small integer
 * costs nothing at all) and the strings of the last keys found (`recentKeys`, a bounded number).
 * Keys are compared as UTF-8 bytes: strings that differ only in lone surrogates (each encoded as
 * U+FFFD) are one key.
 *
 * Accounting: an entry's size is the UTF-8 length of its key plus the `valueBytes` the caller
 * states (`usedBytes` sums them). What the capacity bounds is the entry's *charge*: its size plus
 * the bookkeeping the caller says it costs (`overheadBytes`, memcached-style: the item header and
 * allocator rounding), so that a capacity bounds the memory of the process and not only the data.
 * The sum of charges (`chargedBytes`) never exceeds `capacityBytes`; without `overheadBytes` the
 * charge is the size. An entry is refused only when its size exceeds the capacity (a value as
 * large as the capacity is accepted, as the original did); its charge is then capped at the
 * capacity, so that it is alone in the store.
 *
 * Expiry: an entry may carry an absolute deadline in ms on the store's clock. From its deadline
 * on it is absent to every read and listing; reads remove it lazily and `sweepExpired` removes
 * the rest a bounded number of slots at a time. Such removals count in `expiredTotal`, never as
 * evictions.
 */
import { systemClock, type Clock } from '../clock.js';
import { OptionError } from '../errors.js';
import { KeyIndex } from './key-index.js';
import type { EvictionPolicy, PolicyFactory, RandomSource } from './policy.js';
import { builtinPolicies, createPolicy } from './policies.js';
import { utf8Length } from './utf8-length.js';

/**
 * What a `set` did: stored the entry (`added` a new key or `replaced` an existing one, after
 * evicting `evicted` other keys), or `rejected` it as larger than the whole capacity. Outcomes
 * with no eviction or one are shared frozen objects: do not mutate them.
 */
export type SetOutcome =
  | { readonly kind: 'added' | 'replaced'; readonly evicted: number }
  | {
      readonly kind: 'rejected';
      readonly reason: 'too-large';
      readonly entryBytes: number;
      readonly capacityBytes: number;
    };

const ADDED: SetOutcome = Object.freeze({ kind: 'added', evicted: 0 });
const REPLACED: SetOutcome = Object.freeze({ kind: 'replaced', evicted: 0 });
/** A full store of like-sized entries evicts one key per write: an object each cost ~12 ns. */
const ADDED_EVICTING_ONE: SetOutcome = Object.freeze({ kind: 'added', evicted: 1 });
const REPLACED_EVICTING_ONE: SetOutcome = Object.freeze({ kind: 'replaced', evicted: 1 });

export interface StoreOptions<V = unknown> {
  /** Capacity in bytes, an integer >= 0. 0 caches nothing. */
  capacityBytes: number;
  /** Policy name; default `lru`. */
  policy?: string;
  /** Randomness for `rr` and other randomized policies; default Math.random. */
  random?: RandomSource;
  /** Extra or replacement policy factories by name; default the built-ins. */
  policies?: Readonly<Record<string, PolicyFactory>>;
  /**
   * Keys last found that the key index keeps in a Map of strings, so that a hot key is found
   * without hashing its characters (key-index.ts); default 65,536, 0 for none.
   */
  recentKeys?: number;
  /** Called with each key evicted for room (not for deletes, clears or expiries). */
  onEvict?: (key: string) => void;
  /** The time source of entry deadlines; default systemClock. */
  clock?: Clock;
  /**
   * Bytes of bookkeeping an entry costs besides its key and value bytes, charged against the
   * capacity (an integer >= 0 for a value of `valueBytes`); default none.
   */
  overheadBytes?: (valueBytes: number) => number;
  /**
   * Called with each value that leaves the store for any reason (overwritten, deleted, evicted,
   * expired, cleared), after the store no longer holds it: for values that own resources.
   */
  onRelease?: (value: V) => void;
}

export interface StoreStats {
  items: number;
  /** Key and value bytes of the entries (the legacy `used_size`). */
  usedBytes: number;
  /** What the capacity bounds: usedBytes plus each entry's bookkeeping (`overheadBytes`). */
  chargedBytes: number;
  capacityBytes: number;
  policy: string;
  evictionsTotal: number;
  /** Entries removed because their deadline passed (lazily on a read, by a sweep or for room). */
  expiredTotal: number;
}

/** Slots the per-slot arrays start with. */
const INITIAL_SLOTS = 16;
/** Slots handed out above which a lowered capacity may rebuild the store (#compact). */
const COMPACT_MIN_SLOTS = 1024;
/** A size or charge of 2^32 - 1 bytes or more, whose value is kept aside. */
const LARGE = 0xffffffff;

export class Store<V> {
  /** Key → slot, over key bytes in typed arrays (key-index.ts): no JS object per key held. */
  #index: KeyIndex;
  #recentKeys: number | undefined;
  #values: (V | undefined)[] = [];
  // Per-slot numbers live in typed arrays: no heap objects for the collector to walk.
  /**
   * Key + value bytes of each slot, and what it is charged against the capacity: 32-bit, since
   * an entry of 4 GiB or more is rare; such a figure is LARGE here and its value in #largeFigures.
   */
  #sizes = new Uint32Array(INITIAL_SLOTS);
  #charges = new Uint32Array(INITIAL_SLOTS);
  /** Figures of LARGE: a slot's size at 2 × slot, its charge at 2 × slot + 1. */
  readonly #largeFigures = new Map<number, number>();
  /** Absolute deadline of each slot in ms on #clock; 0 = never expires. */
  #expires = new Float64Array(INITIAL_SLOTS);
  /** Live entries with a deadline. */
  #deadlines = 0;
  #usedBytes = 0;
  #chargedBytes = 0;
  #capacityBytes: number;
  #evictionsTotal = 0;
  #expiredTotal = 0;
  /** Next slot `sweepExpired` examines. */
  #sweepCursor = 0;
  readonly #clock: Clock;
  #policy: EvictionPolicy;
  readonly #random: RandomSource | undefined;
  readonly #factories: Readonly<Record<string, PolicyFactory>>;
  readonly #onEvict: ((key: string) => void) | undefined;
  readonly #overheadBytes: ((valueBytes: number) => number) | undefined;
  readonly #onRelease: ((value: V) => void) | undefined;

  constructor(options: StoreOptions<V>) {
    this.#capacityBytes = checkCapacity(options.capacityBytes);
    this.#recentKeys = options.recentKeys;
    this.#index = this.#newIndex();
    this.#random = options.random;
    this.#factories = options.policies ?? builtinPolicies;
    this.#onEvict = options.onEvict;
    this.#clock = options.clock ?? systemClock;
    this.#overheadBytes = options.overheadBytes;
    this.#onRelease = options.onRelease;
    this.#policy = createPolicy(options.policy ?? 'lru', { random: this.#random }, this.#factories);
  }

  get size(): number {
    return this.#index.size;
  }
  /** Recent keys the index may find through its Map, and how many it holds now (key-index.ts). */
  get recentKeys(): { max: number; held: number } {
    return { max: this.#index.recentKeys, held: this.#index.recentKeysHeld };
  }

  /** Sets how many recent keys the index may hold (`recentKeys`); the ones held are forgotten. */
  setRecentKeys(recentKeys: number): void {
    this.#index.setRecentKeys(recentKeys);
    this.#recentKeys = recentKeys;
  }

  /** Slots handed out: the per-slot arrays hold at least this many (a lowered capacity may shrink it). */
  get slotCount(): number {
    return this.#index.slotCount;
  }
  /** Key and value bytes of every entry. */
  get usedBytes(): number {
    return this.#usedBytes;
  }
  /** The sum of the entries' charges, which the capacity bounds (>= usedBytes). */
  get chargedBytes(): number {
    return this.#chargedBytes;
  }
  get capacityBytes(): number {
    return this.#capacityBytes;
  }
  get policyName(): string {
    return this.#policy.name;
  }

  /**
   * The value, or undefined on a miss. A hit counts as a use for the policy. An expired entry is
   * a miss and is removed.
   */
  get(key: string): V | undefined {
    const slot = this.#liveSlot(key);
    if (slot === -1) return undefined;
    this.#policy.recordGet(slot);
    return this.#values[slot];
  }

  /** The value without counting a use; an expired entry is a miss and is removed. */
  peek(key: string): V | undefined {
    const slot = this.#liveSlot(key);
    return slot === -1 ? undefined : this.#values[slot];
  }

  /** Whether `key` is present and not expired. Changes nothing. */
  has(key: string): boolean {
    const slot = this.#index.find(key);
    return slot !== -1 && !this.#isExpiredNow(slot);
  }

  /**
   * The deadline of `key` in ms on the store's clock: 0 when it never expires, undefined when the
   * key is absent or expired. Changes nothing.
   */
  expiresAt(key: string): number | undefined {
    const slot = this.#index.find(key);
    if (slot === -1 || this.#isExpiredNow(slot)) return undefined;
    return this.#expires[slot]!;
  }

  /** Bytes an entry costs: the key's UTF-8 length plus the stated value bytes. */
  static entryBytes(key: string, valueBytes: number): number {
    return utf8Length(key) + valueBytes;
  }

  /**
   * Stores `value` under `key`, evicting by the policy until it fits. An entry larger than the
   * whole capacity is rejected and changes nothing (an existing value stays); at capacity 0 every
   * entry is rejected, even one of 0 bytes, so that capacity 0 means "caches nothing". An
   * overwrite may evict other keys but never the key being written. `onEvict` runs after the
   * store is consistent again, so it may read the store.
   *
   * An entry written with a deadline already passed is accepted but not kept: an existing value
   * of the key is removed (counted as expired), as if it had been stored and had then expired.
   *
   * @param valueBytes the value's size in bytes, an integer >= 0 (a bad one is an OptionError:
   *   it is a caller's bug, not an outcome).
   * @param expiresAtMs the absolute deadline in ms on the store's clock, a number >= 0; 0 (the
   *   default) = never expires. An overwrite replaces the old deadline.
   */
  set(key: string, value: V, valueBytes: number, expiresAtMs = 0): SetOutcome {
    if (!Number.isSafeInteger(valueBytes) || valueBytes < 0) {
      throw new OptionError('valueBytes', 'must be an integer >= 0', valueBytes);
    }
    if (!(expiresAtMs >= 0) || !Number.isFinite(expiresAtMs)) {
      throw new OptionError('expiresAtMs', 'must be a finite number >= 0', expiresAtMs);
    }
    const entryBytes = this.#index.byteLengthOf(key) + valueBytes;
    if (entryBytes > this.#capacityBytes || this.#capacityBytes === 0) {
      return {
        kind: 'rejected',
        reason: 'too-large',
        entryBytes,
        capacityBytes: this.#capacityBytes,
      };
    }
    if (expiresAtMs !== 0 && expiresAtMs <= this.#clock.now()) {
      const old = this.#index.find(key);
      this.#onRelease?.(value);
      if (old === -1) return ADDED;
      this.#policy.recordDelete(old);
      this.#release(old);
      this.#expiredTotal++;
      return REPLACED;
    }
    const charge = this.#chargeOf(entryBytes, valueBytes);
    let slot = this.#index.find(key);
    const replaced = slot !== -1;
    // Evicted keys are collected only when something is evicted and someone listens.
    let evictedKeys: string[] | undefined;
    let evicted = 0;
    if (slot !== -1) {
      // Take the old entry out of the policy and the byte count first so that eviction can never
      // pick the slot being written (a random policy could); the new entry fits once room is made
      // since it is <= capacity. The index keeps the key: the slot stays reserved for it.
      const oldCharge = this.#slotCharge(slot);
      this.#usedBytes += entryBytes - this.#slotSize(slot);
      if (this.#chargedBytes - oldCharge + charge > this.#capacityBytes) {
        this.#policy.recordDelete(slot);
        this.#chargedBytes -= oldCharge;
        if (this.#onEvict !== undefined) evictedKeys = [];
        evicted = this.#evictUntil(this.#capacityBytes - charge, evictedKeys);
        this.#chargedBytes += charge;
        this.#policy.recordSet(slot);
      } else {
        // Fits without evicting: the policy only learns of the overwrite (lru: most recent).
        this.#chargedBytes += charge - oldCharge;
        this.#policy.recordSet(slot);
      }
      const old = this.#values[slot]!;
      this.#values[slot] = value;
      this.#setFigures(slot, entryBytes, charge);
      this.#deadlines += +(expiresAtMs !== 0) - +(this.#expires[slot] !== 0);
      this.#expires[slot] = expiresAtMs;
      this.#onRelease?.(old);
    } else {
      if (this.#chargedBytes + charge > this.#capacityBytes) {
        if (this.#onEvict !== undefined) evictedKeys = [];
        evicted = this.#evictUntil(this.#capacityBytes - charge, evictedKeys);
      }
      slot = this.#index.add(key);
      if (slot >= this.#sizes.length) this.#grow();
      this.#values[slot] = value;
      this.#setFigures(slot, entryBytes, charge);
      this.#expires[slot] = expiresAtMs;
      if (expiresAtMs !== 0) this.#deadlines++;
      this.#usedBytes += entryBytes;
      this.#chargedBytes += charge;
      this.#policy.recordSet(slot);
    }
    if (evicted === 0) return replaced ? REPLACED : ADDED;
    if (evictedKeys !== undefined) this.#notify(evictedKeys);
    if (evicted === 1) return replaced ? REPLACED_EVICTING_ONE : ADDED_EVICTING_ONE;
    return { kind: replaced ? 'replaced' : 'added', evicted };
  }

  /** Removes `key`; true when it was present. */
  delete(key: string): boolean {
    const slot = this.#index.find(key);
    if (slot === -1) return false;
    this.#policy.recordDelete(slot);
    this.#release(slot);
    return true;
  }

  /** Removes every entry. */
  clear(): void {
    const onRelease = this.#onRelease;
    if (onRelease !== undefined) {
      for (let slot = 0; slot < this.#index.slotCount; slot++)
        if (this.#index.isLive(slot)) onRelease(this.#values[slot]!);
    }
    this.#index.clear();
    this.#values = [];
    this.#sizes = new Uint32Array(INITIAL_SLOTS);
    this.#charges = new Uint32Array(INITIAL_SLOTS);
    this.#largeFigures.clear();
    this.#expires = new Float64Array(INITIAL_SLOTS);
    this.#usedBytes = 0;
    this.#chargedBytes = 0;
    this.#deadlines = 0;
    this.#sweepCursor = 0;
    this.#policy.clear();
  }

  /**
   * Sets a new capacity in bytes, evicting by the policy down to it; returns the evictions. When
   * a quarter or less of the slots handed out are left in use, the store is rebuilt around the
   * entries that remain (see #compact), so that its memory follows the lower capacity.
   */
  setCapacity(capacityBytes: number): number {
    const lowered = checkCapacity(capacityBytes) < this.#capacityBytes;
    this.#capacityBytes = capacityBytes;
    // At capacity 0 even zero-byte entries go: capacity 0 caches nothing.
    const evictedKeys: string[] = [];
    const evicted = this.#evictUntil(
      this.#capacityBytes === 0 ? -1 : this.#capacityBytes,
      evictedKeys,
    );
    // Only a cut: a capacity set again unchanged (the manager's configuration does that) keeps
    // the policy's state whatever deletes and expiry left.
    const slots = this.#index.slotCount;
    if (lowered && slots > COMPACT_MIN_SLOTS && this.#index.size * 4 <= slots) this.#compact();
    this.#notify(evictedKeys);
    return evicted;
  }

  /**
   * Switches to another policy, keeping every entry. The new policy learns the entries in the
   * old policy's eviction order, so an LRU order survives a switch away and back.
   */
  setPolicy(name: string): void {
    if (name === this.#policy.name) return;
    const next = createPolicy(name, { random: this.#random }, this.#factories);
    for (const slot of this.#policy.order()) next.recordSet(slot);
    this.#policy = next;
  }

  /**
   * Removes expired entries, examining at most `maxEntries` slots from a cursor that goes round
   * the slot table (so the work per call is O(maxEntries) whatever the store holds, and repeated
   * calls visit every slot in turn). Returns how many entries it removed.
   */
  sweepExpired(maxEntries: number): number {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 0) {
      throw new OptionError('maxEntries', 'must be an integer >= 0', maxEntries);
    }
    const slots = this.#index.slotCount;
    if (slots === 0 || this.#index.size === 0) return 0;
    const now = this.#clock.now();
    const steps = Math.min(maxEntries, slots);
    let cursor = this.#sweepCursor < slots ? this.#sweepCursor : 0;
    let removed = 0;
    for (let i = 0; i < steps; i++) {
      if (this.#index.isLive(cursor) && this.#isExpired(cursor, now)) {
        this.#policy.recordDelete(cursor);
        this.#release(cursor);
        removed++;
      }
      cursor = cursor + 1 < slots ? cursor + 1 : 0;
    }
    this.#sweepCursor = cursor;
    this.#expiredTotal += removed;
    return removed;
  }

  /** Live keys in eviction order (for `lru`: least recently used first). A snapshot. */
  keys(): string[] {
    const out: string[] = [];
    const now = this.#clock.now();
    for (const slot of this.#policy.order()) {
      if (!this.#isExpired(slot, now)) out.push(this.#index.keyOf(slot));
    }
    return out;
  }

  /** Live [key, value] pairs in eviction order, without counting uses. A snapshot. */
  entries(): [string, V][] {
    const out: [string, V][] = [];
    const now = this.#clock.now();
    for (const slot of this.#policy.order()) {
      if (!this.#isExpired(slot, now)) out.push([this.#index.keyOf(slot), this.#values[slot]!]);
    }
    return out;
  }

  stats(): StoreStats {
    return {
      items: this.#index.size,
      usedBytes: this.#usedBytes,
      chargedBytes: this.#chargedBytes,
      capacityBytes: this.#capacityBytes,
      policy: this.#policy.name,
      evictionsTotal: this.#evictionsTotal,
      expiredTotal: this.#expiredTotal,
    };
  }

  /**
   * Checks the store's invariants and throws on the first broken one. For tests: O(n).
   */
  assertInvariants(): void {
    const index = this.#index;
    index.assertInvariants();
    let sum = 0;
    let charged = 0;
    let live = 0;
    for (let slot = 0; slot < index.slotCount; slot++) {
      if (!index.isLive(slot)) {
        if (this.#values[slot] !== undefined || this.#sizes[slot] !== 0)
          throw new Error(`free slot ${slot} holds a value`);
        continue;
      }
      if (this.#slotCharge(slot) < Math.min(this.#slotSize(slot), this.#capacityBytes))
        throw new Error(`slot ${slot} is charged less than its size`);
      sum += this.#slotSize(slot);
      charged += this.#slotCharge(slot);
      live++;
    }
    let deadlines = 0;
    for (let slot = 0; slot < index.slotCount; slot++) if (this.#expires[slot] !== 0) deadlines++;
    if (deadlines !== this.#deadlines)
      throw new Error(`${this.#deadlines} deadlines counted, ${deadlines} held`);
    if (sum !== this.#usedBytes)
      throw new Error(`usedBytes ${this.#usedBytes} != sum of entries ${sum}`);
    if (charged !== this.#chargedBytes)
      throw new Error(`chargedBytes ${this.#chargedBytes} != sum of charges ${charged}`);
    if (this.#chargedBytes > this.#capacityBytes)
      throw new Error(`chargedBytes ${this.#chargedBytes} > capacity ${this.#capacityBytes}`);
    if (this.#usedBytes > this.#capacityBytes)
      throw new Error(`usedBytes ${this.#usedBytes} > capacity ${this.#capacityBytes}`);
    if (this.#policy.size !== live)
      throw new Error(`policy tracks ${this.#policy.size}, store has ${live}`);
    const seen = new Set<number>();
    for (const slot of this.#policy.order()) {
      if (seen.has(slot)) throw new Error(`policy lists slot ${slot} twice`);
      seen.add(slot);
      if (!index.isLive(slot)) throw new Error(`policy lists dead slot ${slot}`);
    }
    if (seen.size !== live)
      throw new Error(`policy order has ${seen.size} slots, store has ${live}`);
  }

  /**
   * Evicts by the policy until chargedBytes <= limitBytes (a limit below 0 empties the store) and
   * returns how many keys went; adds them to `evictedKeys` when given, for #notify to report once
   * the store is consistent.
   */
  #evictUntil(limitBytes: number, evictedKeys: string[] | undefined): number {
    let evicted = 0;
    // Without any deadline no victim can have expired: the clock is not read.
    const now = this.#deadlines === 0 ? 0 : this.#clock.now();
    while (this.#chargedBytes > limitBytes || (limitBytes < 0 && this.#index.size > 0)) {
      const slot = this.#policy.victim();
      if (slot === -1) break;
      // Keys are decoded only for someone who listens.
      const key = evictedKeys !== undefined ? this.#index.keyOf(slot) : '';
      // A victim past its deadline was already gone for readers: it counts as expired.
      const expired = this.#isExpired(slot, now);
      this.#policy.recordDelete(slot);
      this.#release(slot);
      if (expired) {
        this.#expiredTotal++;
        continue;
      }
      evictedKeys?.push(key);
      evicted++;
    }
    this.#evictionsTotal += evicted;
    return evicted;
  }

  /** The live slot of `key`, or -1; an expired entry is removed (and counted) on the way. */
  #liveSlot(key: string): number {
    const slot = this.#index.findRecent(key);
    if (slot === -1) return -1;
    if (this.#isExpiredNow(slot)) {
      this.#policy.recordDelete(slot);
      this.#release(slot);
      this.#expiredTotal++;
      return -1;
    }
    return slot;
  }

  /** Whether the slot's deadline passed; reads the clock only for a slot that has one. */
  #isExpiredNow(slot: number): boolean {
    // Without any deadline a read does not touch the slot's (a cache miss saved per hit).
    if (this.#deadlines === 0) return false;
    const expires = this.#expires[slot]!;
    return expires !== 0 && expires <= this.#clock.now();
  }

  #isExpired(slot: number, nowMs: number): boolean {
    const expires = this.#expires[slot]!;
    return expires !== 0 && expires <= nowMs;
  }

  #notify(evictedKeys: string[]): void {
    const onEvict = this.#onEvict;
    if (onEvict === undefined) return;
    for (const key of evictedKeys) onEvict(key);
  }

  #release(slot: number): void {
    this.#index.remove(slot);
    const value = this.#values[slot]!;
    this.#usedBytes -= this.#slotSize(slot);
    this.#chargedBytes -= this.#slotCharge(slot);
    this.#values[slot] = undefined;
    this.#setFigures(slot, 0, 0);
    if (this.#expires[slot] !== 0) this.#deadlines--;
    this.#expires[slot] = 0;
    this.#onRelease?.(value);
  }

  /** What an entry of `entryBytes` (key + value) is charged: with its overhead, at most the capacity. */
  #chargeOf(entryBytes: number, valueBytes: number): number {
    if (this.#overheadBytes === undefined) return entryBytes;
    const overhead = this.#overheadBytes(valueBytes);
    return Math.min(entryBytes + overhead, this.#capacityBytes);
  }

  #slotSize(slot: number): number {
    const size = this.#sizes[slot]!;
    return size === LARGE ? this.#largeFigures.get(2 * slot)! : size;
  }

  #slotCharge(slot: number): number {
    const charge = this.#charges[slot]!;
    return charge === LARGE ? this.#largeFigures.get(2 * slot + 1)! : charge;
  }

  #setFigures(slot: number, sizeBytes: number, chargeBytes: number): void {
    if (this.#sizes[slot] === LARGE) this.#largeFigures.delete(2 * slot);
    if (this.#charges[slot] === LARGE) this.#largeFigures.delete(2 * slot + 1);
    if (sizeBytes >= LARGE) this.#largeFigures.set(2 * slot, sizeBytes);
    if (chargeBytes >= LARGE) this.#largeFigures.set(2 * slot + 1, chargeBytes);
    this.#sizes[slot] = Math.min(sizeBytes, LARGE);
    this.#charges[slot] = Math.min(chargeBytes, LARGE);
  }

  #newIndex(): KeyIndex {
    return new KeyIndex(this.#recentKeys !== undefined ? { recentKeys: this.#recentKeys } : {});
  }

  /**
   * Rebuilds the index, the per-slot arrays and the policy around the live entries. The arrays
   * only ever grow (a slot number names an entry everywhere), so after a capacity cut from 256 MB
   * to 64 MB of 100-byte values they kept the size of a million slots for a quarter of them, and
   * the node stayed 11 MB above the memory its new capacity allows. The entries are added again
   * in the policy's eviction order, as `setPolicy` does: an LRU or random order is kept, while an
   * LFU's counts and a SIEVE's visited marks start over. Values are handed over as they are
   * (nothing is released); O(live entries), on a lowered capacity only.
   */
  #compact(): void {
    // The new policy first: should its factory throw, nothing has changed.
    const policy = createPolicy(this.#policy.name, { random: this.#random }, this.#factories);
    const old = this.#index;
    const live = this.#index.size;
    const keys: string[] = new Array<string>(live);
    const values: (V | undefined)[] = new Array<V | undefined>(live);
    const sizes = new Float64Array(live);
    const charges = new Float64Array(live);
    const expires = new Float64Array(live);
    let n = 0;
    for (const slot of this.#policy.order()) {
      keys[n] = old.keyOf(slot);
      values[n] = this.#values[slot];
      sizes[n] = this.#slotSize(slot);
      charges[n] = this.#slotCharge(slot);
      expires[n] = this.#expires[slot]!;
      n++;
    }
    let length = INITIAL_SLOTS;
    while (length < n) length *= 2;
    this.#index = this.#newIndex();
    this.#values = [];
    this.#sizes = new Uint32Array(length);
    this.#charges = new Uint32Array(length);
    this.#expires = new Float64Array(length);
    this.#largeFigures.clear();
    this.#sweepCursor = 0;
    this.#policy = policy;
    for (let i = 0; i < n; i++) {
      const slot = this.#index.add(keys[i]!);
      if (slot >= this.#sizes.length) this.#grow();
      this.#values[slot] = values[i];
      this.#setFigures(slot, sizes[i]!, charges[i]!);
      this.#expires[slot] = expires[i]!;
      this.#policy.recordSet(slot);
    }
  }

  /** Doubles the per-slot arrays, for a slot the index handed out beyond them. */
  #grow(): void {
    const sizes = new Uint32Array(this.#sizes.length * 2);
    sizes.set(this.#sizes);
    this.#sizes = sizes;
    const charges = new Uint32Array(this.#charges.length * 2);
    charges.set(this.#charges);
    this.#charges = charges;
    const expires = new Float64Array(this.#expires.length * 2);
    expires.set(this.#expires);
    this.#expires = expires;
  }
}

function checkCapacity(capacityBytes: number): number {
  if (!Number.isSafeInteger(capacityBytes) || capacityBytes < 0) {
    throw new OptionError('capacityBytes', 'must be an integer >= 0', capacityBytes);
  }
  return capacityBytes;
}
