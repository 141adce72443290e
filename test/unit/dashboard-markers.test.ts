import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelRows, markerLabel } from '../../src/dashboard/client/markers.js';

test('resize labels that would overlap go on the next free row, others stay on the first', () => {
  // Three labels 30 px wide, 10 px apart, then one far to the right.
  assert.deepEqual(
    labelRows([
      [0, 30],
      [10, 40],
      [20, 50],
      [200, 230],
    ]),
    [0, 1, 2, 0],
  );
  // A label that starts after the first row's last one ends (plus the gap) reuses that row.
  assert.deepEqual(
    labelRows([
      [0, 30],
      [10, 40],
      [35, 60],
    ]),
    [0, 1, 0],
  );
  assert.deepEqual(labelRows([]), []);
});

test('a failed resize, a failover and a registration are labelled as such, not as resizes', () => {
  const at = { time_ms: 0 };
  assert.equal(markerLabel({ ...at, old_size: 3, new_size: 2, cause: 'manual' }).text, '3→2');
  const failed = markerLabel({ ...at, old_size: 3, new_size: 2, cause: 'rolled-back' });
  assert.equal(failed.text, '3↛2 failed');
  assert.equal(failed.color, '#c92a2a');
  assert.equal(
    markerLabel({ ...at, old_size: 3, new_size: 2, cause: 'failure' }).text,
    '3→2 node down',
  );
  assert.equal(markerLabel({ ...at, old_size: 2, new_size: 3, cause: 'join' }).text, '2→3 joined');
});
