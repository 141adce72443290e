import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LfuPolicy, Store } from '../../../src/store/index.js';
describe('LfuPolicy', () => {
    it('orders by use count, then oldest first within a count', () => {
        const lfu = new LfuPolicy();
        for (const slot of [0, 1, 2, 3])
            lfu.recordSet(slot);
        lfu.recordGet(2);
        lfu.recordGet(2);
        lfu.recordGet(0);
        assert.deepEqual([...lfu.order()], [1, 3, 0, 2]);
        assert.equal(lfu.victim(), 1);
        lfu.recordDelete(1);
        lfu.recordDelete(3);
        assert.equal(lfu.victim(), 0);
        lfu.recordSet(5); // a new slot has the lowest count and goes first
        assert.deepEqual([...lfu.order()], [5, 0, 2]);
    });
    it('counts an overwrite of a tracked slot as a use', () => {
        const lfu = new LfuPolicy();
        lfu.recordSet(0);
        lfu.recordSet(1);
        lfu.recordSet(0);
        assert.deepEqual([...lfu.order()], [1, 0]);
    });
    it('drops emptied buckets so the victim is always the lowest live count', () => {
        const lfu = new LfuPolicy();
        lfu.recordSet(0);
        lfu.recordSet(1);
        for (let i = 0; i < 5; i++)
            lfu.recordGet(0);
        for (let i = 0; i < 3; i++)
            lfu.recordGet(1);
        assert.equal(lfu.victim(), 1);
        lfu.recordDelete(1);
        assert.equal(lfu.victim(), 0);
        lfu.recordDelete(0);
        assert.equal(lfu.victim(), -1);
        lfu.recordSet(7);
        assert.deepEqual([...lfu.order()], [7]);
    });
    it('keeps the frequently read key in a Store while one-off keys come and go', () => {
        const s = new Store({ capacityBytes: 50, policy: 'lfu' });
        s.set('hot', 0, 7); // 10 bytes
        for (let i = 0; i < 100; i++) {
            s.get('hot');
            s.set(`c${i}`, i, 8);
            s.assertInvariants();
        }
        assert.equal(s.has('hot'), true);
        assert.equal(s.keys().at(-1), 'hot');
    });
});
//# sourceMappingURL=lfu.test.js.map