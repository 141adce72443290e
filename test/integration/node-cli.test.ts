import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { postForm, postJson, send } from '../helpers/http.js';
import { CLI, startCachepool, stopAll } from '../helpers/process.js';

describe('cachepool node', () => {
  after(stopAll);

  test('logs its listening line, and SIGTERM stops it with exit code 0', async () => {
    const proc = await startCachepool(['node', '--port', '0']);
    const url = proc.urls.get('node')!;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await send(`${url}/healthz`)).status, 200);
    assert.equal(await proc.stop(), 0);
  });

  test('warns when started without the young-generation cap cachepool starts nodes with', async () => {
    const capped = await startCachepool(['node', '--port', '0']);
    const bare = await startCachepool(['node', '--port', '0'], { env: { NODE_OPTIONS: '' } });
    const warned = (lines: Record<string, unknown>[]) =>
      lines.some((line) => String(line.msg).includes('--max-semi-space-size'));
    assert.equal(warned(capped.lines), false);
    assert.equal(warned(bare.lines), true);
    await Promise.all([capped.stop(), bare.stop()]);
  });

  test('reads options from CACHEPOOL_* environment variables', async () => {
    const proc = await startCachepool(['node', '--port', '0'], {
      env: { CACHEPOOL_INDEX: '6', CACHEPOOL_CAPACITY: '2' },
    });
    const url = proc.urls.get('node')!;
    const page = (await send(`${url}/api/cache/statistics`, { method: 'POST' })).text;
    assert.match(page, /<td>index<\/td><td>6<\/td>/);
    assert.match(page, /2 MB \(2097152 bytes\)/);
    await proc.stop();
  });

  test('a bad option fails at once with a message naming it', () => {
    const result = spawnSync(process.execPath, [CLI, 'node', '--capacity', 'abc'], {
      encoding: 'utf8',
      timeout: 15_000,
    });
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /--capacity must be an integer >= 0, got "abc"/);
  });

  test('refuses a non-loopback host without a token', () => {
    const result = spawnSync(process.execPath, [CLI, 'node', '--host', '0.0.0.0', '--port', '0'], {
      encoding: 'utf8',
      timeout: 15_000,
    });
    assert.equal(result.status, 1);
    assert.match(result.stdout, /--host may name a non-loopback address only with --token/);
  });

  test('with --token, control endpoints need the bearer token and data endpoints do not', async () => {
    const proc = await startCachepool(['node', '--port', '0', '--token', 's3cret']);
    const url = proc.urls.get('node')!;
    assert.equal(
      (await postForm(`${url}/api/cache/content`, { key: 'k', value: 'v' })).status,
      200,
    );
    assert.equal((await postForm(`${url}/api/cache/key`, { key: 'k' })).json.content, 'v');
    const none = await postForm(`${url}/api/cache/config`, { capacity: 1 });
    assert.equal(none.status, 401);
    assert.equal(none.json.success, 'false');
    assert.equal(none.json.error.code, 401);
    const wrong = await send(`${url}/api/cache`, {
      method: 'DELETE',
      headers: { authorization: 'Bearer nope' },
    });
    assert.equal(wrong.status, 403);
    assert.equal(
      (await postJson(`${url}/internal/migration/begin`, { id: 'm', partitions: [] })).status,
      401,
    );
    assert.equal((await postJson(`${url}/api/cache/move_keys`, { dest: {} })).status, 401);
    assert.equal((await send(`${url}/api/cache/statistics`, { method: 'DELETE' })).status, 401);
    assert.equal((await postForm(`${url}/api/cache/set_num_hit`, { num_hit: 1 })).status, 401);
    const ok = await send(`${url}/api/cache`, {
      method: 'DELETE',
      headers: { authorization: 'Bearer s3cret' },
    });
    assert.equal(ok.status, 200);
    assert.deepEqual((await send(`${url}/keys`)).json, []);
  });

  test('the /v1 API keeps raw bytes and their content type', async () => {
    const proc = await startCachepool(['node', '--port', '0', '--capacity', '1']);
    const url = proc.urls.get('node')!;
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe]);
    const put = await send(`${url}/v1/keys/${encodeURIComponent('img/a b.png')}`, {
      method: 'PUT',
      headers: { 'content-type': 'image/png' },
      body: bytes,
    });
    assert.equal(put.status, 201);
    const again = await send(`${url}/v1/keys/${encodeURIComponent('img/a b.png')}`, {
      method: 'PUT',
      headers: { 'content-type': 'image/png' },
      body: bytes,
    });
    assert.equal(again.status, 204);
    const got = await send(`${url}/v1/keys/${encodeURIComponent('img/a b.png')}`);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), 'image/png');
    assert.deepEqual(got.body, bytes);
    const head = await send(`${url}/v1/keys/${encodeURIComponent('img/a b.png')}`, {
      method: 'HEAD',
    });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(bytes.length));
    const legacy = await postForm(`${url}/api/cache/key`, { key: 'img/a b.png' });
    assert.equal(legacy.json.content, `data:image/png;base64,${bytes.toString('base64')}`);
    await postForm(`${url}/api/cache/content`, { key: 'text', value: 'héllo' });
    const text = await send(`${url}/v1/keys/text`);
    assert.equal(text.text, 'héllo');
    assert.equal(text.headers.get('content-type'), 'text/plain; charset=utf-8');
    const json = await send(`${url}/v1/keys/j`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    assert.equal(json.status, 201);
    assert.equal((await send(`${url}/v1/keys/j`)).text, '{"a":1}');
    assert.equal((await postForm(`${url}/api/cache/key`, { key: 'j' })).json.content, '{"a":1}');
    assert.equal((await send(`${url}/v1/keys/j`, { method: 'DELETE' })).status, 204);
    const miss = await send(`${url}/v1/keys/j`);
    assert.equal(miss.status, 404);
    assert.deepEqual(miss.json, {
      error: { code: 'CP_ERR_KEY_UNKNOWN', status: 404, message: 'Unknown key' },
    });
    assert.equal((await send(`${url}/v1/keys/j`, { method: 'HEAD' })).status, 404);
    const empty = await send(`${url}/v1/keys/e`, { method: 'PUT', body: '' });
    assert.equal(empty.status, 400);
    assert.equal(empty.json.error.code, 'CP_ERR_REQUEST_MISSING_VALUE');
    const big = await send(`${url}/v1/keys/big`, {
      method: 'PUT',
      body: Buffer.alloc(1024 * 1024),
    });
    assert.equal(big.status, 413);
    assert.equal(big.json.error.code, 'CP_ERR_VALUE_TOO_LARGE');
    const spec = await send(`${url}/v1/openapi.json`);
    assert.equal(spec.json.openapi, '3.1.0');
    assert.ok(spec.json.paths['/v1/keys/{key}']);
  });
});
