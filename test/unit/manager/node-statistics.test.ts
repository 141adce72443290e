/**
 * NodeStatistics: rates over a window come from the growth of the nodes' monotonic counters, so a
 * statistics reset does not matter, a restarted node counts from its restart, and a window without
 * GET requests has no rate (null), never 0 %.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/clock.js';
import { NodeStatistics } from '../../../src/manager/node-statistics.js';
import { MetricsStore } from '../../../src/metrics/metrics-store.js';
import type { NodeSnapshot } from '../../../src/wire/index.js';

const A = '127.0.0.1:7001';
const B = '127.0.0.1:7002';

function snapshot(
  address: string,
  timeMs: number,
  gets: number,
  hits: number,
  startedAtMs = -60_000,
): NodeSnapshot {
  return {
    cacheIndex: address === A ? 0 : 1,
    address,
    timeMs,
    startedAtMs,
    items: 0,
    usedBytes: 0,
    capacityBytes: 0,
    utilization: 0,
    policy: 'lru',
    requestsTotal: gets,
    getRequestsTotal: gets,
    hitsTotal: hits,
    missesTotal: gets - hits,
    evictionsTotal: 0,
    legacy: { num_request_served: 0, num_GET_request_served: 0, num_hit: 0 },
    // The last-interval figures are deliberately wrong: the window must not read them.
    hitRate: 0,
    missRate: 1,
  };
}

describe('NodeStatistics rates', () => {
  it('counts the growth of the counters inside the window only', () => {
    const stats = new NodeStatistics();
    stats.record(snapshot(A, 0, 100, 0)); // before the window: all misses
    stats.record(snapshot(A, 60_000, 200, 50));
    stats.record(snapshot(A, 120_000, 300, 140));
    // Since 60 s: 100 GETs, 90 hits.
    assert.deepEqual(stats.missRate([A], 60_000), { missRate: 0.1, getRequests: 100 });
    // Since 0: 200 GETs, 140 hits.
    assert.deepEqual(stats.missRate([A], 0), { missRate: 0.3, getRequests: 200 });
  });

  it('counts a node that started inside the window from zero, though its first snapshot came late', () => {
    const stats = new NodeStatistics();
    // Started at 1 s; its first snapshot (at 6 s) already holds 40 misses.
    stats.record(snapshot(A, 6_000, 40, 0, 1_000));
    stats.record(snapshot(A, 11_000, 100, 60, 1_000));
    assert.deepEqual(stats.missRate([A], 0), { missRate: 0.4, getRequests: 100 });
    // A window that begins after its start counts the interval its first snapshot ends in it
    // whole, as the per-minute roll-up does.
    assert.deepEqual(stats.missRate([A], 5_000), { missRate: 0.4, getRequests: 100 });
  });

  it('has no rate for a window without GET requests', () => {
    const stats = new NodeStatistics();
    stats.record(snapshot(A, 0, 50, 20));
    stats.record(snapshot(A, 5_000, 50, 20));
    stats.record(snapshot(A, 10_000, 50, 20));
    assert.deepEqual(stats.missRate([A], 0), { missRate: null, getRequests: 0 });
    assert.deepEqual(stats.missRate([B], 0), { missRate: null, getRequests: 0 });
  });

  it('counts a restarted node from its restart, never negatively', () => {
    const stats = new NodeStatistics();
    stats.record(snapshot(A, 0, 1_000, 900));
    stats.record(snapshot(A, 5_000, 1_100, 990));
    // Restarted at 7 s: its counters start again from 0, all of them inside the window.
    stats.record(snapshot(A, 10_000, 10, 0, 7_000));
    stats.record(snapshot(A, 15_000, 30, 10, 7_000));
    // The old process served 100 GETs (90 hits) in the window before it stopped, the new one 30.
    assert.deepEqual(stats.missRate([A], 0), { missRate: 30 / 130, getRequests: 130 });
    // A window from 8 s holds only the new process: from zero at its start.
    assert.deepEqual(stats.missRate([A], 8_000), { missRate: 20 / 30, getRequests: 30 });
  });

  it('adds the nodes asked for, and only those', () => {
    const stats = new NodeStatistics();
    stats.record(snapshot(A, 0, 0, 0));
    stats.record(snapshot(A, 5_000, 100, 100));
    stats.record(snapshot(B, 0, 0, 0));
    stats.record(snapshot(B, 5_000, 100, 0));
    assert.deepEqual(stats.missRate([A], 0), { missRate: 0, getRequests: 100 });
    assert.deepEqual(stats.missRate([B], 0), { missRate: 1, getRequests: 100 });
    assert.deepEqual(stats.missRate([A, B], 0), { missRate: 0.5, getRequests: 200 });
    stats.forget(B);
    assert.deepEqual(stats.missRate([A, B], 0), { missRate: 0, getRequests: 100 });
    assert.equal(stats.last(B), undefined);
  });
});

describe('one pool miss rate', () => {
  it("gives the manager's figures and the auto-scaler's input the same rate for the same snapshots", () => {
    const T0 = 1_800_000_000_000;
    const clock = new ManualClock(T0);
    const store = new MetricsStore({ path: ':memory:', clock });
    const stats = new NodeStatistics();
    const snapshots = [
      snapshot(A, T0, 100, 10, T0 - 60_000),
      snapshot(B, T0 + 5_000, 40, 0, T0 + 1_000), // started inside the window
      snapshot(A, T0 + 20_000, 200, 70, T0 - 60_000),
      snapshot(B, T0 + 25_000, 90, 30, T0 + 1_000),
      snapshot(A, T0 + 40_000, 20, 5, T0 + 30_000), // restarted
      snapshot(A, T0 + 55_000, 60, 35, T0 + 30_000),
    ];
    // The store stamps a snapshot with its arrival: each arrives when it was taken.
    for (const s of snapshots) {
      clock.set(s.timeMs);
      stats.record(s);
      assert.deepEqual(store.record(s), { ok: true });
    }
    clock.set(T0 + 60_000);
    for (const windowMs of [60_000, 45_000, 30_000, 10_000]) {
      const fromStats = stats.missRate([A, B], T0 + 60_000 - windowMs);
      assert.deepEqual(fromStats, store.missRateOver(windowMs), `window ${windowMs} ms`);
    }
    // The whole minute: A served 100 GETs (60 hits) before its restart and 60 (35) after, B 90
    // (30) from its start.
    assert.deepEqual(stats.missRate([A, B], T0), { missRate: 125 / 250, getRequests: 250 });
    store.close();
  });
});
