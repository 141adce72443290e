/**
 * The contract every eviction policy must keep, as one suite run against each implementation
 * (in the spirit of undici's shared cacheStoreTests). It drives the policy directly with slot
 * numbers, the way the store does, and then through a Store.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Store } from '../../src/store/index.js';
import { seededRandom } from '../helpers/seeded-random.js';
/** Registers the contract tests for the policy built by `factory` under `name`. */
export function policyContract(name, factory) {
    const make = () => factory({ random: seededRandom(7) });
    describe(`policy contract: ${name}`, () => {
        it('reports its registered name', () => {
            assert.equal(make().name, name);
        });
        it('tracks nothing when new: size 0, victim -1, empty order', () => {
            const policy = make();
            assert.equal(policy.size, 0);
            assert.equal(policy.victim(), -1);
            assert.deepEqual([...policy.order()], []);
        });
        it('counts each slot once, however often it is set or read', () => {
            const policy = make();
            for (const slot of [0, 1, 2])
                policy.recordSet(slot);
            policy.recordSet(1);
            policy.recordGet(2);
            policy.recordGet(2);
            assert.equal(policy.size, 3);
            assert.deepEqual([...policy.order()].sort(), [0, 1, 2]);
        });
        it('names a live slot as victim and keeps naming it until it is deleted', () => {
            const policy = make();
            for (const slot of [3, 9, 4, 100])
                policy.recordSet(slot);
            policy.recordGet(9);
            const victim = policy.victim();
            assert.ok([3, 9, 4, 100].includes(victim), `victim ${victim} is not live`);
            assert.equal(policy.size, 4, 'victim() must not remove');
            if (name !== 'rr')
                assert.equal(policy.victim(), victim);
        });
        it('evicts every slot exactly once when victims are deleted in turn', () => {
            const policy = make();
            const live = new Set();
            for (let slot = 0; slot < 50; slot++) {
                policy.recordSet(slot);
                live.add(slot);
                if (slot % 3 === 0)
                    policy.recordGet(slot);
            }
            while (policy.size > 0) {
                const victim = policy.victim();
                assert.ok(live.has(victim), `victim ${victim} is not live`);
                live.delete(victim);
                policy.recordDelete(victim);
            }
            assert.equal(live.size, 0);
            assert.equal(policy.victim(), -1);
        });
        it('forgets deleted slots: never a victim, not in order, size drops', () => {
            const policy = make();
            for (let slot = 0; slot < 10; slot++)
                policy.recordSet(slot);
            for (const slot of [0, 5, 9, 2])
                policy.recordDelete(slot);
            assert.equal(policy.size, 6);
            assert.deepEqual([...policy.order()].sort((a, b) => a - b), [1, 3, 4, 6, 7, 8]);
            const seen = new Set();
            while (policy.size > 0) {
                const victim = policy.victim();
                assert.ok(![0, 5, 9, 2].includes(victim), `deleted slot ${victim} came back as victim`);
                seen.add(victim);
                policy.recordDelete(victim);
            }
            assert.equal(seen.size, 6);
        });
        it('ignores a delete of a slot it does not track', () => {
            const policy = make();
            policy.recordSet(1);
            policy.recordDelete(2);
            policy.recordDelete(1_000_000);
            policy.recordDelete(1);
            policy.recordDelete(1);
            assert.equal(policy.size, 0);
            assert.equal(policy.victim(), -1);
        });
        it('forgets everything on clear and works normally afterwards', () => {
            const policy = make();
            for (let slot = 0; slot < 20; slot++)
                policy.recordSet(slot);
            policy.clear();
            assert.equal(policy.size, 0);
            assert.equal(policy.victim(), -1);
            assert.deepEqual([...policy.order()], []);
            policy.recordSet(5);
            policy.recordSet(0);
            assert.equal(policy.size, 2);
            assert.deepEqual([...policy.order()].sort(), [0, 5]);
        });
        it('lists each live slot exactly once in order after a mixed history', () => {
            const policy = make();
            const random = seededRandom(42);
            const live = new Set();
            for (let step = 0; step < 2_000; step++) {
                const slot = Math.floor(random() * 64);
                const action = random();
                if (action < 0.5) {
                    policy.recordSet(slot);
                    live.add(slot);
                }
                else if (action < 0.8) {
                    if (live.has(slot))
                        policy.recordGet(slot);
                }
                else if (action < 0.95) {
                    policy.recordDelete(slot);
                    live.delete(slot);
                }
                else if (live.size > 0) {
                    const victim = policy.victim();
                    assert.ok(live.has(victim));
                    policy.recordDelete(victim);
                    live.delete(victim);
                }
                assert.equal(policy.size, live.size);
            }
            const order = [...policy.order()];
            assert.equal(order.length, live.size);
            assert.deepEqual(new Set(order), live);
        });
        it('handles large slot numbers and many slots (grows its arrays)', () => {
            const policy = make();
            for (let slot = 0; slot < 10_000; slot++)
                policy.recordSet(slot);
            policy.recordSet(65_537);
            assert.equal(policy.size, 10_001);
            assert.equal([...policy.order()].length, 10_001);
        });
        it('keeps a Store within capacity with sound bookkeeping under churn', () => {
            const store = new Store({
                capacityBytes: 500,
                policies: { [name]: factory },
                policy: name,
                random: seededRandom(3),
            });
            const random = seededRandom(11);
            for (let step = 0; step < 3_000; step++) {
                const key = `k${Math.floor(random() * 80)}`;
                if (random() < 0.6)
                    store.set(key, key, Math.floor(random() * 60));
                else if (random() < 0.9)
                    store.get(key);
                else
                    store.delete(key);
                store.assertInvariants();
                assert.ok(store.usedBytes <= 500);
            }
            assert.equal(store.keys().length, store.size);
        });
        it('is O(1): a million operations on 100k slots finish (not timed, just bounded work)', () => {
            // Not a timing assertion: a policy with O(n) steps would take minutes here and hit the
            // runner's timeout, while O(1) ones take well under a second.
            const policy = make();
            const slots = 100_000;
            for (let slot = 0; slot < slots; slot++)
                policy.recordSet(slot);
            for (let step = 0; step < 1_000_000; step++) {
                const slot = (step * 7919) % slots;
                if (step % 4 === 3) {
                    const victim = policy.victim();
                    policy.recordDelete(victim);
                    policy.recordSet(victim);
                }
                else
                    policy.recordGet(slot);
            }
            assert.equal(policy.size, slots);
        });
    });
}
//# sourceMappingURL=policy-contract.js.map