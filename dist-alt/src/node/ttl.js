/**
 * Time to live of a write, as the HTTP APIs take it: whole seconds from 1 to MAX_TTL_S (365
 * days), from the legacy `ttl` field, `/v1`'s `?ttl=` or `Cache-Control: max-age=`. Absent means
 * the entry never expires. Anything else (negative, zero, fractional, non-numeric, larger than
 * the maximum) is a RequestError naming the source and the rule, so the write changes nothing.
 */
import { errors } from '../errors.js';
/** The longest TTL accepted, in seconds (365 days): longer is taken for a mistake. */
export const MAX_TTL_S = 365 * 24 * 3600;
/**
 * Parses one TTL given as `source` (`ttl`, `max-age`); undefined when `value` is undefined.
 * Numbers (from JSON) and decimal strings are accepted alike.
 */
export function parseTtl(source, value) {
    if (value === undefined)
        return undefined;
    const text = typeof value === 'number' ? String(value) : value;
    const seconds = typeof text === 'string' && /^\s*\d{1,12}\s*$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(seconds) || seconds < 1 || seconds > MAX_TTL_S) {
        throw errors.invalid(`${source} must be an integer from 1 to ${MAX_TTL_S} (seconds), got ${JSON.stringify(value)}`);
    }
    return seconds;
}
/**
 * The TTL of a `/v1` write: `?ttl=` when given, else `Cache-Control: max-age=` (other
 * directives ignored); undefined when neither is there. A repeated `ttl` query is refused.
 */
export function ttlOfV1(query, cacheControl) {
    const ttl = query?.ttl;
    if (Array.isArray(ttl))
        throw errors.invalid('ttl must be given once');
    if (ttl !== undefined)
        return parseTtl('ttl', ttl);
    const header = Array.isArray(cacheControl) ? cacheControl.join(',') : cacheControl;
    if (header === undefined)
        return undefined;
    const match = /(?:^|,)\s*max-age\s*=\s*"?([^",]*)"?\s*(?:,|$)/i.exec(header);
    return match ? parseTtl('Cache-Control max-age', match[1]) : undefined;
}
//# sourceMappingURL=ttl.js.map