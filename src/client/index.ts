/**
 * The package's main entry (`import { CachePool } from 'cachepool'`): the application client
 * and the error types it throws. docs/client.md describes it.
 */
export {
  CachePool,
  type CacheValue,
  type SetManyOptions,
  type SetOptions,
  type TaggedValue,
} from './cache-pool.js';
export type { ConnectOptions } from './options.js';
export { CachePoolError, OptionError, type ErrorCode } from '../errors.js';
export { MAX_TTL_S } from '../node/ttl.js';
