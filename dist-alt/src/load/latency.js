/**
 * A latency histogram in fixed log-scale buckets (5 % apart, 1 µs to ~100 s): constant memory
 * whatever the run's length, percentiles within 5 %.
 */
const MIN_MS = 0.001;
const GROWTH = 1.05;
const BUCKETS = Math.ceil(Math.log(100_000 / MIN_MS) / Math.log(GROWTH)) + 1;
/** Records latencies in ms and answers percentiles. */
export class LatencyHistogram {
    #counts = new Uint32Array(BUCKETS);
    #total = 0;
    /** Adds one latency, in ms (negative counts as 0, huge ones land in the last bucket). */
    record(ms) {
        const index = ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / Math.log(GROWTH)));
        this.#counts[index] += 1;
        this.#total++;
    }
    get count() {
        return this.#total;
    }
    /** The latency (ms, the bucket's upper bound) below which a share `p` (0..1) falls; null when empty. */
    percentile(p) {
        if (this.#total === 0)
            return null;
        const rank = Math.max(1, Math.ceil(p * this.#total));
        let seen = 0;
        for (let i = 0; i < BUCKETS; i++) {
            seen += this.#counts[i];
            if (seen >= rank)
                return MIN_MS * GROWTH ** i;
        }
        return MIN_MS * GROWTH ** (BUCKETS - 1);
    }
    /** Forgets everything. */
    reset() {
        this.#counts.fill(0);
        this.#total = 0;
    }
}
//# sourceMappingURL=latency.js.map