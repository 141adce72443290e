/**
 * Key → partition: the top 4 bits of the MD5 digest of the key's UTF-8 bytes (SPEC §3), so that
 * clients of the original that route by themselves agree with the pool.
 */
import { createHash } from 'node:crypto';
import { defaults } from '../defaults.js';
/** Number of partitions of a pool; fixed by the wire contract. */
export const PARTITION_COUNT = defaults.partitions;
/** The partition of `key`, 0..15. */
export function partitionOf(key) {
    return createHash('md5').update(key, 'utf8').digest()[0] >> 4;
}
//# sourceMappingURL=partition-of.js.map