/**
 * A node suspended by its stall guard (src/node/stall-guard.ts) refuses writes with
 * CP_ERR_NODE_VERIFYING until it is resumed. Its callers send such a write again
 * (src/pool/verifying.ts): through the gateway's fast path (legacy put), its Fastify routes
 * (/v1 PUT), a write sent while the node is suspended succeeds once the node
 * resumes, and lands once (the client, with a real pause of a node process:
 * member-failure.test.ts). A node that stays suspended past the tries gets its
 * refusal relayed. A real node and a real gateway in this process, on loopback.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { request } from 'undici';
import { buildNodeApp, type NodeApp } from '../../src/node/index.js';
import { PartitionTable } from '../../src/partition/index.js';
import { buildGatewayApp, Routing } from '../../src/pool/index.js';
import { VERIFYING_RETRIES, VERIFYING_WAIT_MS } from '../../src/pool/verifying.js';

describe('writes to a node that checks with its manager after a pause', { timeout: 60_000 }, () => {
  let node: NodeApp;
  let gateway: FastifyInstance;
  let base = '';
  let nodeAddress = '';

  before(async () => {
    node = await buildNodeApp({ logger: pino({ level: 'silent' }) });
    await node.app.listen({ host: '127.0.0.1', port: 0 });
    nodeAddress = `127.0.0.1:${(node.app.server.address() as { port: number }).port}`;
    node.setAddress(nodeAddress);
    gateway = await buildGatewayApp({
      routing: new Routing(PartitionTable.initial([nodeAddress])),
      timeoutMs: 2_000,
    });
    await gateway.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(gateway.server.address() as { port: number }).port}`;
  });

  after(async () => {
    node.node.liveness.unwatch();
    await gateway.close();
    await node.app.close();
  });

  /** Resumes the node and stops its guard. */
  function resume(): void {
    node.node.liveness.resume();
    node.node.liveness.unwatch();
  }

  /** Suspends the node (a 1 ms stall threshold, then a pause); resumes it after `ms` if given. */
  async function suspendFor(ms?: number): Promise<void> {
    const { liveness } = node.node;
    liveness.watch(1, () => {});
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(liveness.suspended(), true);
    if (ms !== undefined) setTimeout(resume, ms);
  }

  async function legacyPut(key: string, value: string) {
    const answer = await request(`${base}/api/cache/content`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ key, value }).toString(),
    });
    return { status: answer.statusCode, body: await answer.body.text(), headers: answer.headers };
  }

  it('a legacy put through the fast path waits out the check and is stored', async () => {
    await suspendFor(200);
    const put = await legacyPut('fast', 'one');
    assert.equal(put.status, 200, put.body);
    assert.equal(node.node.store.size, 1);
    assert.equal(node.node.get('fast')?.valueBytes, 3);
  });

  it('a /v1 PUT through the Fastify routes waits out the check; a delete is not held', async () => {
    await suspendFor(200);
    const put = await request(`${base}/v1/keys/slow`, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain' },
      body: 'two',
    });
    assert.equal(put.statusCode, 201, await put.body.text());
    assert.equal(node.node.get('slow')?.valueBytes, 3);

    // A removal is not refused: it goes through at once.
    await suspendFor();
    const removed = await request(`${base}/api/cache/key?key=slow`, { method: 'DELETE' });
    const text = await removed.body.text();
    assert.equal(removed.statusCode, 200, text);
    resume();
    assert.equal(node.node.get('slow'), undefined);
  });

  it('a node that stays suspended past the tries gets its refusal relayed, and nothing changes', async () => {
    const size = node.node.store.size;
    await suspendFor();
    const started = Date.now();
    const put = await legacyPut('late', 'four');
    assert.ok(Date.now() - started >= VERIFYING_WAIT_MS * VERIFYING_RETRIES, 'it was sent again');
    assert.equal(put.status, 400);
    assert.equal(put.headers['x-cachepool-error'], 'CP_ERR_NODE_VERIFYING');
    assert.match(put.body, /checking with its manager/);
    assert.equal(node.node.store.size, size);
    // Reads are misses meanwhile, never errors.
    const read = await request(`${base}/api/cache/key`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'key=fast',
    });
    const body = await read.body.text();
    assert.equal(read.statusCode, 400);
    assert.match(body, /Unknown key/);
    resume();
    assert.equal((await legacyPut('late', 'four')).status, 200);
  });
});
