import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { encodings, postForm, send } from '../helpers/http.js';
import { startCachepool, stopAll } from '../helpers/process.js';
const MB = 1024 * 1024;
describe('a node process serves every legacy endpoint', () => {
    let proc;
    let base;
    before(async () => {
        proc = await startCachepool(['node', '--port', '0', '--capacity', '1', '--index', '3']);
        base = proc.urls.get('node');
    });
    after(stopAll);
    for (const [name, post] of Object.entries(encodings)) {
        test(`put, get, miss and invalidate with ${name} bodies`, async () => {
            const key = `image ${name} 🙂`;
            const value = `data:image/png;base64,${'QUJD'.repeat(50)}`;
            const put = await post(`${base}/api/cache/content`, { key, value });
            assert.equal(put.status, 200);
            assert.deepEqual(put.json, { success: 'true', content: '' });
            const hit = await post(`${base}/api/cache/key`, { key });
            assert.equal(hit.status, 200);
            assert.deepEqual(hit.json, { success: 'true', content: value });
            assert.equal(hit.headers.get('content-length'), String(hit.body.length));
            assert.notEqual(hit.headers.get('connection'), 'close');
            const del = await send(`${base}/api/cache/key`, {
                method: 'DELETE',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ key }),
            });
            assert.deepEqual(del.json, { success: 'true', content: '' });
            const miss = await post(`${base}/api/cache/key`, { key });
            assert.equal(miss.status, 400);
            assert.deepEqual(miss.json, {
                success: 'false',
                error: { code: 400, message: 'Unknown key' },
            });
        });
        test(`put checks missing key, then missing value, then size, with ${name} bodies`, async () => {
            assert.deepEqual((await post(`${base}/api/cache/content`, { value: 'v' })).json, {
                success: 'false',
                error: { code: 400, message: 'Missing key' },
            });
            assert.deepEqual((await post(`${base}/api/cache/content`, { key: '', value: '' })).json.error.message, 'Missing key');
            assert.deepEqual((await post(`${base}/api/cache/content`, { key: 'k' })).json, {
                success: 'false',
                error: { code: 400, message: 'Missing value' },
            });
            const tooBig = await post(`${base}/api/cache/content`, { key: 'big', value: 'x'.repeat(MB) });
            assert.equal(tooBig.status, 400);
            assert.match(tooBig.json.error.message, /larger than the cache capacity of 1048576 bytes/);
        });
    }
    test('values that need JSON escaping come back exactly', async () => {
        const value = 'line 1\n"quoted" \\ back\u0001 ünïcode';
        await postForm(`${base}/api/cache/content`, { key: 'esc', value });
        assert.equal((await postForm(`${base}/api/cache/key`, { key: 'esc' })).json.content, value);
    });
    test('a refused overwrite keeps the old value; a value of exactly the capacity is accepted', async () => {
        await postForm(`${base}/api/cache/content`, { key: 'keep', value: 'old' });
        assert.equal((await postForm(`${base}/api/cache/content`, { key: 'keep', value: 'x'.repeat(MB) })).status, 400);
        assert.equal((await postForm(`${base}/api/cache/key`, { key: 'keep' })).json.content, 'old');
        const exact = 'x'.repeat(MB - Buffer.byteLength('exact'));
        assert.equal((await postForm(`${base}/api/cache/content`, { key: 'exact', value: exact })).status, 200);
        const keys = (await send(`${base}/keys`)).json;
        assert.deepEqual(keys, ['exact']);
        const stats = JSON.parse((await send(`${base}/api/cache/statistics`)).json.content);
        assert.equal(stats.used_size, MB);
        await send(`${base}/api/cache`, { method: 'DELETE' });
    });
    test('a key longer than the limit is refused with a message', async () => {
        const res = await postForm(`${base}/api/cache/content`, { key: 'k'.repeat(1025), value: 'v' });
        assert.equal(res.status, 400);
        assert.equal(res.json.error.message, 'key is 1025 bytes, the limit is 1024 bytes');
    });
    test('/keys lists keys least recently used first; a miss does not reorder, a hit and an overwrite do', async () => {
        await send(`${base}/api/cache`, { method: 'DELETE' });
        for (const key of ['a', 'b', 'c'])
            await postForm(`${base}/api/cache/content`, { key, value: key });
        await postForm(`${base}/api/cache/key`, { key: 'a' });
        await postForm(`${base}/api/cache/key`, { key: 'zzz' });
        assert.deepEqual((await send(`${base}/keys`)).json, ['b', 'c', 'a']);
        await postForm(`${base}/api/cache/content`, { key: 'b', value: 'B' });
        assert.deepEqual((await send(`${base}/keys`, { method: 'POST' })).json, ['c', 'a', 'b']);
    });
    test('statistics count requests, GETs and hits; DELETE resets GETs and hits only', async () => {
        await send(`${base}/api/cache`, { method: 'DELETE' });
        await send(`${base}/api/cache/statistics`, { method: 'DELETE' });
        const before = JSON.parse((await send(`${base}/api/cache/statistics`)).json.content);
        await postForm(`${base}/api/cache/content`, { key: 's', value: 'vv' });
        await postForm(`${base}/api/cache/key`, { key: 's' });
        await postForm(`${base}/api/cache/key`, { key: 'nope' });
        const stats = JSON.parse((await send(`${base}/api/cache/statistics`)).json.content);
        assert.deepEqual(stats, {
            used_size: 3,
            num_item_in_cache: 1,
            num_request_served: before.num_request_served + 3,
            num_GET_request_served: 2,
            num_hit: 1,
        });
        assert.deepEqual((await send(`${base}/api/cache/statistics`, { method: 'DELETE' })).json, {
            success: 'true',
            content: '',
        });
        const reset = JSON.parse((await send(`${base}/api/cache/statistics`)).json.content);
        assert.equal(reset.num_GET_request_served, 0);
        assert.equal(reset.num_hit, 0);
        assert.equal(reset.num_request_served, stats.num_request_served);
    });
    test('set_num_hit answers the legacy text', async () => {
        const res = await postForm(`${base}/api/cache/set_num_hit`, { num_hit: '7' });
        assert.equal(res.text, 'cache node 3 statistics.num_hit = 7');
        assert.equal(JSON.parse((await send(`${base}/api/cache/statistics`)).json.content).num_hit, 7);
        assert.equal((await postForm(`${base}/api/cache/set_num_hit`, { num_hit: 'x' })).status, 400);
    });
    for (const [name, post] of Object.entries(encodings)) {
        test(`config applies capacity, policy and index together with ${name} bodies, and nothing on any invalid field`, async () => {
            await send(`${base}/api/cache`, { method: 'DELETE' });
            await postForm(`${base}/api/cache/content`, { key: 'cfg', value: 'v' });
            const bad = await post(`${base}/api/cache/config`, {
                capacity: '2',
                replacement_policy: 'nope',
                cache_index: '9',
            });
            assert.equal(bad.status, 400);
            assert.match(bad.json.error.message, /replacement_policy must be one of lru, rr/);
            const badCapacity = await post(`${base}/api/cache/config`, {
                capacity: '-1',
                replacement_policy: 'rr',
            });
            assert.equal(badCapacity.json.error.message, 'capacity must be an integer >= 0, got "-1"');
            const page = (await send(`${base}/api/cache/statistics`, { method: 'POST' })).text;
            assert.match(page, /<td>index<\/td><td>3<\/td>/);
            assert.match(page, /<td>policy<\/td><td>lru<\/td>/);
            const ok = await post(`${base}/api/cache/config`, {
                capacity: '2',
                replacement_policy: 'rr',
                cache_index: '4',
            });
            assert.deepEqual(ok.json, { success: 'true', content: '' });
            const after = (await send(`${base}/api/cache/statistics`, { method: 'POST' })).text;
            assert.match(after, /<td>index<\/td><td>4<\/td>/);
            assert.match(after, /<td>capacity<\/td><td>2 MB \(2097152 bytes\)<\/td>/);
            assert.match(after, /<td>policy<\/td><td>rr<\/td>/);
            await post(`${base}/api/cache/config`, {
                capacity: 1,
                replacement_policy: 'lru',
                cache_index: 3,
            });
        });
    }
    test('capacity 0 evicts everything and caches nothing', async () => {
        await postForm(`${base}/api/cache/content`, { key: 'z', value: 'v' });
        await postForm(`${base}/api/cache/config`, { capacity: '0' });
        assert.deepEqual((await send(`${base}/keys`)).json, []);
        assert.equal((await postForm(`${base}/api/cache/content`, { key: 'z', value: 'v' })).status, 400);
        await postForm(`${base}/api/cache/config`, { capacity: '1' });
    });
    test('clear removes every key and the figures drop to 0', async () => {
        await postForm(`${base}/api/cache/content`, { key: 'c1', value: 'v' });
        assert.deepEqual((await send(`${base}/api/cache`, { method: 'DELETE' })).json, {
            success: 'true',
            content: '',
        });
        const stats = JSON.parse((await send(`${base}/api/cache/statistics`)).json.content);
        assert.equal(stats.used_size, 0);
        assert.equal(stats.num_item_in_cache, 0);
    });
    test('home page, health and metrics answer', async () => {
        const home = await send(`${base}/`);
        assert.match(home.headers.get('content-type'), /text\/html/);
        assert.match(home.text, /cachepool node 3/);
        assert.deepEqual((await send(`${base}/healthz`)).json, {
            success: 'true',
            // A standalone node: no manager has told it its partitions.
            content: { status: 'ok', cache_index: 3, routing_version: null },
        });
        await postForm(`${base}/api/cache/content`, { key: 'm', value: 'vvvv' });
        const metrics = (await send(`${base}/metrics`)).text;
        assert.match(metrics, /cachepool_node_items\{cache_index="3"\} 1/);
        assert.match(metrics, /cachepool_node_used_bytes\{cache_index="3"\} 5/);
        assert.match(metrics, /cachepool_node_capacity_bytes\{cache_index="3"\} 1048576/);
        assert.match(metrics, /# TYPE cachepool_node_hits_total counter/);
    });
    test('unknown paths are 404 and wrong methods 405, in the envelope', async () => {
        const missing = await send(`${base}/nope`);
        assert.equal(missing.status, 404);
        assert.deepEqual(missing.json, {
            success: 'false',
            error: { code: 404, message: 'no route for GET /nope' },
        });
        const wrong = await send(`${base}/api/cache/key`, { method: 'GET' });
        assert.equal(wrong.status, 405);
        assert.equal(wrong.json.error.code, 405);
    });
    test('malformed bodies answer 4xx in the envelope and the process lives on', async () => {
        const badJson = await send(`${base}/api/cache/content`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"key": "a",',
        });
        assert.equal(badJson.status, 400);
        assert.equal(badJson.json.success, 'false');
        const cut = await send(`${base}/api/cache/content`, {
            method: 'POST',
            headers: { 'content-type': 'multipart/form-data; boundary=XX' },
            body: '--XX\r\nContent-Disposition: form-data; name="key"\r\n\r\nabc',
        });
        assert.ok(cut.status >= 400 && cut.status < 500, `status ${cut.status}`);
        assert.equal(cut.json.success, 'false');
        const media = await send(`${base}/api/cache/content`, {
            method: 'POST',
            headers: { 'content-type': 'text/csv' },
            body: 'a,b',
        });
        assert.equal(media.status, 400);
        assert.equal(media.json.success, 'false');
        const array = await send(`${base}/api/cache/content`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '[1,2]',
        });
        assert.equal(array.status, 400);
        assert.equal((await send(`${base}/healthz`)).status, 200);
    });
});
//# sourceMappingURL=node-legacy.test.js.map