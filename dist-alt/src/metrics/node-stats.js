import { systemClock } from '../clock.js';
import { defaults } from '../defaults.js';
export class NodeStats {
    requestsTotal = 0;
    getRequestsTotal = 0;
    hitsTotal = 0;
    missesTotal = 0;
    /** Legacy `num_request_served` (not reset by DELETE /api/cache/statistics). */
    numRequestServed = 0;
    /** Legacy `num_GET_request_served` (reset). */
    numGetRequestServed = 0;
    /** Legacy `num_hit` (reset; set by set_num_hit). */
    numHit = 0;
    startedAtMs;
    #clock;
    #windowMs;
    #maxSamples;
    #samples = [];
    constructor(options = {}) {
        this.#clock = options.clock ?? systemClock;
        this.#windowMs = options.windowMs ?? defaults.statsWindowS * 1000;
        this.#maxSamples = options.maxSamples ?? 10_000;
        this.startedAtMs = this.#clock.now();
        this.#samples.push(this.current());
    }
    /** A request served that is not a GET (put, invalidate). */
    countRequest() {
        this.requestsTotal++;
        this.numRequestServed++;
    }
    /** A GET of a key, hit or miss. */
    countGet(hit) {
        this.requestsTotal++;
        this.getRequestsTotal++;
        this.numRequestServed++;
        this.numGetRequestServed++;
        if (hit) {
            this.hitsTotal++;
            this.numHit++;
        }
        else {
            this.missesTotal++;
        }
    }
    /** DELETE /api/cache/statistics: resets num_GET_request_served and num_hit. */
    resetLegacy() {
        this.numGetRequestServed = 0;
        this.numHit = 0;
    }
    /** The totals now. */
    current() {
        return {
            timeMs: this.#clock.now(),
            requestsTotal: this.requestsTotal,
            getRequestsTotal: this.getRequestsTotal,
            hitsTotal: this.hitsTotal,
            missesTotal: this.missesTotal,
        };
    }
    /** Records a sample of the totals and drops those older than the window; returns it. */
    sample() {
        const now = this.current();
        this.#samples.push(now);
        const oldest = now.timeMs - this.#windowMs;
        let drop = 0;
        // Keep one sample at or before the window's start so the window's figures span all of it.
        while (drop + 1 < this.#samples.length && this.#samples[drop + 1].timeMs <= oldest)
            drop++;
        if (this.#samples.length - drop > this.#maxSamples)
            drop = this.#samples.length - this.#maxSamples;
        if (drop > 0)
            this.#samples.splice(0, drop);
        return now;
    }
    /** Samples kept, oldest first (a copy). */
    samples() {
        return [...this.#samples];
    }
    /** Figures since the oldest kept sample (about the last window), up to now. */
    window() {
        return figures(this.#samples[0], this.current());
    }
    /** Figures between the last two samples (the last interval). */
    lastInterval() {
        const n = this.#samples.length;
        return n >= 2
            ? figures(this.#samples[n - 2], this.#samples[n - 1])
            : figures(this.#samples[0], this.#samples[0]);
    }
    /** Figures since the process started. */
    total() {
        return figures({
            timeMs: this.startedAtMs,
            requestsTotal: 0,
            getRequestsTotal: 0,
            hitsTotal: 0,
            missesTotal: 0,
        }, this.current());
    }
}
/** Deltas and rates between two samples. */
export function figures(from, to) {
    const getRequests = to.getRequestsTotal - from.getRequestsTotal;
    const hits = to.hitsTotal - from.hitsTotal;
    const misses = to.missesTotal - from.missesTotal;
    return {
        fromMs: from.timeMs,
        toMs: to.timeMs,
        requests: to.requestsTotal - from.requestsTotal,
        getRequests,
        hits,
        misses,
        hitRate: getRequests > 0 ? hits / getRequests : 0,
        missRate: getRequests > 0 ? misses / getRequests : 0,
    };
}
//# sourceMappingURL=node-stats.js.map