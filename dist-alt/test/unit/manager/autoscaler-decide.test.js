import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, roundHalfUp, } from '../../../src/manager/autoscaler.js';
const NOW = 1_700_000_000_000;
const params = {
    maxMissRateThreshold: 0.5,
    minMissRateThreshold: 0.1,
    expandRatio: 2,
    shrinkRatio: 0.5,
    minRequests: 20,
    cooldownMs: 60_000,
};
const base = {
    now: NOW,
    currentSize: 2,
    minNodes: 1,
    maxNodes: 8,
    params,
    missRate: 0.3,
    getRequests: 100,
    lastResizeAtMs: null,
};
const cases = [
    {
        name: 'a miss rate above the maximum doubles 2 nodes to 4',
        input: { missRate: 0.6 },
        action: 'grow',
        newSize: 4,
        reason: /^miss rate 60% is above the maximum threshold 50%: growing from 2 to 4 nodes$/,
    },
    {
        name: 'a miss rate just above the maximum grows',
        input: { missRate: 0.5000001 },
        action: 'grow',
        newSize: 4,
        reason: /above the maximum/,
    },
    {
        name: 'a miss rate equal to the maximum does nothing',
        input: { missRate: 0.5 },
        action: 'none',
        newSize: 2,
        reason: /^miss rate 50% is within the thresholds 10%\.\.50%$/,
    },
    {
        name: 'a miss rate between the thresholds does nothing',
        input: { missRate: 0.3 },
        action: 'none',
        newSize: 2,
        reason: /within the thresholds/,
    },
    {
        name: 'growth is clamped to the maximum number of nodes',
        input: { missRate: 0.9, currentSize: 5 },
        action: 'grow',
        newSize: 8,
        reason: /growing from 5 to 8 nodes/,
    },
    {
        name: 'at the maximum a high miss rate does nothing and says why',
        input: { missRate: 0.9, currentSize: 8 },
        action: 'none',
        newSize: 8,
        reason: /^miss rate 90% is above the maximum threshold 50%, but the pool is at its maximum of 8 nodes$/,
    },
    {
        name: 'above the maximum size a high miss rate does nothing',
        input: { missRate: 0.9, currentSize: 10 },
        action: 'none',
        newSize: 10,
        reason: /at its maximum of 8 nodes/,
    },
    {
        name: 'a small expand ratio still grows by at least one node',
        input: { missRate: 0.6, params: { expandRatio: 1.2 } },
        action: 'grow',
        newSize: 3,
        reason: /growing from 2 to 3 nodes/,
    },
    {
        name: 'growth rounds half up: 3 × 1.5 = 4.5 → 5',
        input: { missRate: 0.6, currentSize: 3, params: { expandRatio: 1.5 } },
        action: 'grow',
        newSize: 5,
        reason: /growing from 3 to 5 nodes/,
    },
    {
        name: 'growth rounds to nearest: 3 × 1.4 = 4.2 → 4',
        input: { missRate: 0.6, currentSize: 3, params: { expandRatio: 1.4 } },
        action: 'grow',
        newSize: 4,
        reason: /growing from 3 to 4 nodes/,
    },
    {
        name: 'below the minimum size a high miss rate grows to at least the minimum',
        input: { missRate: 0.6, currentSize: 1, minNodes: 3, params: { expandRatio: 1.1 } },
        action: 'grow',
        newSize: 3,
        reason: /growing from 1 to 3 nodes/,
    },
    {
        name: 'a miss rate below the minimum halves 4 nodes to 2',
        input: { missRate: 0.05, currentSize: 4 },
        action: 'shrink',
        newSize: 2,
        reason: /^miss rate 5% is below the minimum threshold 10%: shrinking from 4 to 2 nodes$/,
    },
    {
        name: 'a miss rate equal to the minimum does nothing',
        input: { missRate: 0.1, currentSize: 4 },
        action: 'none',
        newSize: 4,
        reason: /within the thresholds/,
    },
    {
        name: 'a miss rate of 0 shrinks',
        input: { missRate: 0, currentSize: 3 },
        action: 'shrink',
        newSize: 2,
        reason: /miss rate 0% is below/,
    },
    {
        name: 'shrinking rounds half up: 5 × 0.5 = 2.5 → 3',
        input: { missRate: 0.05, currentSize: 5 },
        action: 'shrink',
        newSize: 3,
        reason: /shrinking from 5 to 3 nodes/,
    },
    {
        name: 'a large shrink ratio still shrinks by at least one node',
        input: { missRate: 0.05, currentSize: 2, params: { shrinkRatio: 0.9 } },
        action: 'shrink',
        newSize: 1,
        reason: /shrinking from 2 to 1 nodes/,
    },
    {
        name: 'shrinking is clamped to the minimum number of nodes',
        input: { missRate: 0.05, currentSize: 4, minNodes: 3 },
        action: 'shrink',
        newSize: 3,
        reason: /shrinking from 4 to 3 nodes/,
    },
    {
        name: 'at the minimum a low miss rate does nothing and says why',
        input: { missRate: 0.05, currentSize: 1 },
        action: 'none',
        newSize: 1,
        reason: /^miss rate 5% is below the minimum threshold 10%, but the pool is at its minimum of 1 nodes$/,
    },
    {
        name: 'above the maximum size a low miss rate shrinks into the bounds',
        input: { missRate: 0.05, currentSize: 10 },
        action: 'shrink',
        newSize: 5,
        reason: /shrinking from 10 to 5 nodes/,
    },
    {
        name: 'shrink rounding survives binary error: 25 × 0.58 = 14.4999… → 15',
        input: { missRate: 0.05, currentSize: 25, maxNodes: 32, params: { shrinkRatio: 0.58 } },
        action: 'shrink',
        newSize: 15,
        reason: /shrinking from 25 to 15 nodes/,
    },
    {
        name: 'too little GET traffic decides nothing, however high the miss rate',
        input: { missRate: 1, getRequests: 19 },
        action: 'none',
        newSize: 2,
        reason: /^only 19 GET requests in the last period, fewer than the 20 needed to decide$/,
    },
    {
        name: 'exactly the minimum of GET requests is enough',
        input: { missRate: 1, getRequests: 20 },
        action: 'grow',
        newSize: 4,
        reason: /growing/,
    },
    {
        name: 'no GET traffic and no miss rate: the traffic is the reason',
        input: { missRate: null, getRequests: 0 },
        action: 'none',
        newSize: 2,
        reason: /^only 0 GET requests/,
    },
    {
        name: 'an unknown miss rate decides nothing',
        input: { missRate: null },
        action: 'none',
        newSize: 2,
        reason: /^the miss rate of the last period is not known yet$/,
    },
    {
        name: 'a NaN miss rate counts as unknown',
        input: { missRate: Number.NaN },
        action: 'none',
        newSize: 2,
        reason: /not known/,
    },
    {
        name: 'during the cooldown after a resize nothing is decided',
        input: { missRate: 0.9, lastResizeAtMs: NOW - 59_001 },
        action: 'none',
        newSize: 2,
        reason: /^waiting after the last resize: the cooldown ends in 1 s$/,
    },
    {
        name: 'right after a resize the whole cooldown is left',
        input: { missRate: 0.9, lastResizeAtMs: NOW },
        action: 'none',
        newSize: 2,
        reason: /cooldown ends in 60 s/,
    },
    {
        name: 'once the cooldown has passed decisions resume',
        input: { missRate: 0.9, lastResizeAtMs: NOW - 60_000 },
        action: 'grow',
        newSize: 4,
        reason: /growing/,
    },
];
for (const c of cases) {
    test(c.name, () => {
        const input = { ...base, ...c.input, params: { ...params, ...c.input.params } };
        const decision = decide(input);
        assert.equal(decision.action, c.action);
        assert.equal(decision.newSize, c.newSize);
        assert.match(decision.reason, c.reason);
        assert.equal(decision.oldSize, input.currentSize);
        assert.equal(decision.timeMs, NOW);
        assert.equal(decision.requests, input.getRequests);
        assert.equal(decision.missRate, Number.isFinite(input.missRate) ? input.missRate : null);
    });
}
test('decide is pure: the same input gives the same decision and the input is not changed', () => {
    const input = { ...base, missRate: 0.7, params: { ...params } };
    const copy = structuredClone(input);
    assert.deepEqual(decide(input), decide(input));
    assert.deepEqual(input, copy);
});
test('roundHalfUp rounds .5 up and tolerates products just below .5', () => {
    assert.equal(roundHalfUp(2.5), 3);
    assert.equal(roundHalfUp(2.4999), 2);
    assert.equal(roundHalfUp(25 * 0.58), 15);
    assert.equal(roundHalfUp(4), 4);
});
//# sourceMappingURL=autoscaler-decide.test.js.map