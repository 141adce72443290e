/**
 * A key keeps its absolute deadline when it moves between two node processes: planted on A with a
 * deadline (an import batch that carries one), moved A → B with move_keys, then moved B → a
 * recording destination that decodes the batch B sends and reports the deadlines it carried.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import {
  BATCH_V2_CONTENT_TYPE,
  BatchDecoder,
  batchVersion,
  encodeBatchChunks,
  type ImportRecord,
} from '../../src/node/index.js';
import { valueOf } from '../../src/node/entry.js';
import { postJson, send } from '../helpers/http.js';
import { startCachepool, stopAll, type Started } from '../helpers/process.js';

/**
 * A destination that decodes every import batch it gets and accepts all of it. It has no pull
 * route (a 404 in the catalogue's words), so the source sends it every batch in the request.
 */
async function recordingDestination(): Promise<{
  server: Server;
  hostPort: string;
  got: ImportRecord[];
  pulls: number;
}> {
  const got: ImportRecord[] = [];
  const destination = { server: undefined as unknown as Server, hostPort: '', got, pulls: 0 };
  const server = createServer((request, response) => {
    if (!request.url?.startsWith('/internal/import')) {
      if (request.url === '/internal/pull') destination.pulls++;
      request.resume();
      response.writeHead(404, {
        'content-type': 'application/json',
        'x-cachepool-error': 'CP_ERR_ROUTE_NOT_FOUND',
      });
      response.end(JSON.stringify({ success: 'false', error: { code: 404, message: 'no route' } }));
      return;
    }
    const decoder = new BatchDecoder({
      version: batchVersion(String(request.headers['content-type'])) ?? 1,
      maxValueBytes: 1 << 30,
      limitBytes: Number(request.headers['content-length']),
      lengthKnown: true,
    });
    request.on('data', (chunk: Buffer) => decoder.push(chunk));
    request.on('end', () => {
      const records = decoder.end();
      got.push(...records);
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({
          success: 'true',
          content: { accepted: records.length, skipped: [], rejected: [] },
        }),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  destination.server = server;
  destination.hostPort = `127.0.0.1:${(server.address() as { port: number }).port}`;
  return destination;
}

const hostPort = (url: string) => new URL(url).host;

describe('deadlines across move_keys between node processes', () => {
  let a: Started;
  let b: Started;
  let destination: Awaited<ReturnType<typeof recordingDestination>>;
  before(async () => {
    [a, b, destination] = await Promise.all([
      startCachepool(['node', '--port', '0', '--capacity', '4']),
      startCachepool(['node', '--port', '0', '--capacity', '4']),
      recordingDestination(),
    ]);
  });
  after(async () => {
    destination.server.close();
    await stopAll();
  });

  test('a moved key keeps its absolute deadline, and a key without one stays without', async () => {
    const aUrl = a.urls.get('node')!;
    const bUrl = b.urls.get('node')!;
    // Deadlines an hour ahead: far enough that no key expires while the test runs.
    const base = Date.now() + 3_600_000;
    const planted = [
      { key: 'ttl-1', type: 'text/plain', value: Buffer.from('one'), expiresAtMs: base + 1 },
      { key: 'ttl-2', type: 'image/png', value: Buffer.from([0, 1, 2]), expiresAtMs: base + 2 },
      { key: 'no-ttl', type: 'text/plain', value: Buffer.from('forever') },
      // Large enough that the batch is offered to be pulled.
      { key: 'large', type: 'image/png', value: Buffer.alloc(300_000, 9), expiresAtMs: base + 3 },
    ];
    const { chunks } = encodeBatchChunks(planted);
    const imported = await send(`${aUrl}/internal/import`, {
      method: 'POST',
      headers: { 'content-type': BATCH_V2_CONTENT_TYPE },
      body: Buffer.concat(chunks),
    });
    assert.equal(imported.status, 200, imported.text);
    const keys = planted.map((p) => p.key);

    const toB = await postJson(`${aUrl}/api/cache/move_keys`, { dest: { [hostPort(bUrl)]: keys } });
    assert.equal(toB.status, 200, toB.text);
    assert.equal(toB.json.content.moved, planted.length);
    assert.deepEqual((await send(`${aUrl}/keys`)).json, []);
    assert.deepEqual(((await send(`${bUrl}/keys`)).json as string[]).sort(), [...keys].sort());

    const onward = await postJson(`${bUrl}/api/cache/move_keys`, {
      dest: { [destination.hostPort]: keys },
    });
    assert.equal(onward.status, 200, onward.text);
    assert.deepEqual(
      destination.got
        .map((r) => [r.key, r.expiresAtMs, r.entry && valueOf(r.entry).toString('hex')])
        .sort(),
      planted.map((p) => [p.key, p.expiresAtMs ?? 0, p.value.toString('hex')]).sort(),
    );
    // One batch: its pull was refused (no such route), and the batch came in the request.
    assert.equal(destination.pulls, 1);
  });
});
