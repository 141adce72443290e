/**
 * The history checker on synthetic histories: each violation kind is flagged with the operations
 * involved; legal interleavings (concurrent writes, indeterminate writes, loss windows) are not.
 * Property tests: a history produced by a linearizable register (any overlap, indeterminate
 * writes, losses inside their windows) is never flagged, and in a sequential history every change
 * of a read's answer is flagged.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { partitionOf } from '../../../src/partition/index.js';
import { checkHistory, } from '../../helpers/history/index.js';
let nextId = 0;
function op(kind, key, value, invokedAt, completedAt, outcome = kind === 'get' && value === undefined ? 'miss' : 'ok') {
    return { id: nextId++, client: `c${nextId}`, kind, key, value, invokedAt, completedAt, outcome };
}
const put = (key, value, from, to, outcome = 'ok') => op('put', key, value, from, to, outcome);
const get = (key, value, from, to, outcome) => op('get', key, value, from, to, outcome);
const del = (key, from, to, outcome = 'ok') => op('delete', key, undefined, from, to, outcome);
const clear = (from, to, outcome = 'ok') => op('clear', '', undefined, from, to, outcome);
/** Asserts the check finds exactly `kinds` (in read order), and that the reads named are `reads`. */
function assertFlags(history, kinds, reads = [], lossWindows = []) {
    const result = checkHistory(history, { lossWindows });
    assert.deepEqual(result.violations.map((v) => v.kind), kinds, result.violations.map((v) => v.message).join('\n'));
    if (reads.length > 0)
        assert.deepEqual(result.violations.map((v) => v.read.id), reads.map((r) => r.id));
}
describe('history checker: violations are flagged', () => {
    it('flags a read of a value older than a put acknowledged before the read began', () => {
        const first = put('k', 'c0-0', 0, 1);
        const second = put('k', 'c1-0', 2, 3);
        const read = get('k', 'c0-0', 4, 5);
        const result = checkHistory([first, second, read]);
        assert.deepEqual(result.violations.map((v) => [v.kind, v.read.id, v.involved.map((o) => o.id)]), [['stale-read', read.id, [first.id, second.id]]]);
        assert.equal(result.byKind['stale-read'], 1);
    });
    it('flags a read older than a put whose value an earlier, finished read returned', () => {
        // The second put never got an answer, but a read that ended before the last read began saw it.
        const history = [
            put('k', 'c0-0', 0, 1),
            put('k', 'c1-0', 2, 100, 'timeout'),
            get('k', 'c1-0', 3, 4),
        ];
        const late = get('k', 'c0-0', 5, 6);
        assertFlags([...history, late], ['stale-read'], [late]);
    });
    it('flags a deleted key brought back with a value written before the delete', () => {
        const read = get('k', 'c0-0', 4, 5);
        assertFlags([put('k', 'c0-0', 0, 1), del('k', 2, 3), read], ['resurrected-delete'], [read]);
    });
    it('flags a value written before an acknowledged clear of the pool', () => {
        const read = get('k', 'c0-0', 4, 5);
        assertFlags([put('k', 'c0-0', 0, 1), clear(2, 3), read], ['resurrected-delete'], [read]);
    });
    it('flags a value that no put of that key wrote, or wrote only after the read', () => {
        const unknown = get('k', 'c9-9', 0, 1);
        const otherKey = get('k', 'c1-0', 4, 5);
        const future = get('k', 'c0-1', 6, 7);
        assertFlags([unknown, put('j', 'c1-0', 2, 3), otherKey, future, put('k', 'c0-1', 8, 9)], ['never-written', 'never-written', 'never-written'], [unknown, otherKey, future]);
    });
    it('flags a miss of an acknowledged put that nothing removed', () => {
        const written = put('k', 'c0-0', 0, 1);
        const read = get('k', undefined, 2, 3);
        const result = checkHistory([written, read]);
        assert.deepEqual(result.violations.map((v) => [v.kind, v.involved.map((o) => o.id)]), [['lost-write', [written.id]]]);
    });
    it('flags a miss when the only removal ended before the last acknowledged put began', () => {
        const read = get('k', undefined, 6, 7);
        assertFlags([put('k', 'c0-0', 0, 1), del('k', 2, 3), put('k', 'c0-1', 4, 5), read], ['lost-write'], [read]);
    });
    it('flags a miss outside the loss windows: another partition, or a window before the put', () => {
        const key = 'k1'; // partition 11
        const elsewhere = { partitions: [3, 4], from: 2, to: 3, reason: 'other node' };
        const before = {
            partitions: [partitionOf(key)],
            from: -10,
            to: -5,
            reason: 'earlier kill',
        };
        const read = get(key, undefined, 4, 5);
        assertFlags([put(key, 'c0-0', 0, 1), read], ['lost-write'], [read], [elsewhere, before]);
    });
    it('flags a read that failed or timed out', () => {
        const failed = get('k', undefined, 0, 1, 'error');
        const timedOut = get('k', undefined, 2, 3, 'timeout');
        assertFlags([failed, timedOut], ['read-error', 'read-error'], [failed, timedOut]);
    });
    it('refuses a history whose puts of one key repeat a value', () => {
        assert.throws(() => checkHistory([put('k', 'same', 0, 1), put('k', 'same', 2, 3)]), /values must be unique per key/);
    });
});
describe('history checker: legal interleavings are not flagged', () => {
    it('accepts either value of two overlapping puts, read after both', () => {
        const a = put('k', 'c0-0', 0, 10);
        const b = put('k', 'c1-0', 1, 5);
        assertFlags([a, b, get('k', 'c0-0', 11, 12)], []);
        assertFlags([a, b, get('k', 'c1-0', 11, 12)], []);
    });
    it('accepts the old or the new value from a read overlapping a put', () => {
        const history = [put('k', 'c0-0', 0, 1), put('k', 'c1-0', 2, 10)];
        assertFlags([...history, get('k', 'c0-0', 3, 4)], []);
        assertFlags([...history, get('k', 'c1-0', 3, 4)], []);
    });
    it('accepts a value of an indeterminate put read after later acknowledged writes', () => {
        for (const outcome of ['error', 'timeout']) {
            assertFlags([
                put('k', 'c0-0', 0, 1),
                put('k', 'c1-0', 2, 3, outcome),
                put('k', 'c0-1', 4, 5),
                del('k', 6, 7),
                get('k', 'c1-0', 8, 9),
            ], []);
        }
    });
    it('accepts a miss explained by an indeterminate delete or clear', () => {
        assertFlags([put('k', 'c0-0', 0, 1), del('k', 2, 3, 'error'), get('k', undefined, 10, 11)], []);
        assertFlags([put('k', 'c0-0', 0, 1), clear(2, 3, 'timeout'), get('k', undefined, 10, 11)], []);
    });
    it('accepts a miss or the value from a read overlapping a delete', () => {
        const history = [put('k', 'c0-0', 0, 1), del('k', 2, 10)];
        assertFlags([...history, get('k', undefined, 3, 4)], []);
        assertFlags([...history, get('k', 'c0-0', 3, 4)], []);
    });
    it('accepts a miss of a key never written, and a miss after a delete', () => {
        assertFlags([get('k', undefined, 0, 1)], []);
        assertFlags([put('k', 'c0-0', 0, 1), del('k', 2, 3), get('k', undefined, 4, 5)], []);
    });
    it('accepts a miss in a loss window of its partition, and flags a put acknowledged after it', () => {
        const key = 'test'; // partition 0
        const window = { partitions: [0, 1], from: 2, to: 5, reason: 'node killed' };
        const history = [put(key, 'c0-0', 0, 1), get(key, undefined, 10, 11)];
        assertFlags(history, [], [], [window]);
        const lateRead = get(key, undefined, 14, 15);
        assertFlags([...history, put(key, 'c0-1', 12, 13), lateRead], ['lost-write'], [lateRead], [window]);
    });
    it('accepts an indeterminate put read at the end of the history', () => {
        assertFlags([put('k', 'c0-0', 0, 5, 'timeout'), get('k', 'c0-0', 100, 101)], []);
    });
});
const keys = ['test', 'k1', 'k2', 'image_001'];
const stepArb = fc.record({
    kind: fc.constantFrom('put', 'put', 'get', 'get', 'get', 'delete', 'clear', 'loss'),
    key: fc.constantFrom(...keys),
    indeterminate: fc.boolean(),
    applied: fc.boolean(),
    before: fc.integer({ min: 0, max: 40 }),
    after: fc.integer({ min: 0, max: 40 }),
    partition: fc.constantFrom(...keys.map(partitionOf)),
});
/**
 * Runs `steps` against a model register (one effect every 10 ms), and returns the history a
 * client would have recorded: each operation invoked `before` ms before its effect and answered
 * `after` ms after it; losses become loss windows around their instant.
 */
function runModel(steps, sequential) {
    const state = new Map();
    const history = [];
    const lossWindows = [];
    steps.forEach((step, i) => {
        const at = i * 10;
        const from = sequential ? at - 1 : at - step.before;
        const to = sequential ? at + 1 : at + step.after;
        const indeterminate = !sequential && step.indeterminate && step.kind !== 'get';
        const applies = !indeterminate || step.applied;
        const base = { id: i, client: `c${i}`, invokedAt: from, completedAt: to };
        const outcome = indeterminate ? 'timeout' : 'ok';
        switch (step.kind) {
            case 'put': {
                const value = `v${i}`;
                if (applies)
                    state.set(step.key, value);
                history.push({ ...base, kind: 'put', key: step.key, value, outcome });
                break;
            }
            case 'delete':
                if (applies)
                    state.delete(step.key);
                history.push({ ...base, kind: 'delete', key: step.key, outcome });
                break;
            case 'clear':
                if (applies)
                    state.clear();
                history.push({ ...base, kind: 'clear', key: '', outcome });
                break;
            case 'get': {
                const value = state.get(step.key);
                history.push({
                    ...base,
                    kind: 'get',
                    key: step.key,
                    value,
                    outcome: value === undefined ? 'miss' : 'ok',
                });
                break;
            }
            case 'loss':
                if (sequential)
                    break;
                for (const key of [...state.keys()])
                    if (partitionOf(key) === step.partition)
                        state.delete(key);
                lossWindows.push({ partitions: [step.partition], from, to, reason: `loss ${i}` });
                break;
        }
    });
    return { history, lossWindows };
}
describe('history checker: properties', () => {
    it('never flags a history of a linearizable register, whatever the overlaps', () => {
        fc.assert(fc.property(fc.array(stepArb, { minLength: 1, maxLength: 80 }), (steps) => {
            const { history, lossWindows } = runModel(steps, false);
            const result = checkHistory(history, { lossWindows });
            assert.deepEqual(result.violations.map((v) => v.message), []);
        }), { numRuns: 500 });
    });
    it('flags every changed answer of a read in a sequential history', () => {
        fc.assert(fc.property(fc.array(stepArb, { minLength: 1, maxLength: 60 }), fc.nat(), fc.constantFrom('miss', 'other', 'unknown'), (steps, pick, change) => {
            const { history } = runModel(steps, true);
            const reads = history.filter((o) => o.kind === 'get');
            fc.pre(reads.length > 0);
            const read = reads[pick % reads.length];
            // Another answer: a miss, another value ever written to that key, or a value never written.
            const others = history
                .filter((o) => o.kind === 'put' && o.key === read.key && o.value !== read.value)
                .map((o) => o.value);
            const answer = change === 'miss'
                ? undefined
                : change === 'other'
                    ? others[pick % (others.length || 1)]
                    : 'x';
            fc.pre(answer !== read.value && (change !== 'other' || others.length > 0));
            const changed = history.map((o) => o === read ? { ...o, value: answer, outcome: answer === undefined ? 'miss' : 'ok' } : o);
            const result = checkHistory(changed);
            assert.deepEqual(result.violations.map((v) => v.read.id), [read.id], `changed ${JSON.stringify(read)} to ${answer}`);
        }), { numRuns: 500 });
    });
});
//# sourceMappingURL=history-checker.test.js.map