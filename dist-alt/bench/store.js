/**
 * In-process throughput of our Store (`lru`, byte accounting) against lru-cache v11 configured
 * the same way (`maxSize` + `sizeCalculation` = key UTF-8 bytes + value bytes), on the same keys,
 * values and traces (bench/store-worker.ts). Every measurement runs in a fresh worker thread; the
 * two contenders alternate, and the table shows median ops/s and the median of per-run ratios.
 */
import { Worker } from 'node:worker_threads';
import { formatCount, median } from './stats.js';
import { KEYS, VALUE_BYTES, scenarios } from './store-worker.js';
const WORKER = new URL('./store-worker.js', import.meta.url);
/** Runs one measurement in a new worker; rejects if it fails or takes over a minute. */
function measureInWorker(contender, scenario) {
    return new Promise((resolve, reject) => {
        const worker = new Worker(WORKER, { workerData: { kind: 'store-bench', contender, scenario } });
        const timer = setTimeout(() => {
            void worker.terminate();
            reject(new Error(`store benchmark worker (${contender}) took over 60 s`));
        }, 60_000);
        worker.once('message', (opsPerS) => {
            clearTimeout(timer);
            void worker.terminate();
            resolve(opsPerS);
        });
        worker.once('error', (error) => {
            clearTimeout(timer);
            reject(error);
        });
    });
}
export const storeBenchmark = {
    name: 'store',
    description: 'in-process get/put ops/s: Store (lru) vs lru-cache 11',
    async run(options) {
        const rows = [];
        for (const [index, scenario] of scenarios.entries()) {
            const oursOps = [];
            const theirsOps = [];
            const ratios = [];
            // In-process runs are short (about a second), so take more of them than the HTTP ones.
            for (let run = 0; run < Math.max(options.runs * 2 + 1, 5); run++) {
                // Alternate who goes first, so that drifting machine load hurts both alike.
                const order = run % 2 === 0 ? ['ours', 'lru-cache'] : ['lru-cache', 'ours'];
                const results = new Map();
                for (const contender of order)
                    results.set(contender, await measureInWorker(contender, index));
                oursOps.push(results.get('ours'));
                theirsOps.push(results.get('lru-cache'));
                ratios.push(results.get('ours') / results.get('lru-cache'));
            }
            const ratio = median(ratios);
            rows.push({
                benchmark: 'store',
                case: scenario.name,
                result: `${formatCount(median(oursOps))} ops/s`,
                reference: `lru-cache ${formatCount(median(theirsOps))} ops/s`,
                ratio,
                target: '≥ 1.00×',
                met: ratio >= 1,
                note: `${KEYS / 1000}k keys, ${VALUE_BYTES} B values, median of ${ratios.length} runs`,
            });
        }
        return rows;
    },
};
//# sourceMappingURL=store.js.map