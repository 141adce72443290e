/**
 * The manager's durable state with real processes: `cachepool start` with a data dir, keys
 * loaded through the gateway, the manager SIGKILLed — its nodes keep running with their keys —
 * and started again on the same data dir and port. It must re-adopt the same nodes, keep the
 * table, serve every key; and a resize interrupted by the kill must be completed or rolled back,
 * never left half applied.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { partitionOf } from '../../src/partition/index.js';
import { content, pollUntil, postForm, send } from '../helpers/http.js';
import { inParallel } from '../helpers/parallel.js';
import { startPool } from '../helpers/pool.js';
import { isAlive, stopAll } from '../helpers/process.js';
/** A port free right now, so that a restarted manager listens where its nodes report. */
async function freePort() {
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = server.address().port;
    server.close();
    await once(server, 'close');
    return port;
}
/** Node process ids the manager logged ('node started' / 'node adopted'). */
function nodePids(pool) {
    return pool.lines.filter((l) => typeof l.node_pid === 'number').map((l) => l.node_pid);
}
const allPids = new Set();
async function load(gateway, keys) {
    await inParallel(keys, 16, async (key) => {
        const answer = await postForm(`${gateway}/api/cache/content`, {
            key,
            value: `value of ${key}`,
        });
        assert.equal(answer.status, 200, answer.text);
    });
}
async function assertServed(gateway, keys) {
    const wrong = [];
    await inParallel(keys, 16, async (key) => {
        const answer = await postForm(`${gateway}/api/cache/key`, { key });
        if (answer.status !== 200 || answer.json?.content !== `value of ${key}`)
            wrong.push(`${key}: ${answer.status} ${answer.text}`);
    });
    assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} keys not served with their value`);
}
async function killHard(pool) {
    const exited = once(pool.child, 'exit');
    pool.kill('SIGKILL');
    await exited;
    await pool.stop();
}
after(async () => {
    await stopAll();
    // Nodes outlive a killed manager by design: make sure none of this file's is left behind.
    for (const pid of allPids)
        if (isAlive(pid))
            process.kill(pid, 'SIGKILL');
});
describe('a manager killed and started again on its data dir', () => {
    it('re-adopts the running nodes with their keys and keeps the partition table', async () => {
        const dataDir = mkdtempSync(join(tmpdir(), 'cachepool-restart-'));
        const port = await freePort();
        const first = await startPool(['--nodes', '2'], { dataDir, port });
        const keys = Array.from({ length: 300 }, (_, i) => `restart-${i}`);
        await load(first.gateway, keys);
        const members = await content(`${first.manager}/api/manager/pool_node_list`);
        const table = await content(`${first.manager}/api/manager/partitions`);
        const pids = nodePids(first.process);
        pids.forEach((pid) => allPids.add(pid));
        assert.equal(members.node_ip_list.length, 2);
        assert.equal(pids.length, 2);
        await killHard(first.process);
        // The nodes did not die with their manager, and still hold their keys.
        for (const pid of pids)
            assert.ok(isAlive(pid), `node ${pid} died with the manager`);
        const held = await Promise.all(members.node_ip_list.map(async (a) => (await send(`http://${a}/keys`)).json.length));
        assert.equal(held.reduce((x, y) => x + y, 0), keys.length);
        const second = await startPool(['--nodes', '1'], { dataDir, port });
        const again = await content(`${second.manager}/api/manager/pool_node_list`);
        assert.deepEqual(again.node_ip_list, members.node_ip_list);
        assert.deepEqual(again.node_status_list, ['up', 'up']);
        assert.deepEqual(await content(`${second.manager}/api/manager/partitions`), table);
        assert.ok(second.process.lines.some((l) => l.msg === 'node adopted'));
        await assertServed(second.gateway, keys);
        // Writes still work and go to the same owners.
        await load(second.gateway, ['after-restart']);
        await assertServed(second.gateway, ['after-restart']);
        // The restarted manager supervises the adopted nodes: a clean stop stops them too.
        assert.equal(await second.process.stop(), 0);
        await pollUntil(async () => (pids.every((pid) => !isAlive(pid)) ? true : undefined), 10_000);
        // Started once more, it finds no node alive: fresh, empty nodes take the same indexes and
        // partitions under a newer table.
        const third = await startPool(['--nodes', '1'], { dataDir, port });
        nodePids(third.process).forEach((pid) => allPids.add(pid));
        const fresh = await content(`${third.manager}/api/manager/pool_node_list`);
        assert.equal(fresh.node_ip_list.length, 2);
        assert.deepEqual(fresh.node_status_list, ['up', 'up']);
        const nodesNow = (await content(`${third.manager}/api/manager/nodes`)).nodes;
        assert.deepEqual(nodesNow.map((n) => n.cache_index), [0, 1]);
        const freshTable = await content(`${third.manager}/api/manager/partitions`);
        assert.equal(freshTable.version, table.version + 1);
        assert.deepEqual([...new Set(freshTable.partitions)].sort(), [...fresh.node_ip_list].sort());
        assert.equal((await postForm(`${third.gateway}/api/cache/key`, { key: keys[0] })).status, 400);
        await load(third.gateway, keys.slice(0, 10));
        await assertServed(third.gateway, keys.slice(0, 10));
        assert.equal(await third.process.stop(), 0);
    });
    it('settles a resize interrupted by the kill: completed or rolled back, every key on its owner', async (t) => {
        const dataDir = mkdtempSync(join(tmpdir(), 'cachepool-midresize-'));
        const port = await freePort();
        const first = await startPool(['--nodes', '1', '--max', '3', '--move-chunk-keys', '10'], {
            dataDir,
            port,
        });
        const keys = Array.from({ length: 3000 }, (_, i) => `mid-${i}`);
        await load(first.gateway, keys);
        const grow = postForm(`${first.manager}/api/manager/poolsize/manual`, { change: 'increase' }, { timeoutMs: 60_000 }).catch(() => undefined);
        const seen = await pollUntil(async () => {
            const migration = (await content(`${first.manager}/api/manager/migration`)).migration;
            return migration?.running && migration.keys_done > 0 ? migration : undefined;
        }, 20_000, 5);
        assert.ok(seen.keys_done < seen.keys_total || seen.keys_total === 0 || seen.running);
        nodePids(first.process).forEach((pid) => allPids.add(pid));
        await killHard(first.process);
        await grow;
        const second = await startPool(['--nodes', '1', '--max', '3'], { dataDir, port });
        nodePids(second.process).forEach((pid) => allPids.add(pid));
        const migration = (await content(`${second.manager}/api/manager/migration`)).migration;
        assert.equal(migration.id, seen.id);
        assert.equal(migration.running, false);
        assert.ok(['done', 'rolled-back'].includes(migration.outcome), `outcome ${migration.outcome}`);
        t.diagnostic(`killed at ${seen.keys_done} keys moved; settled as ${migration.outcome}`);
        const table = await content(`${second.manager}/api/manager/partitions`);
        const members = (await content(`${second.manager}/api/manager/pool_node_list`))
            .node_ip_list;
        assert.equal(table.moving, undefined);
        assert.deepEqual([...new Set(table.partitions)].sort(), [...members].sort());
        assert.equal(members.length, migration.outcome === 'done' ? 2 : 1);
        assert.ok(table.version > 1);
        // Every key sits on the node the table names, and nowhere else.
        for (const address of members) {
            const held = (await send(`http://${address}/keys`)).json;
            const misplaced = held.filter((key) => table.partitions[partitionOf(key)] !== address);
            assert.deepEqual(misplaced.slice(0, 5), [], `${misplaced.length} keys on ${address} belong elsewhere`);
        }
        await assertServed(second.gateway, keys);
        assert.equal(await second.process.stop(), 0);
    });
});
//# sourceMappingURL=manager-restart.test.js.map