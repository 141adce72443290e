/**
 * The client (src/client) against what an application could do instead, in one process that
 * drives 16 (or more) concurrent callers for `durationS` seconds per run:
 * - get-hit of 10 KB and 100 KB values: `pool.get(key)` vs a bare undici request to the owning
 *   node (`GET /v1/keys/…`, the owner looked up beforehand, no routing) vs the same request to
 *   the gateway of `cachepool start`. Targets: client ≥ 0.9× bare, ≥ 2.5× gateway.
 * - `getMany` of 100 keys of 10 KB over 4 nodes vs 100 single gets awaited one after the other
 *   (and, for reference, the 100 gets sent all at once). Target: ≥ 5× faster than the sequence.
 * - pool throughput with the client (get-hit 10 KB, 64 callers) at 1, 2 and 4 nodes.
 *
 *   node dist/bench/client.js [--runs N] [--duration S]
 */
import { pathToFileURL } from 'node:url';
import { Pool } from 'undici';
import { CachePool } from '../src/client/index.js';
import { partitionOf } from '../src/partition/index.js';
import { benchArgs } from './gateway.js';
import { startPool } from './processes.js';
import { formatCount, median } from './stats.js';
const KEYS = 16;
const CALLERS = 16;
/** Calls `work` from `callers` loops for `durationS` seconds; operations per second. */
async function closedLoop(callers, durationS, work) {
    const endAt = Date.now() + durationS * 1000;
    let done = 0;
    const started = process.hrtime.bigint();
    await Promise.all(Array.from({ length: callers }, async (_, caller) => {
        for (let i = caller; Date.now() < endAt; i += callers) {
            await work(i);
            done++;
        }
    }));
    return done / (Number(process.hrtime.bigint() - started) / 1e9);
}
/** A GET through an undici Pool that must answer 200 with `bytes` bytes. */
async function bareGet(pool, path, bytes) {
    const answer = await pool.request({ method: 'GET', path });
    const body = Buffer.from(await answer.body.arrayBuffer());
    if (answer.statusCode !== 200 || body.length !== bytes)
        throw new Error(`GET ${path} answered ${answer.statusCode} with ${body.length} bytes`);
}
async function getHitRows(pool, client, runs, durationS) {
    const rows = [];
    const nodes = new Map();
    const gateway = new Pool(pool.gateway, { connections: CALLERS });
    try {
        for (const size of [10_000, 100_000]) {
            const keys = Array.from({ length: KEYS }, (_, i) => `bench-${size}-${i}`);
            const value = Buffer.alloc(size, 0x61);
            await client.setMany(keys.map((key) => [key, value]));
            const owners = keys.map((key) => {
                const owner = client.owners[partitionOf(key)];
                if (!nodes.has(owner))
                    nodes.set(owner, new Pool(`http://${owner}`, { connections: CALLERS }));
                return nodes.get(owner);
            });
            const paths = keys.map((key) => `/v1/keys/${encodeURIComponent(key)}`);
            const variants = {
                client: async (i) => {
                    const got = await client.get(keys[i % KEYS]);
                    if (got?.length !== size)
                        throw new Error(`client get missed ${keys[i % KEYS]}`);
                },
                bare: (i) => bareGet(owners[i % KEYS], paths[i % KEYS], size),
                gateway: (i) => bareGet(gateway, paths[i % KEYS], size),
            };
            const figures = {
                client: [],
                bare: [],
                gateway: [],
            };
            for (let run = 0; run < runs; run++) {
                // Alternate the order so that neither side always runs on a warmer machine.
                const order = (run % 2 === 0 ? ['client', 'bare', 'gateway'] : ['gateway', 'bare', 'client']);
                for (const name of order)
                    figures[name].push(await closedLoop(CALLERS, durationS, variants[name]));
            }
            const vsBare = median(figures.client.map((c, i) => c / figures.bare[i]));
            const vsGateway = median(figures.client.map((c, i) => c / figures.gateway[i]));
            const clientText = `client ${formatCount(median(figures.client))} get/s`;
            const note = `${runs} × ${durationS} s, ${CALLERS} callers, 2 nodes; per run ${figures.client.map((c, i) => (c / figures.bare[i]).toFixed(2)).join('/')}`;
            rows.push({
                benchmark: 'client',
                case: `get-hit ${size / 1000} KB vs bare undici to the owner`,
                result: clientText,
                reference: `bare ${formatCount(median(figures.bare))} get/s`,
                ratio: vsBare,
                target: '≥ 0.90×',
                met: vsBare >= 0.9,
                note,
            });
            rows.push({
                benchmark: 'client',
                case: `get-hit ${size / 1000} KB vs the gateway`,
                result: clientText,
                reference: `gateway ${formatCount(median(figures.gateway))} get/s`,
                ratio: vsGateway,
                target: '≥ 2.50×',
                met: vsGateway >= 2.5,
                note: `${runs} × ${durationS} s, ${CALLERS} callers; per run ${figures.client.map((c, i) => (c / figures.gateway[i]).toFixed(2)).join('/')}`,
            });
        }
    }
    finally {
        await Promise.all([...nodes.values(), gateway].map((p) => p.close()));
    }
    return rows;
}
async function getManyRow(client, runs) {
    const keys = Array.from({ length: 100 }, (_, i) => `many-${i}`);
    const value = Buffer.alloc(10_000, 0x62);
    await client.setMany(keys.map((key) => [key, value]));
    const rounds = 20 * runs;
    const time = async (work) => {
        await work(); // warm
        const times = [];
        for (let i = 0; i < rounds; i++) {
            const started = process.hrtime.bigint();
            await work();
            times.push(Number(process.hrtime.bigint() - started) / 1e6);
        }
        return median(times);
    };
    const many = await time(async () => {
        const got = await client.getMany(keys);
        if (got.size !== keys.length)
            throw new Error(`getMany found ${got.size} of 100`);
    });
    const sequence = await time(async () => {
        for (const key of keys)
            if ((await client.get(key)) === undefined)
                throw new Error(`miss ${key}`);
    });
    const parallel = await time(async () => {
        await Promise.all(keys.map((key) => client.get(key)));
    });
    const ratio = sequence / many;
    return {
        benchmark: 'client',
        case: 'getMany 100 × 10 KB over 4 nodes vs 100 gets one after another',
        result: `getMany ${many.toFixed(2)} ms`,
        reference: `100 gets ${sequence.toFixed(2)} ms`,
        ratio,
        target: '≥ 5.00× faster',
        met: ratio >= 5,
        note: `median of ${rounds} calls each; the 100 gets sent all at once take ${parallel.toFixed(2)} ms (${(parallel / many).toFixed(2)}× getMany)`,
    };
}
/** Runs the client benchmark; `options` default to 3 runs of 3 s. */
export async function runClientBench(options = {}) {
    const runs = options.runs ?? 3;
    const durationS = options.durationS ?? 3;
    const rows = [];
    const pools = new Map();
    const poolOf = async (nodes) => {
        let entry = pools.get(nodes);
        if (!entry) {
            const pool = await startPool([
                '--nodes',
                String(nodes),
                '--min',
                '1',
                '--max',
                String(nodes),
                '--capacity',
                '256',
            ]);
            const client = await CachePool.connect({ manager: pool.manager, connectionsPerNode: 64 });
            pools.set(nodes, (entry = { pool, client }));
        }
        return entry;
    };
    try {
        const two = await poolOf(2);
        rows.push(...(await getHitRows(two.pool, two.client, runs, durationS)));
        const four = await poolOf(4);
        rows.push(await getManyRow(four.client, runs));
        const throughput = [];
        for (const nodes of [1, 2, 4]) {
            const { client } = await poolOf(nodes);
            const keys = Array.from({ length: 256 }, (_, i) => `tp-${i}`);
            const value = Buffer.alloc(10_000, 0x63);
            await client.setMany(keys.map((key) => [key, value]));
            const figures = [];
            for (let run = 0; run < runs; run++)
                figures.push(await closedLoop(64, durationS, async (i) => {
                    if ((await client.get(keys[i % keys.length])) === undefined)
                        throw new Error('miss');
                }));
            throughput.push([nodes, median(figures)]);
        }
        const base = throughput[0][1];
        for (const [nodes, perS] of throughput)
            rows.push({
                benchmark: 'client',
                case: `pool throughput, get-hit 10 KB, 64 callers, ${nodes} node${nodes > 1 ? 's' : ''}`,
                result: `${formatCount(perS)} get/s`,
                reference: nodes === 1 ? '' : `1 node ${formatCount(base)} get/s`,
                ...(nodes === 1 ? {} : { ratio: perS / base }),
                target: '',
                note: `${runs} × ${durationS} s; one client process on a ${(await import('node:os')).availableParallelism()}-core machine shared with the nodes`,
            });
    }
    finally {
        for (const { pool, client } of pools.values()) {
            await client.close();
            await pool.stop();
        }
    }
    return rows;
}
/** The client benchmark, for bench/index.ts. */
export const clientBenchmark = {
    name: 'client',
    description: 'the client vs a bare undici request to the owner and vs the gateway (get-hit), getMany vs single gets, throughput at 1/2/4 nodes',
    run: (options) => runClientBench(options),
};
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
    const rows = await runClientBench(benchArgs(process.argv.slice(2)));
    const { renderTable } = await import('./render.js');
    process.stdout.write(`${renderTable(rows)}\n`);
}
//# sourceMappingURL=client.js.map