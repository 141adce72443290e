/**
 * The 1→8→1 resize of pool-resize.test.ts with the client as the only reader and writer: keys
 * loaded with setMany, two readers and a writer running through every step, and after each
 * step every key read back (getMany and get) with its latest value — no miss of a cached key,
 * no lost write, no invalidated key brought back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CachePool } from '../../src/client/index.js';
import { partitionOf } from '../../src/partition/index.js';
import { call } from '../helpers/http.js';
import { startPool, type Pool } from '../helpers/pool.js';
import { stopAll } from '../helpers/process.js';

describe('the client through a 1→8→1 resize', { timeout: 240_000 }, () => {
  let pool: Pool;
  let client: CachePool;
  const stable = new Map<string, string>();
  const churn = new Map<string, string | null>();
  before(async () => {
    pool = await startPool(['--nodes', '1', '--max', '8', '--move-chunk-keys', '300']);
    client = await CachePool.connect({ manager: pool.manager, refreshIntervalMs: 250 });
    const keys = Array.from({ length: 1_500 }, (_, i) => `img_${String(i).padStart(4, '0')}`);
    const entries = keys.map((key) => [key, `data:image/png;base64,${key}`] as const);
    await client.setMany(entries);
    for (const [key, value] of entries) (key < 'img_1300' ? stable : churn).set(key, value);
  });
  after(async () => {
    await client?.close();
    await stopAll();
  });

  // A read whose owner left in a shrink reads the table again until it shows the change
  // (stale-routing.ts movedOnSince), and a read or batch refused for a stale routing is sent
  // again up to twice (a resize publishes its moving state, then its new table): each of these
  // once made a run miss a key or fail a getMany.
  it('serves every key with its latest value at every step, with no miss', async () => {
    const stableKeys = [...stable.keys()];
    const churnKeys = [...churn.keys()];
    let misses = 0;
    let reads = 0;
    // What each miss looked like, for the failure message: the step, the key, the table
    // versions before and after the read, and whether a second read at once found the value.
    const missed: string[] = [];
    let step = '';
    let stepStart = 0;
    let writes = 0;
    let running = false;
    const reader = async () => {
      while (running) {
        const key = stableKeys[reads % stableKeys.length]!;
        const version = client.routingVersion;
        const got = await client.getString(key);
        if (got !== stable.get(key)) {
          misses++;
          const after = client.routingVersion;
          const again = (await client.getString(key)) === stable.get(key);
          missed.push(
            `${step} +${Date.now() - stepStart} ms ${key} (partition ${partitionOf(key)}, owner ${client.owners[partitionOf(key)]}): got ${got}, table ${version}->${after}, read again ${again ? 'hit' : 'missed'}`,
          );
        }
        reads++;
      }
    };
    // Batches too: 50 stable keys at a time through getMany, each key that misses counted.
    let batchReads = 0;
    const batchReader = async () => {
      while (running) {
        const start = (batchReads * 50) % stableKeys.length;
        const keys = stableKeys.slice(start, start + 50);
        const got = await client.getMany(keys);
        for (const key of keys) {
          if (got.get(key)?.toString() !== stable.get(key)) {
            misses++;
            missed.push(`${step} +${Date.now() - stepStart} ms ${key} missed in getMany`);
          }
        }
        batchReads++;
      }
    };
    // One writer: a write or delete is recorded once acknowledged, in order.
    const writer = async () => {
      while (running) {
        const key = churnKeys[(writes * 7) % churnKeys.length]!;
        if (writes % 3 === 2) {
          await client.delete(key);
          churn.set(key, null);
        } else {
          const value = `v${writes}-${key}`;
          await client.set(key, value);
          churn.set(key, value);
        }
        writes++;
      }
    };
    const steps = [...Array<string>(7).fill('increase'), ...Array<string>(7).fill('decrease')];
    for (const [index, change] of steps.entries()) {
      step = `step ${index + 1} ${change}`;
      stepStart = Date.now();
      running = true;
      const loops = Promise.all([reader(), reader(), batchReader(), writer()]);
      const answer = await call('POST', `${pool.manager}/api/manager/poolsize/manual`, {
        change,
      });
      running = false;
      await loops;
      assert.equal(answer.status, 200, JSON.stringify(answer.json));
      const expected = new Map<string, string | null>([...stable, ...churn]);
      const many = await client.getMany(expected.keys());
      const wrong: string[] = [];
      for (const [key, value] of expected) {
        const got = many.get(key)?.toString() ?? null;
        if (got !== value) wrong.push(`${key}: getMany ${got}, want ${value}`);
      }
      assert.deepEqual(wrong.slice(0, 5), [], `${change}: ${wrong.length} keys read back wrong`);
    }
    assert.ok(reads > 0 && writes > 0 && batchReads > 0);
    assert.equal(
      misses,
      0,
      `${misses} of ${reads} reads and ${batchReads * 50} batch reads of stable keys missed or saw another value: ${missed.slice(0, 5).join('; ')}`,
    );
  });
});
