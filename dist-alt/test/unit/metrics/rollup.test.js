import { test } from 'node:test';
import assert from 'node:assert/strict';
import { counterDelta, poolMissRate, rollupMinutes, sumDeltas, } from '../../../src/metrics/rollup.js';
const T0 = 1_800_000_000_000 - (1_800_000_000_000 % 60_000); // a minute boundary
function snap(address, timeMs, totals, extra = {}) {
    const get = totals.get ?? 0;
    const hit = totals.hit ?? 0;
    return {
        address,
        timeMs,
        startedAtMs: T0 - 1000,
        items: 0,
        usedBytes: 0,
        requestsTotal: totals.req ?? get,
        getRequestsTotal: get,
        hitsTotal: hit,
        missesTotal: get - hit,
        ...extra,
    };
}
const deltaCases = [
    {
        name: 'counts the increase between two snapshots of one process',
        prev: snap('a', T0, { get: 10, hit: 4 }),
        cur: snap('a', T0 + 5000, { get: 30, hit: 19 }),
        want: { requests: 20, getRequests: 20, hits: 15, misses: 5 },
    },
    {
        name: 'after a restart counts what the new process served, never a negative delta',
        prev: snap('a', T0, { get: 1000, hit: 900 }),
        cur: snap('a', T0 + 5000, { get: 7, hit: 3 }, { startedAtMs: T0 + 2000 }),
        want: { requests: 7, getRequests: 7, hits: 3, misses: 4 },
    },
    {
        name: 'a counter that drops without a restart (a reset) counts the new value',
        prev: snap('a', T0, { get: 50, hit: 40 }),
        cur: snap('a', T0 + 5000, { get: 6, hit: 2 }),
        want: { requests: 6, getRequests: 6, hits: 2, misses: 4 },
    },
    {
        name: 'the first snapshot of a node that just started counts from its start',
        prev: undefined,
        cur: snap('a', T0 + 5000, { get: 8, hit: 8 }),
        want: { requests: 8, getRequests: 8, hits: 8, misses: 0 },
    },
    {
        name: 'the first snapshot of a long-running node counts nothing (no baseline)',
        prev: undefined,
        cur: snap('a', T0 + 3_600_000, { get: 80_000, hit: 8 }),
        want: { requests: 0, getRequests: 0, hits: 0, misses: 0 },
    },
    {
        name: 'a gap longer than two minutes is dropped rather than turned into a spike',
        prev: snap('a', T0, { get: 10, hit: 0 }),
        cur: snap('a', T0 + 10 * 60_000, { get: 5000, hit: 2000 }),
        want: { requests: 0, getRequests: 0, hits: 0, misses: 0 },
    },
    {
        name: 'hits never exceed GET requests',
        prev: snap('a', T0, { get: 10, hit: 0 }),
        cur: snap('a', T0 + 5000, { get: 12, hit: 9 }),
        want: { requests: 2, getRequests: 2, hits: 2, misses: 0 },
    },
    {
        name: 'a snapshot older than its predecessor counts nothing',
        prev: snap('a', T0 + 5000, { get: 10 }),
        cur: snap('a', T0, { get: 12 }),
        want: { requests: 0, getRequests: 0, hits: 0, misses: 0 },
    },
];
for (const c of deltaCases) {
    test(`counterDelta ${c.name}`, () => {
        assert.deepEqual(counterDelta(c.prev, c.cur), c.want);
    });
}
test('rollupMinutes gives one point per minute with rates from deltas, summed over nodes', () => {
    const samples = [
        snap('a', T0 + 1000, { get: 0 }),
        snap('b', T0 + 2000, { get: 0 }),
        snap('a', T0 + 30_000, { get: 10, hit: 5 }, { items: 3, usedBytes: 300 }),
        snap('b', T0 + 31_000, { get: 30, hit: 30, req: 40 }, { items: 7, usedBytes: 700 }),
        snap('a', T0 + 61_000, { get: 20, hit: 5 }, { items: 4, usedBytes: 400 }),
    ];
    const points = rollupMinutes(samples, T0, T0 + 120_000);
    assert.equal(points.length, 2);
    const [first, second] = points;
    assert.equal(first.minuteMs, T0);
    assert.equal(first.nodes, 2);
    assert.equal(first.items, 10);
    assert.equal(first.usedBytes, 1000);
    assert.equal(first.getRequests, 40);
    assert.equal(first.requests, 50);
    assert.equal(first.hitRate, 35 / 40);
    assert.equal(first.missRate, 5 / 40);
    assert.equal(second.minuteMs, T0 + 60_000);
    assert.equal(second.nodes, 1);
    assert.equal(second.items, 4);
    assert.equal(second.getRequests, 10);
    assert.equal(second.missRate, 1);
    assert.equal(second.hitRate, 0);
});
test('a minute without GET requests has null rates, not NaN', () => {
    const samples = [snap('a', T0 + 1000, { req: 0 }), snap('a', T0 + 6000, { req: 5 })];
    const [point] = rollupMinutes(samples, T0, T0 + 60_000);
    assert.equal(point.requests, 5);
    assert.equal(point.hitRate, null);
    assert.equal(point.missRate, null);
});
test('minutes in which no node reported are absent, not zero', () => {
    const samples = [snap('a', T0 + 1000, {}), snap('a', T0 + 3 * 60_000 + 1000, {})];
    const points = rollupMinutes(samples, T0, T0 + 4 * 60_000);
    assert.deepEqual(points.map((p) => p.minuteMs), [T0, T0 + 3 * 60_000]);
});
test('a restart in the middle of a series never gives a negative or spiking rate', () => {
    const samples = [
        snap('a', T0 + 1000, { get: 5000, hit: 4000 }, { startedAtMs: T0 - 3_600_000 }),
        snap('a', T0 + 6000, { get: 5010, hit: 4010 }, { startedAtMs: T0 - 3_600_000 }),
        snap('a', T0 + 11_000, { get: 4, hit: 0 }, { startedAtMs: T0 + 9000 }),
        snap('a', T0 + 16_000, { get: 8, hit: 4 }, { startedAtMs: T0 + 9000 }),
    ];
    const [point] = rollupMinutes(samples, T0, T0 + 60_000);
    assert.equal(point.getRequests, 18);
    assert.equal(point.hits, 14);
    assert.ok(point.missRate >= 0 && point.missRate <= 1);
});
test('a baseline before the window makes the first minute count its deltas', () => {
    const before = snap('a', T0 - 5000, { get: 100, hit: 50 }, { startedAtMs: T0 - 3_600_000 });
    const samples = [snap('a', T0 + 1000, { get: 110, hit: 60 }, { startedAtMs: T0 - 3_600_000 })];
    const without = rollupMinutes(samples, T0, T0 + 60_000);
    const withBase = rollupMinutes(samples, T0, T0 + 60_000, new Map([['a', before]]));
    assert.equal(without[0].getRequests, 0);
    assert.equal(withBase[0].getRequests, 10);
    assert.equal(withBase[0].hitRate, 1);
});
test('sumDeltas adds what every node served inside the window only', () => {
    const samples = [
        snap('a', T0, { get: 10, hit: 10 }),
        snap('a', T0 + 30_000, { get: 20, hit: 12 }),
        snap('b', T0 + 20_000, { get: 5, hit: 0 }),
        snap('b', T0 + 50_000, { get: 9, hit: 1 }),
    ];
    const total = sumDeltas(samples, T0 + 10_000, T0 + 60_000);
    // b started 21 s before its first sample, so that sample counts from its start.
    assert.deepEqual(total, { requests: 19, getRequests: 19, hits: 3, misses: 16 });
});
test('poolMissRate is the misses over the GETs of sumDeltas, and null without a GET', () => {
    const samples = [
        snap('a', T0, { get: 10, hit: 10 }),
        snap('a', T0 + 30_000, { get: 20, hit: 12 }),
        snap('b', T0 + 20_000, { get: 5, hit: 0 }),
        snap('b', T0 + 50_000, { get: 9, hit: 1 }),
    ];
    assert.deepEqual(poolMissRate(samples, T0 + 10_000, T0 + 60_000), {
        missRate: 16 / 19,
        getRequests: 19,
    });
    assert.deepEqual(poolMissRate(samples, T0 + 50_000, T0 + 60_000), {
        missRate: null,
        getRequests: 0,
    });
});
test('rollupMinutes counts at the end of a minute only the nodes still reporting (a node that left is not counted twice)', () => {
    const samples = [];
    for (let t = 0; t < 60_000; t += 5_000) {
        // a and b report all minute; c hands its 300 keys to b at 20 s and leaves; d joins at 40 s.
        samples.push(snap('a', T0 + t + 100, {}, { items: 100 }));
        samples.push(snap('b', T0 + t + 200, {}, { items: t < 20_000 ? 100 : 400 }));
        if (t <= 20_000)
            samples.push(snap('c', T0 + t + 300, {}, { items: 300 }));
        if (t >= 40_000)
            samples.push(snap('d', T0 + t + 400, {}, { items: 0 }));
    }
    const [point] = rollupMinutes(samples, T0, T0 + 60_000);
    assert.equal(point.nodes, 3);
    assert.equal(point.items, 100 + 400 + 0);
});
//# sourceMappingURL=rollup.test.js.map