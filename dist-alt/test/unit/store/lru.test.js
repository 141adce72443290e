import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LruPolicy, Store } from '../../../src/store/index.js';
describe('LruPolicy', () => {
    it('orders slots from least to most recently used', () => {
        const lru = new LruPolicy();
        for (const slot of [4, 1, 7, 2])
            lru.recordSet(slot);
        assert.deepEqual([...lru.order()], [4, 1, 7, 2]);
        lru.recordGet(1);
        assert.deepEqual([...lru.order()], [4, 7, 2, 1]);
        lru.recordGet(1);
        assert.deepEqual([...lru.order()], [4, 7, 2, 1]);
        lru.recordGet(4);
        assert.deepEqual([...lru.order()], [7, 2, 1, 4]);
        assert.equal(lru.victim(), 7);
    });
    it('moves an overwritten slot to the most recent end', () => {
        const lru = new LruPolicy();
        for (const slot of [0, 1, 2])
            lru.recordSet(slot);
        lru.recordSet(0);
        assert.deepEqual([...lru.order()], [1, 2, 0]);
    });
    it('unlinks from the head, the middle and the tail', () => {
        const lru = new LruPolicy();
        for (const slot of [0, 1, 2, 3, 4])
            lru.recordSet(slot);
        lru.recordDelete(0);
        lru.recordDelete(2);
        lru.recordDelete(4);
        assert.deepEqual([...lru.order()], [1, 3]);
        assert.equal(lru.victim(), 1);
        lru.recordSet(4);
        assert.deepEqual([...lru.order()], [1, 3, 4]);
    });
});
describe('Store with lru', () => {
    const store = (capacityBytes) => new Store({ capacityBytes, policy: 'lru' });
    it('evicts the least recently used key first; a hit refreshes, a miss and a peek do not', () => {
        const s = store(30); // keys of 2 bytes + values of 8 bytes = 10 bytes each: three fit
        s.set('k1', 'v1', 8);
        s.set('k2', 'v2', 8);
        s.set('k3', 'v3', 8);
        assert.equal(s.get('k1'), 'v1');
        assert.equal(s.get('zz'), undefined);
        assert.equal(s.peek('k2'), 'v2');
        assert.deepEqual(s.keys(), ['k2', 'k3', 'k1']);
        const outcome = s.set('k4', 'v4', 8);
        assert.deepEqual(outcome, { kind: 'added', evicted: 1 });
        assert.deepEqual(s.keys(), ['k3', 'k1', 'k4']);
        assert.equal(s.has('k2'), false);
        s.assertInvariants();
    });
    it('makes an overwritten key the most recent', () => {
        const s = store(100);
        s.set('a', '1', 1);
        s.set('b', '2', 1);
        s.set('c', '3', 1);
        assert.deepEqual(s.set('a', '4', 1), { kind: 'replaced', evicted: 0 });
        assert.deepEqual(s.keys(), ['b', 'c', 'a']);
        assert.deepEqual(s.entries(), [
            ['b', '2'],
            ['c', '3'],
            ['a', '4'],
        ]);
    });
    it('evicts several keys in LRU order for one large entry and reports each to onEvict', () => {
        const evicted = [];
        const s = new Store({ capacityBytes: 40, onEvict: (key) => evicted.push(key) });
        for (const key of ['a', 'b', 'c', 'd'])
            s.set(key, key, 9); // 10 bytes each, full
        s.get('a');
        assert.deepEqual(s.set('e', 'e', 24), { kind: 'added', evicted: 3 });
        assert.deepEqual(evicted, ['b', 'c', 'd']);
        assert.deepEqual(s.keys(), ['a', 'e']);
        assert.equal(s.usedBytes, 35);
        assert.equal(s.stats().evictionsTotal, 3);
    });
    it('keeps the LRU order across a switch to rr and back', () => {
        const s = store(100);
        for (const key of ['a', 'b', 'c', 'd'])
            s.set(key, key, 1);
        s.get('b');
        s.setPolicy('rr');
        assert.equal(s.policyName, 'rr');
        s.setPolicy('lru');
        assert.deepEqual(s.keys(), ['a', 'c', 'd', 'b']);
        s.assertInvariants();
    });
});
//# sourceMappingURL=lru.test.js.map