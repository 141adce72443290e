/**
 * The pool end to end: `cachepool start` with real node processes, keys loaded through the
 * gateway, resizes 1→8→1 one step at a time while a reader and a writer run, and after every
 * step each key served with its latest value from the owner the table names.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { partitionOf } from '../../src/partition/index.js';
import { call, callForm as form } from '../helpers/http.js';
import { inParallel } from '../helpers/parallel.js';
import { startPool } from '../helpers/pool.js';
import { stopAll } from '../helpers/process.js';
async function size(pool) {
    return (await call('GET', `${pool.manager}/api/manager/poolsize`)).json.content.size;
}
async function table(pool) {
    return (await call('GET', `${pool.manager}/api/manager/partitions`)).json.content;
}
async function resize(pool, change) {
    return call('POST', `${pool.manager}/api/manager/poolsize/manual`, { change });
}
/**
 * Checks that every key of `expected` is served by the gateway with its value (or misses when
 * null), and that each node holds exactly the keys the table gives it.
 */
async function verify(pool, expected) {
    const { partitions } = await table(pool);
    const nodes = (await call('GET', `${pool.manager}/api/manager/pool_node_list`)).json.content.node_ip_list;
    assert.deepEqual([...new Set(partitions)].sort(), [...nodes].sort().slice(0, Math.min(16, nodes.length)), 'every member owns partitions');
    const wrong = [];
    await inParallel([...expected], 16, async ([key, value]) => {
        const answer = await form('POST', `${pool.gateway}/api/cache/key`, { key });
        const got = answer.status === 200 ? answer.json.content : null;
        if (got !== value)
            wrong.push(`${key}: got ${got}, want ${value}`);
    });
    assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} keys served wrong`);
    const seen = new Map();
    for (const node of nodes) {
        const answer = await request(`http://${node}/keys`, { signal: AbortSignal.timeout(15_000) });
        const keys = JSON.parse(await answer.body.text());
        for (const key of keys) {
            assert.equal(seen.get(key), undefined, `${key} is on ${node} and on ${seen.get(key)}`);
            seen.set(key, node);
            assert.equal(partitions[partitionOf(key)], node, `${key} sits on ${node}, the table names ${partitions[partitionOf(key)]}`);
        }
    }
    const present = [...expected].filter(([, value]) => value !== null).map(([key]) => key);
    assert.equal(seen.size, present.length, 'the nodes hold exactly the live keys');
}
describe('pool resizes through the gateway', { timeout: 180_000 }, () => {
    let pool;
    const stable = new Map();
    const churn = new Map();
    before(async () => {
        pool = await startPool(['--nodes', '1', '--move-chunk-keys', '300']);
        const keys = Array.from({ length: 2_000 }, (_, i) => `image_${String(i).padStart(4, '0')}`);
        await inParallel(keys, 16, async (key) => {
            const answer = await form('POST', `${pool.gateway}/api/cache/content`, {
                key,
                value: `data:image/png;base64,${key}`,
            });
            assert.equal(answer.status, 200);
            (key < 'image_1800' ? stable : churn).set(key, `data:image/png;base64,${key}`);
        });
    });
    after(async () => {
        await stopAll();
    });
    it('grows 1→8 and shrinks 8→1 one step at a time without a miss, a lost write or a resurrected key', async () => {
        const stableKeys = [...stable.keys()];
        const churnKeys = [...churn.keys()];
        let misses = 0;
        let reads = 0;
        let writes = 0;
        let running = false;
        const reader = async () => {
            while (running) {
                const key = stableKeys[reads % stableKeys.length];
                const answer = await form('POST', `${pool.gateway}/api/cache/key`, { key });
                if (answer.status !== 200 || answer.json.content !== stable.get(key))
                    misses++;
                reads++;
            }
        };
        // One writer: each write or invalidation is recorded once acknowledged, in order.
        const writer = async () => {
            while (running) {
                const key = churnKeys[(writes * 7) % churnKeys.length];
                if (writes % 3 === 2) {
                    const answer = await form('DELETE', `${pool.gateway}/api/cache/key`, { key });
                    assert.equal(answer.status, 200);
                    churn.set(key, null);
                }
                else {
                    const value = `v${writes}-${key}`;
                    const answer = await form('POST', `${pool.gateway}/api/cache/content`, { key, value });
                    assert.equal(answer.status, 200);
                    churn.set(key, value);
                }
                writes++;
            }
        };
        let version = (await table(pool)).version;
        const steps = [
            ...Array(7).fill('increase'),
            ...Array(7).fill('decrease'),
        ];
        for (const change of steps) {
            const before = await size(pool);
            running = true;
            const loops = Promise.all([reader(), reader(), writer()]);
            const answer = await resize(pool, change);
            running = false;
            await loops;
            assert.equal(answer.status, 200, JSON.stringify(answer.json));
            assert.equal(await size(pool), before + (change === 'increase' ? 1 : -1));
            const now = await table(pool);
            assert.ok(now.version > version, 'the table version grows');
            assert.equal(now.moving, undefined, 'nothing moves once the resize answered');
            version = now.version;
            const { migration } = (await call('GET', `${pool.manager}/api/manager/migration`)).json
                .content;
            assert.equal(migration.running, false);
            assert.equal(migration.error, null);
            assert.ok(migration.keys_done > 0, 'keys moved');
            await verify(pool, new Map([...stable, ...churn]));
        }
        assert.ok(reads > 0 && writes > 0);
        assert.equal(misses, 0, `${misses} of ${reads} reads of stable keys missed or saw another value`);
        assert.equal(await size(pool), 1);
    });
});
//# sourceMappingURL=pool-resize.test.js.map