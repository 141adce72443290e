import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  PARTITION_COUNT,
  PartitionTable,
  rolesOf,
  routingVersionOf,
} from '../../../src/partition/index.js';
import { Ownership } from '../../../src/node/ownership.js';

const A = '127.0.0.1:1';
const B = '127.0.0.1:2';
const C = '127.0.0.1:3';

describe('partition roles', () => {
  it('orders routing states: the table version doubled, odd while partitions move', () => {
    const t1 = new PartitionTable(3, 'minimal', new Array(16).fill(A));
    const moves = [{ partition: 2, from: A, to: B }];
    assert.equal(routingVersionOf(t1, []), 6);
    assert.equal(routingVersionOf(t1, moves), 7);
    const t2 = new PartitionTable(4, 'minimal', new Array(16).fill(A));
    assert.ok(routingVersionOf(t2, []) > routingVersionOf(t1, moves));
  });

  it('gives every partition exactly one owner, or a receiving and a leaving node while it moves', () => {
    const owners = Array.from({ length: PARTITION_COUNT }, (_, p) => (p < 8 ? A : B));
    const table = new PartitionTable(1, 'minimal', owners);
    const roles = rolesOf(table, [{ partition: 0, from: A, to: C }], [A, B, C, '127.0.0.1:4']);
    assert.deepEqual(roles.get(A), {
      version: 3,
      owned: [1, 2, 3, 4, 5, 6, 7],
      receiving: [],
      leaving: [0],
    });
    assert.deepEqual(roles.get(C), { version: 3, owned: [], receiving: [0], leaving: [] });
    assert.deepEqual(roles.get(B)!.owned, [8, 9, 10, 11, 12, 13, 14, 15]);
    assert.deepEqual(roles.get('127.0.0.1:4'), {
      version: 3,
      owned: [],
      receiving: [],
      leaving: [],
    });
  });
});

describe('Ownership', () => {
  it('serves every key until a manager says otherwise', () => {
    const ownership = new Ownership();
    for (const op of ['read', 'write', 'delete'] as const)
      assert.equal(ownership.allows(op, 5, 99), true);
  });

  it('takes owned and received partitions, reads and untagged writes of a leaving one, nothing else', () => {
    const ownership = new Ownership();
    assert.equal(ownership.update({ version: 7, owned: [1], receiving: [2], leaving: [3] }), true);
    for (const op of ['read', 'write', 'delete'] as const) {
      assert.equal(ownership.allows(op, 1), true);
      assert.equal(ownership.allows(op, 2, 7), true);
    }
    // Leaving: a router that says an older version may not read, write nor delete there (the key
    // may already be on the new owner); one that knows the move may read and delete.
    assert.equal(ownership.allows('read', 3, 6), false);
    assert.equal(ownership.allows('read', 3, 7), true);
    assert.equal(ownership.allows('read', 3), true);
    assert.equal(ownership.allows('write', 3, 6), false);
    assert.equal(ownership.allows('write', 3, 7), false);
    assert.equal(ownership.allows('delete', 3, 6), false);
    assert.equal(ownership.allows('delete', 3, 7), true);
    assert.equal(ownership.allows('write', 3), true);
    // Not ours: no read, no write; an untagged invalidation is harmless and allowed.
    assert.equal(ownership.allows('read', 4), false);
    assert.equal(ownership.allows('write', 4), false);
    assert.equal(ownership.allows('delete', 4), true);
    assert.equal(ownership.allows('delete', 4, 7), false);
  });

  it('ignores an older or equal routing state, and forgets everything on reset', () => {
    const ownership = new Ownership();
    ownership.update({ version: 7, owned: [1], receiving: [], leaving: [] });
    assert.equal(ownership.update({ version: 6, owned: [2], receiving: [], leaving: [] }), false);
    assert.equal(ownership.update({ version: 7, owned: [2], receiving: [], leaving: [] }), false);
    assert.equal(ownership.allows('write', 2), false);
    assert.equal(ownership.update({ version: 8, owned: [2], receiving: [], leaving: [] }), true);
    assert.equal(ownership.allows('write', 1), false);
    ownership.reset();
    assert.equal(ownership.version, undefined);
    // Reset to rejoin: it owns nothing until told, whatever version that comes with.
    assert.equal(ownership.servesAll, false);
    for (let partition = 0; partition < PARTITION_COUNT; partition++) {
      assert.equal(ownership.allows('write', partition), false);
      assert.equal(ownership.allows('write', partition, 8), false);
      assert.equal(ownership.allows('read', partition), false);
      assert.equal(ownership.allows('delete', partition, 8), false);
      assert.equal(ownership.allows('delete', partition), true);
    }
    assert.equal(ownership.update({ version: 1, owned: [3], receiving: [], leaving: [] }), true);
    assert.equal(ownership.allows('write', 3, 1), true);
    assert.equal(ownership.allows('write', 4), false);
  });

  it('refuses a tagged write or removal routed before a leaving partition came back to it', () => {
    // A move of partition 3 from this node (A) to B at version 7, rolled back at 9 (B → A):
    // the invalidation of A that a write routed at 7 sends after writing B must not remove a
    // value written to A by a router at 9.
    const ownership = new Ownership();
    ownership.update({ version: 6, owned: [3, 4], receiving: [], leaving: [] });
    assert.equal(ownership.allows('write', 3, 6), true);
    ownership.update({ version: 7, owned: [4], receiving: [], leaving: [3] });
    assert.equal(ownership.allows('delete', 3, 7), true);
    ownership.update({ version: 9, owned: [4], receiving: [3], leaving: [] });
    assert.equal(ownership.allows('delete', 3, 7), false);
    assert.equal(ownership.allows('write', 3, 7), false);
    assert.equal(ownership.allows('write', 3, 9), true);
    assert.equal(ownership.allows('delete', 3, 9), true);
    // Reads are harmless; untagged routers (the manager's own gateway) drain instead.
    assert.equal(ownership.allows('read', 3, 7), true);
    assert.equal(ownership.allows('delete', 3), true);
    // A partition it kept all along takes writes routed by older states.
    assert.equal(ownership.allows('write', 4, 6), true);
    // Received, then owned: writes routed while it was receiving still land.
    ownership.update({ version: 10, owned: [3, 4], receiving: [], leaving: [] });
    assert.equal(ownership.allows('write', 3, 9), true);
    assert.equal(ownership.allows('write', 3, 8), false);
  });
});
