import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SievePolicy, Store } from '../../../src/store/index.js';
describe('SievePolicy', () => {
    it('evicts in insertion order (FIFO) when nothing is read', () => {
        const sieve = new SievePolicy();
        for (const slot of [5, 6, 7])
            sieve.recordSet(slot);
        assert.deepEqual([...sieve.order()], [5, 6, 7]);
        assert.equal(sieve.victim(), 5);
        sieve.recordDelete(5);
        assert.equal(sieve.victim(), 6);
    });
    it('spares a visited slot once, clearing its bit, and leaves it in place', () => {
        const sieve = new SievePolicy();
        for (const slot of [0, 1, 2, 3])
            sieve.recordSet(slot);
        sieve.recordGet(0);
        sieve.recordGet(2);
        assert.deepEqual([...sieve.order()], [1, 3, 0, 2]);
        assert.equal(sieve.victim(), 1);
        sieve.recordDelete(1);
        // The hand continues from where slot 1 was, toward the head: slot 2 is visited, then 3.
        assert.equal(sieve.victim(), 3);
        sieve.recordDelete(3);
        // The hand wraps to the tail: slot 0's bit was cleared on the first pass, slot 2's on the
        // second, so both are plain FIFO now.
        assert.equal(sieve.victim(), 0);
        sieve.recordDelete(0);
        assert.equal(sieve.victim(), 2);
    });
    it('lets the hand resume after the victim, so new slots near the head are examined later', () => {
        const sieve = new SievePolicy();
        for (const slot of [0, 1, 2])
            sieve.recordSet(slot);
        sieve.recordGet(0);
        assert.equal(sieve.victim(), 1);
        sieve.recordDelete(1);
        sieve.recordSet(1); // re-enters at the head, unvisited
        sieve.recordGet(2);
        // hand is at 2 (visited → cleared), then 1 (new, unvisited) before wrapping to 0.
        assert.equal(sieve.victim(), 1);
    });
    it('when every slot is visited, clears all bits and evicts the first one the hand meets', () => {
        const sieve = new SievePolicy();
        for (const slot of [0, 1, 2]) {
            sieve.recordSet(slot);
            sieve.recordGet(slot);
        }
        assert.equal(sieve.victim(), 0);
        assert.deepEqual([...sieve.order()], [0, 1, 2]);
    });
    it('keeps a hot key in a Store under a scan that would flush it from LRU', () => {
        const run = (policy) => {
            const s = new Store({ capacityBytes: 100, policy });
            for (let i = 0; i < 10; i++)
                s.set(`k${i}`, i, 8); // 10 bytes each, full
            s.get('k0');
            for (let i = 10; i < 19; i++)
                s.set(`k${i}`, i, 8); // 11 bytes each
            s.assertInvariants();
            return s.has('k0');
        };
        assert.equal(run('sieve'), true);
        assert.equal(run('lru'), false);
    });
});
//# sourceMappingURL=sieve.test.js.map