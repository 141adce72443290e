/**
 * The node's /v1 writes beyond a plain PUT, through app.inject(): ETags and conditional PUTs,
 * TTLs on an injected clock (legacy field, ?ttl=, Cache-Control) and the batch routes, whose
 * answers must equal those of the single-key routes (a model of single calls).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ManualClock } from '../../../src/clock.js';
import { defaults } from '../../../src/defaults.js';
import { BATCH_CONTENT_TYPE } from '../../../src/http/index.js';
import { buildNodeApp, decodeBatch, encodeBatch } from '../../../src/node/index.js';
import { MAX_TTL_S } from '../../../src/node/ttl.js';
async function nodeApp(clock = new ManualClock(1_000_000)) {
    const built = await buildNodeApp({ clock });
    return { ...built, clock };
}
const put = (app, key, value, headers = {}, query = '') => app.inject({
    method: 'PUT',
    url: `/v1/keys/${encodeURIComponent(key)}${query}`,
    headers: { 'content-type': 'text/plain', ...headers },
    payload: value,
});
const get = (app, key) => app.inject({ method: 'GET', url: `/v1/keys/${encodeURIComponent(key)}` });
test('GET and HEAD answer the same ETag, which changes with the value and not with a rewrite of the same bytes', async () => {
    const { app } = await nodeApp();
    await put(app, 'k', 'one');
    const first = await get(app, 'k');
    const head = await app.inject({ method: 'HEAD', url: '/v1/keys/k' });
    assert.match(String(first.headers.etag), /^"[A-Za-z0-9_-]{22}"$/);
    assert.equal(head.headers.etag, first.headers.etag);
    await put(app, 'k', 'two');
    assert.notEqual((await get(app, 'k')).headers.etag, first.headers.etag);
    await put(app, 'k', 'one');
    assert.equal((await get(app, 'k')).headers.etag, first.headers.etag);
    await app.close();
});
test('If-None-Match: * adds only an absent key; If-Match writes only over the tagged value; a failed one is 412 and stores nothing', async () => {
    const { app } = await nodeApp();
    assert.equal((await put(app, 'k', 'a', { 'if-none-match': '*' })).statusCode, 201);
    const refused = await put(app, 'k', 'b', { 'if-none-match': '*' });
    assert.equal(refused.statusCode, 412);
    assert.equal(refused.json().error.code, 'CP_ERR_PRECONDITION_FAILED');
    assert.equal((await get(app, 'k')).body, 'a');
    const tag = String((await get(app, 'k')).headers.etag);
    assert.equal((await put(app, 'k', 'c', { 'if-match': '"nope"' })).statusCode, 412);
    assert.equal((await put(app, 'k', 'c', { 'if-match': `W/${tag}` })).statusCode, 412);
    assert.equal((await get(app, 'k')).body, 'a');
    assert.equal((await put(app, 'k', 'c', { 'if-match': `"x", ${tag}` })).statusCode, 204);
    assert.equal((await get(app, 'k')).body, 'c');
    // The tag of 'a' no longer holds: a second compare-and-set with it fails.
    assert.equal((await put(app, 'k', 'd', { 'if-match': tag })).statusCode, 412);
    assert.equal((await put(app, 'absent', 'd', { 'if-match': '*' })).statusCode, 412);
    assert.equal((await get(app, 'absent')).statusCode, 404);
    assert.equal((await put(app, 'k', 'e', { 'if-match': '*' })).statusCode, 204);
    const bad = await put(app, 'k', 'f', { 'if-none-match': tag });
    assert.equal(bad.statusCode, 400);
    assert.equal((await get(app, 'k')).body, 'e');
    await app.close();
});
test('a TTL from ?ttl=, Cache-Control or the legacy ttl field expires on the node clock, and the key leaves /keys', async () => {
    const { app, clock } = await nodeApp();
    assert.equal((await put(app, 'q', 'v', {}, '?ttl=10')).statusCode, 201);
    assert.equal((await put(app, 'c', 'v', { 'cache-control': 'public, max-age=20' })).statusCode, 201);
    const legacy = await app.inject({
        method: 'POST',
        url: '/api/cache/content',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ key: 'l', value: 'v', ttl: 30 }),
    });
    assert.equal(legacy.statusCode, 200, legacy.body);
    await put(app, 'forever', 'v');
    const keys = async () => JSON.parse((await app.inject({ method: 'GET', url: '/keys' })).body).sort();
    assert.deepEqual(await keys(), ['c', 'forever', 'l', 'q']);
    clock.advance(9_999);
    assert.equal((await get(app, 'q')).statusCode, 200);
    clock.advance(1);
    assert.equal((await get(app, 'q')).statusCode, 404);
    assert.equal((await app.inject({ method: 'HEAD', url: '/v1/keys/q' })).statusCode, 404);
    assert.deepEqual(await keys(), ['c', 'forever', 'l']);
    clock.advance(10_000);
    assert.equal((await get(app, 'c')).statusCode, 404);
    clock.advance(10_000);
    const legacyGet = await app.inject({
        method: 'POST',
        url: '/api/cache/key',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ key: 'l' }),
    });
    assert.equal(legacyGet.json().error.message, 'Unknown key');
    clock.advance(MAX_TTL_S * 1000);
    assert.equal((await get(app, 'forever')).statusCode, 200);
    await app.close();
});
test('a bad TTL is a 400 naming the rule, and the write changes nothing', async () => {
    const { app } = await nodeApp();
    await put(app, 'k', 'old');
    const cases = [
        [{}, '?ttl=-1'],
        [{}, '?ttl=0'],
        [{}, '?ttl=abc'],
        [{}, '?ttl=1.5'],
        [{}, `?ttl=${MAX_TTL_S + 1}`],
        [{}, '?ttl=1&ttl=2'],
        [{ 'cache-control': 'max-age=-5' }, ''],
        [{ 'cache-control': 'max-age=soon' }, ''],
    ];
    for (const [headers, query] of cases) {
        const answer = await put(app, 'k', 'new', headers, query);
        assert.equal(answer.statusCode, 400, `${query} ${JSON.stringify(headers)}`);
        assert.equal(answer.json().error.code, 'CP_ERR_REQUEST_INVALID');
    }
    for (const ttl of [-1, 0, 'x', 1e12]) {
        const answer = await app.inject({
            method: 'POST',
            url: '/api/cache/content',
            headers: { 'content-type': 'application/json' },
            payload: JSON.stringify({ key: 'k', value: 'new', ttl }),
        });
        assert.equal(answer.statusCode, 400);
        assert.match(answer.json().error.message, /ttl must be an integer from 1 to 31536000/);
    }
    assert.equal((await get(app, 'k')).body, 'old');
    await app.close();
});
const batchGet = (app, keys) => app.inject({
    method: 'POST',
    url: '/v1/batch/get',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ keys }),
});
const batchPut = (app, records, query = '') => app.inject({
    method: 'POST',
    url: `/v1/batch/put${query}`,
    headers: { 'content-type': BATCH_CONTENT_TYPE },
    payload: encodeBatch(records),
});
test('batches give the answers of the single-key routes (model: a second node fed single calls)', async () => {
    const keyArb = fc.constantFrom('a', 'b', 'c', 'd/e', '🙂', 'f g');
    const valueArb = fc.uint8Array({ minLength: 1, maxLength: 40 }).map((v) => Buffer.from(v));
    const step = fc.oneof(fc.record({
        kind: fc.constant('put'),
        entries: fc.array(fc.tuple(keyArb, valueArb), { maxLength: 5 }),
    }), fc.record({ kind: fc.constant('get'), keys: fc.array(keyArb, { maxLength: 6 }) }), fc.record({ kind: fc.constant('delete'), key: keyArb }));
    await fc.assert(fc.asyncProperty(fc.array(step, { maxLength: 12 }), async (steps) => {
        const batched = await nodeApp();
        const single = await nodeApp();
        try {
            for (const s of steps) {
                if (s.kind === 'put') {
                    const answer = await batchPut(batched.app, s.entries.map(([key, value]) => ({ key, type: 'application/x-test', value })));
                    assert.equal(answer.statusCode, 200, answer.body);
                    assert.deepEqual(answer.json(), { stored: s.entries.length });
                    for (const [key, value] of s.entries)
                        await single.app.inject({
                            method: 'PUT',
                            url: `/v1/keys/${encodeURIComponent(key)}`,
                            headers: { 'content-type': 'application/x-test' },
                            payload: value,
                        });
                }
                else if (s.kind === 'get') {
                    const answer = await batchGet(batched.app, s.keys);
                    assert.equal(answer.statusCode, 200);
                    assert.equal(answer.headers['content-type'], BATCH_CONTENT_TYPE);
                    const records = decodeBatch(answer.rawPayload);
                    assert.deepEqual(records.map((r) => r.key), s.keys);
                    for (const [i, key] of s.keys.entries()) {
                        const one = await get(single.app, key);
                        const record = records[i];
                        if (one.statusCode === 404)
                            assert.equal(record.value.length, 0, key);
                        else {
                            assert.deepEqual(record.value, one.rawPayload, key);
                            assert.equal(record.type, one.headers['content-type']);
                        }
                    }
                }
                else {
                    for (const app of [batched.app, single.app])
                        await app.inject({ method: 'DELETE', url: `/v1/keys/${encodeURIComponent(s.key)}` });
                }
            }
            assert.deepEqual([...batched.node.store.keys()].sort(), [...single.node.store.keys()].sort());
        }
        finally {
            await batched.app.close();
            await single.app.close();
        }
    }), { numRuns: 40 });
});
test('a batch put keeps its TTL on the node clock', async () => {
    const { app, clock } = await nodeApp();
    const answer = await batchPut(app, [{ key: 'x', type: 't', value: Buffer.from('1') }], '?ttl=5');
    assert.equal(answer.statusCode, 200);
    clock.advance(5_000);
    assert.equal(decodeBatch((await batchGet(app, ['x'])).rawPayload)[0].value.length, 0);
    await app.close();
});
test('a bad batch is a 4xx with a /v1 error body and stores nothing', async () => {
    const { app, node } = await nodeApp();
    const good = encodeBatch([{ key: 'a', type: 't', value: Buffer.from('v') }]);
    const tooMany = Array.from({ length: defaults.batchMaxKeys + 1 }, (_, i) => ({
        key: `k${i}`,
        type: 't',
        value: Buffer.from('v'),
    }));
    const cases = [
        { name: 'cut record', status: 400, request: { payload: good.subarray(0, good.length - 1) } },
        { name: 'too many keys', status: 400, request: { payload: encodeBatch(tooMany) } },
        {
            name: 'empty value',
            status: 400,
            request: {
                payload: encodeBatch([
                    { key: 'a', type: 't', value: Buffer.from('v') },
                    { key: 'b', type: 't', value: Buffer.alloc(0) },
                ]),
            },
        },
        {
            name: 'empty key',
            status: 400,
            request: { payload: encodeBatch([{ key: '', type: 't', value: Buffer.from('v') }]) },
        },
        { name: 'bad ttl', status: 400, request: { payload: good, url: '/v1/batch/put?ttl=0' } },
        {
            name: 'not a batch',
            status: 415,
            request: { payload: good, headers: { 'content-type': 'application/octet-stream' } },
        },
    ];
    for (const { name, status, request } of cases) {
        const answer = await app.inject({
            method: 'POST',
            url: '/v1/batch/put',
            headers: { 'content-type': BATCH_CONTENT_TYPE },
            ...request,
        });
        assert.equal(answer.statusCode, status, `${name}: ${answer.body}`);
        assert.match(answer.json().error.code, /^CP_ERR_/, name);
        assert.equal(node.store.size, 0, name);
    }
    const gets = [
        ['{"keys":', 400],
        [JSON.stringify({ keys: 'a' }), 400],
        [JSON.stringify({ keys: [1] }), 400],
        [JSON.stringify({ keys: [''] }), 400],
        [JSON.stringify({ keys: tooMany.map((r) => r.key) }), 400],
    ];
    for (const [payload, status] of gets) {
        const answer = await app.inject({
            method: 'POST',
            url: '/v1/batch/get',
            headers: { 'content-type': 'application/json' },
            payload: payload,
        });
        assert.equal(answer.statusCode, status, String(payload));
        assert.match(answer.json().error.code, /^CP_ERR_/);
    }
    await app.close();
});
test('a request routed by an older routing version is refused with the node version, on every API', async () => {
    const { app, node } = await nodeApp();
    try {
        // Routing version 6: partition 0 (`test`) served here, partition 11 (`k1`) elsewhere.
        node.ownership.update({ version: 6, owned: [0], receiving: [], leaving: [] });
        const tag = { 'x-cachepool-table-version': '4' };
        const answers = [
            await put(app, 'k1', 'v', tag),
            await app.inject({ method: 'GET', url: '/v1/keys/k1', headers: tag }),
            await app.inject({ method: 'DELETE', url: '/v1/keys/k1', headers: tag }),
            await app.inject({
                method: 'POST',
                url: '/v1/batch/get',
                headers: { ...tag, 'content-type': 'application/json' },
                payload: JSON.stringify({ keys: ['k1'] }),
            }),
            await app.inject({
                method: 'DELETE',
                url: '/api/cache/key',
                headers: { ...tag, 'content-type': 'application/json' },
                payload: JSON.stringify({ key: 'k1' }),
            }),
        ];
        assert.deepEqual(answers.map((answer) => [answer.statusCode, answer.headers['x-cachepool-table-version']]), [
            [421, '6'],
            [421, '6'],
            [421, '6'],
            [421, '6'],
            [400, '6'],
        ]);
        for (const answer of answers)
            assert.match(answer.body, /routing version 6/);
        const served = await put(app, 'test', 'v', { 'x-cachepool-table-version': '6' });
        assert.equal(served.statusCode, 201);
        assert.equal(served.headers['x-cachepool-table-version'], undefined);
    }
    finally {
        await app.close();
    }
});
//# sourceMappingURL=v1-writes.test.js.map