/**
 * Issue 10, item 5: a node of a pool that gets SIGTERM hands its keys off before it exits, so a
 * rolling restart of every node under load loses no key and causes no miss of a cached key. Each
 * local node in turn gets SIGTERM; it asks the manager to drain it, exits once its keys are on
 * the other nodes, is restarted by its supervisor, registers and joins again as an empty member.
 * Readers and writers run through the gateway the whole time.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { call, until } from '../helpers/http.js';
import { startPool } from '../helpers/pool.js';
import { isAlive, stopAll } from '../helpers/process.js';
/** The writer's sequence number in a value `key@0` (first write) or `key@<writer>-<seq>`. */
function sequenceOf(value) {
    const dash = value.lastIndexOf('-');
    return dash > value.lastIndexOf('@') ? Number(value.slice(dash + 1)) : 0;
}
async function members(pool) {
    return (await call('GET', `${pool.manager}/api/manager/pool_node_list`)).json.content.node_ip_list;
}
describe('a rolling restart', { timeout: 150_000 }, () => {
    after(async () => {
        await stopAll();
    });
    it('SIGTERM of every node in turn, under reads and writes: no key lost, no miss, latest values only', async () => {
        const pool = await startPool(['--nodes', '3', '--max', '4', '--move-chunk-keys', '50']);
        const keys = Array.from({ length: 600 }, (_, i) => `roll-${i}`);
        const acked = new Map();
        const unsure = new Map();
        for (const key of keys) {
            const value = `${key}@0`;
            assert.equal((await call('POST', `${pool.gateway}/api/cache/content`, { key, value })).status, 200);
            acked.set(key, value);
        }
        let stop = false;
        let reads = 0;
        let writes = 0;
        const problems = [];
        const writer = async (part) => {
            let seq = 0;
            const mine = keys.filter((_, i) => i % 2 === part);
            while (!stop) {
                const key = mine[seq++ % mine.length];
                const value = `${key}@${part}-${seq}`;
                const answer = await call('POST', `${pool.gateway}/api/cache/content`, { key, value });
                writes++;
                if (answer.status === 200) {
                    acked.set(key, value);
                    unsure.delete(key);
                }
                else
                    unsure.set(key, [...(unsure.get(key) ?? []), value]);
            }
        };
        const reader = async (offset) => {
            let i = offset;
            while (!stop) {
                const key = keys[i++ % keys.length];
                const before = acked.get(key);
                const answer = await call('POST', `${pool.gateway}/api/cache/key`, { key });
                reads++;
                if (answer.status !== 200) {
                    problems.push(`${key}: ${answer.status} ${JSON.stringify(answer.json)}`);
                    continue;
                }
                // Each key has one writer whose sequence grows: a read sees the value acknowledged before
                // it began or a newer one, never an older one.
                const value = answer.json.content;
                if (!value.startsWith(`${key}@`) || sequenceOf(value) < sequenceOf(before))
                    problems.push(`${key}: read ${value} after ${before} was acknowledged`);
            }
        };
        const load = [writer(0), writer(1), reader(0), reader(300)];
        const restarted = [];
        for (const address of await members(pool)) {
            const started = pool.process.lines.filter((line) => line.msg === 'node started' && line.address === address);
            const pid = started.at(-1).node_pid;
            process.kill(pid, 'SIGTERM');
            // It hands off and leaves; its supervisor restarts it, and it joins again.
            await until('the node to exit', async () => !isAlive(pid), 30_000);
            await until(`${address} to rejoin`, async () => {
                const list = await members(pool);
                const { migration } = (await call('GET', `${pool.manager}/api/manager/migration`)).json
                    .content;
                return list.length === 3 && list.includes(address) && migration?.running === false;
            }, 60_000);
            restarted.push(address);
        }
        stop = true;
        await Promise.all(load);
        assert.equal(restarted.length, 3);
        assert.ok(pool.process.lines.some((line) => line.msg === 'node exited unexpectedly'));
        assert.deepEqual(problems, [], `${problems.length} bad reads of ${reads}, ${writes} writes`);
        assert.ok(reads > 100 && writes > 100, `reads ${reads}, writes ${writes}`);
        // Every key is there with its last acknowledged value (or a write answered with an error).
        const wrong = [];
        for (const key of keys) {
            const answer = await call('POST', `${pool.gateway}/api/cache/key`, { key });
            const value = answer.status === 200 ? answer.json.content : null;
            if (value !== acked.get(key) && !(unsure.get(key) ?? []).includes(value ?? ''))
                wrong.push(`${key}: ${value} instead of ${acked.get(key)}`);
        }
        assert.deepEqual(wrong, []);
    });
});
//# sourceMappingURL=rolling-restart.test.js.map