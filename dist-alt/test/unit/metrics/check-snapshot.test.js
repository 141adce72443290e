/**
 * The one snapshot check (src/metrics/check-snapshot.ts): what a node sends passes; every field
 * out of its range is refused with a message naming it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSnapshot } from '../../../src/metrics/index.js';
import { CacheNode } from '../../../src/node/cache-node.js';
function nodeSnapshot() {
    const node = new CacheNode({ capacityMb: 1 });
    node.putText('k', 'v');
    node.get('k');
    node.get('missing');
    return { ...node.snapshot('127.0.0.1:5001') };
}
describe('checkSnapshot', () => {
    it('accepts the snapshot a node takes, empty or busy', () => {
        assert.deepEqual(checkSnapshot(new CacheNode().snapshot('127.0.0.1:5001')), { ok: true });
        assert.deepEqual(checkSnapshot(nodeSnapshot()), { ok: true });
    });
    const refused = [
        ['address', 'not an address'],
        ['address', undefined],
        ['cacheIndex', -1],
        ['items', 1e300],
        ['items', 1.5],
        ['usedBytes', Number.MAX_SAFE_INTEGER + 2],
        ['capacityBytes', '100'],
        ['requestsTotal', null],
        ['getRequestsTotal', -1],
        ['hitsTotal', Infinity],
        ['missesTotal', NaN],
        ['evictionsTotal', undefined],
        ['timeMs', -1],
        ['startedAtMs', 1e300],
        ['utilization', 1.01],
        ['hitRate', -0.5],
        ['missRate', 2],
        ['policy', ''],
        ['policy', 'x'.repeat(65)],
        ['legacy', null],
    ];
    for (const [field, value] of refused) {
        it(`refuses ${field} = ${String(value)}, naming the field`, () => {
            const outcome = checkSnapshot({ ...nodeSnapshot(), [field]: value });
            assert.equal(outcome.ok, false);
            assert.match(outcome.message, new RegExp(`snapshot\\.${field}`));
        });
    }
    it('refuses a legacy figure out of range and anything that is not an object', () => {
        const legacy = { num_request_served: 1, num_GET_request_served: 1e300, num_hit: 0 };
        const outcome = checkSnapshot({ ...nodeSnapshot(), legacy });
        assert.equal(outcome.ok, false);
        assert.match(outcome.message, /legacy\.num_GET_request_served/);
        for (const value of [null, [], 'snapshot', 3])
            assert.equal(checkSnapshot(value).ok, false, JSON.stringify(value));
    });
});
//# sourceMappingURL=check-snapshot.test.js.map