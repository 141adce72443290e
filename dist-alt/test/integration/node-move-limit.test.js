/**
 * Issue 9 item 3: whatever a node accepts, it can move. A put whose body is exactly the body limit
 * holds a value whose import record (flags, lengths, key, content type) is larger than the body
 * limit; move_keys must still hand it over, intact, between two node processes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { postForm, postJson, send } from '../helpers/http.js';
import { startCachepool, stopAll } from '../helpers/process.js';
const BODY_LIMIT = 300_000;
const hostPort = (url) => new URL(url).host;
describe('issue 9: a value at the body limit can be moved', () => {
    let a;
    let b;
    before(async () => {
        const args = ['node', '--port', '0', '--capacity', '8', '--body-limit', String(BODY_LIMIT)];
        [a, b] = await Promise.all([startCachepool(args), startCachepool(args)]);
    });
    after(() => stopAll());
    test('a legacy put of exactly the body limit moves to another node and arrives intact', async () => {
        const aUrl = a.urls.get('node');
        const bUrl = b.urls.get('node');
        const key = 'at-the-limit';
        const prefix = `key=${key}&value=`;
        // A data URL needs no form escaping: the body is exactly BODY_LIMIT bytes.
        const head = 'data:image/png;base64,';
        const value = head + 'A'.repeat(BODY_LIMIT - prefix.length - head.length);
        assert.equal(Buffer.byteLength(prefix + value), BODY_LIMIT);
        const put = await send(`${aUrl}/api/cache/content`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: prefix + value,
        });
        assert.equal(put.status, 200, put.text);
        // A /v1 value of exactly the body limit with a long content type, and a small neighbour.
        const binary = Buffer.alloc(BODY_LIMIT, 7);
        const type = `application/x-test; name="${'n'.repeat(2_000)}"`;
        const v1 = await send(`${aUrl}/v1/keys/v1-at-the-limit`, {
            method: 'PUT',
            headers: { 'content-type': type },
            body: binary,
        });
        assert.ok(v1.status < 300, v1.text);
        assert.equal((await postForm(`${aUrl}/api/cache/content`, { key: 'small', value: 'x' })).status, 200);
        const keys = [key, 'v1-at-the-limit', 'small'];
        const res = await postJson(`${aUrl}/api/cache/move_keys`, { dest: { [hostPort(bUrl)]: keys } });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.content.moved, 3);
        assert.deepEqual(res.json.content.rejected, []);
        const hit = await postForm(`${bUrl}/api/cache/key`, { key });
        assert.equal(hit.status, 200);
        assert.equal(hit.json.content, value);
        const moved = await send(`${bUrl}/v1/keys/v1-at-the-limit`);
        assert.equal(moved.headers.get('content-type'), type);
        assert.ok(moved.body.equals(binary));
        assert.deepEqual((await send(`${aUrl}/keys`)).json, []);
    });
    test('many values just under the limit go in batches that each fit the destination', async () => {
        const aUrl = a.urls.get('node');
        const bUrl = b.urls.get('node');
        // The default batch size (8 MB) is far above this pool's body limit.
        const keys = Array.from({ length: 12 }, (_, i) => `near-${i}`);
        const value = 'v'.repeat(BODY_LIMIT / 2);
        for (const key of keys)
            assert.equal((await postForm(`${aUrl}/api/cache/content`, { key, value })).status, 200);
        const res = await postJson(`${aUrl}/api/cache/move_keys`, { dest: { [hostPort(bUrl)]: keys } });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.content.moved, keys.length);
        for (const key of keys)
            assert.equal((await postForm(`${bUrl}/api/cache/key`, { key })).json.content, value);
    });
});
//# sourceMappingURL=node-move-limit.test.js.map