/** The byte-bounded store and its eviction policies. */
export { Store } from './store.js';
export { builtinPolicies, createPolicy, policyNames } from './policies.js';
export { LruPolicy } from './lru.js';
export { RandomPolicy } from './random.js';
export { SievePolicy } from './sieve.js';
export { LfuPolicy } from './lfu.js';
export { SlabArena } from './slab-arena.js';
//# sourceMappingURL=index.js.map