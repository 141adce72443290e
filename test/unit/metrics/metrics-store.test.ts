import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../../src/clock.js';
import { MetricsStore, METRICS_FILE } from '../../../src/metrics/metrics-store.js';
import type { NodeSnapshot } from '../../../src/wire/index.js';
import { removeTempDirs, tempDir as makeTempDir } from '../../helpers/temp-dir.js';

const T0 = 1_800_000_000_000 - (1_800_000_000_000 % 60_000);
const tempDir = (): string => makeTempDir('cachepool-metrics-');
after(removeTempDirs);

function snapshot(
  address: string,
  get: number,
  hit: number,
  extra: Partial<NodeSnapshot> = {},
): NodeSnapshot {
  return {
    cacheIndex: 0,
    address,
    timeMs: 0,
    startedAtMs: T0 - 2000,
    items: 10,
    usedBytes: 1000,
    capacityBytes: 64 * 1024 * 1024,
    utilization: 0,
    policy: 'lru',
    requestsTotal: get + 1,
    getRequestsTotal: get,
    hitsTotal: hit,
    missesTotal: get - hit,
    evictionsTotal: 0,
    legacy: { num_request_served: get, num_GET_request_served: get, num_hit: hit },
    hitRate: 0,
    missRate: 0,
    ...extra,
  };
}

/** Pushes one snapshot of node a every 5 s from `fromMs` for `count` pushes, 10 GETs and 7 hits each. */
function pushSeries(
  store: MetricsStore,
  clock: ManualClock,
  fromMs: number,
  count: number,
  start = { get: 0, hit: 0 },
): { get: number; hit: number } {
  let { get, hit } = start;
  for (let i = 0; i < count; i++) {
    clock.set(fromMs + i * 5000);
    assert.deepEqual(store.record(snapshot('127.0.0.1:7001', get, hit)), { ok: true });
    get += 10;
    hit += 7;
  }
  return { get, hit };
}

test('the store writes a real SQLite file in WAL mode under the data directory', () => {
  const dir = tempDir();
  const clock = new ManualClock(T0);
  const store = new MetricsStore({ dataDir: join(dir, 'nested'), clock });
  store.record(snapshot('127.0.0.1:7001', 0, 0));
  store.close();
  assert.ok(statSync(join(dir, 'nested', METRICS_FILE)).size > 0);
  const reopened = new MetricsStore({ dataDir: join(dir, 'nested'), clock });
  assert.equal(reopened.counts().samples, 1);
  reopened.close();
});

test('aggregate answers the SPEC shape at 1-minute points with rates from deltas', () => {
  const clock = new ManualClock(T0);
  const store = new MetricsStore({ path: join(tempDir(), 'm.sqlite'), clock });
  pushSeries(store, clock, T0, 24); // two full minutes
  clock.set(T0 + 2 * 60_000 + 1000);
  const stats = store.aggregate(30);
  assert.deepEqual(Object.keys(stats).sort(), [
    'hit_rate',
    'miss_rate',
    'number_of_items_in_cache',
    'number_of_nodes',
    'number_of_requests_served_per_minute',
    'total_size_of_items_in_cache',
  ]);
  assert.deepEqual(stats.number_of_nodes, [
    [T0, 1],
    [T0 + 60_000, 1],
  ]);
  // minute 0: 12 pushes, the first counts from the node start (0 GETs), then 11 × 10 GETs.
  assert.deepEqual(stats.number_of_requests_served_per_minute[0], [T0, 111]);
  assert.deepEqual(stats.number_of_requests_served_per_minute[1], [T0 + 60_000, 120]);
  assert.deepEqual(stats.hit_rate[1], [T0 + 60_000, 0.7]);
  assert.ok(Math.abs(stats.miss_rate[1]![1]! - 0.3) < 1e-9);
  assert.deepEqual(stats.number_of_items_in_cache[1], [T0 + 60_000, 10]);
  assert.deepEqual(stats.total_size_of_items_in_cache[1], [T0 + 60_000, 1000]);
  store.close();
});

test('rolled-up minutes answer the same as the live computation', () => {
  const clock = new ManualClock(T0);
  const store = new MetricsStore({ path: join(tempDir(), 'm.sqlite'), clock });
  pushSeries(store, clock, T0, 36);
  clock.set(T0 + 3 * 60_000 + 10);
  const live = store.aggregate(30);
  store.tick();
  assert.equal(store.counts().minutes, 3);
  assert.deepEqual(store.aggregate(30), live);
  store.close();
});

test('retention prunes raw samples, minutes and events so the database stays bounded', () => {
  const clock = new ManualClock(T0);
  const store = new MetricsStore({
    path: join(tempDir(), 'm.sqlite'),
    clock,
    retentionMs: 10 * 60_000,
    rawRetentionMs: 5 * 60_000,
  });
  store.recordEvent({ time_ms: T0, old_size: 1, new_size: 2, cause: 'manual' });
  let next = { get: 0, hit: 0 };
  for (let minute = 0; minute < 20; minute++) {
    next = pushSeries(store, clock, T0 + minute * 60_000, 12, next);
    clock.set(T0 + (minute + 1) * 60_000);
    store.tick();
  }
  const counts = store.counts();
  assert.ok(counts.samples <= 5 * 12, `samples kept: ${counts.samples}`);
  assert.ok(counts.minutes <= 10, `minutes kept: ${counts.minutes}`);
  assert.equal(counts.events, 0);
  const stats = store.aggregate(30);
  assert.ok(stats.number_of_nodes.length <= 10);
  assert.ok(stats.number_of_nodes.length >= 9);
  store.close();
});

test('missRateLastMinute answers the pool miss rate over the last minute, null without GETs', () => {
  const clock = new ManualClock(T0);
  const store = new MetricsStore({ path: ':memory:', clock });
  assert.deepEqual(store.missRateLastMinute(), { missRate: null, getRequests: 0 });
  pushSeries(store, clock, T0, 30);
  const last = store.missRateLastMinute();
  assert.equal(last.getRequests, 120);
  assert.ok(Math.abs(last.missRate! - 0.3) < 1e-9);
  store.close();
});

test('missRateOver counts only the window asked for: old misses leave it once it has passed', () => {
  const clock = new ManualClock(T0);
  const store = new MetricsStore({ path: ':memory:', clock });
  const node = '127.0.0.1:7001';
  // 0–10 s: 100 GETs, all misses; 10–20 s: 100 more GETs, all hits.
  clock.set(T0);
  store.record(snapshot(node, 0, 0, { startedAtMs: T0 - 1000 }));
  clock.set(T0 + 10_000);
  store.record(snapshot(node, 100, 0, { startedAtMs: T0 - 1000 }));
  clock.set(T0 + 20_000);
  store.record(snapshot(node, 200, 100, { startedAtMs: T0 - 1000 }));
  assert.deepEqual(store.missRateOver(10_000), { missRate: 0, getRequests: 100 });
  const minute = store.missRateOver(60_000);
  assert.equal(minute.getRequests, 200);
  assert.ok(Math.abs(minute.missRate! - 0.5) < 1e-9);
  assert.deepEqual(store.missRateLastMinute(), minute);
  store.close();
});

test('a node restart does not make totals or rates go negative', () => {
  const clock = new ManualClock(T0);
  const store = new MetricsStore({ path: ':memory:', clock });
  clock.set(T0 + 1000);
  store.record(snapshot('127.0.0.1:7001', 100, 90, { startedAtMs: T0 - 500 }));
  clock.set(T0 + 6000);
  store.record(snapshot('127.0.0.1:7001', 200, 150, { startedAtMs: T0 - 500 }));
  clock.set(T0 + 11_000);
  store.record(snapshot('127.0.0.1:7001', 4, 1, { startedAtMs: T0 + 10_000 }));
  const totals = store.totals();
  assert.equal(totals.getRequests, 100 + 100 + 4);
  assert.equal(totals.hits, 90 + 60 + 1);
  const [point] = store.points(1, T0 + 20_000);
  assert.equal(point!.getRequests, 204);
  assert.ok(point!.missRate! > 0 && point!.missRate! < 1);
  store.close();
});

test('record refuses a snapshot without the counters it needs and stores nothing', () => {
  const store = new MetricsStore({ path: ':memory:', clock: new ManualClock(T0) });
  const bad = { ...snapshot('127.0.0.1:7001', 1, 1), hitsTotal: -1 };
  const outcome = store.record(bad);
  assert.equal(outcome.ok, false);
  assert.match((outcome as { message: string }).message, /hitsTotal/);
  assert.equal(store.record(null as unknown as NodeSnapshot).ok, false);
  assert.equal(store.counts().samples, 0);
  store.close();
});

test('perNode gives one node its own series', () => {
  const clock = new ManualClock(T0);
  const store = new MetricsStore({ path: ':memory:', clock });
  pushSeries(store, clock, T0, 12);
  clock.set(T0 + 30_000);
  store.record(snapshot('127.0.0.1:7002', 0, 0, { items: 99 }));
  const a = store.perNode('127.0.0.1:7001', 30, T0 + 59_000);
  const b = store.perNode('127.0.0.1:7002', 30, T0 + 59_000);
  assert.deepEqual(a.number_of_items_in_cache, [[T0, 10]]);
  assert.deepEqual(b.number_of_items_in_cache, [[T0, 99]]);
  assert.deepEqual(store.perNode('127.0.0.1:9', 30, T0 + 59_000).number_of_nodes, []);
  store.close();
});

test('events returns the resizes of the window, oldest first, and refuses an unknown cause', () => {
  const clock = new ManualClock(T0 + 60 * 60_000);
  const store = new MetricsStore({ path: ':memory:', clock });
  store.recordEvent({ time_ms: T0, old_size: 1, new_size: 2, cause: 'manual' });
  store.recordEvent({ time_ms: T0 + 50 * 60_000, old_size: 2, new_size: 4, cause: 'automatic' });
  store.recordEvent({ time_ms: T0 + 55 * 60_000, old_size: 4, new_size: 3, cause: 'failure' });
  assert.deepEqual(
    store.events(30).map((e) => e.new_size),
    [4, 3],
  );
  assert.throws(
    () => store.recordEvent({ time_ms: T0, old_size: 1, new_size: 2, cause: 'bogus' as 'manual' }),
    /cause/,
  );
  assert.throws(() => store.aggregate(0), /minutes/);
  store.close();
});
