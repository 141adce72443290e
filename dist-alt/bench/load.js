/**
 * One load run with autocannon (as a library, in this process) and its figures, for the HTTP
 * benchmarks that compare a server with a reference in the same run.
 */
import autocannon from 'autocannon';
import { formatCount, median } from './stats.js';
/**
 * Loads `url` for `durationS` seconds over `connections` connections, cycling through
 * `requests` (10 s timeout per request). Answers of the `expected` status class are the right
 * ones (default 2xx; 4xx for misses).
 */
export async function measureLoad(url, requests, connections, durationS, expected = '2xx') {
    const result = await autocannon({ url, connections, duration: durationS, requests, timeout: 10 });
    const answered = result['2xx'] + result.non2xx;
    return {
        requestsPerS: answered / result.duration,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        // autocannon counts a timeout in `errors` too.
        unexpected: answered - result[expected] + result.errors,
    };
}
/** `N req/s, p50 X ms, p99 Y ms`: the medians of `loads`. */
export function summarizeLoads(loads) {
    return `${formatCount(median(loads.map((l) => l.requestsPerS)))} req/s, p50 ${median(loads.map((l) => l.p50Ms))} ms, p99 ${median(loads.map((l) => l.p99Ms))} ms`;
}
//# sourceMappingURL=load.js.map