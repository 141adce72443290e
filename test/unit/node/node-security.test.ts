import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { ManualClock } from '../../../src/clock.js';
import { resolveToken } from '../../../src/http/index.js';
import {
  buildNodeApp,
  encodeBatch,
  PoolMembers,
  parsePeer,
  type NodeApp,
} from '../../../src/node/index.js';

const TOKEN = 'unit-test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  payload: new URLSearchParams(fields).toString(),
});
const json = (value: unknown, headers: Record<string, string> = {}) => ({
  headers: { 'content-type': 'application/json', ...headers },
  payload: JSON.stringify(value),
});

const closers: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const close of closers.reverse()) await close();
});

/** A manager stand-in: serves pool_node_list from `members`, records every request. */
async function stubManager(members: string[], token = TOKEN) {
  const seen: { url: string; headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      seen.push({ url: request.url ?? '', headers: request.headers, body });
      response.setHeader('content-type', 'application/json');
      if (request.headers.authorization !== `Bearer ${token}`) {
        response.statusCode = 401;
        response.end(JSON.stringify({ success: 'false', error: { code: 401, message: 'token' } }));
        return;
      }
      const content =
        request.url === '/api/manager/pool_node_list'
          ? { node_ip_list: members, node_id_list: members }
          : '';
      response.end(JSON.stringify({ success: 'true', content }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return { server, seen, address: `127.0.0.1:${(server.address() as { port: number }).port}` };
}

/** A node listening on 127.0.0.1:0; returns it and its host:port. */
async function listeningNode(
  options: Parameters<typeof buildNodeApp>[0],
): Promise<NodeApp & { hostPort: string }> {
  const built = await buildNodeApp(options);
  await built.app.listen({ host: '127.0.0.1', port: 0 });
  const hostPort = `127.0.0.1:${(built.app.server.address() as { port: number }).port}`;
  built.setAddress(hostPort);
  closers.push(() => built.app.close());
  return { ...built, hostPort };
}

/** A pino logger writing into `lines`. */
function captureLogger(lines: Record<string, unknown>[]) {
  return pino(
    { level: 'info' },
    { write: (text: string) => void lines.push(JSON.parse(text) as Record<string, unknown>) },
  );
}

test('--protect-data puts get, put, invalidate, /keys and /v1/keys behind the token', async () => {
  const { app } = await buildNodeApp({ token: TOKEN, protectData: true });
  closers.push(() => app.close());
  const refused = [
    await app.inject({
      method: 'POST',
      url: '/api/cache/content',
      ...form({ key: 'k', value: 'v' }),
    }),
    await app.inject({ method: 'POST', url: '/api/cache/key', ...form({ key: 'k' }) }),
    await app.inject({ method: 'DELETE', url: '/api/cache/key?key=k' }),
    await app.inject({ method: 'GET', url: '/keys' }),
  ];
  assert.deepEqual(
    refused.map((r) => r.statusCode),
    [401, 401, 401, 401],
  );
  assert.equal(refused[0]!.json().success, 'false');
  const v1 = await app.inject({
    method: 'PUT',
    url: '/v1/keys/k',
    payload: 'x',
    headers: { authorization: 'Bearer wrong' },
  });
  assert.equal(v1.statusCode, 403);
  assert.equal(v1.json().error.code, 'CP_ERR_AUTH_FORBIDDEN');
  assert.equal(
    (
      await app.inject({
        method: 'POST',
        url: '/api/cache/content',
        ...form({ key: 'k', value: 'v' }, auth),
      })
    ).statusCode,
    200,
  );
  assert.equal(
    (
      await app.inject({ method: 'POST', url: '/api/cache/key', ...form({ key: 'k' }, auth) })
    ).json().content,
    'v',
  );
  assert.equal((await app.inject({ method: 'GET', url: '/v1/keys/k', headers: auth })).body, 'v');
  // Health and statistics reads stay open for probes.
  assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  assert.equal((await app.inject({ method: 'GET', url: '/api/cache/statistics' })).statusCode, 200);
});

test('without --protect-data the data endpoints stay open while control endpoints need the token', async () => {
  const { app } = await buildNodeApp({ token: TOKEN });
  closers.push(() => app.close());
  assert.equal(
    (
      await app.inject({
        method: 'POST',
        url: '/api/cache/content',
        ...form({ key: 'k', value: 'v' }),
      })
    ).statusCode,
    200,
  );
  assert.equal(
    (await app.inject({ method: 'PUT', url: '/v1/keys/b', payload: 'x' })).statusCode,
    201,
  );
  const control = [
    await app.inject({ method: 'POST', url: '/api/cache/config', ...form({ capacity: '1' }) }),
    await app.inject({ method: 'DELETE', url: '/api/cache' }),
    await app.inject({ method: 'DELETE', url: '/api/cache/statistics' }),
    await app.inject({ method: 'POST', url: '/api/cache/set_num_hit', ...form({ num_hit: '3' }) }),
    await app.inject({ method: 'POST', url: '/api/cache/move_keys', ...json({ dest: {} }) }),
    await app.inject({
      method: 'POST',
      url: '/internal/import',
      headers: { 'content-type': 'application/x-cachepool-batch' },
      payload: encodeBatch([{ key: 'k', type: 't', value: Buffer.from('evil') }]),
    }),
    await app.inject({
      method: 'POST',
      url: '/internal/migration/begin',
      ...json({ id: 'm', partitions: [0] }),
    }),
    await app.inject({ method: 'POST', url: '/internal/migration/end', ...json({ id: 'm' }) }),
  ];
  assert.deepEqual(
    control.map((r) => r.statusCode),
    [401, 401, 401, 401, 401, 401, 401, 401],
  );
  assert.equal(
    (await app.inject({ method: 'POST', url: '/api/cache/key', ...form({ key: 'k' }) })).json()
      .content,
    'v',
  );
});

test('a value over --max-value-bytes is refused (400 legacy, 413 /v1) and an import rejects it', async () => {
  const { app, node } = await buildNodeApp({ maxValueBytes: 8 });
  closers.push(() => app.close());
  const legacy = await app.inject({
    method: 'POST',
    url: '/api/cache/content',
    ...form({ key: 'k', value: 'ééééé' }),
  });
  assert.equal(legacy.statusCode, 400);
  assert.equal(
    legacy.json().error.message,
    'value is 10 bytes, the limit is 8 bytes (--max-value-bytes)',
  );
  assert.equal(
    (
      await app.inject({
        method: 'POST',
        url: '/api/cache/content',
        ...form({ key: 'k', value: 'éééé' }),
      })
    ).statusCode,
    200,
  );
  const v1 = await app.inject({ method: 'PUT', url: '/v1/keys/b', payload: Buffer.alloc(9) });
  assert.equal(v1.statusCode, 413);
  assert.equal(v1.json().error.code, 'CP_ERR_VALUE_TOO_LARGE');
  const imported = await app.inject({
    method: 'POST',
    url: '/internal/import',
    headers: { 'content-type': 'application/x-cachepool-batch' },
    payload: encodeBatch([
      { key: 'big', type: 't', value: Buffer.alloc(9) },
      { key: 'ok', type: 't', value: Buffer.alloc(8) },
    ]),
  });
  assert.deepEqual(imported.json().content, { accepted: 1, skipped: [], rejected: ['big'] });
  assert.deepEqual(node.store.keys().sort(), ['k', 'ok']);
});

test('the value limit defaults to the body limit', async () => {
  const { node, app } = await buildNodeApp({ bodyLimitBytes: 1234 });
  closers.push(() => app.close());
  assert.equal(node.maxValueBytes, 1234);
});

test('move_keys refuses more keys than --move-max-keys, naming the limit, and moves nothing', async () => {
  const { app, node } = await buildNodeApp({ moveMaxKeys: 2 });
  closers.push(() => app.close());
  await app.inject({
    method: 'POST',
    url: '/api/cache/content',
    ...form({ key: 'a', value: '1' }),
  });
  const res = await app.inject({
    method: 'POST',
    url: '/api/cache/move_keys',
    ...json({ dest: { '127.0.0.1:1': ['a', 'b', 'c'] } }),
  });
  assert.equal(res.statusCode, 400);
  assert.equal(
    res.json().error.message,
    'move_keys lists 3 keys, the limit is 2 (--move-max-keys)',
  );
  assert.deepEqual(node.store.keys(), ['a']);
});

test('a move_keys call beyond the concurrency limit is refused as busy (400 in the envelope, 409 in the catalogue); the running ones finish', async () => {
  // A destination that holds every import until released.
  const held: (() => void)[] = [];
  const slow: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () =>
      held.push(() => {
        response.setHeader('content-type', 'application/json');
        response.end(
          JSON.stringify({ success: 'true', content: { accepted: 1, skipped: [], rejected: [] } }),
        );
      }),
    );
  });
  slow.listen(0, '127.0.0.1');
  await once(slow, 'listening');
  closers.push(() => new Promise((resolve) => slow.close(resolve)));
  const dest = `127.0.0.1:${(slow.address() as { port: number }).port}`;
  const { app, node } = await buildNodeApp({ moveConcurrency: 2 });
  closers.push(() => app.close());
  for (const key of ['a', 'b', 'c'])
    await app.inject({ method: 'POST', url: '/api/cache/content', ...form({ key, value: key }) });
  const first = app.inject({
    method: 'POST',
    url: '/api/cache/move_keys',
    ...json({ dest: { [dest]: ['a'] } }),
  });
  const second = app.inject({
    method: 'POST',
    url: '/api/cache/move_keys',
    ...json({ dest: { [dest]: ['b'] } }),
  });
  const deadline = Date.now() + 10_000;
  while (held.length < 2 && Date.now() < deadline)
    await new Promise((resolve) => setImmediate(resolve));
  assert.equal(held.length, 2);
  const third = await app.inject({
    method: 'POST',
    url: '/api/cache/move_keys',
    ...json({ dest: { [dest]: ['c'] } }),
  });
  assert.equal(third.statusCode, 400);
  assert.match(
    third.json().error.message,
    /^busy: this node is already running 2 move_keys calls \(the limit\); retry/,
  );
  for (const release of held) release();
  assert.deepEqual([(await first).statusCode, (await second).statusCode], [200, 200]);
  assert.deepEqual(node.store.keys(), ['c']);
  // The slots are free again.
  const retry = app.inject({
    method: 'POST',
    url: '/api/cache/move_keys',
    ...json({ dest: { [dest]: ['c'] } }),
  });
  while (held.length < 3 && Date.now() < deadline)
    await new Promise((resolve) => setImmediate(resolve));
  held[2]!();
  assert.equal((await retry).statusCode, 200);
});

test('multipart bodies with more fields or parts than allowed are a 400 naming the options', async () => {
  const { app } = await buildNodeApp({ multipart: { maxFields: 2, maxParts: 3 } });
  closers.push(() => app.close());
  const body = (count: number) => {
    const boundary = 'XyZ';
    let text = '';
    for (let i = 0; i < count; i++)
      text += `--${boundary}\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nv\r\n`;
    return {
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: `${text}--${boundary}--\r\n`,
    };
  };
  const many = await app.inject({ method: 'POST', url: '/api/cache/content', ...body(5) });
  assert.equal(many.statusCode, 400);
  assert.match(
    many.json().error.message,
    /too many multipart parts \(the limits are --max-fields and --max-parts\)/,
  );
  const fine = await app.inject({ method: 'POST', url: '/api/cache/key', ...body(2) });
  assert.equal(fine.json().error.message, 'Missing key');
});

test('with a manager, move_keys sends only to pool members (fetched with the token) and refuses others with a warning', async () => {
  const dest = await listeningNode({ token: TOKEN });
  const members = [dest.hostPort];
  const manager = await stubManager(members);
  const lines: Record<string, unknown>[] = [];
  const clock = new ManualClock(0);
  const source = await listeningNode({
    token: TOKEN,
    managerUrl: `http://${manager.address}`,
    clock,
    logger: captureLogger(lines),
  });
  for (const key of ['a', 'b']) {
    await source.app.inject({
      method: 'POST',
      url: '/api/cache/content',
      ...form({ key, value: key }),
    });
  }
  // A loopback node that is not a member (a standalone node would have allowed it).
  const outsider = await listeningNode({ token: TOKEN });
  const refused = await source.app.inject({
    method: 'POST',
    url: '/api/cache/move_keys',
    ...json({ manager: '', dest: { [outsider.hostPort]: ['a'] } }, auth),
  });
  assert.equal(refused.statusCode, 400);
  assert.equal(
    refused.json().error.message,
    `${outsider.hostPort} is not an allowed destination: it is not a member of this pool`,
  );
  assert.ok(
    lines.some(
      (l) => l.msg === 'move_keys refused' && String(l.reason).includes(outsider.hostPort),
    ),
  );
  assert.deepEqual(outsider.node.store.keys(), []);
  // A pull from a source that is not a member is refused by the same rule, naming it a source.
  const pull = await source.app.inject({
    method: 'POST',
    url: '/internal/pull',
    ...json({ from: outsider.hostPort, batch: 'b1' }, auth),
  });
  assert.equal(pull.statusCode, 400);
  assert.equal(
    pull.json().error.message,
    `${outsider.hostPort} is not an allowed source: it is not a member of this pool`,
  );
  const listCalls = manager.seen.filter((s) => s.url === '/api/manager/pool_node_list');
  assert.ok(listCalls.length >= 1);
  assert.ok(listCalls.every((s) => s.headers.authorization === `Bearer ${TOKEN}`));

  // A member: the keys go, the import carries the token (the destination's import is guarded).
  const moved = await source.app.inject({
    method: 'POST',
    url: '/api/cache/move_keys',
    ...json(
      { manager: manager.address, dest: { [dest.hostPort]: ['a'] }, cache_ip: source.hostPort },
      auth,
    ),
  });
  assert.equal(moved.statusCode, 200, moved.body);
  assert.deepEqual(dest.node.store.keys(), ['a']);
  const removal = manager.seen.find((s) => s.url === '/api/poolsize/change');
  assert.equal(removal?.headers.authorization, `Bearer ${TOKEN}`);
  assert.deepEqual(JSON.parse(removal.body), { cache_ip: source.hostPort });

  // The outsider joins the pool: the kept list misses it, so the node fetches the list again.
  members.push(outsider.hostPort);
  const before = manager.seen.filter((s) => s.url === '/api/manager/pool_node_list').length;
  const joined = await source.app.inject({
    method: 'POST',
    url: '/api/cache/move_keys',
    ...json({ manager: '', dest: { [outsider.hostPort]: ['b'] } }, auth),
  });
  assert.equal(joined.statusCode, 200, joined.body);
  assert.deepEqual(outsider.node.store.keys(), ['b']);
  assert.equal(
    manager.seen.filter((s) => s.url === '/api/manager/pool_node_list').length,
    before + 1,
  );
});

test('with a manager, the removal call may go only to the configured manager, in either body form', async () => {
  const manager = await stubManager([]);
  const other = await stubManager([]);
  const source = await listeningNode({ token: TOKEN, managerUrl: manager.address });
  await source.app.inject({
    method: 'POST',
    url: '/api/cache/content',
    ...form({ key: 'a', value: 'a' }),
  });
  const byName = await source.app.inject({
    method: 'POST',
    url: '/api/cache/move_keys',
    ...json({ manager: other.address, dest: {} }, auth),
  });
  assert.equal(byName.statusCode, 400);
  assert.equal(
    byName.json().error.message,
    `${other.address} is not an allowed manager: this node reports only to its --manager ${manager.address}`,
  );
  const byPort = await source.app.inject({
    method: 'POST',
    url: '/api/cache/move_keys',
    remoteAddress: '127.0.0.1',
    ...json({ port: Number(other.address.split(':')[1]), dest: {} }, auth),
  });
  assert.equal(byPort.statusCode, 400);
  const external = await source.app.inject({
    method: 'POST',
    url: '/api/cache/move_keys',
    ...json({ manager: '203.0.113.9:80', dest: {} }, auth),
  });
  assert.equal(external.statusCode, 400);
  assert.equal(other.seen.length, 0);
  // The configured manager, also written as localhost, is told.
  const port = manager.address.split(':')[1];
  const ok = await source.app.inject({
    method: 'POST',
    url: '/api/cache/move_keys',
    ...json({ manager: `localhost:${port}`, dest: {} }, auth),
  });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(manager.seen.filter((s) => s.url === '/api/poolsize/change').length, 1);
  assert.deepEqual(source.node.store.keys(), ['a']);
});

test('a standalone node refuses a removal call to a host outside its peers', async () => {
  const { app } = await buildNodeApp({ peers: ['127.0.0.1:9'] });
  closers.push(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/api/cache/move_keys',
    ...json({ manager: '198.51.100.7:5004', dest: {} }),
  });
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().error.message, '198.51.100.7:5004 is not an allowed peer (see --peers)');
  const port = await app.inject({
    method: 'POST',
    url: '/api/cache/move_keys',
    remoteAddress: '127.0.0.1',
    ...json({ port: 5004, dest: {} }),
  });
  assert.equal(port.json().error.message, '127.0.0.1:5004 is not an allowed peer (see --peers)');
});

test('when the manager cannot give its member list, move_keys refuses and keeps the keys', async () => {
  const manager = await stubManager([], 'another-token-entirely');
  const { app, node } = await buildNodeApp({
    token: TOKEN,
    managerUrl: manager.address,
    peerTimeoutMs: 2_000,
  });
  closers.push(() => app.close());
  await app.inject({
    method: 'POST',
    url: '/api/cache/content',
    ...form({ key: 'a', value: 'a' }),
  });
  const res = await app.inject({
    method: 'POST',
    url: '/api/cache/move_keys',
    ...json({ dest: { '127.0.0.1:9': ['a'] } }, auth),
  });
  assert.equal(res.statusCode, 400);
  assert.equal(
    res.json().error.message,
    `the pool member list could not be read from the manager ${manager.address}`,
  );
  assert.deepEqual(node.store.keys(), ['a']);
});

test('the member list is kept for its TTL, then fetched again', async () => {
  const members = ['127.0.0.1:7001'];
  const manager = await stubManager(members);
  const clock = new ManualClock(0);
  const pool = new PoolMembers({
    manager: parsePeer(manager.address),
    token: TOKEN,
    ttlMs: 1_000,
    clock,
  });
  assert.equal(await pool.has(parsePeer('localhost:7001')), true);
  assert.equal(await pool.has(parsePeer('127.0.0.1:7001')), true);
  assert.equal(manager.seen.length, 1);
  members.splice(0, 1);
  clock.advance(1_001);
  assert.equal(await pool.has(parsePeer('127.0.0.1:7001')), false);
  assert.equal(manager.seen.length, 2);
});

test('the token comes from --token or --token-file (trimmed); a missing or empty file, or both, are refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cachepool-token-'));
  const file = join(dir, 'token');
  writeFileSync(file, '  file-token-abcdefghijkl\n');
  assert.equal(resolveToken(undefined, file), 'file-token-abcdefghijkl');
  assert.equal(resolveToken(' cli ', undefined), 'cli');
  assert.equal(resolveToken(undefined, undefined), undefined);
  assert.throws(
    () => resolveToken(undefined, join(dir, 'nope')),
    /--token-file must name an existing file, got ".*nope"/,
  );
  const empty = join(dir, 'empty');
  writeFileSync(empty, ' \n');
  assert.throws(
    () => resolveToken(undefined, empty),
    /--token-file must hold the token, the file is empty/,
  );
  assert.throws(() => resolveToken('x', file), /--token-file cannot be combined with --token/);
  assert.throws(() => resolveToken('  ', undefined), /--token must not be empty/);
  assert.throws(() => resolveToken('a\nb', undefined), /--token must be printable ASCII/);
});

test('a control request without the token is refused before its body is read: 401, not a body error', async () => {
  const { app } = await buildNodeApp({ token: TOKEN });
  closers.push(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/api/cache/move_keys',
    headers: { 'content-type': 'application/json' },
    payload: '{"dest":',
  });
  assert.equal(res.statusCode, 401);
  const huge = await app.inject({
    method: 'POST',
    url: '/api/cache/config',
    headers: { 'content-type': 'text/weird' },
    payload: 'x',
  });
  assert.equal(huge.statusCode, 401);
  const authed = await app.inject({
    method: 'POST',
    url: '/api/cache/move_keys',
    headers: { 'content-type': 'application/json', ...auth },
    payload: '{"dest":',
  });
  assert.equal(authed.statusCode, 400);
});
