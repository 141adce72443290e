/**
 * Per-key deadlines at the node layer, on an injected ManualClock: reads, /keys, the statistics,
 * the sweep on the publisher's tick and imports that carry a deadline.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../../src/clock.js';
import { BATCH_V2_CONTENT_TYPE, buildNodeApp, encodeBatchChunks } from '../../../src/node/index.js';
import { textEntry } from '../../../src/node/entry.js';
const T0 = 1_700_000_000_000;
const json = (body) => ({
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(body),
});
test('a key put with a deadline is served until it, then misses, leaves /keys and counts as expired', async () => {
    const clock = new ManualClock(T0);
    const { app, node } = await buildNodeApp({ clock });
    try {
        node.putText('short', 'lives 10 ms', T0 + 10);
        node.put('long', textEntry('lives on'));
        node.putText('other', 'lives 20 ms', T0 + 20);
        const get = (key) => app.inject({ method: 'POST', url: '/api/cache/key', ...json({ key }) });
        assert.equal((await get('short')).json().content, 'lives 10 ms');
        clock.advance(10);
        const miss = await get('short');
        assert.equal(miss.json().error.message, 'Unknown key');
        assert.equal((await app.inject({ method: 'GET', url: '/v1/keys/short' })).statusCode, 404);
        assert.deepEqual((await app.inject({ method: 'GET', url: '/keys' })).json(), ['long', 'other']);
        clock.advance(10);
        assert.deepEqual((await app.inject({ method: 'GET', url: '/keys' })).json(), ['long']);
        assert.equal(node.snapshot('127.0.0.1:1').expiredTotal, 1);
        const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
        assert.match(metrics, /cachepool_node_expired_total\{cache_index="0"\} 1\n/);
        const page = (await app.inject({ method: 'POST', url: '/api/cache/statistics' })).body;
        assert.match(page, /expired entries removed<\/td><td>1</);
        assert.equal(node.store.stats().evictionsTotal, 0);
    }
    finally {
        await app.close();
    }
});
test("the publisher's tick sweeps expired entries that nobody reads", async () => {
    const clock = new ManualClock(T0);
    const { app, node, publisher } = await buildNodeApp({ clock });
    try {
        for (let i = 0; i < 50; i++)
            node.putText(`k${i}`, 'v', i < 30 ? T0 + 1_000 : 0);
        clock.advance(1_000);
        assert.equal(node.store.size, 50, 'nothing read them yet');
        await publisher.tick();
        assert.equal(node.store.size, 20);
        assert.equal(node.store.stats().expiredTotal, 30);
        assert.equal(node.legacyStatistics().num_item_in_cache, 20);
    }
    finally {
        await app.close();
    }
});
test('an import keeps the deadline each record carries and skips a record already expired', async () => {
    const clock = new ManualClock(T0);
    const { app, node } = await buildNodeApp({ clock });
    try {
        const { chunks } = encodeBatchChunks([
            { key: 'later', type: 'text/plain', value: Buffer.from('a'), expiresAtMs: T0 + 500 },
            { key: 'gone', type: 'text/plain', value: Buffer.from('b'), expiresAtMs: T0 },
            { key: 'never', type: 'text/plain', value: Buffer.from('c') },
        ]);
        const res = await app.inject({
            method: 'POST',
            url: '/internal/import',
            headers: { 'content-type': BATCH_V2_CONTENT_TYPE },
            payload: Buffer.concat(chunks),
        });
        assert.deepEqual(res.json().content, { accepted: 2, skipped: ['gone'], rejected: [] });
        assert.equal(node.store.expiresAt('later'), T0 + 500);
        assert.equal(node.store.expiresAt('never'), 0);
        assert.equal(node.store.expiresAt('gone'), undefined);
        clock.advance(500);
        assert.equal(node.get('later'), undefined);
    }
    finally {
        await app.close();
    }
});
//# sourceMappingURL=node-expiry.test.js.map