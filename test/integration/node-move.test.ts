import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { postForm, postJson, send } from '../helpers/http.js';
import { startCachepool, stopAll, type Started } from '../helpers/process.js';

/** A tiny manager stand-in that records the bodies of POST /api/poolsize/change. */
async function recordingManager(): Promise<{
  server: Server;
  url: string;
  calls: { body: unknown; remote: string }[];
  port: number;
}> {
  const calls: { body: unknown; remote: string }[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let text = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    request.on('end', () => {
      if (request.url === '/api/poolsize/change')
        calls.push({ body: JSON.parse(text), remote: request.socket.remoteAddress ?? '' });
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ success: 'true', content: '' }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  return { server, url: `127.0.0.1:${port}`, calls, port };
}

const hostPort = (url: string) => new URL(url).host;

async function fill(base: string, keys: string[]) {
  for (const key of keys) {
    assert.equal(
      (await postForm(`${base}/api/cache/content`, { key, value: `value of ${key}` })).status,
      200,
    );
  }
}

/** The legacy invalidation of `key` (`DELETE /api/cache/key` with a JSON body). */
async function invalidate(base: string, key: string): Promise<void> {
  await send(`${base}/api/cache/key`, {
    method: 'DELETE',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key }),
  });
}

async function keysOf(base: string): Promise<string[]> {
  return ((await send(`${base}/keys`)).json as string[]).sort();
}

/** The node's batches handed off by move_keys, by way (its /metrics). */
async function batchesOf(base: string): Promise<{ pulled: number; sent: number }> {
  const text = (await send(`${base}/metrics`)).text;
  const read = (way: string) => {
    const match = new RegExp(
      `^cachepool_node_move_batches_total\\{[^}]*way="${way}"[^}]*\\} (\\d+)$`,
      'm',
    ).exec(text);
    assert.ok(match, `no ${way} series in /metrics`);
    return Number(match[1]);
  };
  return { pulled: read('pulled'), sent: read('sent') };
}

describe('move_keys between two node processes', () => {
  let a: Started;
  let b: Started;
  let aUrl: string;
  let bUrl: string;
  let manager: Awaited<ReturnType<typeof recordingManager>>;
  before(async () => {
    [a, b, manager] = await Promise.all([
      startCachepool(['node', '--port', '0', '--capacity', '4'], {
        env: { CACHEPOOL_LOG_LEVEL: 'info' },
      }),
      startCachepool(['node', '--port', '0', '--capacity', '4']),
      recordingManager(),
    ]);
    aUrl = a.urls.get('node')!;
    bUrl = b.urls.get('node')!;
  });
  after(async () => {
    manager.server.close();
    await stopAll();
  });

  test('the manager form hands keys over in batches, reports missing keys, and tells the manager', async () => {
    const keys = Array.from({ length: 300 }, (_, i) => `k${i}`);
    await fill(aUrl, keys);
    await fill(aUrl, ['stay']);
    const res = await postJson(`${aUrl}/api/cache/move_keys`, {
      manager: manager.url,
      dest: { [`http://${hostPort(bUrl)}`]: [...keys, 'not-here'] },
      cache_ip: hostPort(aUrl),
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.success, 'true');
    assert.equal(res.json.content.moved, 300);
    assert.deepEqual(res.json.content.missing, ['not-here']);
    assert.deepEqual(res.json.content.rejected, []);
    assert.equal(
      res.json.content.bytes,
      keys.reduce((sum, k) => sum + `value of ${k}`.length, 0),
    );
    assert.deepEqual(await keysOf(aUrl), ['stay']);
    assert.deepEqual(await keysOf(bUrl), [...keys].sort());
    assert.equal(
      (await postForm(`${bUrl}/api/cache/key`, { key: 'k42' })).json.content,
      'value of k42',
    );
    assert.deepEqual(manager.calls.at(-1)?.body, { cache_ip: hostPort(aUrl) });
  });

  test('values of every kind arrive intact: JSON-safe text, text needing escapes, unicode, binary, a large data URL', async () => {
    const texts: Record<string, string> = {
      'kind-plain': 'plain text',
      'kind-escapes': 'say "hi"\\ \n\t\u0001 end',
      'kind-unicode': 'ünïcødé 🙂 ✓',
      'kind-data-url': `data:image/png;base64,${'iVBORw0KGgo'.repeat(150_000)}`,
    };
    for (const [key, value] of Object.entries(texts))
      assert.equal((await postForm(`${aUrl}/api/cache/content`, { key, value })).status, 200);
    const binary = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256));
    const put = await send(`${aUrl}/v1/keys/kind-binary`, {
      method: 'PUT',
      headers: { 'content-type': 'image/x-test' },
      body: binary,
    });
    assert.ok(put.status < 300, put.text);
    const before = new Map<string, string>();
    for (const key of Object.keys(texts))
      before.set(key, (await postForm(`${aUrl}/api/cache/key`, { key })).text);
    const keys = [...Object.keys(texts), 'kind-binary'];
    const usedOnB = async () =>
      JSON.parse((await send(`${bUrl}/api/cache/statistics`)).json.content).used_size as number;
    const usedBefore = await usedOnB();
    const batchesBefore = await batchesOf(aUrl);
    const res = await postJson(`${aUrl}/api/cache/move_keys`, { dest: { [hostPort(bUrl)]: keys } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.content.moved, keys.length);
    // One batch, pulled by B from A (over B's own connection, read into one reused buffer).
    const batchesAfter = await batchesOf(aUrl);
    assert.equal(batchesAfter.pulled - batchesBefore.pulled, 1);
    assert.equal(batchesAfter.sent, batchesBefore.sent);
    for (const [key, value] of Object.entries(texts)) {
      const hit = await postForm(`${bUrl}/api/cache/key`, { key });
      assert.equal(hit.text, before.get(key), key);
      assert.equal(hit.json.content, value, key);
      assert.equal(
        (await postForm(`${aUrl}/api/cache/key`, { key })).status,
        400,
        `${key} left the source`,
      );
    }
    const moved = await send(`${bUrl}/v1/keys/kind-binary`);
    assert.equal(moved.headers.get('content-type'), 'image/x-test');
    assert.ok(moved.body.equals(binary));
    // Accounting on the destination: each key's bytes plus its value's bytes, nothing more.
    const expected =
      keys.reduce((sum, k) => sum + Buffer.byteLength(k), 0) +
      Object.values(texts).reduce((sum, v) => sum + Buffer.byteLength(v), 0) +
      binary.length;
    assert.equal((await usedOnB()) - usedBefore, expected);
    for (const key of keys)
      await send(`${bUrl}/api/cache/key?key=${encodeURIComponent(key)}`, { method: 'DELETE' });
  });

  test('a destination that cannot reach the address the source names gets the batches in the request', async () => {
    const keys = Array.from({ length: 600 }, (_, i) => `unreached-${i}`);
    const value = (key: string) => `${key} `.repeat(200);
    for (const key of keys)
      assert.equal(
        (await postForm(`${aUrl}/api/cache/content`, { key, value: value(key) })).status,
        200,
      );
    const before = await batchesOf(aUrl);
    // Nothing listens on port 1. move_keys cuts batches at 256 keys: two of about 600 KB, offered
    // to be pulled, and one of about 210 KB, sent in its request. B's pull of the first is refused, and
    // A sends all three as import requests.
    const res = await postJson(`${aUrl}/api/cache/move_keys`, {
      dest: { [hostPort(bUrl)]: keys },
      cache_ip: '127.0.0.1:1',
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.content.moved, keys.length);
    const after = await batchesOf(aUrl);
    assert.equal(after.pulled, before.pulled);
    assert.equal(after.sent - before.sent, 3);
    assert.deepEqual(
      (await keysOf(bUrl)).filter((k) => k.startsWith('unreached-')),
      [...keys].sort(),
    );
    assert.equal(
      (await postForm(`${bUrl}/api/cache/key`, { key: 'unreached-7' })).json.content,
      value('unreached-7'),
    );
    for (const key of keys)
      await send(`${bUrl}/api/cache/key?key=${encodeURIComponent(key)}`, { method: 'DELETE' });
  });

  test('a pull checks its input, and a batch that is not offered is refused on both ends', async () => {
    for (const [body, message] of [
      [{ batch: 'b' }, 'from must be'],
      [{ from: hostPort(aUrl) }, 'batch must be'],
      [{ from: 'http://a b', batch: 'b' }, 'is not a node address'],
      [{ from: hostPort(aUrl), batch: 'b', migration: '' }, 'migration must be'],
    ] as const) {
      const res = await postJson(`${bUrl}/internal/pull`, body);
      assert.equal(res.status, 400, res.text);
      assert.match(res.json.error.message, new RegExp(message));
    }
    const unknown = await postJson(`${bUrl}/internal/pull`, {
      from: hostPort(aUrl),
      batch: 'nope',
    });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.headers.get('x-cachepool-error'), 'CP_ERR_MOVE_FAILED');
    assert.equal(
      unknown.json.error.message,
      `batch nope could not be read from ${hostPort(aUrl)}: answered 400: no batch nope is offered by this node`,
    );
    const direct = await send(`${aUrl}/internal/export/nope`);
    assert.equal(direct.status, 400);
    assert.equal(direct.headers.get('x-cachepool-error'), 'CP_ERR_KEY_UNKNOWN');
    const unreachable = await postJson(`${bUrl}/internal/pull`, {
      from: '127.0.0.1:1',
      batch: 'x',
    });
    assert.equal(unreachable.status, 400);
    assert.match(
      unreachable.json.error.message,
      /could not be read from 127\.0\.0\.1:1: unreachable \(ECONNREFUSED\)/,
    );
  });

  test('the older port form tells the manager at the caller address', async () => {
    await fill(aUrl, ['p1', 'p2']);
    const before = manager.calls.length;
    const res = await postJson(`${aUrl}/api/cache/move_keys`, {
      port: manager.port,
      dest: { [hostPort(bUrl)]: ['p1', 'p2'] },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.content.moved, 2);
    assert.equal(manager.calls.length, before + 1);
    assert.deepEqual(manager.calls.at(-1)?.body, { cache_ip: hostPort(aUrl) });
    const none = await postJson(`${aUrl}/api/cache/move_keys`, {
      port: -1,
      dest: { [hostPort(bUrl)]: ['p1'] },
    });
    assert.deepEqual(none.json.content.missing, ['p1']);
    assert.equal(manager.calls.length, before + 1);
  });

  test('an unreachable destination leaves its keys on the source and the answer names them', async () => {
    await fill(aUrl, ['u1', 'u2']);
    const dead = await recordingManager();
    const deadAddress = dead.url;
    dead.server.close();
    await once(dead.server, 'close');
    const res = await postJson(`${aUrl}/api/cache/move_keys`, {
      manager: manager.url,
      dest: { [deadAddress]: ['u1', 'u2'] },
      cache_ip: hostPort(aUrl),
    });
    assert.equal(res.status, 400);
    assert.equal(res.json.success, 'false');
    assert.match(res.json.error.message, /"u1", "u2"/);
    assert.deepEqual(
      (await keysOf(aUrl)).filter((k) => k.startsWith('u')),
      ['u1', 'u2'],
    );
  });

  test('a destination outside the allow-list is refused and nothing moves', async () => {
    await fill(aUrl, ['r1']);
    const res = await postJson(`${aUrl}/api/cache/move_keys`, {
      manager: '',
      dest: { 'example.com:5001': ['r1'] },
      cache_ip: '',
    });
    assert.equal(res.status, 400);
    assert.equal(res.json.error.message, 'example.com:5001 is not an allowed peer (see --peers)');
    assert.ok((await keysOf(aUrl)).includes('r1'));
    const bad = await postJson(`${aUrl}/api/cache/move_keys`, {
      manager: '',
      dest: { 'ftp://x': ['r1'] },
    });
    assert.equal(bad.status, 400);
    const notObject = await postJson(`${aUrl}/api/cache/move_keys`, { dest: ['r1'] });
    assert.equal(notObject.status, 400);
  });

  test('an import of a migration never overwrites a newer write nor resurrects an invalidated key', async () => {
    // Keys of partitions 11 (k1) and 6 (k2) move from A to B under migration m1.
    await send(`${bUrl}/api/cache`, { method: 'DELETE' });
    await fill(aUrl, ['k1', 'k2']);
    await postForm(`${bUrl}/api/cache/content`, { key: 'k2', value: 'stale leftover' });
    const begin = await postJson(`${bUrl}/internal/migration/begin`, {
      id: 'm1',
      partitions: [11, 6],
    });
    assert.equal(begin.json.content.dropped, 1);
    await postForm(`${bUrl}/api/cache/content`, { key: 'k1', value: 'newer on B' });
    await invalidate(bUrl, 'k2');
    const res = await postJson(`${aUrl}/api/cache/move_keys`, {
      manager: '',
      dest: { [hostPort(bUrl)]: ['k1', 'k2'] },
      migration: 'm1',
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.content.skipped, 2);
    assert.equal(
      (await postForm(`${bUrl}/api/cache/key`, { key: 'k1' })).json.content,
      'newer on B',
    );
    assert.equal((await postForm(`${bUrl}/api/cache/key`, { key: 'k2' })).status, 400);
    assert.ok(!(await keysOf(aUrl)).includes('k1'));
    // Its end answers what the fence recorded: k1 written, k2 invalidated here.
    const end = await postJson(`${bUrl}/internal/migration/end`, { id: 'm1' });
    assert.deepEqual(
      { ...end.json.content, touched: [...end.json.content.touched].sort() },
      { id: 'm1', ended: true, touched: ['k1', 'k2'], cleared: false },
    );
    const again = await postJson(`${bUrl}/internal/migration/end`, { id: 'm1' });
    assert.deepEqual(again.json.content, { id: 'm1', ended: false, touched: [], cleared: false });
  });

  test("a rollback's fence: opened early it records writes only; then it drops the keys named, but for those written since", async () => {
    // Partitions: k1 and k28 are in 11, k2 and k35 in 6, k4 in 12.
    await send(`${bUrl}/api/cache`, { method: 'DELETE' });
    await fill(bUrl, ['k1', 'k2', 'k35', 'k28', 'k4']);
    const early = await postJson(`${bUrl}/internal/migration/begin`, {
      id: 'r1',
      partitions: [11, 6],
      keep: true,
      early: true,
    });
    assert.deepEqual(early.json.content, { id: 'r1', dropped: 0 });
    // Written after the early fence: the newest value of k1. An invalidation of k35 is not
    // recorded by an early fence (it may be the new owner's write invalidating this old copy).
    await postForm(`${bUrl}/api/cache/content`, { key: 'k1', value: 'written since' });
    await invalidate(bUrl, 'k35');
    const whole = await postJson(`${bUrl}/internal/migration/begin`, {
      id: 'r1',
      partitions: [11, 6],
      keep: true,
      drop: ['k1', 'k2', 'k35', 'k4'],
    });
    // k2 only: k1 was written since, k35 is gone, k4 is not in the fence's partitions.
    assert.deepEqual(whole.json.content, { id: 'r1', dropped: 1 });
    assert.deepEqual(await keysOf(bUrl), ['k1', 'k28', 'k4']);
    assert.equal(
      (await postForm(`${bUrl}/api/cache/key`, { key: 'k1' })).json.content,
      'written since',
    );
    const end = await postJson(`${bUrl}/internal/migration/end`, { id: 'r1' });
    assert.deepEqual(end.json.content.touched, ['k1']);
    // drop_all drops every key of the partitions held, but for those written since.
    await postJson(`${bUrl}/internal/migration/begin`, {
      id: 'r2',
      partitions: [11],
      keep: true,
      early: true,
    });
    await postForm(`${bUrl}/api/cache/content`, { key: 'k1', value: 'again' });
    const all = await postJson(`${bUrl}/internal/migration/begin`, {
      id: 'r2',
      partitions: [11],
      keep: true,
      drop_all: true,
    });
    assert.deepEqual(all.json.content, { id: 'r2', dropped: 1 });
    assert.deepEqual(await keysOf(bUrl), ['k1', 'k4']);
    await postJson(`${bUrl}/internal/migration/end`, { id: 'r2' });
  });

  test('migration fences validate their input', async () => {
    assert.equal(
      (await postJson(`${bUrl}/internal/migration/begin`, { id: 'x', partitions: [16] })).status,
      400,
    );
    assert.equal(
      (await postJson(`${bUrl}/internal/migration/begin`, { partitions: [1] })).status,
      400,
    );
    for (const bad of [
      { early: true },
      { drop: ['k1'] },
      { keep: true, drop: 'k1' },
      { keep: true, drop: [''] },
      { keep: true, drop: [7] },
      { keep: true, early: 'yes' },
      { keep: true, drop_all: 1 },
    ]) {
      const answer = await postJson(`${bUrl}/internal/migration/begin`, {
        id: 'bad',
        partitions: [1],
        ...bad,
      });
      assert.equal(answer.status, 400, JSON.stringify(bad));
      assert.equal(answer.json.success, 'false');
      assert.ok(answer.json.error.message, JSON.stringify(answer.json));
    }
    assert.equal(
      (await postJson(`${bUrl}/internal/migration/end`, { id: 'bad' })).json.content.ended,
      false,
      'no fence was opened by a refused begin',
    );
    assert.equal(
      (
        await send(`${bUrl}/internal/import`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-cachepool-batch' },
          body: Buffer.from([0, 0, 0, 9, 1]),
        })
      ).status,
      400,
    );
  });
});

describe('the --peers allow-list', () => {
  after(stopAll);
  test('a node with --peers refuses a loopback destination that is not listed', async () => {
    const a = await startCachepool(['node', '--port', '0', '--peers', '127.0.0.2:9']);
    const url = a.urls.get('node')!;
    await postForm(`${url}/api/cache/content`, { key: 'x', value: 'y' });
    const res = await postJson(`${url}/api/cache/move_keys`, {
      manager: '',
      dest: { '127.0.0.1:5999': ['x'] },
    });
    assert.equal(res.status, 400);
    assert.match(res.json.error.message, /127\.0\.0\.1:5999 is not an allowed peer/);
    assert.equal((await postForm(`${url}/api/cache/key`, { key: 'x' })).json.content, 'y');
  });
});
