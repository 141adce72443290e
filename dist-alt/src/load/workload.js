/**
 * What the generator sends: keys picked uniformly among `keys`, reads with probability
 * `readRatio`, values that are data URLs of a given length (the original pool's common case).
 */
/** The key of index `i`: `load-<i>`. */
export function keyOf(i) {
    return `load-${i}`;
}
/** Draws the next operation. */
export function nextOperation(keys, readRatio, random) {
    const key = keyOf(Math.min(keys - 1, Math.floor(random() * keys)));
    return { kind: random() < readRatio ? 'read' : 'put', key };
}
const PREFIX = 'data:image/png;base64,';
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** A data URL of exactly `bytes` characters (at least the prefix's length), filled from `random`. */
export function dataUrlValue(bytes, random) {
    const length = Math.max(0, bytes - PREFIX.length);
    let body = '';
    for (let i = 0; i < length; i++)
        body += ALPHABET[Math.floor(random() * 64)];
    return PREFIX + body;
}
//# sourceMappingURL=workload.js.map