/**
 * The pool refusing what it must refuse (bad changes, the bounds, non-member removals, a second
 * resize while one runs) and surviving a destination node killed in the middle of a move.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { errors, messages } from '../../src/errors.js';
import { legacyStatus } from '../../src/http/index.js';
import { call } from '../helpers/http.js';
import { inParallel } from '../helpers/parallel.js';
import { assertResizeFailed, killDestinationMidMove, startPool } from '../helpers/pool.js';
import { stopAll } from '../helpers/process.js';
describe('pool refusals and failures', { timeout: 120_000 }, () => {
    after(async () => {
        await stopAll();
    });
    it('answers 400 to a bad change, beyond the bounds, a non-member removal and a concurrent resize, changing nothing', async () => {
        const pool = await startPool(['--nodes', '1', '--min', '1', '--max', '2']);
        const tableBefore = (await call('GET', `${pool.manager}/api/manager/partitions`)).json.content;
        const bad = await call('POST', `${pool.manager}/api/manager/poolsize/manual`, {
            change: 'double',
        });
        assert.equal(bad.status, 400);
        assert.deepEqual(bad.json, {
            success: 'false',
            error: { code: 400, message: messages.poolChangeInvalid },
        });
        const atMin = await call('POST', `${pool.manager}/api/manager/poolsize/manual`, {
            change: 'decrease',
        });
        assert.equal(atMin.status, 400);
        assert.equal(atMin.json.error?.message, messages.poolMin);
        const stranger = await call('POST', `${pool.manager}/api/poolsize/change`, {
            cache_ip: '127.0.0.1:1',
        });
        assert.equal(stranger.status, 400);
        assert.match(stranger.json.error.message, /not a member/);
        const member = (await call('GET', `${pool.manager}/api/manager/pool_node_list`)).json.content.node_ip_list[0];
        const notLeaving = await call('POST', `${pool.manager}/api/poolsize/change`, {
            cache_ip: member,
        });
        assert.equal(notLeaving.status, 400);
        assert.deepEqual((await call('GET', `${pool.manager}/api/manager/partitions`)).json.content, tableBefore);
        assert.deepEqual((await call('GET', `${pool.manager}/api/manager/poolsize`)).json.content, {
            size: 1,
        });
        // Two increases at once: one runs, the other is refused as busy.
        const [first, second] = await Promise.all([
            call('POST', `${pool.manager}/api/manager/poolsize/manual`, { change: 'increase' }),
            call('POST', `${pool.manager}/api/manager/poolsize/manual`, { change: 'increase' }),
        ]);
        // The busy refusal keeps the catalogue's status on the legacy API when the envelope says so.
        const busyStatus = legacyStatus(errors.poolBusy());
        const statuses = [first.status, second.status].sort();
        assert.deepEqual(statuses, [200, busyStatus].sort());
        const refused = first.status === busyStatus ? first : second;
        assert.match(refused.json.error.message, /already running/);
        assert.deepEqual((await call('GET', `${pool.manager}/api/manager/poolsize`)).json.content, {
            size: 2,
        });
        const atMax = await call('POST', `${pool.manager}/api/manager/poolsize/manual`, {
            change: 'increase',
        });
        assert.equal(atMax.status, 400);
        assert.equal(atMax.json.error?.message, messages.poolMax);
        assert.deepEqual((await call('GET', `${pool.manager}/api/manager/poolsize`)).json.content, {
            size: 2,
        });
        // SIGTERM stops the nodes too and exits 0.
        const pids = pool.process.lines
            .filter((line) => line.msg === 'node started')
            .map((line) => line.node_pid);
        assert.equal(pids.length, 2);
        assert.equal(await pool.process.stop(), 0);
        for (const pid of pids)
            assert.throws(() => process.kill(pid, 0), /ESRCH/, `node ${pid} still runs`);
    });
    it('keeps the old table and every key not yet handed off when the destination dies mid-move, and a retry succeeds', async (t) => {
        const pool = await startPool(['--nodes', '1', '--move-chunk-keys', '5']);
        const values = new Map();
        const keys = Array.from({ length: 2_000 }, (_, i) => `k${i}`);
        await inParallel(keys, 16, async (key) => {
            const value = `value-of-${key}`;
            const answer = await call('POST', `${pool.gateway}/api/cache/content`, { key, value });
            assert.equal(answer.status, 200);
            values.set(key, value);
        });
        const versionBefore = (await call('GET', `${pool.manager}/api/manager/partitions`)).json.content.version;
        const answer = await killDestinationMidMove(pool, 1, 100);
        const migration = await assertResizeFailed(pool, answer, 1);
        const table = (await call('GET', `${pool.manager}/api/manager/partitions`)).json.content;
        // The old owner again, under a version above the failed move's, so that every router and
        // node that saw the move sees the rollback as newer.
        assert.ok(table.version > versionBefore + 1, `version ${table.version} after ${versionBefore}`);
        assert.equal(new Set(table.partitions).size, 1);
        // Keys handed to the dead node before it died are gone with it (a cache node keeps keys in
        // memory); every other key is served, and no key is served with a value it never had.
        let served = 0;
        await inParallel(keys, 16, async (key) => {
            const got = await call('POST', `${pool.gateway}/api/cache/key`, { key });
            if (got.status === 200) {
                assert.equal(got.json.content, values.get(key));
                served++;
            }
        });
        assert.ok(served >= keys.length - migration.keys_done, `served ${served}, moved before the kill ${migration.keys_done}`);
        t.diagnostic(`moved before the kill: ${migration.keys_done}, served after the failure: ${served} of ${keys.length}; error: ${migration.error}`);
        const retry = await call('POST', `${pool.manager}/api/manager/poolsize/manual`, {
            change: 'increase',
        });
        assert.equal(retry.status, 200, JSON.stringify(retry.json));
        assert.deepEqual((await call('GET', `${pool.manager}/api/manager/poolsize`)).json.content, {
            size: 2,
        });
        let servedAfter = 0;
        await inParallel(keys, 16, async (key) => {
            const got = await call('POST', `${pool.gateway}/api/cache/key`, { key });
            if (got.status === 200) {
                assert.equal(got.json.content, values.get(key));
                servedAfter++;
            }
        });
        assert.equal(servedAfter, served, 'the retry loses nothing');
        await pool.process.stop();
    });
});
//# sourceMappingURL=pool-failures.test.js.map