/**
 * The runtime settings of a node process (src/node/runtime.ts): the environment a node is started
 * with carries the young-generation cap and the allocator's arena bound, keeping what the caller
 * set.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
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
