import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RandomPolicy, Store } from '../../../src/store/index.js';
import { seededRandom } from '../../helpers/seeded-random.js';
describe('RandomPolicy', () => {
    it('picks the victim the random source points at', () => {
        const rr = new RandomPolicy(() => 0.5);
        for (const slot of [10, 11, 12, 13])
            rr.recordSet(slot);
        assert.equal(rr.victim(), 12); // floor(0.5 * 4) = 2 → the third slot added
        const first = new RandomPolicy(() => 0);
        first.recordSet(3);
        first.recordSet(4);
        assert.equal(first.victim(), 3);
    });
    it('survives a random source that returns exactly 1', () => {
        const rr = new RandomPolicy(() => 1);
        for (const slot of [0, 1, 2])
            rr.recordSet(slot);
        assert.equal(rr.victim(), 2);
    });
    it('gives the same evictions for the same seed and different ones for another seed', () => {
        const run = (seed) => {
            const s = new Store({ capacityBytes: 50, policy: 'rr', random: seededRandom(seed) });
            const evicted = [];
            const tracked = new Store({
                capacityBytes: 50,
                policy: 'rr',
                random: seededRandom(seed),
                onEvict: (key) => evicted.push(key),
            });
            for (let i = 0; i < 40; i++) {
                s.set(`k${i}`, i, 3);
                tracked.set(`k${i}`, i, 3);
            }
            assert.deepEqual(s.keys(), tracked.keys());
            return evicted;
        };
        assert.deepEqual(run(1), run(1));
        assert.notDeepEqual(run(1), run(2));
    });
    it('draws victims roughly uniformly', () => {
        const counts = new Map();
        const rr = new RandomPolicy(seededRandom(99));
        for (let slot = 0; slot < 4; slot++)
            rr.recordSet(slot);
        for (let i = 0; i < 4_000; i++) {
            const victim = rr.victim();
            counts.set(victim, (counts.get(victim) ?? 0) + 1);
        }
        for (let slot = 0; slot < 4; slot++) {
            const count = counts.get(slot) ?? 0;
            assert.ok(count > 800 && count < 1200, `slot ${slot} drawn ${count} times of 4000`);
        }
    });
    it('never evicts the key being overwritten, even when the source always points at it', () => {
        // With a source of 0 the first dense position is the victim: that is key "a".
        const s = new Store({ capacityBytes: 30, policy: 'rr', random: () => 0 });
        s.set('a', 'x', 9);
        s.set('b', 'x', 9);
        s.set('c', 'x', 9);
        assert.equal(s.set('a', 'big', 19).kind, 'replaced');
        assert.equal(s.peek('a'), 'big');
        assert.equal(s.usedBytes <= 30, true);
        s.assertInvariants();
    });
});
//# sourceMappingURL=random.test.js.map