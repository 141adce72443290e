import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/clock.js';
import { OptionError } from '../../../src/errors.js';
import { Autoscaler, } from '../../../src/manager/autoscaler.js';
const START_MS = 1_700_000_000_000;
const PERIOD_MS = 60_000;
const RESIZE_MS = 5_000;
/**
 * In-memory stand-ins for what the manager injects: they record calls and let a test steer the
 * reading, the mode and failures.
 */
function harness() {
    const clock = new ManualClock(START_MS);
    const params = {
        maxMissRateThreshold: 0.5,
        minMissRateThreshold: 0.1,
        expandRatio: 2,
        shrinkRatio: 0.5,
        minRequests: 20,
        cooldownMs: PERIOD_MS,
    };
    const state = {
        size: 2,
        automatic: true,
        reading: { missRate: 0.6, getRequests: 100 },
        readError: null,
        resizeError: null,
        /** when set, readMissRate waits for it (to interleave with a test) */
        readGate: null,
        reads: 0,
        resizes: [],
        decisions: [],
        errors: [],
    };
    const deps = {
        clock,
        async readMissRate() {
            state.reads++;
            if (state.readGate)
                await state.readGate;
            if (state.readError)
                throw state.readError;
            return state.reading;
        },
        currentSize: () => state.size,
        async resize(newSize, cause) {
            state.resizes.push({ newSize, cause, atMs: clock.now() });
            clock.advance(RESIZE_MS);
            if (state.resizeError)
                throw state.resizeError;
            state.size = newSize;
        },
        bounds: () => ({ min: 1, max: 8 }),
        params: () => params,
        isAutomatic: () => state.automatic,
        onDecision: (decision) => state.decisions.push(decision),
        onError: (error) => state.errors.push(error),
    };
    return { clock, state, deps, autoscaler: new Autoscaler(deps) };
}
test('a tick with a high miss rate grows the pool, reports the decision and starts the cooldown', async () => {
    const { state, autoscaler } = harness();
    const decision = await autoscaler.tick();
    assert.deepEqual(decision, {
        timeMs: START_MS,
        action: 'grow',
        oldSize: 2,
        newSize: 4,
        missRate: 0.6,
        requests: 100,
        reason: 'miss rate 60% is above the maximum threshold 50%: growing from 2 to 4 nodes',
    });
    assert.deepEqual(state.resizes, [{ newSize: 4, cause: 'automatic', atMs: START_MS }]);
    assert.equal(state.size, 4);
    assert.deepEqual(state.decisions, [decision]);
    assert.equal(autoscaler.lastResizeAtMs, START_MS + RESIZE_MS, 'the cooldown counts from the end of the resize');
});
test('the tick after a resize is skipped, the one after that decides again', async () => {
    const { clock, state, autoscaler } = harness();
    await autoscaler.tick();
    clock.set(START_MS + PERIOD_MS);
    const skipped = await autoscaler.tick();
    assert.equal(skipped?.action, 'none');
    assert.match(skipped.reason, /^waiting after the last resize: the cooldown ends in 5 s$/);
    assert.equal(state.resizes.length, 1);
    clock.set(START_MS + 2 * PERIOD_MS);
    const again = await autoscaler.tick();
    assert.equal(again?.action, 'grow');
    assert.equal(again?.newSize, 8);
    assert.equal(state.size, 8);
    assert.equal(state.decisions.length, 3);
});
test('a low miss rate shrinks the pool', async () => {
    const { state, autoscaler } = harness();
    state.size = 6;
    state.reading = { missRate: 0.02, getRequests: 500 };
    const decision = await autoscaler.tick();
    assert.equal(decision?.action, 'shrink');
    assert.deepEqual(state.resizes.map((r) => r.newSize), [3]);
    assert.equal(state.size, 3);
});
test('a quiet period or a miss rate within the thresholds resizes nothing', async () => {
    const { state, autoscaler } = harness();
    state.reading = { missRate: 0.9, getRequests: 3 };
    assert.match((await autoscaler.tick()).reason, /^only 3 GET requests/);
    state.reading = { missRate: 0.3, getRequests: 300 };
    assert.match((await autoscaler.tick()).reason, /within the thresholds/);
    assert.deepEqual(state.resizes, []);
    assert.equal(autoscaler.lastResizeAtMs, null);
    assert.equal(state.decisions.length, 2);
});
test('in manual mode a tick reads nothing, resizes nothing and reports nothing', async () => {
    const { state, autoscaler } = harness();
    state.automatic = false;
    assert.equal(await autoscaler.tick(), null);
    assert.equal(state.reads, 0);
    assert.deepEqual(state.resizes, []);
    assert.deepEqual(state.decisions, []);
});
test('a failing resize becomes a decision saying so; the tick resolves and the cooldown starts', async () => {
    const { state, autoscaler } = harness();
    state.resizeError = new Error('could not start a node: port in use');
    const decision = await autoscaler.tick();
    assert.equal(decision?.action, 'none');
    assert.equal(decision?.oldSize, 2);
    assert.equal(decision?.newSize, 2, 'the size the pool has after the failure');
    assert.equal(decision?.reason, 'resize failed: could not start a node: port in use (miss rate 60% is above the maximum threshold 50%: growing from 2 to 4 nodes)');
    assert.deepEqual(state.decisions, [decision]);
    assert.equal(state.resizes.length, 1);
    assert.equal(autoscaler.lastResizeAtMs, START_MS + RESIZE_MS);
});
test('a resize rejected with a non-Error value is still reported', async () => {
    const { state, autoscaler, deps } = harness();
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the case under test
    deps.resize = () => Promise.reject('busy');
    const decision = await autoscaler.tick();
    assert.match(decision.reason, /^resize failed: "busy" \(/);
    assert.equal(state.size, 2);
});
test('a failing miss-rate reading becomes a decision saying so, with no resize', async () => {
    const { state, autoscaler } = harness();
    state.readError = new Error('metrics store closed');
    const decision = await autoscaler.tick();
    assert.equal(decision?.action, 'none');
    assert.equal(decision?.reason, 'the miss rate could not be read: metrics store closed');
    assert.equal(decision?.missRate, null);
    assert.deepEqual(state.resizes, []);
});
test('a getter that throws becomes a decision saying so', async () => {
    const { autoscaler, deps, state } = harness();
    deps.params = () => {
        throw new Error('settings unavailable');
    };
    const decision = await autoscaler.tick();
    assert.equal(decision?.action, 'none');
    assert.equal(decision?.reason, 'decision failed: settings unavailable');
    assert.deepEqual(state.resizes, []);
});
test('an onDecision listener that throws does not break the tick; the error goes to onError', async () => {
    const { autoscaler, deps, state } = harness();
    const boom = new Error('disk full');
    deps.onDecision = () => {
        throw boom;
    };
    const decision = await autoscaler.tick();
    assert.equal(decision?.action, 'grow');
    assert.deepEqual(state.errors, [boom]);
});
test('switching to manual mode while the miss rate is read cancels the resize', async () => {
    const { state, autoscaler } = harness();
    let open;
    state.readGate = new Promise((resolve) => (open = resolve));
    const ticking = autoscaler.tick();
    state.automatic = false;
    open();
    const decision = await ticking;
    assert.equal(decision?.action, 'none');
    assert.equal(decision?.newSize, 2);
    assert.match(decision.reason, /; not done: the pool was switched to manual mode$/);
    assert.deepEqual(state.resizes, []);
});
test('a tick called while one runs shares its result instead of deciding twice', async () => {
    const { state, autoscaler } = harness();
    let open;
    state.readGate = new Promise((resolve) => (open = resolve));
    const first = autoscaler.tick();
    const second = autoscaler.tick();
    assert.equal(first, second);
    open();
    await first;
    assert.equal(state.reads, 1);
    assert.equal(state.resizes.length, 1);
    assert.equal(state.decisions.length, 1);
    state.readGate = null;
    await autoscaler.tick();
    assert.equal(state.reads, 2, 'once finished, the next tick runs anew');
});
test('noteResize starts a cooldown for a resize made elsewhere', async () => {
    const { clock, state, autoscaler } = harness();
    autoscaler.noteResize();
    assert.equal(autoscaler.lastResizeAtMs, START_MS);
    clock.advance(PERIOD_MS - 1);
    assert.match((await autoscaler.tick()).reason, /cooldown ends in 1 s/);
    clock.advance(1);
    assert.equal((await autoscaler.tick())?.action, 'grow');
    assert.equal(state.resizes.length, 1);
});
test('start() ticks every interval until stop()', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const { state, autoscaler, clock } = harness();
    state.reading = { missRate: 0.3, getRequests: 100 };
    const decided = () => new Promise((resolve) => {
        const count = state.decisions.length;
        const wait = () => (state.decisions.length > count ? resolve() : setImmediate(wait));
        wait();
    });
    autoscaler.start(PERIOD_MS);
    assert.ok(autoscaler.running);
    t.mock.timers.tick(PERIOD_MS - 1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(state.reads, 0, 'no tick before the first interval has passed');
    let next = decided();
    t.mock.timers.tick(1);
    await next;
    clock.advance(PERIOD_MS);
    next = decided();
    t.mock.timers.tick(PERIOD_MS);
    await next;
    assert.equal(state.decisions.length, 2);
    await autoscaler.stop();
    assert.ok(!autoscaler.running);
    t.mock.timers.tick(10 * PERIOD_MS);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(state.reads, 2, 'no tick after stop()');
});
test('stop() waits for a tick in progress', async () => {
    const { state, autoscaler } = harness();
    let open;
    state.readGate = new Promise((resolve) => (open = resolve));
    const ticking = autoscaler.tick();
    let stopped = false;
    const stopping = autoscaler.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(stopped, false);
    open();
    await stopping;
    assert.equal(stopped, true);
    assert.equal(state.decisions.length, 1);
    await ticking;
});
test('start() refuses an interval that is not a positive integer of ms', () => {
    const { autoscaler } = harness();
    for (const interval of [0, -1, 1.5, Number.NaN]) {
        assert.throws(() => autoscaler.start(interval), OptionError);
    }
    assert.ok(!autoscaler.running);
});
//# sourceMappingURL=autoscaler-tick.test.js.map