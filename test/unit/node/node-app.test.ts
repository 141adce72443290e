import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { test } from 'node:test';
import { ManualClock } from '../../../src/clock.js';
import { buildNodeApp, decodeBatch, encodeBatch } from '../../../src/node/index.js';
import { NodeStats } from '../../../src/metrics/node-stats.js';

const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(fields).toString(),
});

test('every error code of the catalogue is documented in docs/errors.md', () => {
  const source = readFileSync(new URL('../../../../src/errors.ts', import.meta.url), 'utf8');
  const codes = [...new Set(source.match(/CP_ERR_[A-Z_]+/g))];
  const docs = readFileSync(new URL('../../../../docs/errors.md', import.meta.url), 'utf8');
  assert.ok(codes.length > 20);
  for (const code of codes)
    assert.ok(docs.includes(`\`${code}\``), `${code} is missing from docs/errors.md`);
});

test('a batch round-trips through encode and decode; a cut batch is refused', () => {
  const records = [
    { key: 'a', type: 'text/plain', value: Buffer.from('x') },
    { key: '🙂', type: '', value: Buffer.from([0, 1, 2]) },
  ];
  const decoded = decodeBatch(encodeBatch(records));
  assert.deepEqual(
    decoded.map((r) => [r.key, r.type, [...r.value]]),
    [
      ['a', 'text/plain', [120]],
      ['🙂', '', [0, 1, 2]],
    ],
  );
  assert.throws(() => decodeBatch(encodeBatch(records).subarray(0, 10)), /malformed request body/);
});

test('an import stores records, and rejects those larger than the capacity', async () => {
  const { app } = await buildNodeApp({ capacityMb: 1 });
  const body = encodeBatch([
    { key: 'small', type: 'image/png', value: Buffer.from([1, 2]) },
    { key: 'huge', type: 'image/png', value: Buffer.alloc(1024 * 1024) },
  ]);
  const res = await app.inject({
    method: 'POST',
    url: '/internal/import',
    headers: { 'content-type': 'application/x-cachepool-batch' },
    payload: body,
  });
  assert.deepEqual(res.json(), {
    success: 'true',
    content: { accepted: 1, skipped: [], rejected: ['huge'] },
  });
  const got = await app.inject({ method: 'GET', url: '/v1/keys/small' });
  assert.equal(got.headers['content-type'], 'image/png');
  assert.deepEqual([...got.rawPayload], [1, 2]);
  const withMigration = await app.inject({
    method: 'POST',
    url: '/internal/import?migration=m',
    headers: { 'content-type': 'application/x-cachepool-batch' },
    payload: encodeBatch([{ key: 'small', type: 'x', value: Buffer.from('new') }]),
  });
  assert.deepEqual(withMigration.json().content, { accepted: 0, skipped: ['small'], rejected: [] });
  await app.close();
});

test('a key as long as --max-key-bytes allows is served through a percent-encoded path', async () => {
  // 4,096 bytes of 'é' are 12,288 characters percent-encoded: far past the default's path limit.
  const { app } = await buildNodeApp({ maxKeyBytes: 4_096 });
  const longest = encodeURIComponent('é'.repeat(2_048));
  const headers = { 'content-type': 'text/plain' };
  const put = await app.inject({
    method: 'PUT',
    url: `/v1/keys/${longest}`,
    headers,
    payload: 'v',
  });
  assert.equal(put.statusCode, 201, put.body);
  const got = await app.inject({ method: 'GET', url: `/v1/keys/${longest}` });
  assert.equal(got.statusCode, 200, got.body);
  assert.equal(got.body, 'v');
  const tooLong = await app.inject({
    method: 'PUT',
    url: `/v1/keys/${longest}x`,
    headers,
    payload: 'v',
  });
  assert.equal(tooLong.statusCode, 400);
  assert.equal(tooLong.json().error.code, 'CP_ERR_KEY_TOO_LONG');
  await app.close();
});

test('the body limit and the key limit are configurable', async () => {
  const { app } = await buildNodeApp({ bodyLimitBytes: 64, maxKeyBytes: 4 });
  const big = await app.inject({
    method: 'POST',
    url: '/api/cache/content',
    ...form({ key: 'k', value: 'v'.repeat(100) }),
  });
  assert.equal(big.statusCode, 413);
  assert.deepEqual(big.json(), {
    success: 'false',
    error: { code: 413, message: 'request body is larger than the limit of 64 bytes' },
  });
  const longKey = await app.inject({
    method: 'POST',
    url: '/api/cache/content',
    ...form({ key: 'ééé', value: 'v' }),
  });
  assert.equal(longKey.json().error.message, 'key is 6 bytes, the limit is 4 bytes');
  await app.close();
});

test('two nodes in one process keep separate metrics', async () => {
  const one = await buildNodeApp({ cacheIndex: 1 });
  const two = await buildNodeApp({ cacheIndex: 2 });
  await one.app.inject({
    method: 'POST',
    url: '/api/cache/content',
    ...form({ key: 'a', value: 'b' }),
  });
  const m1 = (await one.app.inject({ method: 'GET', url: '/metrics' })).body;
  const m2 = (await two.app.inject({ method: 'GET', url: '/metrics' })).body;
  assert.match(m1, /cachepool_node_items\{cache_index="1"\} 1/);
  assert.match(m2, /cachepool_node_items\{cache_index="2"\} 0/);
  await one.app.close();
  await two.app.close();
});

test('lowering the capacity evicts least recently used keys first', async () => {
  const { app, node } = await buildNodeApp({ capacityMb: 2 });
  const value = 'v'.repeat(400 * 1024);
  for (const key of ['a', 'b', 'c', 'd'])
    await app.inject({ method: 'POST', url: '/api/cache/content', ...form({ key, value }) });
  await app.inject({ method: 'POST', url: '/api/cache/key', ...form({ key: 'a' }) });
  await app.inject({ method: 'POST', url: '/api/cache/config', payload: { capacity: 1 } });
  assert.deepEqual(node.store.keys(), ['d', 'a']);
  node.store.assertInvariants();
  await app.close();
});

test('statistics keep 10 minutes of samples and report the window and the last interval', () => {
  const clock = new ManualClock(1_000_000);
  const stats = new NodeStats({ clock });
  for (let minute = 0; minute < 15; minute++) {
    stats.countGet(true);
    stats.countGet(minute % 2 === 0);
    clock.advance(60_000);
    stats.sample();
  }
  const samples = stats.samples();
  assert.ok(samples[0]!.timeMs <= clock.now() - 600_000);
  assert.ok(samples[1]!.timeMs > clock.now() - 600_000);
  const window = stats.window();
  assert.equal(window.getRequests, 20);
  assert.equal(stats.lastInterval().getRequests, 2);
  assert.equal(stats.total().getRequests, 30);
  assert.equal(stats.total().hits, 23);
  stats.resetLegacy();
  assert.equal(stats.numHit, 0);
  assert.equal(stats.hitsTotal, 23);
});

async function recordingManager(): Promise<{
  server: Server;
  url: string;
  calls: { path: string; body: any }[];
}> {
  const calls: { path: string; body: any }[] = [];
  let registrations = 0;
  const server = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    request.on('end', () => {
      calls.push({ path: request.url ?? '', body: JSON.parse(text) });
      response.setHeader('content-type', 'application/json');
      if (request.url === '/api/manager/register' && registrations++ === 0) {
        response.statusCode = 400;
        response.end(
          JSON.stringify({ success: 'false', error: { code: 400, message: 'not yet' } }),
        );
        return;
      }
      const content =
        request.url === '/api/manager/register'
          ? { cache_index: 5, capacity: 3, replacement_policy: 'rr' }
          : '';
      response.end(JSON.stringify({ success: 'true', content }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, calls };
}

test('the publisher registers (retrying), applies the answer and pushes snapshots', async () => {
  const manager = await recordingManager();
  const clock = new ManualClock(5_000);
  const { app, node, publisher, setAddress } = await buildNodeApp({
    managerUrl: manager.url,
    clock,
  });
  setAddress('127.0.0.1:7777');
  await publisher.tick();
  assert.equal(publisher.registered, false);
  await app.inject({ method: 'POST', url: '/api/cache/key', ...form({ key: 'nope' }) });
  clock.advance(5_000);
  await publisher.tick();
  assert.equal(publisher.registered, true);
  assert.equal(node.cacheIndex, 5);
  assert.equal(node.capacityMb, 3);
  assert.equal(node.policy, 'rr');
  const registrations = manager.calls.filter((c) => c.path === '/api/manager/register');
  assert.deepEqual(registrations[0]!.body, { address: '127.0.0.1:7777', cache_index: 0 });
  const pushes = manager.calls.filter((c) => c.path === '/api/manager/stats');
  const last = pushes.at(-1)!.body;
  assert.equal(last.cacheIndex, 5);
  assert.equal(last.address, '127.0.0.1:7777');
  assert.equal(last.timeMs, 10_000);
  assert.equal(last.capacityBytes, 3 * 1024 * 1024);
  assert.equal(last.getRequestsTotal, 1);
  assert.equal(last.missesTotal, 1);
  assert.equal(last.missRate, 1);
  assert.deepEqual(last.legacy, { num_request_served: 1, num_GET_request_served: 1, num_hit: 0 });
  await app.close();
  manager.server.close();
});
