/**
 * Per-entry deadlines in the store, on an injected ManualClock (time is moved, never slept on).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/clock.js';
import { CachePoolError } from '../../../src/errors.js';
import { Store, policyNames } from '../../../src/store/index.js';
const T0 = 1_000_000;
function storeAt(capacityBytes = 1000, policy = 'lru') {
    const clock = new ManualClock(T0);
    const store = new Store({ capacityBytes, policy, clock });
    return { clock, store };
}
describe('Store expiry', () => {
    it('keeps an entry until its deadline, then get, peek and has see it absent', () => {
        for (const read of ['get', 'peek', 'has']) {
            const { clock, store } = storeAt();
            store.set('k', 'v', 1, T0 + 100);
            clock.set(T0 + 99);
            assert.equal(read === 'has' ? store.has('k') : store[read]('k'), read === 'has' || 'v');
            clock.set(T0 + 100);
            assert.equal(read === 'has' ? store.has('k') : store[read]('k'), read === 'has' ? false : undefined);
            store.assertInvariants();
        }
    });
    it('removes an expired entry lazily on get and peek and counts it as expired, not evicted', () => {
        const { clock, store } = storeAt();
        store.set('a', 'v', 1, T0 + 10);
        store.set('b', 'v', 1, T0 + 10);
        store.set('c', 'v', 1);
        clock.advance(10);
        assert.equal(store.has('a'), false);
        assert.equal(store.size, 3, 'has changes nothing');
        assert.equal(store.get('a'), undefined);
        assert.equal(store.peek('b'), undefined);
        assert.equal(store.size, 1);
        assert.equal(store.usedBytes, 2);
        assert.deepEqual({ expired: store.stats().expiredTotal, evicted: store.stats().evictionsTotal }, { expired: 2, evicted: 0 });
        assert.equal(store.get('c'), 'v');
        store.assertInvariants();
    });
    it('replaces the deadline on an overwrite, in both directions', () => {
        const { clock, store } = storeAt();
        store.set('k', 'v1', 1, T0 + 10);
        store.set('k', 'v2', 1);
        assert.equal(store.expiresAt('k'), 0);
        clock.advance(1_000);
        assert.equal(store.get('k'), 'v2');
        store.set('k', 'v3', 1, clock.now() + 5);
        assert.equal(store.expiresAt('k'), clock.now() + 5);
        clock.advance(5);
        assert.equal(store.get('k'), undefined);
        store.assertInvariants();
    });
    it('answers expiresAt: 0 for no deadline, the deadline, undefined when absent or expired', () => {
        const { clock, store } = storeAt();
        store.set('forever', 'v', 1);
        store.set('soon', 'v', 1, T0 + 7);
        assert.equal(store.expiresAt('forever'), 0);
        assert.equal(store.expiresAt('soon'), T0 + 7);
        assert.equal(store.expiresAt('never-set'), undefined);
        clock.set(T0 + 7);
        assert.equal(store.expiresAt('soon'), undefined);
    });
    it('accepts a write whose deadline has passed without keeping it, and drops the old value', () => {
        const { store } = storeAt();
        store.set('k', 'old', 3);
        assert.equal(store.set('k', 'new', 3, T0 - 1).kind, 'replaced');
        assert.equal(store.peek('k'), undefined);
        assert.equal(store.size, 0);
        assert.equal(store.set('fresh', 'x', 1, T0).kind, 'added');
        assert.equal(store.has('fresh'), false);
        assert.equal(store.stats().expiredTotal, 1);
        store.assertInvariants();
    });
    it('refuses a deadline that is not a finite number >= 0 as a caller bug', () => {
        const { store } = storeAt();
        for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
            assert.throws(() => store.set('k', 'v', 1, bad), CachePoolError);
        }
        assert.equal(store.size, 0);
    });
    it('leaves expired keys out of keys() and entries(), in eviction order', () => {
        const { clock, store } = storeAt();
        store.set('a', 'A', 1);
        store.set('b', 'B', 1, T0 + 5);
        store.set('c', 'C', 1);
        store.set('d', 'D', 1, T0 + 50);
        clock.advance(5);
        assert.deepEqual(store.keys(), ['a', 'c', 'd']);
        assert.deepEqual(store.entries(), [
            ['a', 'A'],
            ['c', 'C'],
            ['d', 'D'],
        ]);
        clock.advance(45);
        assert.deepEqual(store.keys(), ['a', 'c']);
    });
    it('sweeps at most maxEntries slots per call, from a cursor that goes round every slot', () => {
        const { clock, store } = storeAt(10_000);
        for (let i = 0; i < 100; i++)
            store.set(`k${i}`, 'v', 1, i % 2 === 0 ? T0 + 10 : 0);
        clock.advance(10);
        assert.equal(store.sweepExpired(0), 0);
        // 10 slots examined: 5 of them held an expired entry.
        assert.equal(store.sweepExpired(10), 5);
        assert.equal(store.size, 95);
        let removed = 5;
        for (let call = 0; call < 9; call++)
            removed += store.sweepExpired(10);
        assert.equal(removed, 50);
        assert.equal(store.size, 50);
        assert.equal(store.stats().expiredTotal, 50);
        assert.equal(store.sweepExpired(1_000), 0);
        assert.ok(store.keys().every((k) => Number(k.slice(1)) % 2 === 1));
        store.assertInvariants();
    });
    it('refuses a sweep bound that is not an integer >= 0', () => {
        const { store } = storeAt();
        assert.throws(() => store.sweepExpired(-1), CachePoolError);
        assert.throws(() => store.sweepExpired(1.5), CachePoolError);
    });
    it('counts an expired entry that eviction takes for room as expired, not as an eviction', () => {
        const evicted = [];
        const clock = new ManualClock(T0);
        const store = new Store({ capacityBytes: 4, clock, onEvict: (k) => evicted.push(k) });
        store.set('a', 'v', 1, T0 + 1);
        store.set('b', 'v', 1);
        clock.advance(1);
        // 'a' is least recent and expired, 'b' is live: room for 'c' takes both.
        assert.deepEqual(store.set('c', 'v', 3), { kind: 'added', evicted: 1 });
        assert.deepEqual(evicted, ['b']);
        assert.deepEqual({ expired: store.stats().expiredTotal, evicted: store.stats().evictionsTotal }, { expired: 1, evicted: 1 });
        store.assertInvariants();
    });
    it('expires entries under every policy and after a policy switch', () => {
        for (const policy of policyNames()) {
            const { clock, store } = storeAt(100, policy);
            for (let i = 0; i < 10; i++)
                store.set(`k${i}`, 'v', 1, i < 5 ? T0 + 1 : 0);
            store.setPolicy(policy === 'lru' ? 'rr' : 'lru');
            clock.advance(1);
            assert.equal(store.keys().length, 5, policy);
            assert.equal(store.sweepExpired(100), 5, policy);
            assert.equal(store.size, 5, policy);
            store.assertInvariants();
        }
    });
    it('forgets deadlines on clear', () => {
        const { clock, store } = storeAt();
        store.set('a', 'v', 1, T0 + 1);
        store.clear();
        store.set('a', 'v', 1);
        clock.advance(10);
        assert.equal(store.get('a'), 'v');
        assert.equal(store.sweepExpired(10), 0);
    });
});
//# sourceMappingURL=expiry.test.js.map