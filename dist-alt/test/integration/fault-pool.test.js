/**
 * Pool faults with real processes on loopback:
 * - a destination killed with SIGKILL while a 2→3 resize moves keys and a writer keeps writing
 *   through the gateway: the resize fails, every value served is the last one written (a key
 *   handed to the dead node or written there reads as a miss, never as an older value), and a
 *   retry succeeds without losing anything that was still served;
 * - a destination that accepts connections and never answers (or answers the fences but never
 *   an import), driven through applyPlan with real nodes: the timeouts fire, the resize fails,
 *   the routing is back on the old table with nothing moving, every key is still on the source,
 *   and a retry to a healthy node succeeds;
 * - a node killed and restarted by the local provisioner: the gateway serves its partitions
 *   again; its lost keys are honest misses, never wrong values.
 * (pool-failures.test.ts covers a 1→2 destination killed mid-move without concurrent writes.)
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { systemClock } from '../../src/clock.js';
import { PartitionTable, partitionOf, planRebalance } from '../../src/partition/index.js';
import { applyPlan, MigrationProgress, NodeClient, Routing } from '../../src/pool/index.js';
import { call, until } from '../helpers/http.js';
import { inParallel } from '../helpers/parallel.js';
import { assertResizeFailed, killDestinationMidMove, startPool } from '../helpers/pool.js';
import { startCachepool, stopAll } from '../helpers/process.js';
/** Reads `key` through the gateway: its value, or undefined for an honest miss. */
async function readKey(gateway, key) {
    const got = await call('POST', `${gateway}/api/cache/key`, { key });
    if (got.status === 200)
        return got.json.content;
    assert.equal(got.json.error?.message, 'Unknown key', `reading ${key}: ${got.status} ${JSON.stringify(got.json)}`);
    return undefined;
}
async function listen(server) {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    return `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}
describe('pool faults', { timeout: 180_000 }, () => {
    const servers = [];
    after(async () => {
        for (const server of servers) {
            server.closeAllConnections();
            server.close();
        }
        await stopAll();
    });
    it('a destination killed mid-move while writes go on: served values are the last written, a retry loses nothing', async (t) => {
        const pool = await startPool([
            '--nodes',
            '2',
            '--min',
            '1',
            '--max',
            '3',
            '--move-chunk-keys',
            '5',
        ]);
        const keys = Array.from({ length: 1_500 }, (_, i) => `w${i}`);
        const latest = new Map();
        await inParallel(keys, 16, async (key) => {
            const value = `${key}@0`;
            assert.equal((await call('POST', `${pool.gateway}/api/cache/content`, { key, value })).status, 200);
            latest.set(key, value);
        });
        // A writer rewrites keys through the gateway during the resize; it records a value only
        // once the gateway acknowledged it, and it is stopped before anything is checked.
        let writing = true;
        const writtenDuringResize = new Set();
        const unsure = new Map();
        const writer = (async () => {
            for (let round = 1; writing; round++) {
                const key = keys[(round * 7919) % keys.length];
                const value = `${key}@${round}`;
                writtenDuringResize.add(key);
                const answer = await call('POST', `${pool.gateway}/api/cache/content`, { key, value });
                // A write answered with an error may still have taken effect (a write to a moving
                // partition whose old owner could not be told to drop its copy): either is correct.
                if (answer.status === 200) {
                    latest.set(key, value);
                    unsure.delete(key);
                }
                else
                    unsure.set(key, [...(unsure.get(key) ?? []), value]);
            }
        })();
        const answer = await killDestinationMidMove(pool, 2, 50);
        writing = false;
        await writer;
        const migration = await assertResizeFailed(pool, answer, 2);
        // Never an older value; a miss only for a key that was handed to, or written on, the dead node.
        const served = new Map();
        await inParallel(keys, 16, async (key) => {
            const value = await readKey(pool.gateway, key);
            if (value === undefined)
                return;
            if (!(unsure.get(key) ?? []).includes(value))
                assert.equal(value, latest.get(key), `${key} is served with an older value`);
            served.set(key, value);
        });
        const missing = keys.length - served.size;
        assert.ok(missing <= migration.keys_done + writtenDuringResize.size, `${missing} misses; moved before the kill ${migration.keys_done}, written during the resize ${writtenDuringResize.size}`);
        t.diagnostic(`moved before the kill ${migration.keys_done}, written during the resize ${writtenDuringResize.size}, misses ${missing}; ${migration.error}`);
        const retry = await call('POST', `${pool.manager}/api/manager/poolsize/manual`, {
            change: 'increase',
        });
        assert.equal(retry.status, 200, JSON.stringify(retry.json));
        assert.deepEqual((await call('GET', `${pool.manager}/api/manager/poolsize`)).json.content, {
            size: 3,
        });
        await inParallel([...served.keys()], 16, async (key) => {
            assert.equal(await readKey(pool.gateway, key), served.get(key), `${key} after the retry`);
        });
        await pool.process.stop();
    });
    it('a destination that never answers: timeouts fire, the resize fails, keys stay at the source, a retry succeeds', async () => {
        // H accepts connections and never answers anything.
        const silent = createServer(() => { });
        servers.push(silent);
        const silentAddress = await listen(silent);
        // S answers the fences and /keys at once but never answers an import.
        const stalling = createServer((req, res) => {
            req.resume();
            if (req.url?.startsWith('/internal/migration/')) {
                res
                    .writeHead(200, { 'content-type': 'application/json' })
                    .end('{"success":"true","content":""}');
            }
            else if (req.url === '/keys') {
                res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
            }
        });
        servers.push(stalling);
        const stallingAddress = await listen(stalling);
        const healthy = await startCachepool(['node', '--port', '0']);
        const healthyAddress = new URL(healthy.urls.get('node')).host;
        const source = await startCachepool([
            'node',
            '--port',
            '0',
            '--peers',
            [silentAddress, stallingAddress, healthyAddress].join(','),
        ]);
        const sourceAddress = new URL(source.urls.get('node')).host;
        const clients = new Map();
        const clientOf = (address) => {
            let client = clients.get(address);
            if (!client)
                clients.set(address, (client = new NodeClient(address, { timeoutMs: 500 })));
            return client;
        };
        const keys = Array.from({ length: 300 }, (_, i) => `s${i}`);
        for (const key of keys)
            await clientOf(sourceAddress).put(key, `value-${key}`);
        const current = PartitionTable.initial([sourceAddress]);
        const routing = new Routing(current);
        const published = [];
        const attempt = (to) => {
            const plan = planRebalance(current, [sourceAddress, to]);
            const progress = new MigrationProgress(`t-${to}`, 1, 2, plan.moves.length, systemClock);
            return applyPlan({
                current,
                plan,
                progress,
                clientOf,
                publish: async (table, moving) => {
                    published.push(moving.length);
                    await routing.publish(table, moving, 2_000);
                },
                chunkKeys: 50,
            });
        };
        for (const destination of [silentAddress, stallingAddress]) {
            published.length = 0;
            const outcome = await attempt(destination);
            assert.equal(outcome.ok, false, destination);
            assert.ok(!outcome.ok && /did not answer|timeout|aborted/i.test(outcome.error), JSON.stringify(outcome));
            // The old owners again, under a version above the one the failed move would have had.
            assert.deepEqual(outcome.table.owners, current.owners);
            assert.ok(outcome.table.version > current.version + 1);
            // The routing ends on the old table with nothing moving.
            assert.deepEqual(routing.view.moving, []);
            assert.deepEqual(new Set(routing.view.owners), new Set([sourceAddress]));
            assert.equal(published.at(-1), 0);
            const left = await clientOf(sourceAddress).keys();
            assert.deepEqual(left.sort(), [...keys].sort(), `keys left on the source after a move to ${destination}`);
            assert.equal(await clientOf(sourceAddress).get('s7'), 'value-s7');
        }
        const outcome = await attempt(healthyAddress);
        assert.equal(outcome.ok, true, JSON.stringify(outcome));
        assert.deepEqual(routing.view.moving, []);
        const [onSource, onHealthy] = await Promise.all([
            clientOf(sourceAddress).keys(),
            clientOf(healthyAddress).keys(),
        ]);
        assert.equal(onSource.length + onHealthy.length, keys.length);
        for (const key of onHealthy)
            assert.equal(outcome.table.owners[partitionOf(key)], healthyAddress, key);
        for (const key of onSource)
            assert.equal(outcome.table.owners[partitionOf(key)], sourceAddress, key);
        assert.equal(await clientOf(healthyAddress).get(onHealthy[0]), `value-${onHealthy[0]}`);
        await Promise.all([...clients.values()].map((client) => client.close()));
        await Promise.all([healthy.stop(), source.stop()]);
    });
    it('a node killed and restarted by the provisioner serves its partitions again, its lost keys as misses', async () => {
        const pool = await startPool(['--nodes', '2', '--min', '1', '--max', '2']);
        const keys = Array.from({ length: 400 }, (_, i) => `r${i}`);
        await inParallel(keys, 16, async (key) => {
            assert.equal((await call('POST', `${pool.gateway}/api/cache/content`, { key, value: `before-${key}` }))
                .status, 200);
        });
        const table = (await call('GET', `${pool.manager}/api/manager/partitions`)).json.content;
        const victim = table.partitions[0];
        const startedLine = await pool.process.waitForLine((line) => line.msg === 'node started' && line.address === victim);
        const oldPid = startedLine.node_pid;
        const victimKeys = keys.filter((key) => table.partitions[partitionOf(key)] === victim);
        assert.ok(victimKeys.length > 0 && victimKeys.length < keys.length);
        process.kill(oldPid, 'SIGKILL');
        await pool.process.waitForLine((line) => line.msg === 'node started' && line.address === victim && line.node_pid !== oldPid);
        await until('the restarted node is up', async () => {
            const { nodes } = (await call('GET', `${pool.manager}/api/manager/nodes`)).json.content;
            return nodes.find((node) => node.address === victim)?.status === 'up';
        });
        assert.deepEqual((await call('GET', `${pool.manager}/api/manager/partitions`)).json.content, table);
        // Its keys were in its memory only: honest misses. The other node's keys are intact.
        await inParallel(keys, 16, async (key) => {
            const value = await readKey(pool.gateway, key);
            if (victimKeys.includes(key))
                assert.equal(value, undefined, `${key} was on the killed node`);
            else
                assert.equal(value, `before-${key}`);
        });
        // And it takes writes for its partitions again.
        await inParallel(victimKeys, 8, async (key) => {
            assert.equal((await call('POST', `${pool.gateway}/api/cache/content`, { key, value: `after-${key}` }))
                .status, 200);
            assert.equal(await readKey(pool.gateway, key), `after-${key}`);
        });
        await pool.process.stop();
    });
});
//# sourceMappingURL=fault-pool.test.js.map