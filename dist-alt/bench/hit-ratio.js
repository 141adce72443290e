/**
 * Hit ratio of every built-in policy on a Zipf(0.9) trace at a few cache sizes: each request is
 * a get, and a miss puts the key (a read-through cache). Deterministic for a given seed; `rr` is
 * averaged over `runs` seeds. All entries have the same size, so the capacity in entries is exact.
 */
import { Store, policyNames } from '../src/store/index.js';
import { formatPercent, median } from './stats.js';
import { seededRandom, zipfTrace } from './zipf.js';
const ITEMS = 100_000;
const TRACE_LENGTH = 1_000_000;
const SKEW = 0.9;
const VALUE_BYTES = 93;
/** Cache sizes as a fraction of the distinct items. */
const SIZES = [0.005, 0.01, 0.05, 0.1, 0.25];
/** Hit ratio of `policy` on `trace`, counting after a warm-up of the first 10% of requests. */
export function hitRatio(policy, trace, capacityEntries, seed) {
    const keys = Array.from({ length: ITEMS }, (_, i) => `k${i.toString().padStart(6, '0')}`);
    const entryBytes = Store.entryBytes(keys[0], VALUE_BYTES);
    const store = new Store({
        capacityBytes: capacityEntries * entryBytes,
        policy,
        random: seededRandom(seed),
    });
    const warmup = Math.floor(trace.length / 10);
    let hits = 0;
    for (let n = 0; n < trace.length; n++) {
        const key = keys[trace[n]];
        if (store.get(key) !== undefined) {
            if (n >= warmup)
                hits++;
        }
        else
            store.set(key, n, VALUE_BYTES);
    }
    return hits / (trace.length - warmup);
}
export const hitRatioBenchmark = {
    name: 'hit-ratio',
    description: `hit ratio of ${policyNames().join('/')} on a Zipf ${SKEW} trace`,
    async run(options) {
        const trace = zipfTrace(ITEMS, SKEW, TRACE_LENGTH, 42);
        const rows = [];
        for (const size of SIZES) {
            const capacityEntries = Math.round(ITEMS * size);
            const ratios = new Map();
            for (const policy of policyNames()) {
                const seeds = policy === 'rr' ? Math.max(1, options.runs) : 1;
                ratios.set(policy, median(Array.from({ length: seeds }, (_, seed) => hitRatio(policy, trace, capacityEntries, seed + 1))));
            }
            const lru = ratios.get('lru');
            const sieve = ratios.get('sieve');
            rows.push({
                benchmark: 'hit-ratio',
                case: `Zipf ${SKEW}, cache = ${formatPercent(size)} of ${ITEMS / 1000}k keys`,
                result: `sieve ${formatPercent(sieve)}`,
                reference: [...ratios]
                    .filter(([name]) => name !== 'sieve')
                    .map(([name, r]) => `${name} ${formatPercent(r)}`)
                    .join(', '),
                ratio: sieve / lru,
                target: '≥ 1.00× lru',
                met: sieve >= lru,
                note: `${TRACE_LENGTH / 1e6}M requests, first 10% warm-up`,
            });
        }
        return rows;
    },
};
//# sourceMappingURL=hit-ratio.js.map