/**
 * A node whose process stood still asks its manager before it serves again (src/node/publisher.ts,
 * stall-guard.ts). Its statistics pushes go on meanwhile, and one answered with `rejoin` makes it
 * drop its keys and register again as a new member (it takes no write until its join tells it its
 * partitions); the verification started by the pause must then end, not drop what the node took
 * in as that new member when its own deadline comes.
 * A real Publisher and CacheNode in this process; the manager is a bare HTTP server on loopback
 * that answers as the real one does for a node it failed over, then for a node waiting to join.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { CacheNode } from '../../src/node/cache-node.js';
import { rawEntry } from '../../src/node/entry.js';
import { Publisher } from '../../src/node/publisher.js';
import { PARTITION_COUNT } from '../../src/partition/index.js';

/** The manager's view of the node: a member, failed over while away, or registered to join. */
type Standing = 'member' | 'failed-over' | 'pending';

/** A pause of the whole process (no timer, no I/O) of `ms`. */
function standStill(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe('a node verifying its membership after a pause', { timeout: 30_000 }, () => {
  let server: Server;
  let managerUrl = '';
  let standing: Standing = 'member';
  /** Pushes answered 503 before any other answer (a manager that did not answer in time). */
  let failPushes = 0;
  const calls: string[] = [];

  function answer(response: ServerResponse, content: unknown): void {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ success: 'true', content }));
  }

  before(async () => {
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      request.resume();
      request.on('end', () => {
        if (request.url === '/api/manager/register') {
          calls.push('register');
          if (standing === 'failed-over') standing = 'pending';
          answer(response, { cache_index: 1, down_after_ms: 500 });
        } else if (request.url === '/api/manager/stats') {
          if (failPushes > 0) {
            failPushes--;
            calls.push('stats 503');
            response.writeHead(503, { 'content-type': 'application/json' });
            response.end(JSON.stringify({ success: 'false', error: { message: 'busy' } }));
            return;
          }
          calls.push(`stats ${standing}`);
          if (standing === 'member')
            answer(response, { rejoin: false, status: 'up', routing_version: null });
          else if (standing === 'failed-over')
            answer(response, { rejoin: true, status: null, routing_version: 1 });
          else answer(response, { rejoin: false, status: null, routing_version: 1 });
        } else {
          response.writeHead(404).end();
        }
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    managerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });

  it('ends once a push made the node rejoin, keeping what it took in as a new member', async () => {
    const node = new CacheNode({ capacityMb: 8 });
    const publisher = new Publisher({
      node,
      managerUrl,
      address: () => '127.0.0.1:1',
      intervalS: 3_600, // only the ticks this test runs
      stallMs: 300,
      timeoutMs: 2_000,
    });
    try {
      publisher.start();
      // The first tick registers and pushes once.
      for (let i = 0; i < 100 && !calls.includes('stats member'); i++) await sleep(20);
      assert.ok(publisher.registered, calls.join());
      assert.deepEqual(calls, ['register', 'stats member']);
      node.put('before', rawEntry(Buffer.from('old'), 'text/plain'));

      // The manager fails the node over while its process stands still; the first push after the
      // pause (the verification's) gets no answer in time.
      standing = 'failed-over';
      failPushes = 1;
      standStill(600);
      for (let i = 0; i < 100 && !calls.includes('stats 503'); i++) await sleep(10);
      assert.ok(calls.includes('stats 503'), calls.join());
      assert.equal(node.liveness.suspended(), true, 'suspended after the pause');

      // A statistics push is answered with rejoin: the node drops its keys and registers again
      // (pending, to join), then takes in a key of its new partitions.
      await publisher.tick();
      assert.equal(node.get('before'), undefined, 'dropped on rejoin');
      await publisher.tick();
      assert.equal(standing, 'pending', calls.join());
      assert.ok(publisher.registered);
      assert.equal(node.liveness.suspended(), false);
      // No member until it joins: it takes no write (one routed by a table from before would be
      // lost), then takes its partitions' writes once its join tells it them.
      assert.throws(
        () => node.put('after', rawEntry(Buffer.from('new'), 'text/plain')),
        /not served by this node/,
      );
      const all = Array.from({ length: PARTITION_COUNT }, (_, partition) => partition);
      assert.ok(node.ownership.update({ version: 3, owned: [], receiving: all, leaving: [] }));
      node.put('after', rawEntry(Buffer.from('new'), 'text/plain'), 0, 3);

      // Past the verification's deadline (the down-after of 500 ms, 2 s at least), the key the
      // node took in as a new member is still there and it has not registered a third time.
      await sleep(2_600);
      assert.equal(node.get('after')?.valueBytes, 3, calls.join());
      assert.equal(calls.filter((call) => call === 'register').length, 2, calls.join());
    } finally {
      await publisher.stop();
    }
  });
});
