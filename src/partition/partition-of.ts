/**
 * Key → partition: the top 4 bits of the MD5 digest of the key's UTF-8 bytes (SPEC §3), so that
 * clients of the original that route by themselves agree with the pool. The digest is ours
 * (md5.ts): node:crypto's costs a hash object and a Buffer per key, on every routed request.
 */
import { defaults } from '../defaults.js';
import { md5Head } from './md5.js';

/** Number of partitions of a pool; fixed by the wire contract. */
export const PARTITION_COUNT = defaults.partitions;

/** The partition of `key`, 0..15: the high nibble of the digest's first byte. */
export function partitionOf(key: string): number {
  return (md5Head(key) & 0xff) >> 4;
}
