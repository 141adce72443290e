/** Request bodies for the HTTP benchmarks: data-URL values and legacy form bodies. */
import { seededRandom } from './zipf.js';
/** A `data:image/png;base64,…` value of exactly `bytes` characters (ASCII), seeded. */
export function dataUrl(bytes, seed = 1) {
    const prefix = 'data:image/png;base64,';
    const random = seededRandom(seed);
    const raw = Buffer.alloc(Math.ceil(((bytes - prefix.length) * 3) / 4) + 3);
    for (let i = 0; i < raw.length; i++)
        raw[i] = Math.floor(random() * 256);
    return (prefix + raw.toString('base64')).slice(0, bytes);
}
/** `key=<k>` form-urlencoded. */
export function keyForm(key) {
    return `key=${encodeURIComponent(key)}`;
}
/** `key=<k>&value=<v>` form-urlencoded. */
export function putForm(key, value) {
    return `key=${encodeURIComponent(key)}&value=${encodeURIComponent(value)}`;
}
export const FORM = 'application/x-www-form-urlencoded';
//# sourceMappingURL=values.js.map