import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { request } from 'undici';
import { registerLoadCommand } from '../../src/cli/load.js';
import { checkLoadOptions, LatencyHistogram, runLoad, } from '../../src/load/index.js';
import { startCachepool, stopAll } from '../helpers/process.js';
let pool;
let gateway;
const dataDir = mkdtempSync(join(tmpdir(), 'cachepool-load-'));
before(async () => {
    pool = await startCachepool(['start', '--port', '0', '--gateway-port', '0', '--stats-interval', '1', '--data-dir', dataDir], {
        roles: ['manager', 'gateway'],
    });
    gateway = pool.urls.get('gateway');
});
after(async () => {
    await stopAll();
    rmSync(dataDir, { recursive: true, force: true });
});
async function managerNodes() {
    const answer = await request(`${pool.urls.get('manager')}/api/manager/nodes`, {
        headersTimeout: 5000,
        bodyTimeout: 5000,
    });
    return (await answer.body.json()).content.nodes;
}
/** What a node has served (its monotonic counter, read from its own /metrics). */
async function requestsServed(address) {
    const answer = await request(`http://${address}/metrics`, {
        headersTimeout: 5000,
        bodyTimeout: 5000,
    });
    const match = /^cachepool_node_requests_total\{[^}]*\} (\d+)$/m.exec(await answer.body.text());
    assert.ok(match, 'the node exposes cachepool_node_requests_total');
    return Number(match[1]);
}
/**
 * Waits until `count` snapshot intervals without a GET request have reached the manager. Each
 * round invalidates a key (a request, not a GET) and waits until the manager's node list counts
 * every request the nodes served, so a snapshot taken after it arrived; the interval that
 * snapshot closes began after the previous round's, when every GET was done. One round more
 * than `count`: the first round's interval may still hold the last GETs.
 */
async function awaitIdleSnapshots(count) {
    for (let round = 0; round <= count; round++) {
        await request(`${gateway}/api/cache/key`, {
            method: 'DELETE',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: `key=idle-${round}`,
            headersTimeout: 5000,
            bodyTimeout: 5000,
        }).then((answer) => answer.body.dump());
        const rows = await managerNodes();
        let served = 0;
        for (const row of rows)
            served += await requestsServed(row.address);
        const deadline = Date.now() + 15_000;
        for (;;) {
            const reported = (await managerNodes()).reduce((sum, row) => sum + row.requests_total, 0);
            if (reported >= served)
                break;
            assert.ok(Date.now() < deadline, `the manager reports ${reported} of ${served} requests`);
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
    }
}
test('a load run puts and reads through the gateway, turning misses into puts, without errors', async () => {
    const progress = [];
    const summary = await runLoad({ gateway, rate: 150, keys: 40, readRatio: 0.8, durationS: 1.6, valueBytes: 200 }, { onProgress: (f) => progress.push(f) });
    assert.equal(summary.errors, 0, summary.firstError ?? '');
    assert.ok(summary.operations > 0 && summary.operations <= 240, `operations ${summary.operations}`);
    assert.ok(summary.hits + summary.misses > 0);
    assert.ok(summary.misses > 0, 'the first reads of an empty pool miss');
    assert.ok(summary.puts >= summary.misses, 'every miss is followed by a put');
    assert.equal(summary.sent, summary.operations + summary.misses);
    assert.ok(summary.p50Ms !== null && summary.p99Ms !== null && summary.p99Ms >= summary.p50Ms);
    assert.ok(progress.length >= 1, 'one progress report per second');
    // A key a run wrote is really in the pool, as a data URL: a run of puts only, on one key.
    const puts = await runLoad({
        gateway,
        rate: 20,
        keys: 1,
        readRatio: 0,
        durationS: 0.2,
        valueBytes: 200,
    });
    assert.ok(puts.puts > 0 && puts.errors === 0, JSON.stringify(puts));
    const reply = await request(`${gateway}/api/cache/key`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'key=load-0',
        headersTimeout: 5000,
        bodyTimeout: 5000,
    });
    const body = (await reply.body.json());
    assert.equal(body.success, 'true', JSON.stringify(body));
    assert.match(String(body.content), /^data:image\/png;base64,/);
    // The node list's hit rate is the last minute's, not the last 5-second (here 1 s) interval's:
    // once two intervals without a GET have reached the manager, it still shows the run's hits.
    assert.ok(summary.hits > 0, 'the run had hits');
    await awaitIdleSnapshots(2);
    const [node] = await managerNodes();
    assert.ok(node !== undefined && node.hit_rate !== null && node.miss_rate !== null, JSON.stringify(node));
    assert.ok(node.hit_rate > 0 && node.hit_rate < 1, `hit rate ${node.hit_rate}`);
    assert.ok(Math.abs(node.hit_rate + node.miss_rate - 1) < 1e-9);
});
test('the generator refuses a non-loopback gateway unless allowed, and bad figures', () => {
    assert.throws(() => checkLoadOptions({
        gateway: 'http://192.0.2.10:5000',
        rate: 1,
        keys: 1,
        readRatio: 1,
        durationS: 1,
    }), /loopback/);
    const allowed = checkLoadOptions({
        gateway: 'http://192.0.2.10:5000',
        rate: 1,
        keys: 1,
        readRatio: 1,
        durationS: 1,
        allowRemote: true,
    });
    assert.equal(allowed.maxOperations, 1);
    assert.throws(() => checkLoadOptions({ gateway, rate: 0, keys: 1, readRatio: 1, durationS: 1 }), /--rate/);
    assert.throws(() => checkLoadOptions({ gateway, rate: 1, keys: 1, readRatio: 1.5, durationS: 1 }), /--read-ratio/);
    assert.throws(() => checkLoadOptions({ gateway, rate: 1, keys: 1, readRatio: 1, durationS: 99_999 }), /--duration/);
    assert.throws(() => checkLoadOptions({
        gateway: 'ftp://127.0.0.1',
        rate: 1,
        keys: 1,
        readRatio: 1,
        durationS: 1,
    }), /--gateway/);
});
test('the latency histogram answers percentiles within its 5 % buckets', () => {
    const h = new LatencyHistogram();
    assert.equal(h.percentile(0.5), null);
    for (let i = 1; i <= 100; i++)
        h.record(i);
    const p50 = h.percentile(0.5);
    const p99 = h.percentile(0.99);
    assert.ok(p50 >= 50 && p50 <= 50 * 1.05, `p50 ${p50}`);
    assert.ok(p99 >= 99 && p99 <= 99 * 1.05, `p99 ${p99}`);
});
test('the load command prints progress lines and a summary', async () => {
    const lines = [];
    const original = console.log;
    console.log = (...args) => void lines.push(args.join(' '));
    try {
        const program = new Command().exitOverride();
        registerLoadCommand(program);
        await program.parseAsync([
            'load',
            '--gateway',
            gateway,
            '--rate',
            '50',
            '--keys',
            '10',
            '--read-ratio',
            '0.5',
            '--duration',
            '1.2',
        ], {
            from: 'user',
        });
    }
    finally {
        console.log = original;
    }
    const text = lines.join('\n');
    assert.match(text, /ops=\d+ requests=\d+ hits=\d+ misses=\d+ puts=\d+ errors=0 p50=/);
    assert.match(text, /done in [\d.]+s: ops=\d+ \([\d.]+\/s\) requests=\d+/);
    // The last progress line and the summary count the same operations and requests.
    const last = [...text.matchAll(/ops=(\d+) requests=(\d+)/g)].at(-1);
    const summary = /done in [\d.]+s: ops=(\d+) \([\d.]+\/s\) requests=(\d+)/.exec(text);
    assert.ok(last && summary);
    assert.ok(Number(last[1]) <= Number(summary[1]) && Number(last[2]) <= Number(summary[2]));
    assert.match(text, /hit ratio/);
});
//# sourceMappingURL=metrics-load.test.js.map