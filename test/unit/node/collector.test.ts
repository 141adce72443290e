/**
 * The idle collection's choice to compact (src/node/collector.ts): compacting copies the live
 * objects into new pages before the old ones go, so it is worth it only when the heap's free space
 * is large, and the copy either fits in what the process's memory bound leaves or is less than
 * what it gives back. And it runs with a tick queued (withTickPending).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withTickPending, worthCompacting } from '../../../src/node/collector.js';
import { processBoundBytes } from '../../../src/node/entry-store.js';

const MB = 1024 * 1024;
const heap = (totalMb: number, usedMb: number) => ({
  total_heap_size: totalMb * MB,
  used_heap_size: usedMb * MB,
});

describe('worthCompacting', () => {
  it('compacts a heap with 8 MB free or more when the copy of its live objects fits', () => {
    // After a million imported records on a node of 2 GB: 57.9 MB held, 26.2 MB of it live.
    assert.equal(worthCompacting(heap(57.9, 26.2), 2_000 * MB), true);
    assert.equal(worthCompacting(heap(40, 30), 30 * MB), true);
    assert.equal(worthCompacting(heap(40, 30), Infinity), true);
  });

  it('compacts without room when it gives back more than it borrows', () => {
    assert.equal(worthCompacting(heap(57.9, 26.2), 0), true);
    assert.equal(worthCompacting(heap(16, 8), 0), true);
  });

  it('leaves a heap whose copy fits neither the room nor what it gives back', () => {
    // A node of 16 MB after 24 MB of puts, 9 MB under its bound, with 8.2 MB free: compacting
    // borrowed 18-22 MB of RSS for a moment.
    assert.equal(worthCompacting(heap(25, 16.8), 9 * MB), false);
    assert.equal(worthCompacting(heap(40, 20.5), 20 * MB), false);
  });

  it('leaves a heap with less than 8 MB free, whatever the room', () => {
    assert.equal(worthCompacting(heap(21.4, 16.8), Infinity), false);
    assert.equal(worthCompacting(heap(9, 2), Infinity), false);
    assert.equal(worthCompacting(heap(0, 0), Infinity), false);
  });
});

describe('processBoundBytes', () => {
  it('is 1.3 × the capacity + 80 MB', () => {
    assert.equal(processBoundBytes(0), 80 * MB);
    assert.equal(processBoundBytes(100 * MB), 210 * MB);
  });
});

describe('withTickPending', () => {
  it('runs the work at once, with a tick queued that runs after it', async () => {
    const events: string[] = [];
    const descriptor = Object.getOwnPropertyDescriptor(process, 'nextTick')!;
    const nextTick = process.nextTick.bind(process);
    let queued = 0;
    process.nextTick = (callback: (...args: unknown[]) => void, ...args: unknown[]) => {
      queued++;
      nextTick(() => {
        events.push('tick');
        callback(...args);
      });
    };
    try {
      withTickPending(() => events.push(`work with ${queued} queued`));
    } finally {
      Object.defineProperty(process, 'nextTick', descriptor);
    }
    assert.deepEqual(events, ['work with 1 queued']);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(events, ['work with 1 queued', 'tick']);
  });
});
