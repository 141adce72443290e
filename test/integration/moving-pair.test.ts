/**
 * The write orders of a moving partition (src/pool/moving-pair.ts, batch-through.ts) against two
 * real nodes: a write whose old owner is known not to answer (its breaker is open) must not be
 * stored on the new owner. Stored there, it would be read while the old owner keeps its older
 * copy, which a rollback (or a read that falls back to the old owner) brings back later: a value
 * read, then undone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PartitionTable, partitionOf } from '../../src/partition/index.js';
import { RouteView, Upstreams, type Upstream } from '../../src/pool/index.js';
import { batchGetThrough, batchPutThrough } from '../../src/pool/batch-through.js';
import { decodeBatch, FINAL_MISS_TYPE } from '../../src/node/batch.js';
import { invalidateLegacy, readThrough, writeThrough } from '../../src/pool/moving-pair.js';
import { StaleWatch } from '../../src/pool/stale-routing.js';
import { CachePoolError } from '../../src/errors.js';
import { FormData, request } from 'undici';
import { call } from '../helpers/http.js';
import { startCachepool, stopAll } from '../helpers/process.js';

const FORM = 'application/x-www-form-urlencoded';

describe('a write of a moving partition whose old owner does not answer', () => {
  let nodeA: string;
  let nodeB: string;

  before(async () => {
    const [a, b] = await Promise.all([
      startCachepool(['node', '--port', '0']),
      startCachepool(['node', '--port', '0']),
    ]);
    nodeA = new URL(a.urls.get('node')!).host;
    nodeB = new URL(b.urls.get('node')!).host;
  });
  after(stopAll);

  /** The value `key` has on `address`, undefined on a miss. */
  async function valueOn(address: string, key: string): Promise<string | undefined> {
    const answer = await call('POST', `http://${address}/api/cache/key`, { key });
    return answer.status === 200 ? (answer.json.content as string) : undefined;
  }

  /** A view in which `key`'s partition moves from A to B. */
  function movingView(key: string): RouteView {
    const partition = partitionOf(key);
    return new RouteView(PartitionTable.initial([nodeA]), [{ partition, from: nodeA, to: nodeB }]);
  }

  it('fails before the new owner stores it, and tells the router a node did not answer', async () => {
    const key = 'moving-pair-single';
    assert.equal(
      (await call('POST', `http://${nodeA}/api/cache/content`, { key, value: 'old' })).status,
      200,
    );
    const upstreams = new Upstreams({ timeoutMs: 1_000 });
    try {
      upstreams.breaker.failed(nodeA);
      const watch = new StaleWatch(upstreams, undefined);
      const body = Buffer.from(new URLSearchParams({ key, value: 'new' }).toString());
      await assert.rejects(
        writeThrough(
          watch.forwarder,
          movingView(key),
          key,
          'POST',
          '/api/cache/content',
          FORM,
          body,
          invalidateLegacy(watch.forwarder, key),
        ),
        (error) =>
          error instanceof CachePoolError &&
          error.code === 'CP_ERR_NODE_UNREACHABLE' &&
          error.message.includes(nodeA),
      );
      assert.equal(watch.unreachable, true, 'the router learns that a node did not answer');
      assert.equal(await valueOn(nodeB, key), undefined, 'the new owner did not store it');
      assert.equal(await valueOn(nodeA, key), 'old');

      // Once the old owner answers again, the same write goes through and removes the old copy.
      upstreams.breaker.succeeded(nodeA);
      const answer = await writeThrough(
        upstreams,
        movingView(key),
        key,
        'POST',
        '/api/cache/content',
        FORM,
        body,
        invalidateLegacy(upstreams, key),
      );
      assert.equal(answer.statusCode, 200);
      assert.equal(await valueOn(nodeB, key), 'new');
      assert.equal(await valueOn(nodeA, key), undefined);
    } finally {
      await upstreams.close();
    }
  });

  it('a delete whose removal on the old owner fails leaves the newer value on the new owner', async () => {
    const key = 'moving-pair-delete';
    for (const [address, value] of [
      [nodeA, 'old'],
      [nodeB, 'new'],
    ] as const)
      assert.equal(
        (await call('POST', `http://${address}/api/cache/content`, { key, value })).status,
        200,
      );
    const upstreams = new Upstreams({ timeoutMs: 1_000 });
    try {
      const body = Buffer.from(JSON.stringify({ key }));
      const remove = (removeFromOld: (address: string) => Promise<Upstream>) =>
        writeThrough(
          upstreams,
          movingView(key),
          key,
          'DELETE',
          '/api/cache/key',
          'application/json',
          body,
          removeFromOld,
        );
      // The old owner's removal fails (nothing listens where it is sent): the delete fails and
      // the new owner keeps its value. Taken from the new owner first, reads would fall back to
      // the old owner's older copy, and a rolled-back move would keep it.
      await assert.rejects(
        remove(() =>
          upstreams.forward('127.0.0.1:1', 'DELETE', '/api/cache/key', 'application/json', body),
        ),
      );
      assert.equal(await valueOn(nodeB, key), 'new');
      assert.equal(await valueOn(nodeA, key), 'old');
      // With the old owner answering, the key is gone from both.
      assert.equal((await remove(invalidateLegacy(upstreams, key))).statusCode, 200);
      assert.equal(await valueOn(nodeA, key), undefined);
      assert.equal(await valueOn(nodeB, key), undefined);
    } finally {
      await upstreams.close();
    }
  });

  it("a read does not fall back to the old owner's copy of a key the new owner was written and lost", async () => {
    // The new owner is fenced for the key's partition; a write lands there with a TTL of 1 s, and
    // its removal of the old owner's copy failed (not sent). Once it expires on B, B's miss is
    // final: A's copy is older than what B lost.
    const key = 'moving-pair-expired';
    const other = 'moving-pair-untouched';
    const partition = partitionOf(key);
    const view = new RouteView(PartitionTable.initial([nodeA]), [
      { partition, from: nodeA, to: nodeB },
      ...(partitionOf(other) !== partition
        ? [{ partition: partitionOf(other), from: nodeA, to: nodeB }]
        : []),
    ]);
    for (const k of [key, other])
      assert.equal(
        (await call('POST', `http://${nodeA}/api/cache/content`, { key: k, value: 'old' })).status,
        200,
      );
    const fence = await call('POST', `http://${nodeB}/internal/migration/begin`, {
      id: 'mp-final',
      partitions: [...new Set([partition, partitionOf(other)])],
    });
    assert.equal(fence.status, 200);
    assert.equal(
      (await call('POST', `http://${nodeB}/api/cache/content`, { key, value: 'new', ttl: 1 }))
        .status,
      200,
    );
    const upstreams = new Upstreams({ timeoutMs: 1_000 });
    try {
      const read = (k: string) =>
        readThrough(
          upstreams,
          view,
          k,
          'POST',
          '/api/cache/key',
          'application/json',
          Buffer.from(JSON.stringify({ key: k })),
        );
      assert.equal(JSON.parse((await read(key)).body.toString()).content, 'new');
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      // The node says so on each of its read answers: the legacy one (fast path, and the Fastify
      // route for a multipart body), /v1 GET and HEAD; not for a key it was not written.
      const legacy = await request(`http://${nodeB}/api/cache/key`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key }),
      });
      await legacy.body.dump();
      assert.equal(legacy.statusCode, 400);
      assert.equal(legacy.headers['x-cachepool-miss'], 'final');
      const form = new FormData();
      form.set('key', key);
      const multipart = await request(`http://${nodeB}/api/cache/key`, {
        method: 'POST',
        body: form,
      });
      await multipart.body.dump();
      assert.equal(multipart.headers['x-cachepool-miss'], 'final');
      for (const method of ['GET', 'HEAD'] as const) {
        const v1 = await request(`http://${nodeB}/v1/keys/${key}`, { method });
        await v1.body.dump();
        assert.equal(v1.statusCode, 404);
        assert.equal(v1.headers['x-cachepool-miss'], 'final', method);
      }
      const untouched = await request(`http://${nodeB}/api/cache/key`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key: other }),
      });
      await untouched.body.dump();
      assert.equal(untouched.headers['x-cachepool-miss'], undefined);

      const expired = await read(key);
      assert.equal(expired.statusCode, 400, expired.body.toString());
      assert.equal(expired.errorCode, 'CP_ERR_KEY_UNKNOWN');
      // A key the new owner was not written is read from the old owner, as before.
      assert.equal(JSON.parse((await read(other)).body.toString()).content, 'old');

      // Batch reads: the node marks the final miss in its record; the reader stops there too.
      const batch = await request(`http://${nodeB}/v1/batch/get`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ keys: [key, other] }),
      });
      assert.equal(batch.statusCode, 200);
      const records = decodeBatch(Buffer.from(await batch.body.arrayBuffer()));
      assert.deepEqual(
        records.map((r) => [r.key, r.type, r.value.length]),
        [
          [key, FINAL_MISS_TYPE, 0],
          [other, '', 0],
        ],
      );
      const found = new Map<string, { type: string; value: Buffer }>();
      await batchGetThrough(upstreams, view, [key, other], found, {
        maxKeys: 100,
        maxBytes: 1 << 20,
      });
      assert.deepEqual(
        [...found].map(([k, v]) => [k, v.value.toString()]),
        [[other, 'old']],
      );
    } finally {
      await upstreams.close();
      await call('POST', `http://${nodeB}/internal/migration/end`, { id: 'mp-final' });
    }
  });

  it('leaves such records of a batch put unstored and lists them as unreachable', async () => {
    const key = 'moving-pair-batch';
    const upstreams = new Upstreams({ timeoutMs: 1_000 });
    try {
      upstreams.breaker.failed(nodeA);
      const outcome = await batchPutThrough(
        upstreams,
        movingView(key),
        [{ key, type: 'text/plain', value: Buffer.from('new') }],
        '',
        { maxKeys: 100, maxBytes: 1 << 20 },
        (address, name) => invalidateLegacy(upstreams, name)(address),
      );
      assert.deepEqual(outcome.unreachableKeys, [key]);
      assert.equal(outcome.failure, undefined);
      assert.equal(await valueOn(nodeB, key), undefined, 'the new owner did not store it');
    } finally {
      await upstreams.close();
    }
  });
});
