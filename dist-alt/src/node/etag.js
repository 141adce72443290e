/**
 * Entity tags of stored values for `/v1` (GET and HEAD answer one; a PUT with `If-Match`
 * compares against it). A tag is a hash of the value's Content-Type and bytes, computed the
 * first time an entry is asked for it and kept beside the entry (a WeakMap: the store's entries
 * are immutable and a write replaces the entry object, so a cached tag can never go stale).
 * Tags depend on the bytes only, so a value keeps its tag when it migrates to another node.
 */
import { createHash } from 'node:crypto';
import { valueOf } from './entry.js';
const tags = new WeakMap();
/** The strong ETag of `entry`, quoted (`"…"`, 22 base64url characters inside). */
export function etagOf(entry) {
    let tag = tags.get(entry);
    if (tag === undefined) {
        const hash = createHash('md5').update(entry.type, 'utf8').update('\0').update(valueOf(entry));
        tag = `"${hash.digest('base64url')}"`;
        tags.set(entry, tag);
    }
    return tag;
}
/**
 * Whether an `If-Match` header value holds for `entry` (RFC 9110 §13.1.1): `*` holds when the
 * key exists; a list of tags holds when one of them is the entry's tag by strong comparison (a
 * weak `W/` tag never matches).
 */
export function ifMatchHolds(header, entry) {
    if (entry === undefined)
        return false;
    if (header.trim() === '*')
        return true;
    const tag = etagOf(entry);
    return header.split(',').some((candidate) => candidate.trim() === tag);
}
//# sourceMappingURL=etag.js.map