import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/clock.js';
import { MigrationProgress } from '../../../src/pool/migration-progress.js';
describe('MigrationProgress', () => {
    it('counts keys, bytes and partitions and records the end and the error', () => {
        const clock = new ManualClock(1_000);
        const progress = new MigrationProgress('m1', 2, 3, 5, clock);
        progress.addKeysFound(100);
        progress.addKeysDone(40, 4_000);
        progress.addPartitionsDone(2);
        assert.deepEqual({ ...progress.toJSON() }, {
            id: 'm1',
            running: true,
            from_size: 2,
            to_size: 3,
            started_at_ms: 1_000,
            finished_at_ms: null,
            partitions_total: 5,
            partitions_done: 2,
            keys_total: 100,
            keys_done: 40,
            bytes_done: 4_000,
            keys_lost: 0,
            failed_node: null,
            error: null,
        });
        clock.advance(500);
        progress.finish('node 127.0.0.1:1 did not answer');
        const done = progress.toJSON();
        assert.equal(done.running, false);
        assert.equal(done.finished_at_ms, 1_500);
        assert.equal(done.error, 'node 127.0.0.1:1 did not answer');
    });
    it('never shows more keys done than found, nor more partitions done than moving', () => {
        const progress = new MigrationProgress('m2', 1, 2, 8, new ManualClock());
        progress.addKeysFound(10);
        progress.addKeysDone(12, 0);
        progress.addPartitionsDone(9);
        assert.equal(progress.toJSON().keys_total, 12);
        assert.equal(progress.toJSON().partitions_done, 8);
    });
    it('gives copies: changing a snapshot changes nothing', () => {
        const progress = new MigrationProgress('m3', 1, 2, 8, new ManualClock());
        const snapshot = progress.toJSON();
        snapshot.keys_done = 99;
        assert.equal(progress.toJSON().keys_done, 0);
    });
});
//# sourceMappingURL=migration-progress.test.js.map