/**
 * A local node killed with SIGKILL: the local provisioner restarts it on the same address and
 * index, the manager reports it (down, then up) and accounts for its empty cache honestly — its
 * items drop to 0 at once, no stale figures from before the crash — while the other node keeps
 * its keys and figures. Also: the manager's own /healthz, and a cache/config refused by the nodes
 * changes nothing.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { pollUntil, postForm, postJson, send } from '../helpers/http.js';
import { startPool } from '../helpers/pool.js';
import { stopAll } from '../helpers/process.js';
async function nodes(manager) {
    const answer = await send(`${manager}/api/manager/nodes`);
    assert.equal(answer.status, 200, answer.text);
    return answer.json.content.nodes;
}
const TOKEN = 'a-long-pool-token-for-the-health-test';
const auth = { authorization: `Bearer ${TOKEN}` };
describe('a local node that dies', () => {
    let pool;
    let manager;
    let gateway;
    before(async () => {
        ({
            process: pool,
            manager,
            gateway,
        } = await startPool(['--nodes', '2'], {
            env: { CACHEPOOL_TOKEN: TOKEN },
        }));
    });
    after(stopAll);
    it('answers its own health check', async () => {
        const answer = await send(`${manager}/healthz`);
        assert.equal(answer.status, 200);
        assert.equal(answer.json.content.role, 'manager');
        assert.equal(answer.json.content.size, 2);
    });
    it('is restarted on its address, reported, and counted empty', async () => {
        const keys = Array.from({ length: 100 }, (_, i) => `health-${i}`);
        for (const key of keys)
            assert.equal((await postForm(`${gateway}/api/cache/content`, { key, value: 'x'.repeat(100) })).status, 200);
        const before = await pollUntil(async () => {
            const rows = await nodes(manager);
            return rows.every((row) => row.items > 0) &&
                rows.reduce((n, row) => n + row.items, 0) === keys.length
                ? rows
                : undefined;
        }, 15_000);
        const victim = before[1];
        const survivor = before[0];
        const started = pool.lines.find((l) => l.msg === 'node started' && l.address === victim.address);
        // The token reached the node through its environment, not its command line.
        assert.doesNotMatch(readFileSync(`/proc/${String(started.node_pid)}/cmdline`, 'utf8'), new RegExp(TOKEN));
        process.kill(started.node_pid, 'SIGKILL');
        await pool.waitForLine((l) => l.msg === 'node exited unexpectedly' && l.address === victim.address);
        // Back on the same address and index, up, empty.
        const after = await pollUntil(async () => {
            const rows = await nodes(manager);
            const row = rows.find((r) => r.address === victim.address);
            return row?.status === 'up' &&
                pool.lines.some((l) => l.msg === 'node started' &&
                    l.address === victim.address &&
                    l.node_pid !== started.node_pid)
                ? rows
                : undefined;
        }, 20_000);
        const restarted = after.find((r) => r.address === victim.address);
        assert.equal(restarted.cache_index, victim.cache_index);
        assert.equal(restarted.items, 0);
        assert.equal(after.find((r) => r.address === survivor.address).items, survivor.items);
        const list = (await send(`${manager}/api/manager/pool_node_list`)).json.content;
        assert.deepEqual(list.node_ip_list, before.map((r) => r.address));
        assert.deepEqual(list.node_status_list, ['up', 'up']);
        // The restarted node's own statistics agree: it holds nothing.
        const stats = JSON.parse((await send(`http://${victim.address}/api/cache/statistics`)).json.content);
        assert.equal(stats.num_item_in_cache, 0);
        // Its keys are gone (a miss), the survivor's are served, and new writes land on it again.
        const served = await Promise.all(keys.map(async (key) => (await postForm(`${gateway}/api/cache/key`, { key })).status));
        assert.equal(served.filter((s) => s === 200).length, survivor.items);
        for (const key of keys)
            assert.equal((await postForm(`${gateway}/api/cache/content`, { key, value: 'y' })).status, 200);
        const full = await pollUntil(async () => {
            const rows = await nodes(manager);
            return rows.reduce((n, row) => n + row.items, 0) === keys.length ? rows : undefined;
        }, 15_000);
        assert.ok(full.find((r) => r.address === victim.address).items > 0);
    });
    it('refuses a bad cache config with a 400 naming the field, keeps the previous one, and applies a good one to every node', async () => {
        const anonymous = await postJson(`${manager}/api/manager/cache/config`, { capacity: 32 });
        assert.equal(anonymous.status, 401);
        const bad = await postJson(`${manager}/api/manager/cache/config`, { capacity: 'lots' }, { headers: auth });
        assert.equal(bad.status, 400);
        assert.match(bad.json.error.message, /capacity/);
        const policy = await postJson(`${manager}/api/manager/cache/config`, { replacement_policy: 'fifo-ish' }, { headers: auth });
        assert.equal(policy.status, 400);
        const config = (await send(`${manager}/api/manager/cache/config`)).json.content;
        assert.deepEqual({ capacity: config.capacity, replacement_policy: config.replacement_policy }, { capacity: 64, replacement_policy: 'lru' });
        const good = await postJson(`${manager}/api/manager/cache/config`, { capacity: 32, replacement_policy: 'rr' }, { headers: auth });
        assert.equal(good.status, 200, good.text);
        for (const row of await nodes(manager)) {
            const page = await send(`http://${row.address}/api/cache/statistics`, { method: 'POST' });
            assert.match(page.text, /\brr\b/);
        }
    });
});
//# sourceMappingURL=manager-health.test.js.map