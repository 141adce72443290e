/**
 * A standalone gateway whose table is older than a node's: every key request carries its routing
 * version; a node's refusal for a stale routing (421 on /v1, 400 with the node's version on the
 * legacy API) makes it read its table again at once and send the request once more on the fresh
 * table — on the Fastify routes and on the fast path alike. Without a fresher table (the manager
 * away) the retries (ROUTING_RETRIES) go where the table says and the node's refusal reaches the
 * client. Two small HTTP servers play the nodes: A refuses anything routed by a version below 4,
 * B serves. Then a shrink, in which a write is refused twice in a row.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { encodeBatch } from '../../../src/node/index.js';
import { PartitionTable } from '../../../src/partition/index.js';
import { buildGatewayApp, Routing } from '../../../src/pool/index.js';
import { ROUTING_RETRIES } from '../../../src/pool/stale-routing.js';

const TAG = 'x-cachepool-table-version';
const NODE_VERSION = '4';

interface Call {
  node: 'A' | 'B';
  method: string;
  url: string;
  tag: string | undefined;
}

async function listening(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('a standalone gateway routed by a stale table', () => {
  const calls: Call[] = [];
  const nodeA = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      calls.push({ node: 'A', method: request.method!, url: request.url!, tag: tagOf(request) });
      const v1 = request.url!.startsWith('/v1/');
      const status = v1 ? 421 : 400;
      const body = v1
        ? { error: { code: 'CP_ERR_NOT_OWNER', status: 421, message: 'not served here' } }
        : { success: 'false', error: { code: 400, message: 'not served here' } };
      response
        .writeHead(status, { 'content-type': 'application/json', [TAG]: NODE_VERSION })
        .end(JSON.stringify(body));
    });
  });
  const nodeB = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      calls.push({ node: 'B', method: request.method!, url: request.url!, tag: tagOf(request) });
      if (request.url === '/v1/batch/get') {
        const batch = encodeBatch([
          { key: 'k1', type: 'text/plain', value: Buffer.from('from B') },
        ]);
        return void response
          .writeHead(200, { 'content-type': 'application/x-cachepool-batch' })
          .end(batch);
      }
      if (request.url === '/v1/batch/put')
        return void response
          .writeHead(200, { 'content-type': 'application/json' })
          .end('{"stored":1}');
      if (request.url!.startsWith('/v1/')) {
        if (request.method === 'GET') response.writeHead(200, { 'content-type': 'text/plain' });
        else response.writeHead(204);
        return void response.end(request.method === 'GET' ? 'from B' : undefined);
      }
      const content = request.url === '/api/cache/key' ? 'from B' : '';
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ success: 'true', content }));
    });
  });
  let a = '';
  let b = '';
  let gateway: FastifyInstance;
  let base = '';
  let routing: Routing;
  let fresh: PartitionTable | undefined;
  const catchUps: (number | undefined)[] = [];

  before(async () => {
    [a, b] = await Promise.all([listening(nodeA), listening(nodeB)]);
    routing = new Routing(new PartitionTable(1, 'minimal', Array(16).fill(a)));
    gateway = await buildGatewayApp({
      routing,
      tagsRequests: true,
      // Plays TableFollower.catchUp: the manager's fresher table, if it has one.
      catchUp: async (wanted) => {
        catchUps.push(wanted);
        if (fresh) void routing.publish(fresh);
      },
    });
    base = await gateway.listen({ port: 0, host: '127.0.0.1' });
  });

  after(async () => {
    await gateway.close();
    nodeA.close();
    nodeB.close();
  });

  /** Routes the next request by table 1 (every key on A) with table 2 (every key on B) to come. */
  const stale = async () => {
    await routing.publish(new PartitionTable(1, 'minimal', Array(16).fill(a)));
    fresh = new PartitionTable(2, 'minimal', Array(16).fill(b));
    calls.length = 0;
    catchUps.length = 0;
  };

  const cases: {
    name: string;
    method: string;
    path: string;
    type?: string;
    body?: string | Buffer;
    status: number;
    answer: string;
  }[] = [
    {
      name: 'a /v1 PUT',
      method: 'PUT',
      path: '/v1/keys/k1',
      type: 'text/plain',
      body: 'v',
      status: 204,
      answer: '',
    },
    { name: 'a /v1 GET', method: 'GET', path: '/v1/keys/k1', status: 200, answer: 'from B' },
    {
      name: 'a legacy put on the fast path',
      method: 'POST',
      path: '/api/cache/content',
      type: 'application/x-www-form-urlencoded',
      body: 'key=k1&value=v',
      status: 200,
      answer: '{"success":"true","content":""}',
    },
    {
      name: 'a legacy get on the fast path',
      method: 'POST',
      path: '/api/cache/key',
      type: 'application/json',
      body: '{"key":"k1"}',
      status: 200,
      answer: '{"success":"true","content":"from B"}',
    },
    {
      name: 'a batch put',
      method: 'POST',
      path: '/v1/batch/put',
      type: 'application/x-cachepool-batch',
      body: encodeBatch([{ key: 'k1', type: 'text/plain', value: Buffer.from('v') }]),
      status: 200,
      answer: '{"stored":1}',
    },
    {
      name: 'a batch get',
      method: 'POST',
      path: '/v1/batch/get',
      type: 'application/json',
      body: '{"keys":["k1"]}',
      status: 200,
      answer: encodeBatch([
        { key: 'k1', type: 'text/plain', value: Buffer.from('from B') },
      ]).toString('latin1'),
    },
    {
      name: 'a legacy invalidation with the key in the query (Fastify route)',
      method: 'DELETE',
      path: '/api/cache/key?key=k1',
      status: 200,
      answer: '{"success":"true","content":""}',
    },
  ];

  for (const c of cases) {
    it(`retries ${c.name} once on the fresh table after the node's refusal`, async () => {
      await stale();
      const response = await request(`${base}${c.path}`, {
        method: c.method as 'PUT',
        headers: c.type ? { 'content-type': c.type } : {},
        ...(c.body === undefined ? {} : { body: c.body }),
      });
      assert.equal(response.statusCode, c.status);
      const bytes = Buffer.from(await response.body.arrayBuffer());
      assert.equal(
        bytes.toString(c.path.startsWith('/v1/batch/get') ? 'latin1' : 'utf8'),
        c.answer,
      );
      assert.deepEqual(
        calls.map((call) => [call.node, call.tag]),
        [
          ['A', '2'],
          ['B', '4'],
        ],
        'tagged with routing version 2 (table 1), then 4 (table 2) after one catch-up',
      );
      assert.deepEqual(catchUps, [4], 'caught up to the version the node announced');
    });
  }

  it('relays the refusal when the manager has no fresher table (ROUTING_RETRIES, no loop)', async () => {
    await stale();
    fresh = undefined;
    // undici's request, not fetch: fetch itself sends a request again after a 421.
    const put = await request(`${base}/v1/keys/k1`, { method: 'PUT', body: 'v' });
    assert.equal(put.statusCode, 421);
    const refusal = (await put.body.json()) as { error: { code: string } };
    assert.equal(refusal.error.code, 'CP_ERR_NOT_OWNER');
    const legacy = await request(`${base}/api/cache/key`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"key":"k1"}',
    });
    assert.equal(legacy.statusCode, 400);
    assert.match(await legacy.body.text(), /not served here/);
    const tries = 1 + ROUTING_RETRIES;
    assert.deepEqual(
      calls.map((call) => call.node),
      Array(2 * tries).fill('A'),
    );
    assert.deepEqual(catchUps, Array(2 * ROUTING_RETRIES).fill(4));
  });
});

/**
 * A shrink seen by a gateway that routes by the table before it (routing version 2): the leaving
 * node L refuses the write (it now leaves the key's partition: version 3, the moving state); the
 * gateway catches up to the moving state and writes to the staying node S, then removes the
 * key from L — which has taken the new table meanwhile and refuses again (version 4), or has
 * been stopped already. A write must not fail for that: the gateway reads the table again and
 * sends it once more on the new table, as the client does (ROUTING_RETRIES).
 */
describe('a standalone gateway during a shrink that refuses a write twice', () => {
  const calls: Call[] = [];
  /** How L answers a request routed by version 3 (the moving state) or later. */
  let late: 'refuses' | 'is gone' = 'refuses';
  const leaving = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const tag = tagOf(request);
      calls.push({ node: 'A', method: request.method!, url: request.url!, tag });
      if (Number(tag) >= 3 && late === 'is gone') return void request.socket.destroy();
      const v1 = request.url!.startsWith('/v1/');
      const body = v1
        ? { error: { code: 'CP_ERR_NOT_OWNER', status: 421, message: 'not served here' } }
        : { success: 'false', error: { code: 400, message: 'not served here' } };
      response
        .writeHead(v1 ? 421 : 400, {
          'content-type': 'application/json',
          [TAG]: Number(tag) < 3 ? '3' : '4',
        })
        .end(JSON.stringify(body));
    });
  });
  const staying = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      calls.push({ node: 'B', method: request.method!, url: request.url!, tag: tagOf(request) });
      if (request.url === '/v1/batch/put')
        return void response
          .writeHead(200, { 'content-type': 'application/json' })
          .end('{"stored":1}');
      if (request.url!.startsWith('/v1/')) return void response.writeHead(204).end();
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ success: 'true', content: '' }));
    });
  });
  let a = '';
  let b = '';
  before(async () => {
    [a, b] = await Promise.all([listening(leaving), listening(staying)]);
  });
  after(() => {
    leaving.close();
    staying.close();
  });

  /** A gateway on table 1 (every key on L) whose manager has moved on to the given states. */
  const gatewayOf = async () => {
    const before = new PartitionTable(1, 'minimal', Array(16).fill(a));
    const routing = new Routing(before);
    const moving = Array.from({ length: 16 }, (_, partition) => ({ partition, from: a, to: b }));
    const afterShrink = new PartitionTable(2, 'minimal', Array(16).fill(b));
    const reads: string[] = [];
    const app = await buildGatewayApp({
      routing,
      tagsRequests: true,
      // Plays TableFollower: the manager is in the moving state at the first read, then has
      // published the table without L.
      catchUp: async (wanted) => {
        reads.push(`catch up to ${wanted}`);
        if (wanted === 3) void routing.publish(before, moving);
        else void routing.publish(afterShrink);
      },
      movedOnSince: async (routedBy) => {
        reads.push(`moved on since ${routedBy}`);
        void routing.publish(afterShrink);
        return true;
      },
    });
    return { app, base: await app.listen({ port: 0, host: '127.0.0.1' }), reads };
  };

  const writes: { name: string; method: string; path: string; type: string; body: Buffer }[] = [
    {
      name: 'a /v1 PUT',
      method: 'PUT',
      path: '/v1/keys/k1',
      type: 'text/plain',
      body: Buffer.from('v'),
    },
    {
      name: 'a legacy put on the fast path',
      method: 'POST',
      path: '/api/cache/content',
      type: 'application/x-www-form-urlencoded',
      body: Buffer.from('key=k1&value=v'),
    },
    {
      name: 'a batch put',
      method: 'POST',
      path: '/v1/batch/put',
      type: 'application/x-cachepool-batch',
      body: encodeBatch([{ key: 'k1', type: 'text/plain', value: Buffer.from('v') }]),
    },
  ];

  for (const c of writes)
    for (const how of ['refuses', 'is gone'] as const)
      it(`stores ${c.name} when the old owner then ${how === 'refuses' ? 'refuses the removal for the new table' : 'is gone'}`, async () => {
        late = how;
        calls.length = 0;
        const { app, base, reads } = await gatewayOf();
        try {
          const response = await request(`${base}${c.path}`, {
            method: c.method as 'PUT',
            headers: { 'content-type': c.type },
            body: c.body,
          });
          const text = await response.body.text();
          assert.ok(response.statusCode < 300, `${response.statusCode} ${text}`);
          assert.deepEqual(
            calls.map((call) => [call.node, call.tag]),
            [
              ['A', '2'],
              ['B', '3'],
              ['A', '3'],
              ['B', '4'],
            ],
            'refused on the old table, removal refused (or lost) in the moving state, stored on the new table',
          );
          assert.deepEqual(reads, [
            'catch up to 3',
            how === 'refuses' ? 'catch up to 4' : 'moved on since 3',
          ]);
        } finally {
          await app.close();
        }
      });
});

function tagOf(request: { headers: Record<string, string | string[] | undefined> }) {
  const value = request.headers[TAG];
  return Array.isArray(value) ? value[0] : value;
}
