/**
 * Migration fences (src/node/fences.ts): what a fence records, what an early one leaves out, and
 * what a rollback's fence opened again keeps.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Fences } from '../../../src/node/fences.js';
import { partitionOf } from '../../../src/partition/index.js';

/** Two keys of one partition and one of another. */
const [k1, k2] = ['k1', 'k28'];
const other = 'k4';

describe('Fences', () => {
  it('records writes and invalidations of its partitions, and answers them when it ends', () => {
    assert.equal(partitionOf(k1), partitionOf(k2));
    assert.notEqual(partitionOf(other), partitionOf(k1));
    const fences = new Fences();
    fences.begin('m', [partitionOf(k1)]);
    fences.touch(k1, true);
    fences.touch(k2);
    fences.touch(other, true);
    assert.equal(fences.isTouched('m', k1), true);
    assert.equal(fences.isTouched('m', k2), true);
    assert.equal(fences.isTouched('m', other), false);
    assert.deepEqual(fences.end('m'), { touched: [k1, k2], cleared: false });
    assert.equal(fences.end('m'), undefined);
  });

  it('an early fence records writes only, and becomes a whole one keeping its record', () => {
    const fences = new Fences();
    const partitions = [partitionOf(k1)];
    fences.begin('r', partitions, true, true);
    fences.touch(k1, true);
    fences.touch(k2);
    assert.equal(fences.isTouched('r', k2), false, 'an invalidation is not recorded early');
    fences.begin('r', partitions, false, true);
    assert.equal(fences.isTouched('r', k1), true, 'the early record is kept');
    fences.touch(k2);
    assert.equal(fences.isTouched('r', k2), true, 'a whole fence records invalidations');
    // The next try of a rollback opens it early again: it keeps its record and stays whole.
    fences.begin('r', partitions, true, true);
    fences.touch(other);
    fences.begin('r', [partitionOf(other)], true, true);
    fences.touch(other);
    assert.equal(fences.isTouched('r', other), true);
    fences.touchAll();
    assert.deepEqual(fences.end('r'), { touched: [k1, k2, other], cleared: true });
  });

  it('without keepRecord a fence opened again forgets what it recorded', () => {
    const fences = new Fences();
    fences.begin('m', [partitionOf(k1)]);
    fences.touch(k1, true);
    fences.begin('m', [partitionOf(k1)]);
    assert.equal(fences.isTouched('m', k1), false);
    assert.deepEqual(fences.end('m'), { touched: [], cleared: false });
  });
});
