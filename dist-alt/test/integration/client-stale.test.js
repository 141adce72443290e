/**
 * A client whose table is two resizes old (it never reads the table on its own) must still read
 * and write correctly: the nodes refuse a /v1 request routed by a table version that does not
 * give them the partition (421 with their version), and the client reads the table again and
 * retries once (docs/client.md, "A stale table").
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { CachePool } from '../../src/client/index.js';
import { call, content } from '../helpers/http.js';
import { startPool } from '../helpers/pool.js';
import { stopAll } from '../helpers/process.js';
after(stopAll);
describe('a stale client', { timeout: 120_000 }, () => {
    it('reads and writes correctly with a table from before two resizes', async () => {
        const pool = await startPool(['--nodes', '1', '--max', '4']);
        const writer = await CachePool.connect({ manager: pool.manager, refreshIntervalMs: 0 });
        const stale = await CachePool.connect({ manager: pool.manager, refreshIntervalMs: 0 });
        try {
            const keys = Array.from({ length: 200 }, (_, i) => `stale-${i}`);
            await writer.setMany(keys.map((key) => [key, `v-${key}`]));
            const version = stale.tableVersion;
            for (const change of ['increase', 'increase']) {
                const answer = await call('POST', `${pool.manager}/api/manager/poolsize/manual`, {
                    change,
                });
                assert.equal(answer.status, 200, JSON.stringify(answer.json));
            }
            assert.equal(stale.tableVersion, version, 'the stale client has not read the table');
            const { version: now } = await content(`${pool.manager}/api/manager/partitions`);
            assert.ok(now > version);
            for (const key of keys)
                assert.equal(await stale.getString(key), `v-${key}`, key);
            assert.ok(stale.tableVersion >= now, 'a 421 made the client read the table again');
            const other = await CachePool.connect({ manager: pool.manager, refreshIntervalMs: 0 });
            const lagging = await CachePool.connect({ manager: pool.manager, refreshIntervalMs: 0 });
            await call('POST', `${pool.manager}/api/manager/poolsize/manual`, { change: 'increase' });
            // `lagging` routes by the table before this third resize, for writes and deletes.
            for (const key of keys.slice(0, 50))
                await lagging.set(key, `new-${key}`);
            for (const key of keys.slice(50, 70))
                await lagging.delete(key);
            for (const key of keys.slice(0, 50))
                assert.equal(await other.getString(key), `new-${key}`);
            for (const key of keys.slice(50, 70))
                assert.equal(await other.get(key), undefined);
            await other.close();
            await lagging.close();
        }
        finally {
            await writer.close();
            await stale.close();
        }
    });
});
//# sourceMappingURL=client-stale.test.js.map