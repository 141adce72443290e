/**
 * Issue 9, item 2: a resize that fails and is rolled back must not lose a write acknowledged
 * during the move, nor bring back a key invalidated during it. A source is stopped (SIGSTOP) in
 * the middle of a grow for longer than the manager's call timeout, so the move fails; writers
 * and deleters keep going through the gateway the whole time. Afterwards every key reads as its
 * last acknowledged operation, or as a write that was answered with an error after it (such a
 * write may or may not have taken effect) — never as an older value, never a miss of an
 * acknowledged value, never a deleted key brought back.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { call, until } from '../helpers/http.js';
import { startPool } from '../helpers/pool.js';
import { isAlive, stopAll } from '../helpers/process.js';
describe('a rolled-back resize keeps every acknowledged write', { timeout: 150_000 }, () => {
    after(async () => {
        await stopAll();
    });
    it('a source stopped mid-move fails the grow; writes and deletes made during the move survive the rollback', async () => {
        const pool = await startPool([
            '--nodes',
            '2',
            '--max',
            '3',
            '--move-chunk-keys',
            '5',
            // Long enough that the stopped node is never declared dead: nothing may be lost.
            '--down-after',
            '60000',
        ]);
        const keys = Array.from({ length: 400 }, (_, i) => `rb-${i}`);
        const state = new Map();
        for (const key of keys) {
            const value = `${key}@0`;
            assert.equal((await call('POST', `${pool.gateway}/api/cache/content`, { key, value })).status, 200);
            state.set(key, { acked: value, unsure: [] });
        }
        // Four writers, each owning a quarter of the keys (one operation per key at a time), put
        // new values and sometimes delete, until told to stop.
        let stop = false;
        let operations = 0;
        let failures = 0;
        const writer = async (part) => {
            let seq = 0;
            const mine = keys.filter((_, i) => i % 4 === part);
            while (!stop) {
                const key = mine[seq % mine.length];
                seq++;
                const remove = seq % 7 === 0;
                const value = remove ? null : `${key}@${part}-${seq}`;
                const answer = remove
                    ? await call('DELETE', `${pool.gateway}/api/cache/key`, { key })
                    : await call('POST', `${pool.gateway}/api/cache/content`, { key, value });
                operations++;
                const entry = state.get(key);
                if (answer.status === 200) {
                    entry.acked = value;
                    entry.unsure = [];
                }
                else {
                    failures++;
                    entry.unsure.push(value);
                }
            }
        };
        const writers = [0, 1, 2, 3].map(writer);
        const node0 = pool.process.lines.find((line) => line.msg === 'node started' && line.cache_index === 0);
        const pid = node0?.node_pid;
        assert.ok(pid > 0);
        const resizing = call('POST', `${pool.manager}/api/manager/poolsize/manual`, {
            change: 'increase',
        });
        await until('the migration to move keys', async () => {
            const { migration } = (await call('GET', `${pool.manager}/api/manager/migration`)).json
                .content;
            return migration?.running === true && migration.keys_done >= 10;
        }, 30_000, 0);
        process.kill(pid, 'SIGSTOP');
        try {
            // The manager's calls time out after 10 s: the move fails while the source is stopped.
            await new Promise((resolve) => setTimeout(resolve, 12_000));
        }
        finally {
            process.kill(pid, 'SIGCONT');
        }
        const answer = await resizing;
        assert.equal(answer.status, 400, JSON.stringify(answer.json));
        assert.match(answer.json.error.message, /failed/);
        // A little more traffic on the rolled-back table, then check every key.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        stop = true;
        await Promise.all(writers);
        assert.ok(isAlive(pid));
        assert.ok(operations > 200, `only ${operations} operations ran`);
        const problems = [];
        for (const key of keys) {
            const got = await call('POST', `${pool.gateway}/api/cache/key`, { key });
            const read = got.status === 200
                ? got.json.content
                : got.json.error?.message === 'Unknown key'
                    ? null
                    : undefined;
            if (read === undefined) {
                problems.push(`${key}: the read failed: ${JSON.stringify(got.json)}`);
                continue;
            }
            const entry = state.get(key);
            if (read !== entry.acked && !entry.unsure.includes(read))
                problems.push(`${key}: read ${JSON.stringify(read)}, last acknowledged ${JSON.stringify(entry.acked)}, unsure ${JSON.stringify(entry.unsure)}`);
        }
        assert.deepEqual(problems, [], `${problems.length} of ${keys.length} keys wrong after ${operations} operations (${failures} answered with an error)`);
        assert.deepEqual((await call('GET', `${pool.manager}/api/manager/poolsize`)).json.content, {
            size: 2,
        });
    });
});
//# sourceMappingURL=rollback-writes.test.js.map