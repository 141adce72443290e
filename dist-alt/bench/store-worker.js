/**
 * One measurement of bench/store.ts, run in its own worker thread so that each contender gets a
 * fresh JIT and heap: measured in one isolate, whichever cache runs second pays for the first
 * one's garbage and for call sites the first one made polymorphic.
 *
 * workerData: `{ contender: 'ours' | 'lru-cache', scenario: number }`; posts ops/s.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LRUCache } from 'lru-cache';
import { Store } from '../src/store/index.js';
import { uniformTrace, zipfTrace } from './zipf.js';
/** Distinct keys in every scenario. */
export const KEYS = 50_000;
/** Bytes of every value (an ASCII string, so its length). */
export const VALUE_BYTES = 100;
const OPS_PER_RUN = 1_000_000;
const TRACE_MASK = (1 << 20) - 1;
function ours(capacityBytes) {
    const store = new Store({ capacityBytes, policy: 'lru' });
    return {
        get: (key) => store.get(key),
        set: (key, value) => {
            store.set(key, value, value.length);
        },
    };
}
function theirs(capacityBytes) {
    const cache = new LRUCache({
        maxSize: capacityBytes,
        sizeCalculation: (value, key) => Buffer.byteLength(key, 'utf8') + value.length,
    });
    return {
        get: (key) => cache.get(key),
        set: (key, value) => {
            cache.set(key, value);
        },
    };
}
const keys = Array.from({ length: KEYS }, (_, i) => `object:${i.toString().padStart(6, '0')}`);
const value = 'v'.repeat(VALUE_BYTES);
const entryBytes = Buffer.byteLength(keys[0], 'utf8') + VALUE_BYTES;
/** The scenarios by number; bench/store.ts lists their names in the same order. */
export const scenarios = [
    {
        name: 'get, all hits (uniform keys)',
        fill: 1.1,
        trace: uniformTrace(KEYS, TRACE_MASK + 1, 1),
        step: (cache, key) => (cache.get(key) === undefined ? 0 : 1),
    },
    {
        name: 'put, 50% fit (uniform keys, evicting)',
        fill: 0.5,
        trace: uniformTrace(KEYS, TRACE_MASK + 1, 2),
        step: (cache, key) => {
            cache.set(key, value);
            return 1;
        },
    },
    {
        name: 'get, put on miss, 10% fit (Zipf 0.9)',
        fill: 0.1,
        trace: zipfTrace(KEYS, 0.9, TRACE_MASK + 1, 3),
        step: (cache, key) => {
            if (cache.get(key) !== undefined)
                return 1;
            cache.set(key, value);
            return 0;
        },
    },
];
/** Builds and warms a cache for `scenario`, then returns its ops/s over OPS_PER_RUN operations. */
function measure(make, scenario) {
    const cache = make(Math.floor(KEYS * entryBytes * scenario.fill));
    for (const key of keys)
        cache.set(key, value);
    const { trace, step } = scenario;
    let sink = 0;
    for (let i = 0; i < 200_000; i++)
        sink += step(cache, keys[trace[i & TRACE_MASK]]);
    const started = process.hrtime.bigint();
    for (let i = 0; i < OPS_PER_RUN; i++)
        sink += step(cache, keys[trace[i & TRACE_MASK]]);
    const elapsedNs = Number(process.hrtime.bigint() - started);
    if (sink < 0)
        console.log(sink); // keeps the loop's work observable
    return OPS_PER_RUN / (elapsedNs / 1e9);
}
if (parentPort !== null && workerData?.kind === 'store-bench') {
    const { contender, scenario } = workerData;
    parentPort.postMessage(measure(contender === 'ours' ? ours : theirs, scenarios[scenario]));
}
//# sourceMappingURL=store-worker.js.map