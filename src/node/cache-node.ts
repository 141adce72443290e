/**
 * The cache node's state and operations, without HTTP: the byte-bounded store of entries, the
 * request statistics, the migration fences and the node's settings (index, capacity, policy).
 * Routes call these; outcomes are values, bad input is a RequestError that changes nothing.
 */
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { defaults, MB } from '../defaults.js';
import { errors } from '../errors.js';
import { NodeStats } from '../metrics/node-stats.js';
import { partitionOf } from '../partition/partition-of.js';
import { policyNames, type SetOutcome } from '../store/index.js';
import type { ImportRecord } from './batch-decoder.js';
import { textEntry, type Entry } from './entry.js';
import { processCollector, setRoom } from './collector.js';
import { EntryStore, processBoundBytes } from './entry-store.js';
import { Fences } from './fences.js';
import { Ownership, type KeyOperation } from './ownership.js';
import { StallGuard } from './stall-guard.js';
import type { ImportOutcome, NodeSnapshot } from '../wire/index.js';

/** Options of CacheNode. */
export interface CacheNodeOptions {
  /** Capacity in MB; default defaults.capacityMb. */
  capacityMb?: number;
  /** Replacement policy; default defaults.replacementPolicy. */
  policy?: string;
  /** The node's cache_index; default 0. */
  cacheIndex?: number;
  /** Longest key in UTF-8 bytes; default defaults.maxKeyBytes. */
  maxKeyBytes?: number;
  /** Largest value in bytes (`--max-value-bytes`); default defaults.bodyLimitBytes. */
  maxValueBytes?: number;
  clock?: Clock;
  /** Randomness for the `rr` policy; default Math.random. */
  random?: () => number;
}

/** A configuration change; every field optional, all validated before any is applied. */
export interface NodeConfig {
  capacityMb?: number | undefined;
  policy?: string | undefined;
  cacheIndex?: number | undefined;
}

/** What an import did with each record. */
export type { ImportOutcome };

export class CacheNode {
  readonly store: EntryStore;
  readonly stats: NodeStats;
  readonly fences = new Fences();
  /** The partitions this node serves, as its manager last said (ownership.ts). */
  readonly ownership = new Ownership();
  /** Suspends the node after a pause of its process, until its manager is asked (stall-guard.ts). */
  readonly liveness = new StallGuard();
  readonly maxKeyBytes: number;
  readonly maxValueBytes: number;
  #cacheIndex: number;
  #capacityMb: number;
  readonly #clock: Clock;

  constructor(options: CacheNodeOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#capacityMb = options.capacityMb ?? defaults.capacityMb;
    this.#cacheIndex = options.cacheIndex ?? 0;
    this.maxKeyBytes = options.maxKeyBytes ?? defaults.maxKeyBytes;
    this.maxValueBytes = options.maxValueBytes ?? defaults.bodyLimitBytes;
    const collect = processCollector();
    this.store = new EntryStore({
      capacityBytes: this.#capacityMb * MB,
      policy: options.policy ?? defaults.replacementPolicy,
      clock: this.#clock,
      ...(options.random ? { random: options.random } : {}),
      ...(collect ? { collect } : {}),
    });
    // What the idle collection may borrow for a moment to compact (collector.ts).
    setRoom(() => processBoundBytes(this.#capacityMb * MB) - process.memoryUsage.rss());
    this.stats = new NodeStats({ clock: this.#clock });
  }

  get cacheIndex(): number {
    return this.#cacheIndex;
  }
  get capacityMb(): number {
    return this.#capacityMb;
  }
  get policy(): string {
    return this.store.policyName;
  }

  /** Checks a key: non-empty (`Missing key`) and at most maxKeyBytes UTF-8 bytes. */
  checkKey(key: string | undefined): string {
    if (key === undefined || key === '') throw errors.missingKey();
    if (key.length > this.maxKeyBytes / 3) {
      const bytes = Buffer.byteLength(key, 'utf8');
      if (bytes > this.maxKeyBytes) throw errors.keyTooLong(bytes, this.maxKeyBytes);
    }
    return key;
  }

  /** Checks a value's size in bytes against maxValueBytes (400 legacy / 413 /v1 when over). */
  checkValueBytes(bytes: number): void {
    if (bytes > this.maxValueBytes) throw errors.valueOverLimit(bytes, this.maxValueBytes);
  }

  /** The deadline `ttlS` seconds from now on the node's clock; 0 (never) when ttlS is undefined. */
  deadlineAfter(ttlS: number | undefined): number {
    return ttlS === undefined ? 0 : this.#clock.now() + ttlS * 1000;
  }

  /**
   * Whether this node takes `operation` on `key` for a router that routed by `routedBy`, by the
   * rule of `get`, `put` and `invalidate` (for routes that read without counting, or check
   * before a conditional write): false for a read it does not serve without a version, throws
   * CP_ERR_NOT_OWNER otherwise.
   */
  serves(operation: KeyOperation, key: string, routedBy?: number): boolean {
    return this.#serves(operation, key, routedBy);
  }

  /**
   * A counted GET: refreshes recency on a hit; undefined on a miss. A key of a partition this
   * pool node does not serve (ownership.ts) is a miss for a router that did not say its routing
   * version, and CP_ERR_NOT_OWNER for one that did (`routedBy`), so that it refreshes its table.
   * `shared`: the entry's bytes may be lent from the store's slab (EntryStore.get); the caller
   * must then call `store.release(entry)` exactly once, when nothing reads them any more.
   */
  get(key: string, routedBy?: number, shared = false): Entry | undefined {
    const entry = this.#serves('read', key, routedBy) ? this.store.get(key, shared) : undefined;
    this.stats.countGet(entry !== undefined);
    return entry;
  }

  /**
   * Whether a miss of `key` here is final for a reader of a moving partition: a fence of a
   * migration this node receives recorded the key, so what an old owner still holds of it is
   * older than what was written here (answered with MISS_HEADER: final).
   */
  missIsFinal(key: string): boolean {
    return this.fences.touchedAnywhere(key);
  }

  /**
   * Whether this node takes `operation` on `key` (always, until a manager told it its
   * partitions); throws CP_ERR_NOT_OWNER where a router that said its version must be told, and
   * for any write. A read refused without a version is a miss (false).
   */
  #serves(operation: KeyOperation, key: string, routedBy: number | undefined): boolean {
    // After a pause of the process, nothing is served until the manager was asked: a read
    // misses, a write is refused (nothing acknowledged that the pool may not keep). A removal
    // goes on: removing a copy is always safe, and a router's removal of an old owner's copy
    // must not fail for it.
    if (operation !== 'delete' && this.liveness.suspended()) {
      if (operation === 'read') return false;
      throw errors.nodeVerifying();
    }
    const ownership = this.ownership;
    if (ownership.servesAll) return true;
    const partition = partitionOf(key);
    if (ownership.allows(operation, partition, routedBy)) return true;
    if (operation === 'read' && routedBy === undefined) return false;
    throw errors.notOwner(partition, ownership.version ?? 0);
  }

  /**
   * A counted write. A too-large entry is rejected and changes nothing.
   *
   * @param expiresAtMs absolute deadline in ms since the epoch (the node's clock); 0 or absent =
   *   never expires. A deadline already passed is accepted and not kept (store.set).
   */
  put(key: string, entry: Entry, expiresAtMs = 0, routedBy?: number): SetOutcome {
    this.stats.countRequest();
    this.#serves('write', key, routedBy);
    const outcome = this.store.set(key, entry, entry.valueBytes, expiresAtMs);
    if (outcome.kind !== 'rejected') this.fences.touch(key, true);
    return outcome;
  }

  /**
   * The legacy put of a text value (`POST /api/cache/content`), as every front end of it does it:
   * the key checked, an absent or empty value refused (`Missing value`), the value's size checked,
   * then stored; a value larger than the whole capacity is a RequestError and changes nothing.
   * `expiresAtMs` as for `put`.
   */
  putText(
    key: string | undefined,
    value: string | undefined,
    expiresAtMs = 0,
    routedBy?: number,
  ): void {
    const checked = this.checkKey(key);
    if (value === undefined || value === '') throw errors.missingValue();
    // value.length <= UTF-8 bytes <= 3 × length: count bytes only near the limit.
    if (value.length * 3 > this.maxValueBytes)
      this.checkValueBytes(Buffer.byteLength(value, 'utf8'));
    this.storeText(checked, textEntry(value), expiresAtMs, routedBy);
  }

  /**
   * Stores a legacy text entry whose key and value were checked (putText, and the node's form
   * fast path, which makes the entry from the decoded bytes): a counted write; a value larger
   * than the whole capacity is a RequestError and changes nothing.
   */
  storeText(key: string, entry: Entry, expiresAtMs: number, routedBy?: number): void {
    const outcome = this.put(key, entry, expiresAtMs, routedBy);
    if (outcome.kind === 'rejected')
      throw errors.valueTooLarge(outcome.entryBytes, outcome.capacityBytes);
  }

  /**
   * A counted invalidation; true when the key was present. CP_ERR_NOT_OWNER for a router that
   * said an older routing version and must invalidate elsewhere first (ownership.ts).
   */
  invalidate(key: string, routedBy?: number): boolean {
    this.stats.countRequest();
    this.#serves('delete', key, routedBy);
    this.fences.touch(key);
    return this.store.delete(key);
  }

  /**
   * Removes expired entries, examining at most `maxSlots` slots of the store (the node's timer
   * calls this every statistics tick); returns how many it removed.
   */
  sweepExpired(maxSlots: number = defaults.expirySweepSlots): number {
    return this.store.sweepExpired(maxSlots);
  }

  /** Removes every key. */
  clear(): void {
    this.store.clear();
    this.fences.touchAll();
  }

  /**
   * Validates every field of `config`, then applies them all; an invalid field throws a
   * RequestError and nothing changes. A lower capacity evicts by the policy.
   */
  configure(config: NodeConfig): void {
    const { capacityMb, policy, cacheIndex } = config;
    if (
      capacityMb !== undefined &&
      (!Number.isSafeInteger(capacityMb) ||
        capacityMb < 0 ||
        !Number.isSafeInteger(capacityMb * MB))
    ) {
      throw errors.invalid(
        `capacity must be an integer >= 0 (MB), got ${JSON.stringify(capacityMb)}`,
      );
    }
    if (policy !== undefined && !policyNames().includes(policy)) {
      throw errors.invalid(
        `replacement_policy must be one of ${policyNames().join(', ')}, got ${JSON.stringify(policy)}`,
      );
    }
    if (cacheIndex !== undefined && (!Number.isSafeInteger(cacheIndex) || cacheIndex < 0)) {
      throw errors.invalid(
        `cache_index must be an integer >= 0, got ${JSON.stringify(cacheIndex)}`,
      );
    }
    // Policy first: lowering the capacity then evicts by the new policy.
    if (policy !== undefined) this.store.setPolicy(policy);
    if (capacityMb !== undefined) {
      this.store.setCapacity(capacityMb * MB);
      this.#capacityMb = capacityMb;
    }
    if (cacheIndex !== undefined) this.#cacheIndex = cacheIndex;
  }

  /**
   * Stores imported records (decoded by batch-decoder.ts). With `migrationId`, a record is
   * skipped when its key was written or invalidated here since the fence began, or is present
   * already; a record larger than the whole capacity or than maxValueBytes (decoded without an
   * entry) is rejected. A record keeps the absolute deadline it carries; one whose deadline has
   * passed on arrival is skipped (it would be absent here anyway). Imports are not counted as
   * requests.
   */
  importRecords(records: readonly ImportRecord[], migrationId?: string): ImportOutcome {
    const outcome: ImportOutcome = { accepted: 0, skipped: [], rejected: [] };
    const now = this.#clock.now();
    // Bytes of the batch's value buffers that the store does not keep as they are (copied into
    // slabs, or not stored at all): they lived as long as the batch took to arrive, so only a
    // full collection frees them.
    let discarded = 0;
    for (const { key, entry, expiresAtMs, inBlock } of records) {
      // A value in a block (batch-decoder.ts) is copied, and its block used again: no garbage.
      if (entry !== undefined && inBlock !== true) discarded += entry.bytes.length;
      if (
        (expiresAtMs !== 0 && expiresAtMs <= now) ||
        (migrationId !== undefined &&
          (this.fences.isTouched(migrationId, key) || this.store.has(key)))
      ) {
        outcome.skipped.push(key);
        continue;
      }
      if (entry === undefined || entry.valueBytes > this.maxValueBytes) {
        outcome.rejected.push(key);
        continue;
      }
      const result = this.store.set(key, entry, entry.valueBytes, expiresAtMs);
      if (result.kind === 'rejected') {
        outcome.rejected.push(key);
        continue;
      }
      // A plain import is a write like a put: a fence of another migration must see it.
      if (migrationId === undefined) this.fences.touch(key, true);
      outcome.accepted++;
      if (inBlock !== true && this.store.keepsBuffer(entry)) discarded -= entry.bytes.length;
    }
    this.store.discarded(discarded);
    return outcome;
  }

  /**
   * Opens a migration fence over `partitions`, dropping any key this node holds in them (stale
   * leftovers of an earlier failed move) — unless `keep`: a rollback hands partitions back to
   * their old owner, whose keys there are current (writes went elsewhere and invalidated them),
   * except the keys its new owner was written (`drop`; every key with `dropAll`): a write's
   * invalidation of this copy may have failed, and the new owner hands back its newer value. A
   * key written here since an `early` fence of the same id (opened before writes were routed
   * here, recording writes only) is newer than both and stays. A kept fence opened again keeps
   * what it recorded. Returns the keys dropped.
   */
  beginMigration(
    id: string,
    partitions: readonly number[],
    keep = false,
    options: { early?: boolean; drop?: readonly string[]; dropAll?: boolean } = {},
  ): number {
    // A rollback's fence keeps its record when opened again (whole after early, or a next try).
    this.fences.begin(id, partitions, keep && options.early === true, keep);
    if (keep && options.early === true) return 0;
    const wanted = new Set(partitions);
    if (!keep || options.dropAll === true)
      return this.#dropKeys(this.store.keys(), wanted, keep ? id : undefined);
    return this.#dropKeys(options.drop ?? [], wanted, id);
  }

  /**
   * Drops those of `keys` held here in `partitions`, except, with `fence`, the keys that fence
   * recorded as written or invalidated here; returns how many it dropped.
   */
  #dropKeys(keys: Iterable<string>, partitions: ReadonlySet<number>, fence?: string): number {
    let dropped = 0;
    for (const key of keys) {
      if (!partitions.has(partitionOf(key))) continue;
      if (fence !== undefined && this.fences.isTouched(fence, key)) continue;
      if (this.store.delete(key)) dropped++;
    }
    return dropped;
  }

  /** Removes `key` only if it still holds the value `entry` was read from: a newer write is kept. */
  removeIfSame(key: string, entry: Entry): boolean {
    if (!this.store.holds(key, entry)) return false;
    return this.store.delete(key);
  }

  /** The snapshot pushed to the manager (src/wire/snapshot.ts). */
  snapshot(address: string): NodeSnapshot {
    const s = this.store.stats();
    const interval = this.stats.lastInterval();
    return {
      cacheIndex: this.#cacheIndex,
      address,
      timeMs: this.#clock.now(),
      startedAtMs: this.stats.startedAtMs,
      items: s.items,
      usedBytes: s.usedBytes,
      capacityBytes: s.capacityBytes,
      utilization: s.capacityBytes > 0 ? s.usedBytes / s.capacityBytes : 0,
      policy: s.policy,
      requestsTotal: this.stats.requestsTotal,
      getRequestsTotal: this.stats.getRequestsTotal,
      hitsTotal: this.stats.hitsTotal,
      missesTotal: this.stats.missesTotal,
      evictionsTotal: s.evictionsTotal,
      expiredTotal: s.expiredTotal,
      legacy: {
        num_request_served: this.stats.numRequestServed,
        num_GET_request_served: this.stats.numGetRequestServed,
        num_hit: this.stats.numHit,
      },
      hitRate: interval.hitRate,
      missRate: interval.missRate,
    };
  }

  /** The legacy statistics figures of GET /api/cache/statistics. */
  legacyStatistics(): Record<string, number> {
    return {
      used_size: this.store.usedBytes,
      num_item_in_cache: this.store.size,
      num_request_served: this.stats.numRequestServed,
      num_GET_request_served: this.stats.numGetRequestServed,
      num_hit: this.stats.numHit,
    };
  }
}
