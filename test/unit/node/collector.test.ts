/**
 * The idle collection's choice to compact (src/node/collector.ts): compacting copies the live
 * objects into new pages before the old ones go, so it is worth it only when the heap's free space
 * is large, in itself and beside what is live.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { worthCompacting } from '../../../src/node/collector.js';

const MB = 1024 * 1024;
const heap = (totalMb: number, usedMb: number) => ({
  total_heap_size: totalMb * MB,
  used_heap_size: usedMb * MB,
});

describe('worthCompacting', () => {
  it('compacts a heap with more free space than live objects, of 8 MB or more', () => {
    // After a million imported records: 57.9 MB held, 26.2 MB of it live.
    assert.equal(worthCompacting(heap(57.9, 26.2)), true);
    assert.equal(worthCompacting(heap(16, 8)), true);
  });

  it('leaves a heap whose free space is less than what is live', () => {
    // A node of 16 MB after 24 MB of puts: 21 MB held, 16.8 MB live; compacting it cost 18-22 MB
    // of RSS for a moment to give back 4.
    assert.equal(worthCompacting(heap(21.4, 16.8)), false);
    assert.equal(worthCompacting(heap(40, 20.5)), false);
  });

  it('leaves a heap with less than 8 MB free, however little is live', () => {
    assert.equal(worthCompacting(heap(9, 2)), false);
    assert.equal(worthCompacting(heap(0, 0)), false);
  });
});
