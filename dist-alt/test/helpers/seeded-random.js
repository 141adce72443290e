/**
 * A tiny seeded pseudo-random generator (mulberry32) for tests and benchmarks (bench/zipf.ts)
 * that need reproducible randomness: the same seed always gives the same sequence of floats in
 * [0, 1).
 */
/** Returns a RandomSource-compatible function seeded with `seed` (any 32-bit integer). */
export function seededRandom(seed) {
    let state = seed >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
//# sourceMappingURL=seeded-random.js.map