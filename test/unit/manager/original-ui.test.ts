/**
 * The original manager UI's requests, sent verbatim (its api.js posts JSON built from form
 * fields, so every number arrives as a string, and `change` is "" beside automatic settings),
 * against the manager's app through app.inject(), with the metrics store behind
 * `aggregate_stats`. Each answer is checked for the fields that UI reads.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { ManualClock } from '../../../src/clock.js';
import { registerObservability, type Manager, type Scaling } from '../../../src/manager/index.js';
import { MetricsStore } from '../../../src/metrics/metrics-store.js';
import type { NodeSnapshot } from '../../../src/wire/index.js';
import { buildTestManagerApp, type ManagerAppHarness } from '../../helpers/manager-app.js';

const MINUTE = 60_000;
const T0 = 1_800_000_000_000 - (1_800_000_000_000 % MINUTE);

function snapshot(get: number, hit: number, usedBytes: number, items: number): NodeSnapshot {
  return {
    cacheIndex: 0,
    address: '127.0.0.1:7001',
    timeMs: 0,
    startedAtMs: T0 - 10 * MINUTE,
    items,
    usedBytes,
    capacityBytes: 64 * 2 ** 20,
    utilization: 0,
    policy: 'lru',
    requestsTotal: get * 2,
    getRequestsTotal: get,
    hitsTotal: hit,
    missesTotal: get - hit,
    evictionsTotal: 0,
    legacy: { num_request_served: get * 2, num_GET_request_served: get, num_hit: hit },
    hitRate: 0,
    missRate: 0,
  };
}

/** The request as the original UI's fetch sends it: a JSON body built with JSON.stringify. */
function json(method: 'POST' | 'DELETE', url: string, body?: Record<string, unknown>) {
  return {
    method,
    url,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) }),
  };
}

describe('the original manager UI against a cachepool manager', () => {
  let harness: ManagerAppHarness;
  let app: FastifyInstance;
  let manager: Manager;
  let scaling: Scaling;
  const clock = new ManualClock(T0);
  const store = new MetricsStore({ path: ':memory:', clock });

  before(async () => {
    harness = await buildTestManagerApp();
    ({ app, manager, scaling } = harness);
    await registerObservability(app, { manager, scaling, store });
  });
  after(async () => {
    await harness.close();
    store.close();
  });

  const get = async (url: string) => {
    const answer = await app.inject({ method: 'GET', url });
    assert.equal(answer.statusCode, 200, answer.body);
    const body = answer.json();
    assert.equal(body.success, 'true');
    return body.content;
  };

  it('gets aggregate_stats as six flat lists of 30 numbers, oldest first, in percent and MB', async () => {
    // Minute 0: 10 GETs, 7 hits, 2 MB; minute 1: nothing pushed; minute 2: 4 GETs, 1 hit,
    // 3 MB (pushes every 20 s, counters growing).
    const pushes: [number, NodeSnapshot][] = [
      [T0 - 20_000, snapshot(0, 0, 0, 0)],
      [T0 + 30_000, snapshot(10, 7, 2 * 2 ** 20, 5)],
      [T0 + 2 * MINUTE + 10_000, snapshot(14, 8, 3 * 2 ** 20, 6)],
    ];
    for (const [timeMs, s] of pushes) {
      clock.set(timeMs);
      assert.deepEqual(store.record(s), { ok: true });
    }
    clock.set(T0 + 2 * MINUTE + 30_000);
    const stats = await get('/api/manager/aggregate_stats');
    assert.deepEqual(Object.keys(stats).sort(), [
      'hit_rate',
      'miss_rate',
      'number_of_items_in_cache',
      'number_of_nodes',
      'number_of_requests_served_per_minute',
      'total_size_of_items_in_cache',
    ]);
    for (const [name, list] of Object.entries(stats)) {
      assert.ok(Array.isArray(list), name);
      assert.equal((list as unknown[]).length, 30, name);
      for (const value of list as unknown[]) assert.equal(typeof value, 'number', name);
    }
    // The last four minutes are T0−1 (the first push: a node, no GET), T0, T0+1 (no push) and
    // T0+2 (the current one); the 26 before them are empty.
    const tail = (name: string) => (stats[name] as number[]).slice(-4);
    const head = (name: string) => (stats[name] as number[]).slice(0, 26);
    assert.deepEqual(tail('hit_rate'), [0, 70, 0, 25]);
    assert.deepEqual(tail('miss_rate'), [0, 30, 0, 75]);
    assert.deepEqual(tail('total_size_of_items_in_cache'), [0, 2, 0, 3]);
    assert.deepEqual(tail('number_of_items_in_cache'), [0, 5, 0, 6]);
    assert.deepEqual(tail('number_of_requests_served_per_minute'), [0, 20, 0, 8]);
    assert.deepEqual(tail('number_of_nodes'), [1, 1, 0, 1]);
    for (const name of Object.keys(stats))
      assert.ok(
        head(name).every((v) => v === 0),
        name,
      );

    // cachepool's own shape stays behind ?minutes=: [timestamp, value] pairs, rates 0..1, bytes.
    const timed = await get('/api/manager/aggregate_stats?minutes=30');
    assert.deepEqual(timed.hit_rate, [
      [T0 - MINUTE, null],
      [T0, 0.7],
      [T0 + 2 * MINUTE, 0.25],
    ]);
    assert.deepEqual(timed.total_size_of_items_in_cache.at(-1), [T0 + 2 * MINUTE, 3 * 2 ** 20]);
  });

  it('refuses a ?minutes= window it cannot answer with a 400 that gives the range', async () => {
    for (const minutes of ['0', 'abc', '10081']) {
      const answer = await app.inject({
        method: 'GET',
        url: `/api/manager/aggregate_stats?minutes=${minutes}`,
      });
      assert.equal(answer.statusCode, 400, `${minutes}: ${answer.body}`);
      assert.equal(answer.json().success, 'false');
      assert.match(answer.json().error.message, /^minutes must be an integer/);
    }
    const week = await app.inject({
      method: 'GET',
      url: '/api/manager/aggregate_stats?minutes=10080',
    });
    assert.equal(week.statusCode, 200, week.body);
    const over = await app.inject({
      method: 'GET',
      url: '/api/manager/aggregate_stats?minutes=10081',
    });
    assert.equal(
      over.json().error.message,
      'minutes must be an integer from 1 to 10080 (a week), got "10081"',
    );
  });

  it('gets the cache config with `policy`, the field its policy select reads', async () => {
    const config = await get('/api/manager/cache/config');
    assert.equal(config.capacity, 64);
    assert.equal(config.policy, 'lru');
    assert.equal(config.replacement_policy, 'lru');
  });

  it('gets the pool config with the ratios under the original names, and the pool size', async () => {
    const config = await get('/api/manager/poolsize/config');
    assert.equal(config.resize_pool_option, 'manual');
    const p = config.resize_pool_parameters;
    for (const name of [
      'max_miss_rate_threshold',
      'min_miss_rate_threshold',
      'ratio_expand_pool',
      'ratio_shrink_pool',
    ])
      assert.equal(typeof p[name], 'number', name);
    assert.equal(p.ratio_expand_pool, p.expand_ratio);
    assert.equal(p.ratio_shrink_pool, p.shrink_ratio);
    assert.deepEqual(await get('/api/manager/poolsize'), { size: 0 });
  });

  it('submits the node form as the UI sends it: capacity as a string, `policy`', async () => {
    const answer = await app.inject(
      json('POST', '/api/manager/cache/config', { capacity: '100', policy: 'rr' }),
    );
    assert.equal(answer.statusCode, 200, answer.body);
    assert.equal(answer.json().success, 'true');
    const config = await get('/api/manager/cache/config');
    assert.deepEqual(
      {
        capacity: config.capacity,
        policy: config.policy,
        replacement_policy: config.replacement_policy,
      },
      { capacity: 100, policy: 'rr', replacement_policy: 'rr' },
    );
  });

  it('submits the automatic form as the UI sends it: strings, with an empty `change`', async () => {
    const answer = await app.inject(
      json('POST', '/api/manager/poolsize/automatic', {
        change: '',
        max_miss_rate_threshold: '0.80',
        min_miss_rate_threshold: '0.30',
        expand_ratio: '2.00',
        shrink_ratio: '0.50',
      }),
    );
    assert.equal(answer.statusCode, 200, answer.body);
    const config = await get('/api/manager/poolsize/config');
    assert.equal(config.resize_pool_option, 'automatic');
    assert.deepEqual(config.resize_pool_parameters, {
      max_miss_rate_threshold: 0.8,
      min_miss_rate_threshold: 0.3,
      expand_ratio: 2,
      shrink_ratio: 0.5,
      ratio_expand_pool: 2,
      ratio_shrink_pool: 0.5,
    });
    // The UI reads the thresholds back ×100 for its slider: they are 0..1.
    assert.equal(config.resize_pool_parameters.min_miss_rate_threshold * 100, 30);
  });

  it('presses "Remove One Node" at the minimum and reads the original message', async () => {
    const answer = await app.inject(
      json('POST', '/api/manager/poolsize/manual', { change: 'decrease' }),
    );
    assert.equal(answer.statusCode, 400);
    assert.deepEqual(answer.json(), {
      success: 'false',
      error: { code: 400, message: 'The size of memcache pool has been reached to minimum' },
    });
  });

  it('presses "Delete Cache" and "Delete All Data": both answer success', async () => {
    for (const url of ['/api/manager/cache/clear', '/api/manager/data/clear']) {
      const answer = await app.inject(json('DELETE', url));
      assert.equal(answer.statusCode, 200, `${url}: ${answer.body}`);
      assert.equal(answer.json().success, 'true');
    }
  });

  it('serves the OpenAPI document, which lists every endpoint the UI calls', async () => {
    const answer = await app.inject({ method: 'GET', url: '/api/manager/openapi.json' });
    assert.equal(answer.statusCode, 200);
    const doc = answer.json();
    for (const [path, method] of [
      ['/api/manager/aggregate_stats', 'get'],
      ['/api/manager/cache/config', 'get'],
      ['/api/manager/cache/config', 'post'],
      ['/api/manager/poolsize/config', 'get'],
      ['/api/manager/poolsize', 'get'],
      ['/api/manager/poolsize/manual', 'post'],
      ['/api/manager/poolsize/automatic', 'post'],
      ['/api/manager/cache/clear', 'delete'],
      ['/api/manager/data/clear', 'delete'],
    ] as const)
      assert.ok(doc.paths[path]?.[method], `${method} ${path}`);
    // Every manager endpoint the document lists is one the app serves, and the ones nodes call
    // on the manager are listed too.
    const listed = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith('/api/manager/') || path.startsWith('/api/poolsize/'))
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => [path, method] as const));
    for (const [url, method] of listed)
      assert.ok(
        app.hasRoute({ url, method: method.toUpperCase() as 'GET' }),
        `${method} ${url} is documented but not served`,
      );
    for (const path of [
      '/api/poolsize/change',
      '/api/manager/register',
      '/api/manager/stats',
      '/api/manager/leave',
    ])
      assert.ok(doc.paths[path]?.post, `post ${path}`);
  });
});
