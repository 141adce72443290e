/**
 * The runtime settings of a node process (src/node/runtime.ts): the environment a node is started
 * with carries the young-generation cap and the allocator's arena bound, keeping what the caller
 * set.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  NODE_MALLOC_ARENAS,
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
  });

  it('keeps a semi-space size and an arena count the caller chose', () => {
    const base = { NODE_OPTIONS: '--max-semi-space-size=8', MALLOC_ARENA_MAX: '4' };
    const env = nodeProcessEnv(base);
    assert.equal(env.NODE_OPTIONS, '--max-semi-space-size=8');
    assert.equal(env.MALLOC_ARENA_MAX, '4');
    assert.deepEqual(base, { NODE_OPTIONS: '--max-semi-space-size=8', MALLOC_ARENA_MAX: '4' });
  });

  it('works without NODE_OPTIONS', () => {
    assert.equal(nodeProcessEnv({}).NODE_OPTIONS, `--max-semi-space-size=${NODE_SEMI_SPACE_MB}`);
  });
});
