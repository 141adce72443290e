/**
 * The gateway's overhead: one cachepool node loaded directly, and the same node loaded through
 * the gateway of `cachepool start --nodes 1` (manager and gateway in one process, the node its
 * child). Load comes from autocannon used as a library, in this process. Cases: get-hit and put
 * (legacy form bodies) × ~10 KB and ~100 KB data-URL values × 1 and 16 connections. Each run loads
 * the node and the gateway for `durationS` seconds each (alternating who goes first); the table
 * shows medians over `runs` and the median of the per-run ratios gateway/direct.
 * Target for get-hit: ≥ 0.7×.
 *
 * For get-hit a third figure shows what any proxy costs on this machine: a bare proxy (this
 * file run with `--bare-proxy <node url>`: node:http server, undici Pool, no routing, no key
 * parsing, the answer piped back) in front of the same node, as a ratio to direct in the same run.
 *
 *   node dist/bench/gateway.js [--runs N] [--duration S]
 */
import { createServer } from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Pool } from 'undici';
import { startPool, startServer } from './processes.js';
import { measureLoad, summarizeLoads } from './load.js';
import { formatCount, median } from './stats.js';
import { FORM, dataUrl, keyForm, putForm } from './values.js';
const SIZES = [10_000, 100_000];
const CONNECTIONS = [1, 16];
const KEYS = 16;
const OPERATIONS = ['get-hit', 'put'];
const TARGET = 0.7;
function requestsFor(operation, value) {
    return Array.from({ length: KEYS }, (_, i) => ({
        method: 'POST',
        path: operation === 'put' ? '/api/cache/content' : '/api/cache/key',
        headers: { 'content-type': FORM },
        body: operation === 'put' ? putForm(`hit-${i}`, value) : keyForm(`hit-${i}`),
    }));
}
/** Puts the hit keys through the gateway and checks that a hit reads the same bytes both ways. */
async function prepare(node, gateway, value) {
    const post = async (url, body) => {
        const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': FORM },
            body,
            signal: AbortSignal.timeout(10_000),
        });
        return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
    };
    for (let i = 0; i < KEYS; i++) {
        const put = await post(`${gateway}/api/cache/content`, putForm(`hit-${i}`, value));
        if (put.status !== 200)
            throw new Error(`put hit-${i} through the gateway answered ${put.status}: ${put.bytes.toString()}`);
    }
    const direct = await post(`${node}/api/cache/key`, keyForm('hit-0'));
    const routed = await post(`${gateway}/api/cache/key`, keyForm('hit-0'));
    if (direct.status !== 200 || routed.status !== 200 || !direct.bytes.equals(routed.bytes)) {
        throw new Error(`the gateway's hit answer (${routed.status}, ${routed.bytes.length} B) differs from the node's (${direct.status}, ${direct.bytes.length} B)`);
    }
}
/** Runs the gateway benchmark; `options` default to 3 runs of 3 s. */
export async function runGatewayBench(options = {}) {
    const runs = options.runs ?? 3;
    const durationS = options.durationS ?? 3;
    const rows = [];
    const pool = await startPool(['--nodes', '1', '--min', '1', '--max', '1', '--capacity', '64']);
    let bare;
    try {
        const [node] = await pool.nodes();
        if (!node)
            throw new Error('the pool has no node');
        bare = await startServer(SELF, ['--bare-proxy', node]);
        for (const size of SIZES) {
            const value = dataUrl(size);
            await prepare(node, pool.gateway, value);
            for (const connections of CONNECTIONS) {
                for (const operation of OPERATIONS) {
                    const requests = requestsFor(operation, value);
                    const load = (url) => measureLoad(url, requests, connections, durationS);
                    const direct = [];
                    const routed = [];
                    const proxied = [];
                    for (let run = 0; run < runs; run++) {
                        const directFirst = run % 2 === 0;
                        if (directFirst)
                            direct.push(await load(node));
                        routed.push(await load(pool.gateway));
                        if (operation === 'get-hit')
                            proxied.push(await load(bare.url));
                        if (!directFirst)
                            direct.push(await load(node));
                    }
                    const ratio = median(routed.map((r, i) => r.requestsPerS / direct[i].requestsPerS));
                    const bareRatio = median(proxied.map((r, i) => r.requestsPerS / direct[i].requestsPerS));
                    const perRun = routed
                        .map((r, i) => (r.requestsPerS / direct[i].requestsPerS).toFixed(2))
                        .join('/');
                    const unexpected = [...routed, ...direct, ...proxied].reduce((sum, l) => sum + l.unexpected, 0);
                    const row = {
                        benchmark: 'gateway',
                        case: `${operation}, ${size / 1000} KB, ${connections} conn${connections > 1 ? 's' : ''}`,
                        result: `gateway ${summarizeLoads(routed)}`,
                        reference: `direct ${summarizeLoads(direct)}`,
                        ratio,
                        target: operation === 'get-hit' ? `≥ ${TARGET.toFixed(2)}×` : '',
                        note: `${runs} × ${durationS} s; per run ${perRun}` +
                            (proxied.length > 0
                                ? `; bare proxy ${formatCount(median(proxied.map((l) => l.requestsPerS)))} req/s = ${bareRatio.toFixed(2)}× direct`
                                : '') +
                            (unexpected > 0 ? `; ${unexpected} unexpected answers/errors` : ''),
                    };
                    if (operation === 'get-hit')
                        row.met = ratio >= TARGET;
                    rows.push(row);
                }
            }
        }
    }
    finally {
        await Promise.all([pool.stop(), bare?.stop()]);
    }
    return rows;
}
const SELF = fileURLToPath(import.meta.url);
/**
 * The bare proxy: forwards every request to `target` over keep-alive connections and pipes the
 * answer back, with no routing and no key parsing. Logs the listening line like our servers.
 */
async function serveBareProxy(target) {
    const upstream = new Pool(target, { connections: 64, pipelining: 1 });
    const server = createServer((request, response) => {
        const chunks = [];
        request.on('data', (chunk) => chunks.push(chunk));
        request.on('end', () => {
            upstream
                .request({
                method: request.method,
                path: request.url ?? '/',
                headers: {
                    'content-type': request.headers['content-type'] ?? 'application/octet-stream',
                },
                body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
            })
                .then((answer) => {
                const type = answer.headers['content-type'];
                const length = answer.headers['content-length'];
                if (type !== undefined)
                    response.setHeader('content-type', type);
                if (length !== undefined)
                    response.setHeader('content-length', length);
                response.writeHead(answer.statusCode);
                answer.body.pipe(response);
            }, () => response.writeHead(502).end());
        });
    });
    server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        process.stdout.write(`${JSON.stringify({ msg: 'listening', role: 'bare-proxy', url: `http://127.0.0.1:${port}` })}\n`);
    });
    process.once('SIGTERM', () => {
        server.close();
        server.closeAllConnections();
        void upstream.close();
    });
}
/** The gateway benchmark, for bench/index.ts. */
export const gatewayBenchmark = {
    name: 'gateway',
    description: 'a node alone vs the same node behind the gateway (autocannon): get-hit/put req/s, p50/p99, ratio',
    run: (options) => runGatewayBench(options),
};
/** `--runs N --duration S` from argv. */
export function benchArgs(argv) {
    const options = {};
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === '--runs')
            options.runs = Number(argv[++i]);
        else if (argv[i] === '--duration')
            options.durationS = Number(argv[++i]);
    }
    return options;
}
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href &&
    process.argv[2] === '--bare-proxy') {
    await serveBareProxy(process.argv[3] ?? '');
}
else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
    const rows = await runGatewayBench(benchArgs(process.argv.slice(2)));
    const { renderTable } = await import('./render.js');
    process.stdout.write(`${renderTable(rows)}\n`);
}
//# sourceMappingURL=gateway.js.map