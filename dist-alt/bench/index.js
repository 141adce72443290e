/**
 * The benchmark suite: `npm run bench` (builds, then runs this file). Runs every benchmark in
 * `benchmarks` (or the ones named on the command line) and prints one markdown table.
 *
 *   node dist/bench/index.js [name ...] [--runs N] [--duration S] [--list]
 *
 * Environment: BENCH_RUNS, BENCH_DURATION_S. To add a benchmark, write a module exporting a
 * `Benchmark` (bench/row.ts) and append it to `benchmarks` below.
 */
import { pathToFileURL } from 'node:url';
import { clientBenchmark } from './client.js';
import { hitRatioBenchmark } from './hit-ratio.js';
import { httpBenchmark } from './http.js';
import { gatewayBenchmark } from './gateway.js';
import { memoryBenchmark } from './memory.js';
import { memorySizesBenchmark } from './memory-sizes.js';
import { gcLatencyBenchmark } from './gc-latency.js';
import { rebalanceBenchmark } from './rebalance.js';
import { storeBenchmark } from './store.js';
export { renderTable } from './render.js';
import { renderTable } from './render.js';
/** Every benchmark, in the order they run. */
export const benchmarks = [
    storeBenchmark,
    hitRatioBenchmark,
    httpBenchmark,
    memoryBenchmark,
    memorySizesBenchmark,
    gcLatencyBenchmark,
    gatewayBenchmark,
    clientBenchmark,
    rebalanceBenchmark,
];
/** Runs `selected` one after another; a failing benchmark becomes a row saying so. */
export async function runBenchmarks(selected, options) {
    const rows = [];
    for (const benchmark of selected) {
        const started = Date.now();
        process.stderr.write(`running ${benchmark.name} …\n`);
        try {
            rows.push(...(await benchmark.run(options)));
        }
        catch (error) {
            rows.push({
                benchmark: benchmark.name,
                case: 'failed',
                result: '',
                reference: '',
                target: '',
                note: error instanceof Error ? error.message.split('\n')[0].slice(0, 200) : String(error),
            });
        }
        process.stderr.write(`${benchmark.name} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    }
    return rows;
}
function parseArgs(argv) {
    const options = {
        runs: Number(process.env.BENCH_RUNS ?? 3),
        durationS: Number(process.env.BENCH_DURATION_S ?? 3),
    };
    const names = [];
    let list = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === '--runs')
            options.runs = Number(argv[++i]);
        else if (arg === '--duration')
            options.durationS = Number(argv[++i]);
        else if (arg === '--list')
            list = true;
        else
            names.push(arg);
    }
    if (!Number.isInteger(options.runs) || options.runs < 1)
        throw new Error(`--runs must be an integer >= 1, got ${options.runs}`);
    if (!(options.durationS > 0 && options.durationS <= 60)) {
        throw new Error(`--duration must be a number of seconds in (0, 60], got ${options.durationS}`);
    }
    return { names, options, list };
}
async function main() {
    const { names, options, list } = parseArgs(process.argv.slice(2));
    if (list) {
        for (const b of benchmarks)
            process.stdout.write(`${b.name}\t${b.description}\n`);
        return;
    }
    const unknown = names.filter((name) => !benchmarks.some((b) => b.name === name));
    if (unknown.length > 0) {
        throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${benchmarks.map((b) => b.name).join(', ')}`);
    }
    const selected = names.length === 0 ? benchmarks : benchmarks.filter((b) => names.includes(b.name));
    const startedAt = new Date().toISOString();
    const rows = await runBenchmarks(selected, options);
    process.stdout.write(`\n## cachepool benchmarks — ${startedAt}\n\nNode ${process.version}, ${process.platform}/${process.arch}, ` +
        `runs ${options.runs}, HTTP run ${options.durationS} s\n\n${renderTable(rows)}\n`);
}
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
    main().catch((error) => {
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
    });
}
//# sourceMappingURL=index.js.map