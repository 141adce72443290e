/**
 * The eviction-policy contract. A policy tracks slots only — small integers that the store hands
 * out, one per live entry — while the store owns keys, values and bytes. Working on slots rather
 * than keys keeps every operation O(1) without a second hash lookup per request: the store's
 * key index already resolved the key.
 */

/** What a store tells a policy and asks of it. Every method is O(1). */
export interface EvictionPolicy {
  /** The policy's registered name (`lru`, `rr`, …). */
  readonly name: string;
  /** Live slots the policy tracks. */
  readonly size: number;
  /** A slot became live, or was overwritten with a new value. */
  recordSet(slot: number): void;
  /** A live slot was read (a hit). */
  recordGet(slot: number): void;
  /** A live slot was removed (deleted, evicted or cleared). */
  recordDelete(slot: number): void;
  /** The slot to evict next, or -1 when the policy tracks nothing. Does not remove it. */
  victim(): number;
  /** Live slots in eviction order (next victim first) where the policy has one. */
  order(): Iterable<number>;
  /** Forget every slot. */
  clear(): void;
}

/** Injectable randomness: returns a float in [0, 1), like Math.random. */
export type RandomSource = () => number;

export interface PolicyOptions {
  random?: RandomSource;
}

export type PolicyFactory = (options: PolicyOptions) => EvictionPolicy;

/** Doubles an Int32Array until it can index `slot`, keeping its contents. */
export function growInt32(
  array: Int32Array<ArrayBuffer>,
  slot: number,
  fill = -1,
): Int32Array<ArrayBuffer> {
  if (slot < array.length) return array;
  let length = Math.max(16, array.length);
  while (length <= slot) length *= 2;
  const grown = new Int32Array(length).fill(fill);
  grown.set(array);
  return grown;
}
