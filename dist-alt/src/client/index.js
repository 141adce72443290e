/**
 * The package's main entry (`import { CachePool } from 'cachepool'`): the application client
 * and the error types it throws. docs/client.md describes it.
 */
export { CachePool, } from './cache-pool.js';
export { CachePoolError, OptionError } from '../errors.js';
export { MAX_TTL_S } from '../node/ttl.js';
//# sourceMappingURL=index.js.map