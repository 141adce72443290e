/**
 * Pauses from a full heap (issue 14): the get latency of a node holding 1,000 items against one
 * holding 2,000,000 (100 B values under 10-byte keys), under the same load — 8 connections of
 * legacy gets over the held keys, while 1 connection overwrites them. A store that keeps millions
 * of objects alive makes the collector walk them, which shows in the tail. Target: p99.9 at 2M
 * items within 2× of p99.9 at 1k items. autocannon measures latency in whole milliseconds.
 */
import autocannon from 'autocannon';
import { fill } from './memory-sizes.js';
import { startNode } from './processes.js';
import { median } from './stats.js';
import { FORM } from './values.js';
const key = (i) => `k${String(i).padStart(9, '0')}`;
async function load(url, items, durationS) {
    const pick = () => key(Math.floor(Math.random() * items));
    const gets = autocannon({
        url,
        connections: 8,
        duration: durationS,
        requests: [
            {
                method: 'POST',
                path: '/api/cache/key',
                headers: { 'content-type': FORM },
                setupRequest: (request) => ({ ...request, body: `key=${pick()}` }),
            },
        ],
    });
    const puts = autocannon({
        url,
        connections: 1,
        duration: durationS,
        requests: [
            {
                method: 'POST',
                path: '/api/cache/content',
                headers: { 'content-type': FORM },
                setupRequest: (request) => ({ ...request, body: `key=${pick()}&value=${'v'.repeat(100)}` }),
            },
        ],
    });
    const [result] = await Promise.all([gets, puts]);
    return { p99: result.latency.p99, p999: result.latency.p99_9, rps: result.requests.average };
}
export const gcLatencyBenchmark = {
    name: 'gc-latency',
    description: 'get p99/p99.9 of a node holding 1k vs 2M items, under the same get/put load',
    async run(options) {
        const figures = {
            small: [],
            large: [],
        };
        for (const [name, items] of [
            ['small', 1_000],
            ['large', 2_000_000],
        ]) {
            const node = await startNode(2048);
            try {
                await fill(node, items, Infinity, () => 100);
                for (let run = 0; run < options.runs; run++)
                    figures[name].push(await load(node.url, items, options.durationS));
            }
            finally {
                await node.stop();
            }
        }
        const summary = (name) => ({
            p99: median(figures[name].map((f) => f.p99)),
            p999: median(figures[name].map((f) => f.p999)),
            rps: median(figures[name].map((f) => f.rps)),
        });
        const small = summary('small');
        const large = summary('large');
        return [
            {
                benchmark: 'gc-latency',
                case: 'get p99 / p99.9, 2M items vs 1k items (8 get + 1 put connections)',
                result: `2M: p99 ${large.p99} ms, p99.9 ${large.p999} ms, ${(large.rps / 1000).toFixed(1)} k req/s`,
                reference: `1k: p99 ${small.p99} ms, p99.9 ${small.p999} ms, ${(small.rps / 1000).toFixed(1)} k req/s`,
                ratio: large.p999 / Math.max(small.p999, 1),
                target: '≤ 2.0× (p99.9)',
                met: large.p999 <= 2 * Math.max(small.p999, 1),
                note: `median of ${options.runs} runs of ${options.durationS} s; p99.9 per run 1k ${figures.small.map((f) => f.p999).join('/')}, 2M ${figures.large.map((f) => f.p999).join('/')} ms`,
            },
        ];
    },
};
//# sourceMappingURL=gc-latency.js.map