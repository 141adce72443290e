/**
 * Property tests of Store against simple reference models, with fast-check. Each run is a random
 * sequence of operations; the store's invariant checker runs after every one.
 * - lru: exact order and exact contents against an array-based LRU with the same accounting.
 * - any policy (rr, sieve, lfu, and switches between all of them): byte bound, bookkeeping, rejected
 *   entries change nothing, every surviving key holds its last written value.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Store, policyNames } from '../../src/store/index.js';
import { seededRandom } from '../helpers/seeded-random.js';
const keyArb = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'é', '🙂', 'a longer key', '');
const opArb = (policies) => fc.oneof({
    weight: 6,
    arbitrary: fc.record({
        op: fc.constant('set'),
        key: keyArb,
        valueBytes: fc.nat(40),
    }),
}, {
    weight: 4,
    arbitrary: fc.record({ op: fc.constantFrom('get', 'peek'), key: keyArb }),
}, { weight: 1, arbitrary: fc.record({ op: fc.constant('delete'), key: keyArb }) }, { weight: 1, arbitrary: fc.constant({ op: 'clear' }) }, {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('setCapacity'), capacityBytes: fc.nat(120) }),
}, {
    weight: 1,
    arbitrary: fc.record({
        op: fc.constant('setPolicy'),
        policy: fc.constantFrom(...policies),
    }),
});
const bounds = { numRuns: 300, interruptAfterTimeLimit: 5_000 };
const utf8 = (key) => Buffer.byteLength(key, 'utf8');
/** The reference LRU: an array, least recently used first. */
class ReferenceLru {
    capacityBytes;
    entries = [];
    constructor(capacityBytes) {
        this.capacityBytes = capacityBytes;
    }
    get used() {
        return this.entries.reduce((sum, e) => sum + e.bytes, 0);
    }
    #take(key) {
        const at = this.entries.findIndex((e) => e.key === key);
        return at === -1 ? undefined : this.entries.splice(at, 1)[0];
    }
    #evictTo(limit) {
        while (this.entries.length > 0 && (this.used > limit || limit < 0))
            this.entries.shift();
    }
    set(key, value, valueBytes) {
        const bytes = utf8(key) + valueBytes;
        if (bytes > this.capacityBytes || this.capacityBytes === 0)
            return false;
        this.#take(key);
        this.#evictTo(this.capacityBytes - bytes);
        this.entries.push({ key, value, bytes });
        return true;
    }
    get(key) {
        const entry = this.#take(key);
        if (entry)
            this.entries.push(entry);
        return entry?.value;
    }
    peek(key) {
        return this.entries.find((e) => e.key === key)?.value;
    }
    delete(key) {
        return this.#take(key) !== undefined;
    }
    setCapacity(capacityBytes) {
        this.capacityBytes = capacityBytes;
        this.#evictTo(capacityBytes === 0 ? -1 : capacityBytes);
    }
}
describe('Store property tests', () => {
    it('lru matches a reference LRU exactly: order, contents, bytes and outcomes', () => {
        fc.assert(fc.property(fc.nat(100), fc.array(opArb(['rr', 'sieve']), { maxLength: 150, size: 'max' }), (capacity, ops) => {
            const store = new Store({
                capacityBytes: capacity,
                policy: 'lru',
                random: seededRandom(1),
            });
            const model = new ReferenceLru(capacity);
            ops.forEach((op, step) => {
                switch (op.op) {
                    case 'set': {
                        const stored = model.set(op.key, step, op.valueBytes);
                        assert.equal(store.set(op.key, step, op.valueBytes).kind !== 'rejected', stored);
                        break;
                    }
                    case 'get':
                        assert.equal(store.get(op.key), model.get(op.key));
                        break;
                    case 'peek':
                        assert.equal(store.peek(op.key), model.peek(op.key));
                        break;
                    case 'delete':
                        assert.equal(store.delete(op.key), model.delete(op.key));
                        break;
                    case 'clear':
                        store.clear();
                        model.entries = [];
                        break;
                    case 'setCapacity':
                        store.setCapacity(op.capacityBytes);
                        model.setCapacity(op.capacityBytes);
                        break;
                    case 'setPolicy':
                        // A round trip through another policy with nothing in between keeps the LRU order.
                        store.setPolicy(op.policy);
                        store.assertInvariants();
                        store.setPolicy('lru');
                        break;
                }
                store.assertInvariants();
                assert.deepEqual(store.entries(), model.entries.map((e) => [e.key, e.value]));
                assert.equal(store.usedBytes, model.used);
            });
        }), bounds);
    });
    for (const start of ['rr', 'sieve', 'lfu']) {
        it(`${start} (with switches to every policy) keeps bytes bounded, rejects without change and keeps last writes`, () => {
            fc.assert(fc.property(fc.nat(100), fc.integer(), fc.array(opArb(policyNames()), { maxLength: 150, size: 'max' }), (capacity, seed, ops) => {
                const store = new Store({
                    capacityBytes: capacity,
                    policy: start,
                    random: seededRandom(seed),
                });
                /** The last value written to each key that was not deleted or cleared since. */
                const written = new Map();
                ops.forEach((op, step) => {
                    const before = store.entries();
                    const usedBefore = store.usedBytes;
                    switch (op.op) {
                        case 'set': {
                            const bytes = utf8(op.key) + op.valueBytes;
                            const outcome = store.set(op.key, step, op.valueBytes);
                            if (bytes > store.capacityBytes || store.capacityBytes === 0) {
                                assert.equal(outcome.kind, 'rejected');
                                assert.deepEqual(store.entries(), before);
                                assert.equal(store.usedBytes, usedBefore);
                            }
                            else {
                                const wasPresent = before.some(([key]) => key === op.key);
                                assert.equal(outcome.kind, wasPresent ? 'replaced' : 'added');
                                assert.equal(store.peek(op.key), step, 'the written key survives its own write');
                                written.set(op.key, { value: step, bytes });
                                assert.equal(store.size, before.length + (outcome.kind === 'added' ? 1 : 0) - outcome.evicted);
                            }
                            break;
                        }
                        case 'get':
                        case 'peek': {
                            const value = op.op === 'get' ? store.get(op.key) : store.peek(op.key);
                            if (value !== undefined)
                                assert.equal(value, written.get(op.key)?.value);
                            break;
                        }
                        case 'delete':
                            store.delete(op.key);
                            written.delete(op.key);
                            assert.equal(store.has(op.key), false);
                            break;
                        case 'clear':
                            store.clear();
                            written.clear();
                            break;
                        case 'setCapacity':
                            store.setCapacity(op.capacityBytes);
                            break;
                        case 'setPolicy':
                            store.setPolicy(op.policy);
                            assert.equal(store.policyName, op.policy);
                            assert.deepEqual(new Set(store.entries()), new Set(before));
                            break;
                    }
                    store.assertInvariants();
                    assert.ok(store.usedBytes <= store.capacityBytes);
                    let sum = 0;
                    for (const [key, value] of store.entries()) {
                        const last = written.get(key);
                        assert.ok(last, `key ${JSON.stringify(key)} is present but was never written or was removed`);
                        assert.equal(value, last.value);
                        sum += last.bytes;
                    }
                    assert.equal(store.usedBytes, sum);
                    assert.equal(store.stats().items, store.keys().length);
                });
            }), bounds);
        });
    }
});
//# sourceMappingURL=store.test.js.map