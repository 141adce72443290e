/**
 * `cachepool manager --provisioner static --nodes-list …` against two node processes run by hand:
 * the pool starts on the first listed node, grows onto the second (its partitions and keys move
 * there) and shrinks off it again — the node keeps running, empty, outside the pool.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { partitionOf } from '../../src/partition/index.js';
import { NodeClient } from '../../src/pool/index.js';
import { content, postForm } from '../helpers/http.js';
import { startCachepool, stopAll } from '../helpers/process.js';
after(stopAll);
describe('the static provisioner', () => {
    it('takes listed nodes in order, moves keys onto them, and forgets a node on shrink', async () => {
        const nodes = await Promise.all([0, 1].map(() => startCachepool(['node', '--port', '0'])));
        const [a, b] = nodes.map((n) => new URL(n.urls.get('node')).host);
        const manager = await startCachepool([
            'manager',
            '--port',
            '0',
            '--provisioner',
            'static',
            '--nodes-list',
            `${a},${b}`,
            '--nodes',
            '1',
            '--max',
            '2',
            '--data-dir',
            mkdtempSync(join(tmpdir(), 'cachepool-static-')),
        ], { roles: ['manager'], timeoutMs: 30_000 });
        const url = manager.urls.get('manager');
        // The manager listens before it takes its nodes (they may register); the pool is up after this.
        await manager.waitForLine((l) => l.msg === 'pool started');
        assert.deepEqual((await content(`${url}/api/manager/pool_node_list`)).node_ip_list, [a]);
        // A node the manager did not start has no process id of its own to report.
        assert.deepEqual((await content(`${url}/api/manager/nodes`)).nodes.map((n) => [n.address, n.pid]), [[a, null]]);
        const clientA = new NodeClient(a);
        const clientB = new NodeClient(b);
        try {
            const keys = Array.from({ length: 100 }, (_, i) => `static-${i}`);
            for (const key of keys)
                await clientA.put(key, `v-${key}`);
            assert.equal((await postForm(`${url}/api/manager/poolsize/manual`, { change: 'increase' }, { timeoutMs: 60_000 })).status, 200);
            assert.deepEqual((await content(`${url}/api/manager/pool_node_list`)).node_ip_list, [a, b]);
            const table = await content(`${url}/api/manager/partitions`);
            const onB = await clientB.keys();
            assert.ok(onB.length > 0);
            assert.ok(onB.every((key) => table.partitions[partitionOf(key)] === b));
            for (const key of keys) {
                const owner = table.partitions[partitionOf(key)] === b ? clientB : clientA;
                assert.equal(await owner.get(key), `v-${key}`);
            }
            // Too many for the list: a clear refusal, nothing changes.
            const over = await postForm(`${url}/api/manager/poolsize/manual`, { change: 'increase' });
            assert.equal(over.status, 400);
            assert.match(over.json.error.message, /maximum/);
            assert.equal((await postForm(`${url}/api/manager/poolsize/manual`, { change: 'decrease' }, { timeoutMs: 60_000 })).status, 200);
            assert.deepEqual((await content(`${url}/api/manager/pool_node_list`)).node_ip_list, [a]);
            assert.deepEqual(await clientB.keys(), []);
            assert.equal((await clientA.keys()).length, keys.length);
            assert.equal(await clientB.healthy(), true);
        }
        finally {
            await clientA.close();
            await clientB.close();
        }
        assert.equal(await manager.stop(), 0);
    });
});
//# sourceMappingURL=manager-static.test.js.map