/** The byte-bounded store and its eviction policies. */
export { Store, type SetOutcome, type StoreOptions, type StoreStats } from './store.js';
export type { EvictionPolicy, PolicyFactory, PolicyOptions, RandomSource } from './policy.js';
export { builtinPolicies, createPolicy, policyNames } from './policies.js';
export { LruPolicy } from './lru.js';
export { RandomPolicy } from './random.js';
export { SievePolicy } from './sieve.js';
export { LfuPolicy } from './lfu.js';
export { KeyIndex } from './key-index.js';
export { SlabArena, type SlabArenaOptions, type SlabArenaStats } from './slab-arena.js';
