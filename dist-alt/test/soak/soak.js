/**
 * Soak run of a whole pool (`npm run soak -- --minutes N`): starts `cachepool start` on loopback
 * with two 256 MB nodes, sends mixed reads, writes and a few invalidations of 10–100 KB data URLs
 * through the gateway at a bounded rate for N minutes (default 10), and resizes the pool by hand
 * every minute (increase and decrease alternately, half-way through each minute). Reports:
 * - request errors (target 0): any answer other than a hit, a legitimate miss or a 200 write;
 * - misses attributable to resizes (target 0): a GET miss, or a wrong value, for a key this run
 *   wrote (the write was acknowledged before the read began) and never invalidated, while the
 *   data written stays well under the pool's capacity so that no eviction can explain it;
 * - failed resizes (target 0);
 * - RSS of the manager and of every node process at start and at end (/proc/<pid>/status);
 * - p99 latency per minute.
 * Exits 1 when a target is missed. Traffic goes to 127.0.0.1 only; every request has a timeout.
 *
 * With `--faults` (`npm run soak -- --faults --minutes N [--seed S]`) it runs instead the history
 * checker's fault scenario (test/helpers/history/fault-scenario.ts) for N minutes: resizes with
 * killed, hung and cut-short members, concurrent resizes, clears and config changes, every read
 * checked against the acknowledged writes; exits 1 on any violation.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { startCachepool, stopAll } from '../helpers/process.js';
import { runFaultScenario, summarizeCheck } from '../helpers/history/index.js';
const MB = 2 ** 20;
function readOptions() {
    const { values } = parseArgs({
        options: {
            minutes: { type: 'string', default: '10' },
            rate: { type: 'string', default: '20' },
            'in-flight': { type: 'string', default: '16' },
            faults: { type: 'boolean', default: false },
            seed: { type: 'string' },
        },
    });
    const number = (name, text, min) => {
        const value = Number(text);
        if (!Number.isFinite(value) || value < min)
            throw new Error(`--${name} must be a number >= ${min}, got ${JSON.stringify(text)}`);
        return value;
    };
    return {
        minutes: number('minutes', values.minutes, 1),
        rate: number('rate', values.rate, 1),
        inFlight: number('in-flight', values['in-flight'], 1),
        capacityMb: 256,
        nodes: 2,
        faults: values.faults ?? false,
        seed: values.seed === undefined
            ? Math.floor(Math.random() * 2 ** 31)
            : number('seed', values.seed, 0),
    };
}
/** `--faults`: the history scenario for `minutes`; 0 when no violation was found, else 1. */
async function soakFaults(options) {
    console.log(`soak --faults: ${options.minutes} min, seed ${options.seed} (replay: npm run soak -- --faults --minutes ${options.minutes} --seed ${options.seed})`);
    const result = await runFaultScenario({
        seed: options.seed,
        steps: 1_000_000,
        durationMs: options.minutes * 60_000,
        log: (line) => console.log(`soak: ${line}`),
    });
    const faults = {};
    for (const step of result.steps)
        faults[step.fault] = (faults[step.fault] ?? 0) + 1;
    console.log(JSON.stringify({
        seed: result.seed,
        duration_ms: result.durationMs,
        steps: result.steps.length,
        faults,
        resizes_succeeded: result.resizesSucceeded,
        resizes_failed: result.resizesFailed,
        operations: result.history.length,
        loss_windows: result.lossWindows.length,
        violations: result.check.byKind,
        unmet: result.unmet,
        errors: result.errorSamples,
    }, null, 2));
    console.log(summarizeCheck(result.check, 5));
    const failed = result.check.violations.length > 0 || result.unmet.length > 0;
    console.log(failed
        ? `soak --faults: FAILED (seed ${result.seed})`
        : `soak --faults: passed: ${result.history.length} operations, ${result.resizesSucceeded + result.resizesFailed} resizes, 0 violations`);
    return failed ? 1 : 0;
}
const digestOf = (text) => createHash('sha1').update(text).digest('hex');
function percentile(sorted, p) {
    if (sorted.length === 0)
        return 0;
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
function rssMbOf(pid) {
    try {
        const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        return match ? Math.round(Number(match[1]) / 1024) : undefined;
    }
    catch {
        return undefined;
    }
}
async function call(pool, method, path, body) {
    const response = await pool.request({
        method,
        path,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
    });
    const text = await response.body.text();
    let json;
    try {
        json = JSON.parse(text);
    }
    catch {
        json = undefined;
    }
    return { status: response.statusCode, json };
}
/** The pid of each node address, from the pool's 'node started' log lines. */
function nodePids(pool) {
    const pids = new Map();
    for (const line of pool.lines) {
        if ((line.msg === 'node started' || line.msg === 'node adopted') &&
            typeof line.address === 'string' &&
            typeof line.node_pid === 'number') {
            pids.set(line.address, line.node_pid);
        }
    }
    return pids;
}
async function processRss(pool, manager) {
    const nodes = (await call(manager, 'GET', '/api/manager/nodes')).json?.content?.nodes;
    const pids = nodePids(pool);
    const out = {
        [`manager pid ${pool.child.pid}`]: rssMbOf(pool.child.pid),
    };
    for (const node of nodes ?? []) {
        const pid = node.pid ?? pids.get(node.address);
        out[`node ${node.address} pid ${pid ?? '?'}`] = pid === undefined ? undefined : rssMbOf(pid);
    }
    return out;
}
async function main() {
    const options = readOptions();
    if (options.faults)
        return soakFaults(options);
    const dataDir = mkdtempSync(join(tmpdir(), 'cachepool-soak-'));
    console.log(`soak: ${options.minutes} min, ${options.rate} ops/s, ${options.nodes} nodes of ${options.capacityMb} MB, data dir ${dataDir}`);
    const pool = await startCachepool([
        'start',
        '--port',
        '0',
        '--gateway-port',
        '0',
        '--nodes',
        String(options.nodes),
        '--capacity',
        String(options.capacityMb),
        '--stats-interval',
        '1',
        '--data-dir',
        dataDir,
    ], { roles: ['manager', 'gateway'], timeoutMs: 60_000 });
    const gateway = new Pool(pool.urls.get('gateway'), {
        connections: options.inFlight,
        headersTimeout: 60_000,
        bodyTimeout: 60_000,
    });
    const manager = new Pool(pool.urls.get('manager'), {
        connections: 4,
        headersTimeout: 180_000,
        bodyTimeout: 180_000,
    });
    const written = new Map();
    const writtenKeys = [];
    const invalidated = new Set();
    // Writes stop once this many bytes were written: the smallest pool (options.nodes) keeps a
    // wide margin for uneven partitions, so no eviction can explain a miss.
    const writeBudgetBytes = options.nodes * options.capacityMb * MB * 0.35;
    let writtenBytes = 0;
    let nextKey = 0;
    let inFlight = 0;
    let skipped = 0;
    const errors = [];
    const misses = [];
    const resizes = [];
    const minutes = Array.from({ length: options.minutes }, () => ({
        latenciesMs: [],
        ops: 0,
        errors: 0,
        misses: 0,
    }));
    const startedAt = performance.now();
    const minuteOf = () => Math.min(options.minutes - 1, Math.floor((performance.now() - startedAt) / 60_000));
    const rssStart = await processRss(pool, manager);
    const operation = async () => {
        const minute = minutes[minuteOf()];
        const roll = Math.random();
        const t0 = performance.now();
        let kind = 'read';
        try {
            if (writtenKeys.length === 0 || (roll < 0.3 && writtenBytes < writeBudgetBytes)) {
                kind = 'write';
                const key = `soak-${process.pid}-${nextKey++}`;
                const size = 10_000 + Math.floor(Math.random() * 90_000);
                const value = `data:image/png;base64,${randomBytes(Math.floor((size * 3) / 4)).toString('base64')}`;
                const answer = await call(gateway, 'POST', '/api/cache/content', { key, value });
                if (answer.status !== 200)
                    throw new Error(`write answered ${answer.status} ${JSON.stringify(answer.json)?.slice(0, 200)}`);
                written.set(key, { length: value.length, digest: digestOf(value) });
                writtenKeys.push(key);
                writtenBytes += value.length + key.length;
            }
            else if (roll < 0.33) {
                kind = 'invalidate';
                const index = Math.floor(Math.random() * writtenKeys.length);
                const key = writtenKeys[index];
                // Forget it before the call: a read that starts from now on does not count it.
                writtenKeys.splice(index, 1);
                written.delete(key);
                invalidated.add(key);
                const answer = await call(gateway, 'DELETE', '/api/cache/key', { key });
                if (answer.status !== 200)
                    throw new Error(`invalidate answered ${answer.status}`);
            }
            else {
                const key = writtenKeys[Math.floor(Math.random() * writtenKeys.length)];
                const expected = written.get(key);
                const answer = await call(gateway, 'POST', '/api/cache/key', { key });
                if (!written.has(key))
                    return; // invalidated while the read ran
                if (answer.status === 400 && answer.json?.error?.message === 'Unknown key') {
                    minute.misses++;
                    misses.push(`${((performance.now() - startedAt) / 1000).toFixed(1)} s ${key}`);
                }
                else if (answer.status !== 200) {
                    throw new Error(`read answered ${answer.status} ${JSON.stringify(answer.json)?.slice(0, 200)}`);
                }
                else if (typeof answer.json?.content !== 'string' ||
                    answer.json.content.length !== expected.length ||
                    digestOf(answer.json.content) !== expected.digest) {
                    minute.misses++;
                    misses.push(`${((performance.now() - startedAt) / 1000).toFixed(1)} s ${key} (wrong value)`);
                }
            }
        }
        catch (error) {
            minute.errors++;
            if (errors.length < 50)
                errors.push(`${((performance.now() - startedAt) / 1000).toFixed(1)} s ${kind}: ${error instanceof Error ? error.message : String(error)}`);
        }
        finally {
            minute.ops++;
            minute.latenciesMs.push(performance.now() - t0);
        }
    };
    const resize = async (change) => {
        const t0 = performance.now();
        const at_s = Math.round((t0 - startedAt) / 1000);
        try {
            const answer = await call(manager, 'POST', '/api/manager/poolsize/manual', { change });
            resizes.push({
                at_s,
                change,
                status: answer.status,
                size: answer.json?.content?.size,
                ms: Math.round(performance.now() - t0),
                ...(answer.status === 200 ? {} : { error: answer.json?.error?.message }),
            });
        }
        catch (error) {
            resizes.push({
                at_s,
                change,
                status: 0,
                ms: Math.round(performance.now() - t0),
                error: String(error),
            });
        }
        console.log(`soak: resize ${change} at ${at_s} s → ${JSON.stringify(resizes.at(-1))}`);
    };
    // Resizes half-way through each minute, alternately up and down.
    const resizeRuns = [];
    const endAt = startedAt + options.minutes * 60_000;
    let nextResizeAt = startedAt + 30_000;
    let resizeCount = 0;
    let reportedMinute = -1;
    const intervalMs = 1000 / options.rate;
    const running = new Set();
    for (let tick = 0;; tick++) {
        const now = performance.now();
        if (now >= endAt)
            break;
        if (now >= nextResizeAt) {
            resizeRuns.push(resize(resizeCount++ % 2 === 0 ? 'increase' : 'decrease'));
            nextResizeAt += 60_000;
        }
        const minute = minuteOf();
        if (minute !== reportedMinute && minute > 0) {
            const m = minutes[minute - 1];
            console.log(`soak: minute ${minute}: ${m.ops} ops, p99 ${percentile([...m.latenciesMs].sort((a, b) => a - b), 99).toFixed(1)} ms, ${m.errors} errors, ${m.misses} misses, ${(writtenBytes / MB).toFixed(0)} MB written`);
        }
        reportedMinute = minute;
        if (inFlight < options.inFlight) {
            inFlight++;
            const run = operation().finally(() => {
                inFlight--;
                running.delete(run);
            });
            running.add(run);
        }
        else {
            skipped++;
        }
        const wait = startedAt + (tick + 1) * intervalMs - performance.now();
        if (wait > 0)
            await sleep(wait);
    }
    await Promise.all(running);
    await Promise.all(resizeRuns);
    const rssEnd = await processRss(pool, manager);
    const sizeEnd = (await call(manager, 'GET', '/api/manager/poolsize')).json?.content?.size;
    await gateway.close();
    await manager.close();
    await stopAll();
    const failedResizes = resizes.filter((r) => r.status !== 200);
    const totalErrors = minutes.reduce((sum, m) => sum + m.errors, 0);
    const perMinute = minutes.map((m, i) => {
        const sorted = [...m.latenciesMs].sort((a, b) => a - b);
        return {
            minute: i + 1,
            ops: m.ops,
            p50_ms: +percentile(sorted, 50).toFixed(1),
            p99_ms: +percentile(sorted, 99).toFixed(1),
            errors: m.errors,
            misses: m.misses,
        };
    });
    const report = {
        minutes: options.minutes,
        rate_ops_s: options.rate,
        operations: minutes.reduce((sum, m) => sum + m.ops, 0),
        skipped_ticks: skipped,
        keys_written: nextKey,
        keys_invalidated: invalidated.size,
        mb_written: +(writtenBytes / MB).toFixed(1),
        request_errors: totalErrors,
        misses_attributable_to_resizes: misses.length,
        resizes,
        pool_size_at_end: sizeEnd,
        rss_mb_start: rssStart,
        rss_mb_end: rssEnd,
        per_minute: perMinute,
        first_errors: errors.slice(0, 10),
        first_misses: misses.slice(0, 10),
    };
    console.log(JSON.stringify(report, null, 2));
    console.table(perMinute);
    const failures = [
        totalErrors > 0 ? `${totalErrors} request errors (target 0)` : '',
        misses.length > 0 ? `${misses.length} misses of written keys (target 0)` : '',
        failedResizes.length > 0 ? `${failedResizes.length} failed resizes (target 0)` : '',
        resizes.length === 0 ? 'no resize ran' : '',
    ].filter((f) => f !== '');
    if (failures.length > 0) {
        console.log(`soak: FAILED: ${failures.join('; ')}`);
        return 1;
    }
    console.log('soak: passed: 0 request errors, 0 misses of written keys, every resize succeeded');
    return 0;
}
main().then((code) => process.exit(code), async (error) => {
    console.error('soak: could not run:', error);
    await stopAll().catch(() => { });
    process.exit(2);
});
//# sourceMappingURL=soak.js.map