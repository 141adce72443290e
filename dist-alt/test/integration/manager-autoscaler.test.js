/**
 * The auto-scaler end to end: `cachepool start --scale-interval 2 --stats-interval 1`, automatic
 * mode with a low `min_requests`; a workload of misses through the gateway makes the pool grow,
 * then a workload of hits makes it shrink. The decisions are in `GET /api/manager/autoscaler`.
 * Each phase runs its workload until the size changes, bounded by a deadline.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { pollUntil, postForm, postJson, send } from '../helpers/http.js';
import { startPool } from '../helpers/pool.js';
import { stopAll } from '../helpers/process.js';
after(stopAll);
async function size(manager) {
    return (await send(`${manager}/api/manager/poolsize`)).json.content.size;
}
/** The pool size once no resize runs. */
async function settledSize(manager) {
    return pollUntil(async () => {
        const migration = (await send(`${manager}/api/manager/migration`)).json.content.migration;
        return migration?.running ? undefined : size(manager);
    }, 30_000);
}
/** The newest logged decision of `action`, waiting up to 10 s for it; undefined if none comes. */
async function decision(manager, action) {
    return pollUntil(async () => {
        const decisions = (await send(`${manager}/api/manager/autoscaler`)).json.content
            .decisions;
        return decisions.find((d) => d.action === action);
    }, 10_000).catch(() => undefined);
}
/** Runs `request` in a loop (4 at a time) until `done()` or the deadline; true when done. */
async function drive(request, done, deadlineMs) {
    const deadline = Date.now() + deadlineMs;
    let stop = false;
    let i = 0;
    const workers = Array.from({ length: 4 }, async () => {
        while (!stop && Date.now() < deadline)
            await request(i++).catch(() => { });
    });
    let reached = false;
    while (Date.now() < deadline) {
        if (await done()) {
            reached = true;
            break;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
    stop = true;
    await Promise.all(workers);
    return reached;
}
describe('the auto-scaler with real traffic', () => {
    it('grows the pool under misses and shrinks it under hits', async () => {
        const { process: pool, manager, gateway, } = await startPool(['--nodes', '1', '--max', '3', '--scale-interval', '2']);
        const automatic = await postJson(`${manager}/api/manager/poolsize/automatic`, {
            max_miss_rate_threshold: 0.5,
            min_miss_rate_threshold: 0.1,
            expand_ratio: 2,
            shrink_ratio: 0.5,
            min_requests: 5,
        });
        assert.equal(automatic.status, 200, automatic.text);
        // Misses: keys never written.
        const grew = await drive((i) => postForm(`${gateway}/api/cache/key`, { key: `absent-${i}` }), async () => (await size(manager)) >= 2, 40_000);
        assert.ok(grew, 'the pool did not grow under a miss rate of 100%');
        const grown = await settledSize(manager);
        assert.ok(grown >= 2, `the pool is back at ${grown} nodes: ${JSON.stringify(pool.lines.filter((l) => l.level >= 40))}`);
        // The decision is logged once its resize has returned, a moment after the size changed.
        const grow = await decision(manager, 'grow');
        assert.ok(grow, 'no grow decision in the log');
        assert.ok(grow.miss_rate > 0.5);
        // Hits: a few keys written once, then read over and over.
        const hot = Array.from({ length: 20 }, (_, i) => `hot-${i}`);
        for (const key of hot)
            assert.equal((await postForm(`${gateway}/api/cache/content`, { key, value: 'hot' })).status, 200);
        const shrank = await drive((i) => postForm(`${gateway}/api/cache/key`, { key: hot[i % hot.length] }), async () => (await settledSize(manager)) < grown, 45_000);
        assert.ok(shrank, 'the pool did not shrink under a miss rate near 0%');
        const shrink = await decision(manager, 'shrink');
        const decisions = (await send(`${manager}/api/manager/autoscaler`)).json.content.decisions;
        assert.ok(shrink, `no shrink decision: ${JSON.stringify(decisions.slice(0, 5))}`);
        assert.ok(shrink.miss_rate < 0.1);
        // The hot keys moved with their partitions.
        for (const key of hot)
            assert.equal((await postForm(`${gateway}/api/cache/key`, { key })).json?.content, 'hot');
        assert.equal(await pool.stop(), 0);
    });
});
//# sourceMappingURL=manager-autoscaler.test.js.map