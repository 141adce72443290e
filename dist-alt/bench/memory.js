import { residentBytes, startNode } from './processes.js';
import { FORM, dataUrl, putForm } from './values.js';
const MB = 1024 * 1024;
const CAPACITY_MB = 256;
const VALUE_BYTES = 100_000;
const FILL_FACTOR = 1.5;
const PARALLEL = 4;
async function statistics(url) {
    const response = await fetch(`${url}/api/cache/statistics`, {
        signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json());
    return JSON.parse(body.content);
}
export const memoryBenchmark = {
    name: 'memory',
    description: `RSS of a node with --capacity ${CAPACITY_MB} after writing ${FILL_FACTOR}× its capacity in ~100 KB values`,
    async run() {
        const node = await startNode(CAPACITY_MB);
        try {
            const idle = await residentBytes(node.pid);
            const value = dataUrl(VALUE_BYTES);
            const puts = Math.ceil((CAPACITY_MB * MB * FILL_FACTOR) / VALUE_BYTES);
            let next = 0;
            let failed = 0;
            const worker = async () => {
                while (next < puts) {
                    const i = next++;
                    const response = await fetch(`${node.url}/api/cache/content`, {
                        method: 'POST',
                        headers: { 'content-type': FORM },
                        body: putForm(`image-${i}`, value),
                        signal: AbortSignal.timeout(10_000),
                    });
                    await response.arrayBuffer();
                    if (response.status !== 200)
                        failed++;
                }
            };
            const started = Date.now();
            await Promise.all(Array.from({ length: PARALLEL }, worker));
            const fillS = (Date.now() - started) / 1000;
            const { rssBytes, peakBytes } = await residentBytes(node.pid);
            const figures = await statistics(node.url);
            const limitBytes = 1.3 * CAPACITY_MB * MB + 80 * MB;
            const ratio = rssBytes / limitBytes;
            return [
                {
                    benchmark: 'memory',
                    case: `node --capacity ${CAPACITY_MB}, ${puts} puts of ${VALUE_BYTES / 1000} KB`,
                    result: `RSS ${(rssBytes / MB).toFixed(0)} MB (peak ${(peakBytes / MB).toFixed(0)} MB, idle ${(idle.rssBytes / MB).toFixed(0)} MB)`,
                    reference: `limit ${(limitBytes / MB).toFixed(0)} MB`,
                    ratio,
                    target: '≤ 1.00× (1.3 × capacity + 80 MB)',
                    met: rssBytes <= limitBytes,
                    note: `holds ${figures.num_item_in_cache} items, ${(figures.used_size / MB).toFixed(0)} MB; ` +
                        `filled in ${fillS.toFixed(1)} s${failed > 0 ? `; ${failed} puts failed` : ''}`,
                },
            ];
        }
        finally {
            await node.stop();
        }
    },
};
//# sourceMappingURL=memory.js.map