/**
 * Reproducible key traces for benchmarks: a seeded generator (mulberry32) and a Zipf sampler.
 * Zipf(s) over n items picks item i (1-based rank) with probability ∝ 1 / i^s; s = 0.9 is the
 * skew commonly seen in web and object-cache traces.
 */
import { seededRandom } from '../test/helpers/seeded-random.js';
/** A seeded source of floats in [0, 1); the same seed gives the same sequence (mulberry32). */
export { seededRandom } from '../test/helpers/seeded-random.js';
/**
 * `length` item numbers in [0, items) drawn from Zipf(`skew`), item 0 the most popular.
 * O(items) to set up, O(log items) per draw.
 */
export function zipfTrace(items, skew, length, seed) {
    const cdf = new Float64Array(items);
    let total = 0;
    for (let i = 0; i < items; i++) {
        total += 1 / Math.pow(i + 1, skew);
        cdf[i] = total;
    }
    const random = seededRandom(seed);
    const trace = new Int32Array(length);
    for (let n = 0; n < length; n++) {
        const target = random() * total;
        let low = 0;
        let high = items - 1;
        while (low < high) {
            const mid = (low + high) >>> 1;
            if (cdf[mid] < target)
                low = mid + 1;
            else
                high = mid;
        }
        trace[n] = low;
    }
    return trace;
}
/** `length` item numbers drawn uniformly from [0, items). */
export function uniformTrace(items, length, seed) {
    const random = seededRandom(seed);
    const trace = new Int32Array(length);
    for (let n = 0; n < length; n++)
        trace[n] = Math.floor(random() * items);
    return trace;
}
//# sourceMappingURL=zipf.js.map