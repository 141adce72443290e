import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { ManualClock } from '../../../src/clock.js';
import { PartitionTable, planRebalance } from '../../../src/partition/index.js';
import { defaults } from '../../../src/defaults.js';
import { CachePoolError, OptionError } from '../../../src/errors.js';
import { DECISION_LOG_LIMIT, SCHEMA_VERSION, STATE_DB_FILE, StateDb, } from '../../../src/manager/state-db.js';
import { removeTempDirs, tempDir as makeTempDir } from '../../helpers/temp-dir.js';
const tempDir = () => makeTempDir('cachepool-state-');
after(removeTempDirs);
function table(version, owners) {
    return {
        version,
        strategy: 'minimal',
        owners: Array.from({ length: 16 }, (_, i) => owners[i % owners.length]),
    };
}
const A = '127.0.0.1:5001';
const B = '127.0.0.1:5002';
describe('StateDb on a file', () => {
    it('creates the data directory and a WAL database at the current schema version', () => {
        const dir = join(tempDir(), 'nested', 'data');
        const db = StateDb.open(dir);
        assert.equal(db.schemaVersion(), SCHEMA_VERSION);
        db.close();
        const raw = new Database(join(dir, STATE_DB_FILE), { readonly: true });
        assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
        raw.close();
    });
    it('reports the defaults when nothing is stored', () => {
        const db = StateDb.open(tempDir());
        assert.deepEqual(db.listNodes(), []);
        assert.equal(db.loadPartitionTable(), undefined);
        assert.deepEqual(db.loadCacheConfig(), {
            capacityMb: defaults.capacityMb,
            policy: defaults.replacementPolicy,
        });
        assert.deepEqual(db.loadAutoscalerSettings(), {
            mode: 'manual',
            maxMissRateThreshold: defaults.autoscale.maxMissRateThreshold,
            minMissRateThreshold: defaults.autoscale.minMissRateThreshold,
            expandRatio: defaults.autoscale.expandRatio,
            shrinkRatio: defaults.autoscale.shrinkRatio,
            minRequests: defaults.autoscale.minRequests,
            cooldownMs: defaults.scaleIntervalS * 1000,
            minNodes: defaults.minNodes,
            maxNodes: defaults.maxNodes,
        });
        assert.deepEqual(db.listDecisions(100), []);
        assert.equal(db.unfinishedMigration(), undefined);
        assert.equal(db.lastMigration(), undefined);
        db.close();
    });
    it('reads back everything it wrote after a close and a reopen', () => {
        const dir = tempDir();
        const settings = {
            mode: 'automatic',
            maxMissRateThreshold: 0.7,
            minMissRateThreshold: 0.2,
            expandRatio: 3,
            shrinkRatio: 0.25,
            minRequests: 5,
            cooldownMs: 1234,
            minNodes: 2,
            maxNodes: 6,
        };
        const first = StateDb.open(dir);
        first.upsertNode({ address: A, cacheIndex: 0, status: 'up', pid: 4242, addedAtMs: 1000 });
        first.upsertNode({ address: B, cacheIndex: 1, status: 'starting', pid: null, addedAtMs: 2000 });
        first.savePartitionTable(table(7, [A, B]));
        first.saveCacheConfig({ capacityMb: 128, policy: 'rr' });
        first.saveAutoscalerSettings(settings);
        first.appendDecision({
            timeMs: 10,
            missRate: null,
            requests: 0,
            oldSize: 1,
            newSize: 1,
            action: 'none',
            reason: 'too few requests',
        });
        first.appendDecision({
            timeMs: 20,
            missRate: 0.9,
            requests: 300,
            oldSize: 1,
            newSize: 2,
            action: 'grow',
            reason: 'miss rate 0.9 > 0.7',
        });
        first.close();
        const second = StateDb.open(dir);
        assert.deepEqual(second.listNodes(), [
            { address: A, cacheIndex: 0, status: 'up', pid: 4242, addedAtMs: 1000 },
            { address: B, cacheIndex: 1, status: 'starting', pid: null, addedAtMs: 2000 },
        ]);
        assert.deepEqual(second.loadPartitionTable(), table(7, [A, B]));
        assert.deepEqual(second.loadCacheConfig(), { capacityMb: 128, policy: 'rr' });
        assert.deepEqual(second.loadAutoscalerSettings(), settings);
        assert.deepEqual(second.listDecisions(10), [
            {
                timeMs: 20,
                missRate: 0.9,
                requests: 300,
                oldSize: 1,
                newSize: 2,
                action: 'grow',
                reason: 'miss rate 0.9 > 0.7',
            },
            {
                timeMs: 10,
                missRate: null,
                requests: 0,
                oldSize: 1,
                newSize: 1,
                action: 'none',
                reason: 'too few requests',
            },
        ]);
        assert.deepEqual(second.listDecisions(1).map((d) => d.timeMs), [20]);
        assert.equal(second.schemaVersion(), SCHEMA_VERSION);
        second.close();
    });
    it('finds a half-written migration after a reopen and can finish it', () => {
        const dir = tempDir();
        const start = {
            id: 'm-1',
            fromTable: table(3, [A]),
            toTable: table(4, [A, B]),
            moves: [
                { partition: 1, from: A, to: B },
                { partition: 3, from: A, to: B },
                { partition: 5, from: A, to: B },
            ],
            startedAtMs: 5000,
        };
        const clock = new ManualClock(9000);
        const first = StateDb.open(dir, { clock });
        first.beginMigration(start);
        assert.equal(first.markMoveDone('m-1', 3), true);
        assert.equal(first.markMoveDone('m-1', 2), false, 'partition 2 is not part of the migration');
        assert.equal(first.markMoveDone('m-other', 1), false);
        // The process dies here: no finishMigration.
        first.close();
        const second = StateDb.open(dir, { clock });
        const unfinished = second.unfinishedMigration();
        assert.deepEqual(unfinished, {
            id: 'm-1',
            fromTable: start.fromTable,
            toTable: start.toTable,
            moves: [
                { partition: 1, from: A, to: B, done: false },
                { partition: 3, from: A, to: B, done: true },
                { partition: 5, from: A, to: B, done: false },
            ],
            startedAtMs: 5000,
            finishedAtMs: null,
            outcome: null,
            error: null,
        });
        assert.throws(() => second.beginMigration({ ...start, id: 'm-2' }), (e) => e instanceof CachePoolError && e.code === 'CP_ERR_POOL_BUSY');
        assert.equal(second.finishMigration('m-1', 'rolled-back', 'manager restarted mid-resize'), true);
        assert.equal(second.finishMigration('m-1', 'done'), false, 'a finished migration stays finished');
        second.close();
        const third = StateDb.open(dir, { clock });
        assert.equal(third.unfinishedMigration(), undefined);
        const last = third.lastMigration();
        assert.equal(last?.id, 'm-1');
        assert.equal(last?.outcome, 'rolled-back');
        assert.equal(last?.error, 'manager restarted mid-resize');
        assert.equal(last?.finishedAtMs, 9000);
        third.beginMigration({ ...start, id: 'm-2', startedAtMs: 9500 });
        assert.equal(third.unfinishedMigration()?.id, 'm-2');
        assert.equal(third.finishMigration('m-2', 'done'), true);
        assert.equal(third.lastMigration()?.outcome, 'done');
        third.close();
    });
    it('refuses a data directory that is a file, naming the option', () => {
        const file = join(tempDir(), 'not-a-dir');
        writeFileSync(file, 'x');
        assert.throws(() => StateDb.open(file), (e) => e instanceof OptionError && e.message.startsWith('--data-dir must be a writable directory'));
    });
    it('refuses a database written by a newer schema and leaves it untouched', () => {
        const dir = tempDir();
        StateDb.open(dir).close();
        const raw = new Database(join(dir, STATE_DB_FILE));
        raw.prepare('UPDATE schema_version SET version = ?').run(SCHEMA_VERSION + 1);
        raw.close();
        assert.throws(() => StateDb.open(dir), (e) => e instanceof OptionError && /newer than this cachepool/.test(e.message));
        const check = new Database(join(dir, STATE_DB_FILE), { readonly: true });
        assert.deepEqual(check.prepare('SELECT version FROM schema_version').get(), {
            version: SCHEMA_VERSION + 1,
        });
        check.close();
    });
});
describe('StateDb in memory', () => {
    it("stores the planner's own tables and moves as they are", () => {
        const db = StateDb.open(':memory:');
        const from = new PartitionTable(1, 'minimal', Array.from({ length: 16 }, () => A));
        const plan = planRebalance(from, [A, B]);
        db.savePartitionTable(plan.table);
        assert.deepEqual(db.loadPartitionTable(), {
            version: 2,
            strategy: 'minimal',
            owners: [...plan.table.owners],
        });
        db.beginMigration({
            id: 'p',
            fromTable: from,
            toTable: plan.table,
            moves: plan.moves,
            startedAtMs: 1,
        });
        const journal = db.unfinishedMigration();
        assert.deepEqual(journal?.toTable.owners, [...plan.table.owners]);
        assert.deepEqual(journal?.fromTable, {
            version: 1,
            strategy: 'minimal',
            owners: [...from.owners],
        });
        assert.equal(journal?.moves.length, plan.moves.length);
        assert.ok(plan.moves.length > 0);
        assert.deepEqual(journal?.moves.map(({ partition, from: f, to }) => ({ partition, from: f, to })), plan.moves);
        db.close();
    });
    it('replaces a node by address, changes its status and removes it', () => {
        const db = StateDb.open(':memory:');
        db.upsertNode({ address: A, cacheIndex: 0, status: 'starting', pid: null, addedAtMs: 1 });
        db.upsertNode({ address: A, cacheIndex: 2, status: 'up', pid: 99, addedAtMs: 1 });
        assert.deepEqual(db.listNodes(), [
            { address: A, cacheIndex: 2, status: 'up', pid: 99, addedAtMs: 1 },
        ]);
        assert.equal(db.setNodeStatus(A, 'draining'), true);
        assert.equal(db.setNodeStatus(B, 'up'), false);
        assert.equal(db.listNodes()[0]?.status, 'draining');
        assert.equal(db.removeNode(A), true);
        assert.equal(db.removeNode(A), false);
        assert.deepEqual(db.listNodes(), []);
        db.close();
        db.close();
    });
    it('rejects impossible rows and changes nothing', () => {
        const db = StateDb.open(':memory:');
        db.savePartitionTable(table(1, [A]));
        assert.throws(() => db.savePartitionTable({ version: 2, strategy: 'minimal', owners: [A] }), OptionError);
        assert.throws(() => db.savePartitionTable({ ...table(2, [A]), strategy: 'hash' }), OptionError);
        assert.throws(() => db.savePartitionTable({ ...table(2, [A]), version: -1 }), OptionError);
        assert.deepEqual(db.loadPartitionTable(), table(1, [A]));
        assert.throws(() => db.upsertNode({ address: A, cacheIndex: -1, status: 'up', pid: null, addedAtMs: 0 }), OptionError);
        assert.throws(() => db.upsertNode({
            address: A,
            cacheIndex: 0,
            status: 'gone',
            pid: null,
            addedAtMs: 0,
        }), OptionError);
        assert.deepEqual(db.listNodes(), []);
        assert.throws(() => db.saveCacheConfig({ capacityMb: 1.5, policy: 'lru' }), OptionError);
        assert.throws(() => db.saveCacheConfig({ capacityMb: 1, policy: '' }), OptionError);
        assert.equal(db.loadCacheConfig().capacityMb, defaults.capacityMb);
        const settings = db.loadAutoscalerSettings();
        assert.throws(() => db.saveAutoscalerSettings({ ...settings, expandRatio: Number.NaN }), /expandRatio must be a finite number/);
        assert.throws(() => db.saveAutoscalerSettings({ ...settings, mode: 'auto' }), OptionError);
        assert.deepEqual(db.loadAutoscalerSettings(), settings);
        assert.throws(() => db.listDecisions(-1), OptionError);
        db.close();
    });
    it('keeps only the newest decisions beyond the limit', () => {
        const db = StateDb.open(':memory:');
        const total = DECISION_LOG_LIMIT + 25;
        db.atomically(() => {
            for (let i = 0; i < total; i++) {
                db.appendDecision({
                    timeMs: i,
                    missRate: 0.5,
                    requests: i,
                    oldSize: 1,
                    newSize: 1,
                    action: 'none',
                    reason: 'within thresholds',
                });
            }
        });
        const all = db.listDecisions(total);
        assert.equal(all.length, DECISION_LOG_LIMIT);
        assert.equal(all[0]?.timeMs, total - 1);
        assert.equal(all.at(-1)?.timeMs, total - DECISION_LOG_LIMIT);
        assert.deepEqual(db.listDecisions(0), []);
        db.close();
    });
    it('rolls back every row of a failed atomic change', () => {
        const db = StateDb.open(':memory:');
        assert.throws(() => db.atomically(() => {
            db.upsertNode({ address: A, cacheIndex: 0, status: 'up', pid: null, addedAtMs: 0 });
            db.savePartitionTable(table(1, [A]));
            throw new Error('boom');
        }), /boom/);
        assert.deepEqual(db.listNodes(), []);
        assert.equal(db.loadPartitionTable(), undefined);
        db.close();
    });
    it('journals a migration with no moves and a duplicate id is refused', () => {
        const db = StateDb.open(':memory:');
        db.beginMigration({
            id: 'x',
            fromTable: table(1, [A]),
            toTable: table(2, [A]),
            moves: [],
            startedAtMs: 1,
        });
        assert.deepEqual(db.unfinishedMigration()?.moves, []);
        db.finishMigration('x', 'failed', 'node unreachable');
        assert.throws(() => db.beginMigration({
            id: 'x',
            fromTable: table(1, [A]),
            toTable: table(2, [A]),
            moves: [],
            startedAtMs: 2,
        }));
        assert.equal(db.lastMigration()?.outcome, 'failed');
        db.close();
    });
});
//# sourceMappingURL=state-db.test.js.map