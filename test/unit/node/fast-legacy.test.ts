/**
 * The node's fast path for the legacy get and put (`POST /api/cache/key`, `POST
 * /api/cache/content`, src/node/fast-legacy.ts) answers exactly as the Fastify routes do — same
 * status, content type, length and bytes — and moves the statistics, the stored values and
 * recency the same way; what it does not take (multipart, chunked, empty,
 * other types, a query string, a missing token under --protect-data) reaches Fastify unchanged.
 * The case tables (test/helpers/legacy-cases.ts) run through the gateway too
 * (test/integration/gateway-reader.test.ts).
 * One app is listened on (requests go through the fast path), its twin is only injected into.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { buildNodeApp, type NodeApp, type NodeAppOptions } from '../../../src/node/index.js';
import { heldForAnnouncedBodies } from '../../helpers/http.js';
import {
  FORM,
  PUT,
  PUT_NODE,
  fillCases,
  getCases,
  getSeed,
  putCases,
  type LegacyCase,
} from '../../helpers/legacy-cases.js';

interface Seen {
  status: number;
  type: string | undefined;
  length: string | undefined;
  /** keep-alive, or close (after a body the JSON parser refused, as Fastify does). */
  connection: string | undefined;
  /** X-Cachepool-Table-Version: the node's routing version on a refusal for a stale routing. */
  tableVersion: string | undefined;
  /** X-Cachepool-Error: the catalogue code of a failure (docs/errors.md). */
  errorCode: string | undefined;
  body: string;
}

type Case = LegacyCase;

const TOKEN = 'fast-legacy-test-token-0123456789';

const closers: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const close of closers.reverse()) await close();
});

/** A listening app whose Fastify-served requests are counted, and its injected-only twin. */
async function twins(options: NodeAppOptions = {}) {
  const served = await buildNodeApp(options);
  const reference = await buildNodeApp(options);
  let reachedFastify = 0;
  served.app.addHook('onRequest', (_request, _reply, done) => {
    reachedFastify++;
    done();
  });
  await served.app.listen({ host: '127.0.0.1', port: 0 });
  closers.push(
    () => served.app.close(),
    () => reference.app.close(),
  );
  const port = (served.app.server.address() as AddressInfo).port;
  return { served, reference, port, fastifyCount: () => reachedFastify };
}

function overSocket(port: number, c: Case): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const body = Buffer.from(c.body, 'utf8');
    const headers: Record<string, string | number> = { ...(c.headers ?? {}) };
    if (c.type !== undefined) headers['content-type'] = c.type;
    if (!c.chunked) headers['content-length'] = body.length;
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: c.method ?? 'POST',
        path: c.url ?? '/api/cache/key',
        headers,
        timeout: 10_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            type: response.headers['content-type'],
            length: response.headers['content-length'],
            connection: response.headers.connection,
            tableVersion: response.headers['x-cachepool-table-version'] as string | undefined,
            errorCode: response.headers['x-cachepool-error'] as string | undefined,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    if (c.chunked) {
      request.write(body.subarray(0, 3));
      request.end(body.subarray(3));
    } else request.end(body);
  });
}

async function injected(node: NodeApp, c: Case): Promise<Seen> {
  const answer = await node.app.inject({
    method: c.method ?? 'POST',
    url: c.url ?? '/api/cache/key',
    headers: { ...(c.headers ?? {}), ...(c.type !== undefined ? { 'content-type': c.type } : {}) },
    payload: c.body,
  });
  return {
    status: answer.statusCode,
    type: answer.headers['content-type'] as string | undefined,
    length: answer.headers['content-length'] as string | undefined,
    connection: answer.headers.connection as string | undefined,
    tableVersion: answer.headers['x-cachepool-table-version'] as string | undefined,
    errorCode: answer.headers['x-cachepool-error'] as string | undefined,
    body: answer.body,
  };
}

/** What the statistics and the store look like (recency order and stored bytes included). */
function state(node: NodeApp) {
  const stats = node.node.stats;
  const store = node.node.store;
  return {
    legacy: node.node.legacyStatistics(),
    totals: [stats.requestsTotal, stats.getRequestsTotal, stats.hitsTotal, stats.missesTotal],
    keys: store.keys(),
    entries: store.keys().map((key) => {
      const entry = store.peek(key)!;
      return [key, entry.framed, entry.type, entry.valueBytes, entry.bytes.toString('base64')];
    }),
    usedBytes: store.stats().usedBytes,
  };
}

async function put(
  nodes: NodeApp[],
  key: string,
  value: string,
  headers: Record<string, string> = {},
) {
  for (const node of nodes) {
    const answer = await node.app.inject({
      method: 'POST',
      url: '/api/cache/content',
      headers: { 'content-type': FORM, ...headers },
      payload: new URLSearchParams({ key, value }).toString(),
    });
    assert.equal(answer.statusCode, 200, answer.body);
  }
}

async function runTable(pair: Awaited<ReturnType<typeof twins>>, cases: Case[]) {
  for (const c of cases) {
    const before = pair.fastifyCount();
    const fast = await overSocket(pair.port, c);
    const reference = await injected(pair.reference, c);
    assert.deepEqual(fast, reference, `${c.name}: the fast path answers as Fastify`);
    // Every failure says its catalogue code (docs/errors.md), on both paths alike.
    assert.equal(
      fast.errorCode !== undefined,
      fast.status >= 400,
      `${c.name}: an error answer carries X-Cachepool-Error, a success none`,
    );
    assert.equal(
      pair.fastifyCount() - before,
      c.fast ? 0 : 1,
      `${c.name}: ${c.fast ? 'fast path' : 'Fastify'} answers`,
    );
    assert.deepEqual(
      state(pair.served),
      state(pair.reference),
      `${c.name}: same statistics and recency`,
    );
  }
}

describe('the node fast get and put', () => {
  it('checks a routing version as the Fastify route does: a refusal names the node version', async () => {
    const pair = await twins();
    for (const node of [pair.served, pair.reference]) {
      await put([node], 'test', 'kept');
      // Routing version 6: partition 0 (`test`) owned, partition 11 (`k1`) served elsewhere.
      node.node.ownership.update({ version: 6, owned: [0], receiving: [], leaving: [] });
    }
    const tagged = (name: string, tag: string, body: string, url?: string): Case => ({
      name,
      type: FORM,
      body,
      fast: true,
      headers: { 'x-cachepool-table-version': tag },
      ...(url === undefined ? {} : { url }),
    });
    const cases = [
      tagged('a get of an owned key', '6', 'key=test'),
      tagged('a get of a key served elsewhere', '4', 'key=k1'),
      tagged('a put of a key served elsewhere', '4', 'key=k1&value=v', '/api/cache/content'),
      tagged('a put of an owned key', '6', 'key=test&value=new', '/api/cache/content'),
      tagged('a malformed routing version', 'x', 'key=test'),
    ];
    await runTable(pair, cases);
    const seen = await Promise.all(cases.map((c) => overSocket(pair.port, c)));
    assert.deepEqual(
      seen.map((answer) => [answer.status, answer.tableVersion]),
      [
        [200, undefined],
        [400, '6'],
        [400, '6'],
        [200, undefined],
        [400, undefined],
      ],
    );
    assert.match(seen[1]!.body, /not served by this node under routing version 6/);
  });

  it('answers every case byte for byte as the Fastify route, counting the same', async () => {
    const pair = await twins();
    for (const [key, value] of getSeed()) await put([pair.served, pair.reference], key, value);
    const cases = getCases();
    await runTable(pair, cases);
    const final = state(pair.served);
    assert.ok(
      final.legacy.num_hit! > 5 && final.legacy.num_GET_request_served! > 10,
      JSON.stringify(final.legacy),
    );
    assert.equal(final.keys.at(-1), 'a b c', 'the last hit is the most recently used');
  });

  it('answers every put byte for byte as the Fastify route, storing and counting the same', async () => {
    // A small capacity and value limit, so that both refusals are reachable.
    const pair = await twins(PUT_NODE);
    const cases = putCases();
    await runTable(pair, cases);
    // Fill past the 1 MB capacity: puts evict by the policy the same way on both.
    await runTable(pair, fillCases());
    const final = state(pair.served);
    assert.ok(final.usedBytes <= 1024 * 1024, `${final.usedBytes} bytes held`);
    assert.ok(!final.keys.includes('img'), 'the least recently used value was evicted');
    assert.ok(final.keys.includes('fill-13'));
    assert.equal(
      final.entries.find(([key]) => key === 'q')?.[1] ?? false,
      false,
      'a value needing escapes is stored raw',
    );
  });

  it('refuses a put larger than the whole capacity and changes nothing', async () => {
    const pair = await twins({ capacityMb: 0 });
    await runTable(pair, [
      { name: 'capacity 0', type: FORM, url: PUT, body: 'key=z&value=v', fast: true },
    ]);
    assert.equal(pair.served.node.store.size, 0);
  });

  it('takes a protected get only with the right token', async () => {
    const pair = await twins({ token: TOKEN, protectData: true });
    await put([pair.served, pair.reference], 'k1', 'secret', { authorization: `Bearer ${TOKEN}` });
    await runTable(pair, [
      { name: 'no token', type: FORM, body: 'key=k1', fast: false },
      {
        name: 'wrong token',
        type: FORM,
        body: 'key=k1',
        headers: { authorization: 'Bearer nope' },
        fast: false,
      },
      {
        name: 'right token',
        type: FORM,
        body: 'key=k1',
        headers: { authorization: `Bearer ${TOKEN}` },
        fast: true,
      },
      {
        name: 'right token, miss',
        type: FORM,
        body: 'key=k9',
        headers: { authorization: `bearer  ${TOKEN}` },
        fast: true,
      },
      { name: 'put, no token', type: FORM, url: PUT, body: 'key=p&value=v', fast: false },
      {
        name: 'put, right token',
        type: FORM,
        url: PUT,
        body: 'key=p&value=v',
        headers: { authorization: `Bearer ${TOKEN}` },
        fast: true,
      },
    ]);
    assert.equal(pair.served.node.stats.numHit, 1);
  });

  it('holds only the bytes that arrived, not the length a client announces', async () => {
    const pair = await twins();
    // Eight puts announcing 32 MB each (the body limit) that send 16 bytes and wait.
    const grown = await heldForAnnouncedBodies(pair.port, PUT, 'key=a&value=bbbb');
    assert.ok(
      grown < 32 * 1024 * 1024,
      `${(grown / 1e6).toFixed(1)} MB held for 128 bytes received`,
    );
    assert.equal(pair.served.node.store.size, 0);
  });

  it('serves every get without --protect-data even when a token guards the control routes', async () => {
    const pair = await twins({ token: TOKEN });
    await put([pair.served, pair.reference], 'k1', 'open', { authorization: `Bearer ${TOKEN}` });
    await runTable(pair, [{ name: 'open hit', type: FORM, body: 'key=k1', fast: true }]);
  });
});
