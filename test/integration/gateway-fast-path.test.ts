/**
 * The gateway's fast path (the pre-router for the hot legacy routes) answers exactly as its
 * Fastify routes do — same status, content type and bytes — for hits, misses, every body
 * encoding, bad bodies and an unreachable node; keeps the moving-pair orders; and holds its
 * routing view until the node answered, so that a publish drains it.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { PartitionTable, partitionOf } from '../../src/partition/index.js';
import { buildGatewayApp, NodeClient, Routing } from '../../src/pool/index.js';
import { startCachepool, stopAll } from '../helpers/process.js';
import { heldForAnnouncedBodies, multipartBody } from '../helpers/http.js';

interface Seen {
  status: number;
  type: string | null;
  /** X-Cachepool-Error: the catalogue code of a failure, the node's or the gateway's own. */
  errorCode: string | null;
  body: string;
}

const FORM = 'application/x-www-form-urlencoded';

async function overSocket(
  base: string,
  method: string,
  path: string,
  type: string | undefined,
  body: string,
): Promise<Seen> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: type === undefined ? {} : { 'content-type': type },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    errorCode: response.headers.get('x-cachepool-error'),
    body: await response.text(),
  };
}

async function injected(
  app: FastifyInstance,
  method: string,
  path: string,
  type: string | undefined,
  body: string,
): Promise<Seen> {
  const answer = await app.inject({
    method: method as 'POST',
    url: path,
    headers: type === undefined ? {} : { 'content-type': type },
    payload: body,
  });
  return {
    status: answer.statusCode,
    type: (answer.headers['content-type'] as string | undefined) ?? null,
    errorCode: (answer.headers['x-cachepool-error'] as string | undefined) ?? null,
    body: answer.body,
  };
}

/** A key whose partition is `partition`. */
function keyIn(partition: number, prefix: string): string {
  for (let i = 0; ; i++) if (partitionOf(`${prefix}${i}`) === partition) return `${prefix}${i}`;
}

describe('gateway fast path', { timeout: 60_000 }, () => {
  let nodeA: string;
  let nodeB: string;
  let routing: Routing;
  let app: FastifyInstance;
  let base: string;
  const hanging: Server = createServer(() => {
    // never answers
  });

  before(async () => {
    const [a, b] = await Promise.all([
      startCachepool(['node', '--port', '0']),
      startCachepool(['node', '--port', '0']),
    ]);
    nodeA = new URL(a.urls.get('node')!).host;
    nodeB = new URL(b.urls.get('node')!).host;
    routing = new Routing(PartitionTable.initial([nodeA]));
    app = await buildGatewayApp({ routing, timeoutMs: 1_000 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    hanging.listen(0, '127.0.0.1');
    await once(hanging, 'listening');
  });

  after(async () => {
    hanging.closeAllConnections();
    hanging.close();
    await app.close();
    await stopAll();
  });

  it('answers every case with the same status, content type and bytes as the Fastify routes', async () => {
    const put = multipartBody({ key: 'mp key', value: 'multi' });
    const cases: [string, string, string | undefined, string][] = [
      ['POST', '/api/cache/content', FORM, 'key=k%201&value=v%C3%A9'],
      ['POST', '/api/cache/key', FORM, 'key=k%201'],
      ['POST', '/api/cache/key', FORM, 'key=absent'],
      [
        'POST',
        '/api/cache/content',
        'application/json',
        JSON.stringify({ key: 'json', value: 'j' }),
      ],
      [
        'POST',
        '/api/cache/key',
        'application/json; charset=utf-8',
        JSON.stringify({ key: 'json' }),
      ],
      ['POST', '/api/cache/content', put.type, put.body],
      [
        'POST',
        '/api/cache/key',
        multipartBody({ key: 'mp key' }).type,
        multipartBody({ key: 'mp key' }).body,
      ],
      ['POST', '/api/cache/key', FORM, 'value=only'],
      ['POST', '/api/cache/key', 'application/json', '{"key":'],
      ['POST', '/api/cache/key', 'application/json', '[1,2]'],
      ['POST', '/api/cache/key', 'multipart/form-data', '--x\r\n'],
      ['POST', '/api/cache/key', 'text/plain', 'key=k'],
      ['POST', '/api/cache/key', FORM, 'key=%E0%A4%A'],
      ['DELETE', '/api/cache/key', FORM, 'key=absent'],
    ];
    for (const [method, path, type, body] of cases) {
      const fast = await overSocket(base, method, path, type, body);
      const slow = await injected(app, method, path, type, body);
      assert.deepEqual(fast, slow, `${method} ${path} ${type} ${body}`);
      assert.equal(fast.errorCode !== null, fast.status >= 400, `${method} ${path} ${body}: code`);
    }
    const miss = await overSocket(base, 'POST', '/api/cache/key', FORM, 'key=absent');
    assert.equal(miss.errorCode, 'CP_ERR_KEY_UNKNOWN', "the node's code is relayed");
    const missing = await overSocket(base, 'POST', '/api/cache/key', FORM, 'value=only');
    assert.equal(missing.errorCode, 'CP_ERR_REQUEST_MISSING_KEY');
    const hit = await overSocket(base, 'POST', '/api/cache/key', FORM, 'key=k%201');
    assert.deepEqual(JSON.parse(hit.body), { success: 'true', content: 'vé' });
    const deleted = await overSocket(base, 'DELETE', '/api/cache/key', FORM, 'key=json');
    assert.equal(deleted.status, 200);
    assert.equal(await new NodeClient(nodeA).get('json'), undefined);
  });

  it('relays a 100 KB value whole, byte for byte', async () => {
    const value = 'x'.repeat(100_000);
    assert.equal(
      (await overSocket(base, 'POST', '/api/cache/content', FORM, `key=big&value=${value}`)).status,
      200,
    );
    const got = await overSocket(base, 'POST', '/api/cache/key', FORM, 'key=big');
    assert.equal(got.status, 200);
    assert.equal((JSON.parse(got.body) as { content: string }).content, value);
  });

  it('answers an unreachable owner in the envelope, as the Fastify route does: a read is a miss, a write a failure', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const address = closed.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    closed.close();
    await once(closed, 'close');
    await routing.publish(PartitionTable.initial([`127.0.0.1:${port}`]), []);
    try {
      // A read whose owner cannot be reached is a miss (what a dead node held is lost).
      const fast = await overSocket(base, 'POST', '/api/cache/key', FORM, 'key=any');
      const slow = await injected(app, 'POST', '/api/cache/key', FORM, 'key=any');
      assert.deepEqual(fast, slow);
      assert.equal(fast.status, 400);
      assert.equal(JSON.parse(fast.body).error.message, 'Unknown key');
      assert.equal(fast.errorCode, 'CP_ERR_KEY_UNKNOWN');
      // A write is a clear failure, never a silent success.
      const put = await overSocket(base, 'POST', '/api/cache/content', FORM, 'key=any&value=v');
      assert.equal(put.status, 400);
      assert.equal(put.errorCode, 'CP_ERR_NODE_UNREACHABLE');
      assert.match(
        JSON.parse(put.body).error.message as string,
        /did not answer POST \/api\/cache\/content|cannot be reached/,
      );
    } finally {
      await routing.publish(PartitionTable.initial([nodeA]), []);
    }
  });

  it('reads a moving partition from the old owner and writes it to the new one, invalidating the old', async () => {
    const a = new NodeClient(nodeA);
    const b = new NodeClient(nodeB);
    const partition = 5;
    const stays = keyIn(partition, 'stay-');
    const moves = keyIn(partition, 'write-');
    await a.put(stays, 'on A');
    await a.put(moves, 'old on A');
    await routing.publish(PartitionTable.initial([nodeA]), [{ partition, from: nodeA, to: nodeB }]);
    try {
      const read = await overSocket(base, 'POST', '/api/cache/key', FORM, `key=${stays}`);
      assert.deepEqual(JSON.parse(read.body), { success: 'true', content: 'on A' });
      // A miss on both nodes of the pair is relayed whole, with the node's code.
      const absent = keyIn(partition, 'absent-');
      const miss = await overSocket(base, 'POST', '/api/cache/key', FORM, `key=${absent}`);
      assert.equal(miss.status, 400);
      assert.equal(miss.errorCode, 'CP_ERR_KEY_UNKNOWN');
      assert.deepEqual(miss, await injected(app, 'POST', '/api/cache/key', FORM, `key=${absent}`));
      const written = await overSocket(
        base,
        'POST',
        '/api/cache/content',
        FORM,
        `key=${moves}&value=new`,
      );
      assert.equal(written.status, 200);
      assert.equal(await b.get(moves), 'new');
      assert.equal(await a.get(moves), undefined);
      const deleted = await overSocket(base, 'DELETE', '/api/cache/key', FORM, `key=${stays}`);
      assert.equal(deleted.status, 200);
      assert.equal(await a.get(stays), undefined);
    } finally {
      await routing.publish(PartitionTable.initial([nodeA]), []);
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('with protectData, takes only calls with the token and refuses the others as Fastify does', async () => {
    const token = 'a-long-enough-pool-token-for-tests';
    const guarded = await buildGatewayApp({ routing, token, protectData: true });
    await guarded.listen({ host: '127.0.0.1', port: 0 });
    try {
      const address = guarded.server.address();
      const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      const send = async (authorization: string | undefined, path: string, body: string) => {
        const headers: Record<string, string> = { 'content-type': FORM };
        if (authorization !== undefined) headers.authorization = authorization;
        const response = await fetch(`${url}${path}`, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(10_000),
        });
        const inject = await guarded.inject({ method: 'POST', url: path, headers, payload: body });
        const seen = {
          status: response.status,
          type: response.headers.get('content-type'),
          body: await response.text(),
        };
        return {
          seen,
          injected: {
            status: inject.statusCode,
            type: inject.headers['content-type'] ?? null,
            body: inject.body,
          },
        };
      };
      const none = await send(undefined, '/api/cache/content', 'key=guarded&value=x');
      assert.equal(none.seen.status, 401);
      assert.deepEqual(none.seen, none.injected);
      const wrong = await send('Bearer not-the-token', '/api/cache/key', 'key=guarded');
      assert.equal(wrong.seen.status, 403);
      assert.deepEqual(wrong.seen, wrong.injected);
      assert.equal(await new NodeClient(nodeA).get('guarded'), undefined);
      const right = await send(`Bearer ${token}`, '/api/cache/content', 'key=guarded&value=x');
      assert.equal(right.seen.status, 200);
      assert.equal(await new NodeClient(nodeA).get('guarded'), 'x');
      const keys = await fetch(`${url}/keys`, { signal: AbortSignal.timeout(10_000) });
      assert.equal(keys.status, 401);
    } finally {
      await guarded.close();
    }
  });

  it('keeps its view until the node answered: a publish waits for it', async () => {
    const address = hanging.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await routing.publish(PartitionTable.initial([`127.0.0.1:${port}`]), []);
    let held: ServerResponse | undefined;
    const spy = (_request: IncomingMessage, response: ServerResponse) => {
      held = response;
    };
    app.server.on('request', spy);
    try {
      const request = overSocket(base, 'POST', '/api/cache/key', FORM, 'key=slow');
      // Wait until the hanging server holds the forwarded request (the view was entered before).
      const deadline = Date.now() + 5_000;
      while (
        (await new Promise<number>((resolve) => hanging.getConnections((_e, n) => resolve(n)))) ===
        0
      ) {
        assert.ok(Date.now() < deadline, 'the request never reached the node');
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.equal(held?.headersSent, false);
      await routing.publish(PartitionTable.initial([nodeA]), []);
      // The publish resolved only once the request routed by the old view had its answer.
      assert.equal(held?.headersSent, true);
      // The node never answered within the timeout: the read is a miss.
      const seen = await request;
      assert.equal(seen.status, 400);
      assert.equal(JSON.parse(seen.body).error.message, 'Unknown key');
    } finally {
      app.server.off('request', spy);
    }
  });
  it('holds only the bytes that arrived, not the length a client announces', async () => {
    // Eight gets announcing 32 MB each (the body limit) that send 9 bytes and wait.
    const grown = await heldForAnnouncedBodies(
      Number(new URL(base).port),
      '/api/cache/key',
      'key=abcde',
    );
    assert.ok(
      grown < 32 * 1024 * 1024,
      `${(grown / 1e6).toFixed(1)} MB held for 72 bytes received`,
    );
  });
});
