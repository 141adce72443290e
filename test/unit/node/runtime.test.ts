/**
 * The runtime settings of a node process (src/node/runtime.ts): the environment a node is started
 * with carries the young-generation cap and the allocator's arena bound, keeping what the caller
 * set; the heap's growth follows the store's garbage allowance.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  heapGrowingPercentFor,
  NODE_HEAP_GROWING_PERCENT,
  NODE_HEAP_GROWING_PERCENT_MAX,
  NODE_MALLOC_ARENAS,
  NODE_MMAP_THRESHOLD_BYTES,
  NODE_SEMI_SPACE_MB,
  nodeProcessEnv,
} from '../../../src/node/runtime.js';

describe('nodeProcessEnv', () => {
  it('adds the semi-space cap to NODE_OPTIONS and bounds the allocator arenas', () => {
    const env = nodeProcessEnv({ PATH: '/bin', NODE_OPTIONS: '--enable-source-maps' });
    assert.equal(env.PATH, '/bin');
    assert.equal(
      env.NODE_OPTIONS,
      `--enable-source-maps --max-semi-space-size=${NODE_SEMI_SPACE_MB}`,
    );
    assert.equal(env.MALLOC_ARENA_MAX, String(NODE_MALLOC_ARENAS));
    assert.equal(env.MALLOC_MMAP_THRESHOLD_, String(NODE_MMAP_THRESHOLD_BYTES));
  });

  it('keeps the settings the caller chose, without changing its environment', () => {
    const base = {
      NODE_OPTIONS: '--max-semi-space-size=8',
      MALLOC_ARENA_MAX: '4',
      MALLOC_MMAP_THRESHOLD_: '1048576',
    };
    const env = nodeProcessEnv(base);
    assert.deepEqual(env, base);
    assert.notEqual(env, base);
  });

  it('takes the flag spelt with underscores as set', () => {
    const env = nodeProcessEnv({ NODE_OPTIONS: '--max_semi_space_size=8' });
    assert.equal(env.NODE_OPTIONS, '--max_semi_space_size=8');
  });

  it('works without NODE_OPTIONS', () => {
    assert.equal(nodeProcessEnv({}).NODE_OPTIONS, `--max-semi-space-size=${NODE_SEMI_SPACE_MB}`);
  });
});

describe('heapGrowingPercentFor', () => {
  const MB = 1024 * 1024;

  it('lets the old generation grow by the allowance, in steps of 10 %', () => {
    // A node's heap of some 16 MB and the allowance of a 2 GB capacity (64 MiB): 400 %.
    assert.equal(heapGrowingPercentFor(64 * MB, 16 * MB), 400);
    // 12 MiB (128 MB of capacity) over 15 MB: 80 %, rounded down from 81.9.
    assert.equal(heapGrowingPercentFor(12 * MB, 15 * MB), 80);
  });

  it('keeps a fifth at least and ten times at most', () => {
    // 4 MiB (64 MB of capacity) over 32 MB would be 12.5 %.
    assert.equal(heapGrowingPercentFor(4 * MB, 32 * MB), NODE_HEAP_GROWING_PERCENT);
    assert.equal(heapGrowingPercentFor(0, 16 * MB), NODE_HEAP_GROWING_PERCENT);
    assert.equal(heapGrowingPercentFor(64 * MB, 2 * MB), NODE_HEAP_GROWING_PERCENT_MAX);
    assert.equal(heapGrowingPercentFor(64 * MB, 0), NODE_HEAP_GROWING_PERCENT_MAX);
  });
});
