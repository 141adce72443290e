/**
 * The snapshot's one schema (src/wire/snapshot.ts) and the manager's check of it: every field
 * the schema requires is checked, and a node sends exactly the fields the schema lists.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSnapshot } from '../../../src/metrics/index.js';
import { CacheNode } from '../../../src/node/cache-node.js';
import { nodeSnapshotSchema } from '../../../src/wire/index.js';

const { properties, required } = nodeSnapshotSchema;

function nodeSnapshot(): Record<string, unknown> {
  const node = new CacheNode({ capacityMb: 1 });
  node.putText('k', 'v');
  node.get('k');
  return { ...node.snapshot('127.0.0.1:5001') };
}

test('a snapshot without any one field the schema requires is refused, naming that field', () => {
  for (const field of required) {
    const { [field]: _dropped, ...rest } = nodeSnapshot();
    const outcome = checkSnapshot(rest);
    assert.equal(outcome.ok, false, field);
    assert.match((outcome as { message: string }).message, new RegExp(`^snapshot\\.${field} `));
  }
  for (const field of properties.legacy.required) {
    const snapshot = nodeSnapshot();
    const { [field]: _dropped, ...legacy } = snapshot.legacy as Record<string, unknown>;
    const outcome = checkSnapshot({ ...snapshot, legacy });
    assert.equal(outcome.ok, false, field);
    assert.match(
      (outcome as { message: string }).message,
      new RegExp(`^snapshot\\.legacy\\.${field} `),
    );
  }
});

test('a node sends exactly the fields the schema lists', () => {
  const snapshot = nodeSnapshot();
  assert.deepEqual(Object.keys(snapshot).sort(), Object.keys(properties).sort());
  assert.deepEqual(
    Object.keys(snapshot.legacy as object).sort(),
    Object.keys(properties.legacy.properties).sort(),
  );
});
