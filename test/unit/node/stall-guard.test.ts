/**
 * The node's stall guard (src/node/stall-guard.ts) on a controlled clock, and a CacheNode behind
 * it: after a pause of the process a read misses and a write is refused with
 * CP_ERR_NODE_VERIFYING, changing nothing, until the node is resumed; a removal goes on.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CachePoolError } from '../../../src/errors.js';
import { CacheNode } from '../../../src/node/cache-node.js';
import { textEntry } from '../../../src/node/entry.js';
import { StallGuard } from '../../../src/node/stall-guard.js';

function guardAt(start: number) {
  let now = start;
  const stalls: number[] = [];
  const guard = new StallGuard(() => now);
  return {
    guard,
    stalls,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('StallGuard', () => {
  it('never suspends before it watches', () => {
    const { guard, advance } = guardAt(1_000);
    advance(60_000);
    guard.beat();
    assert.equal(guard.suspended(), false);
  });

  it('suspends on a gap of stallMs between beats, once, and serves again when resumed', () => {
    const { guard, stalls, advance } = guardAt(1_000);
    guard.watch(500, (gap) => stalls.push(gap));
    for (let i = 0; i < 10; i++) {
      advance(250);
      guard.beat();
    }
    assert.equal(guard.suspended(), false);
    assert.deepEqual(stalls, []);
    advance(499);
    assert.equal(guard.suspended(), false, 'a gap under stallMs is no stall');
    advance(300);
    guard.beat();
    assert.deepEqual(stalls, [799]);
    assert.equal(guard.suspended(), true);
    // Beats go on while suspended and report nothing more.
    advance(2_000);
    guard.beat();
    assert.equal(guard.suspended(), true);
    assert.deepEqual(stalls, [799]);
    guard.resume();
    assert.equal(guard.suspended(), false);
    advance(250);
    guard.beat();
    assert.equal(guard.suspended(), false);
  });

  it('is tripped by a request checked before the late beat runs (a resumed poll phase)', () => {
    const { guard, stalls, advance } = guardAt(0);
    guard.watch(500, (gap) => stalls.push(gap));
    advance(3_000);
    assert.equal(guard.suspended(), true);
    assert.deepEqual(stalls, [3_000]);
  });

  it('takes a new stallMs while watching, and none once unwatched (which also resumes)', () => {
    const { guard, stalls, advance } = guardAt(0);
    guard.watch(3_500, (gap) => stalls.push(gap));
    guard.setStallMs(500);
    assert.equal(guard.stallMs, 500);
    advance(600);
    assert.equal(guard.suspended(), true);
    guard.unwatch();
    assert.equal(guard.suspended(), false);
    guard.setStallMs(500);
    assert.equal(guard.stallMs, 0);
    advance(10_000);
    guard.beat();
    assert.equal(guard.suspended(), false);
    assert.deepEqual(stalls, [600]);
  });
});

describe('a suspended CacheNode', () => {
  it('misses reads and refuses writes with CP_ERR_NODE_VERIFYING, changing nothing; removals go on', async () => {
    const node = new CacheNode({ capacityMb: 1 });
    node.put('a', textEntry('one'));
    node.put('c', textEntry('three'));
    let stalled = 0;
    node.liveness.watch(1, () => stalled++);
    await new Promise((resolve) => setTimeout(resolve, 5));

    assert.equal(node.get('a'), undefined, 'a read misses');
    assert.equal(stalled, 1);
    assert.equal(node.get('a', 7), undefined, 'also for a router that says its version');
    assert.equal(node.serves('read', 'a'), false);
    const verifying = (error: unknown) =>
      error instanceof CachePoolError &&
      error.code === 'CP_ERR_NODE_VERIFYING' &&
      error.statusCode === 503;
    assert.throws(() => node.put('a', textEntry('two')), verifying);
    assert.throws(() => node.put('b', textEntry('two')), verifying);
    assert.throws(() => node.putText('b', 'two'), verifying);
    assert.equal(node.store.size, 2);
    // Removing a copy is always safe: a router's removal of an old owner's copy goes through.
    assert.equal(node.invalidate('c'), true);
    assert.equal(node.store.size, 1);
    assert.equal(node.liveness.suspended(), true);

    node.liveness.resume();
    node.liveness.unwatch();
    const entry = node.get('a');
    assert.ok(entry);
    assert.equal(entry.valueBytes, 3);
    assert.equal(node.invalidate('a'), true);
  });
});
