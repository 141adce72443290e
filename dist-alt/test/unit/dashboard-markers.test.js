import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LABEL_ROW_PX, labelHeadroom, labelRows, labelRowsRecentFirst, labelStart, markerLabel, maxLabelRows, } from '../../src/dashboard/client/markers.js';
test('resize labels that would overlap go on the next free row, others stay on the first', () => {
    // Three labels 30 px wide, 10 px apart, then one far to the right.
    assert.deepEqual(labelRows([
        [0, 30],
        [10, 40],
        [20, 50],
        [200, 230],
    ]), [0, 1, 2, 0]);
    // A label that starts after the first row's last one ends (plus the gap) reuses that row.
    assert.deepEqual(labelRows([
        [0, 30],
        [10, 40],
        [35, 60],
    ]), [0, 1, 0]);
    assert.deepEqual(labelRows([]), []);
    // With two rows at most, a third overlapping label gets none (-1) and is not drawn.
    assert.deepEqual(labelRows([
        [0, 30],
        [10, 40],
        [20, 50],
        [200, 230],
    ], 4, 2), [0, 1, -1, 0]);
});
test('when the rows run out, the most recent (rightmost) labels of a crowd are the ones drawn', () => {
    const crowd = [
        [0, 30],
        [10, 40],
        [20, 50],
    ];
    assert.deepEqual(labelRowsRecentFirst(crowd, 4, 2), [-1, 1, 0]);
    // Without a limit, every label has a row and none overlaps another on its row.
    assert.deepEqual(labelRowsRecentFirst(crowd, 4), [2, 1, 0]);
});
test('a failed resize, a failover and a registration are labelled as such, not as resizes', () => {
    const at = { time_ms: 0 };
    assert.equal(markerLabel({ ...at, old_size: 3, new_size: 2, cause: 'manual' }).text, '3→2');
    const failed = markerLabel({ ...at, old_size: 3, new_size: 2, cause: 'rolled-back' });
    assert.equal(failed.text, '3↛2 failed');
    assert.equal(failed.color, '#c92a2a');
    assert.equal(markerLabel({ ...at, old_size: 3, new_size: 2, cause: 'failure' }).text, '3→2 node down');
    assert.equal(markerLabel({ ...at, old_size: 2, new_size: 3, cause: 'join' }).text, '2→3 joined');
});
test('a label stays inside the plot: right of its line, else left of it, else against an edge', () => {
    // Plot from 50 to 350, labels 40 wide, 4 px from the line and from the edges.
    assert.equal(labelStart(100, 40, 50, 350, 4), 104);
    // Near the right edge: left of the line, never past the edge.
    assert.equal(labelStart(340, 40, 50, 350, 4), 296);
    assert.equal(labelStart(350, 40, 50, 350, 4), 306);
    // A plot too narrow for either side: as close to the line as the edges allow.
    assert.equal(labelStart(80, 40, 50, 120, 4), 60);
    assert.equal(labelStart(110, 60, 50, 120, 4), 56);
    // Whatever the line, the label's box is inside [left + pad, right - pad].
    for (let x = 50; x <= 350; x += 7) {
        for (const width of [10, 40, 120, 280]) {
            const start = labelStart(x, width, 50, 350, 4);
            assert.ok(start >= 54 && start + width <= 346, `x=${x} width=${width} start=${start}`);
        }
    }
});
test('the y scale reaches high enough that the labels never touch a point', () => {
    assert.equal(labelHeadroom(0, 100), 1);
    assert.equal(labelHeadroom(2, 0), 1);
    // One row in a 100 px plot: the top 13 + 8 px hold no data, so the data's top is at 21 px.
    const factor = labelHeadroom(1, 100);
    assert.ok(Math.abs(100 - 100 / factor - (LABEL_ROW_PX + 8)) < 1e-9, String(factor));
    // The band never takes more than half the plot.
    assert.equal(labelHeadroom(20, 100), 2);
    assert.equal(maxLabelRows(100), 3);
    assert.equal(maxLabelRows(10), 1);
});
//# sourceMappingURL=dashboard-markers.test.js.map