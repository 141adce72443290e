/**
 * The client against a real pool (`cachepool start`, three local node processes): it routes
 * each key to the owner the manager's table names, batches give what single calls give, the
 * gateway and the client see the same pool, and an owner killed under it makes reads misses and
 * writes typed errors until the table moves on. A second pool checks the token and
 * --protect-data.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { CachePool, CachePoolError } from '../../src/client/index.js';
import { partitionOf } from '../../src/partition/index.js';
import { call, content, until } from '../helpers/http.js';
import { startPool } from '../helpers/pool.js';
import { stopAll } from '../helpers/process.js';
after(stopAll);
async function direct(address, key) {
    const answer = await request(`http://${address}/v1/keys/${encodeURIComponent(key)}`, {
        signal: AbortSignal.timeout(10_000),
    });
    return { status: answer.statusCode, body: Buffer.from(await answer.body.arrayBuffer()) };
}
async function codeOf(work) {
    try {
        await work;
    }
    catch (error) {
        assert.ok(error instanceof CachePoolError, String(error));
        return error.code;
    }
    return 'no error';
}
describe('the client against a pool of three nodes', { timeout: 120_000 }, () => {
    let pool;
    let client;
    before(async () => {
        pool = await startPool(['--nodes', '3', '--down-after', '2000']);
        client = await CachePool.connect({ manager: pool.manager, refreshIntervalMs: 200 });
    });
    after(async () => {
        await client?.close();
    });
    it('puts each key on the owner the table names, and only there', async () => {
        const { partitions } = await content(`${pool.manager}/api/manager/partitions`);
        assert.deepEqual(client.owners, partitions);
        const keys = Array.from({ length: 120 }, (_, i) => `route/${i} ${'é'.repeat(i % 3)}`);
        for (const key of keys)
            await client.set(key, `v-${key}`);
        const nodes = [...new Set(partitions)];
        assert.equal(nodes.length, 3);
        for (const key of keys) {
            const owner = partitions[partitionOf(key)];
            for (const node of nodes) {
                const answer = await direct(node, key);
                if (node === owner)
                    assert.equal(answer.body.toString(), `v-${key}`);
                else
                    assert.equal(answer.status, 404, `${key} is on ${node} too`);
            }
            assert.equal(await client.getString(key), `v-${key}`);
        }
    });
    it('keeps bytes and content types, answers has, and deletes', async () => {
        const bytes = Buffer.from([0, 255, 10, 13, 34, 92, 0]);
        await client.set('bin', bytes, { contentType: 'image/png' });
        await client.set('u8', new Uint8Array([1, 2, 3]).subarray(1));
        assert.deepEqual(await client.get('bin'), bytes);
        assert.deepEqual(await client.get('u8'), Buffer.from([2, 3]));
        const owner = client.owners[partitionOf('bin')];
        const answer = await request(`http://${owner}/v1/keys/bin`);
        assert.equal(answer.headers['content-type'], 'image/png');
        await answer.body.dump();
        assert.equal(await client.has('bin'), true);
        await client.delete('bin');
        assert.equal(await client.has('bin'), false);
        assert.equal(await client.get('bin'), undefined);
        await client.delete('never-there');
    });
    it('answers getMany and setMany as the single calls do, one batch per node', async () => {
        const entries = Array.from({ length: 300 }, (_, i) => [`many-${i}`, Buffer.from(`value ${i} `.repeat(i % 7))]).filter(([, value]) => value.length > 0);
        await client.setMany(entries, { contentType: 'application/x-many' });
        const wanted = [...entries.map(([key]) => key), 'many-missing-1', 'many-missing-2'];
        const many = await client.getMany(wanted);
        assert.deepEqual([...many.keys()], entries.map(([key]) => key));
        for (const key of wanted)
            assert.deepEqual(many.get(key), await client.get(key), key);
        const gateway = await CachePool.connect({ gateway: pool.gateway });
        try {
            assert.deepEqual(await gateway.getMany(wanted), many);
            await gateway.setMany([['through-gateway', 'g']]);
            assert.equal(await client.getString('through-gateway'), 'g');
        }
        finally {
            await gateway.close();
        }
    });
    it('refuses bad input with the pool error codes and changes nothing', async () => {
        await client.set('kept', 'old');
        assert.equal(await codeOf(client.set('kept', '')), 'CP_ERR_REQUEST_MISSING_VALUE');
        assert.equal(await codeOf(client.set('', 'x')), 'CP_ERR_REQUEST_MISSING_KEY');
        assert.equal(await codeOf(client.set('kept', 'x', { ttl: -1 })), 'CP_ERR_REQUEST_INVALID');
        assert.equal(await codeOf(client.set('kept', 'x', { ttl: 1.5 })), 'CP_ERR_REQUEST_INVALID');
        assert.equal(await codeOf(client.set('k'.repeat(5000), 'x')), 'CP_ERR_KEY_TOO_LONG');
        assert.equal(await client.getString('kept'), 'old');
    });
    it('adds only an absent key and writes back only over the value it read (add and cas), directly and through the gateway', async () => {
        const viaGateway = await CachePool.connect({ gateway: pool.gateway });
        try {
            for (const [name, cache] of [
                ['client', client],
                ['gateway', viaGateway],
            ]) {
                const key = `cond-${name}`;
                await cache.delete(key);
                assert.equal(await cache.set(key, 'first', { ifAbsent: true }), true, `${name}: added`);
                assert.equal(await cache.set(key, 'second', { ifAbsent: true }), false, `${name}: present`);
                assert.equal(await cache.getString(key), 'first');
                const read = await cache.getWithEtag(key);
                assert.ok(read, `${name}: a hit has its ETag`);
                assert.equal(read.value.toString(), 'first');
                assert.equal(read.contentType, 'text/plain; charset=utf-8');
                assert.match(read.etag, /^"[\w-]+"$/);
                assert.equal(await cache.set(key, 'third', { ifMatch: read.etag }), true, `${name}: cas`);
                // The value changed since read.etag: a second cas with it stores nothing.
                assert.equal(await cache.set(key, 'lost', { ifMatch: read.etag }), false, `${name}: stale`);
                assert.equal(await cache.getString(key), 'third');
                const again = await cache.getWithEtag(key);
                assert.notEqual(again?.etag, read.etag, 'a new value has a new ETag');
                await cache.delete(key);
                assert.equal(await cache.getWithEtag(key), undefined, `${name}: a miss`);
                assert.equal(await cache.set(key, 'x', { ifMatch: again.etag }), false, `${name}: gone`);
                assert.equal(await cache.has(key), false, 'a failed cas stores nothing');
                assert.equal(await cache.set(key, 'plain'), true, 'an unconditional set resolves true');
            }
        }
        finally {
            await viaGateway.close();
        }
    });
    it('refuses bad conditions with CP_ERR_REQUEST_INVALID and stores nothing', async () => {
        await client.delete('cond-bad');
        const bad = [
            client.set('cond-bad', 'x', { ifAbsent: true, ifMatch: '"abc"' }),
            client.set('cond-bad', 'x', { ifMatch: '' }),
            client.set('cond-bad', 'x', { ifMatch: 'two words' }),
            client.set('cond-bad', 'x', { ifAbsent: 'yes' }),
            client.setMany([['cond-bad', 'x']], { ifAbsent: true }),
        ];
        for (const call of bad)
            assert.equal(await codeOf(call), 'CP_ERR_REQUEST_INVALID');
        assert.equal(await client.has('cond-bad'), false);
    });
    it('keeps a TTL across a migration: keys moved to a new node still expire, others stay', async () => {
        const short = Array.from({ length: 80 }, (_, i) => `ttl-${i}`);
        const setAt = Date.now();
        await client.setMany(short.map((key) => [key, 'brief']), { ttl: 6 });
        await client.set('ttl-forever', 'stays');
        const before = client.owners;
        const answer = await call('POST', `${pool.manager}/api/manager/poolsize/manual`, {
            change: 'increase',
        });
        assert.equal(answer.status, 200, JSON.stringify(answer.json));
        await until('the client routes by the grown table', () => new Set(client.owners).size === 4);
        const moved = short.filter((key) => client.owners[partitionOf(key)] !== before[partitionOf(key)]);
        assert.ok(moved.length > 0, 'some TTL keys moved to the new node');
        const read = await client.getMany(moved);
        // Unless the machine was slow enough for the TTL to run out already, they moved with values.
        if (Date.now() - setAt < 5_000)
            assert.equal(read.size, moved.length, 'moved keys are there');
        await until('every TTL key expired, the moved ones included', async () => (await client.getMany(short)).size === 0, 20_000, 100);
        assert.equal(await client.getString('ttl-forever'), 'stays');
    });
    it('reads a killed owner as misses, fails its writes with CP_ERR_NODE_UNREACHABLE, and writes again once the manager has dealt with it', async () => {
        const { nodes } = await content(`${pool.manager}/api/manager/nodes`);
        const victim = nodes[1];
        const key = Array.from({ length: 500 }, (_, i) => `victim-${i}`).find((k) => client.owners[partitionOf(k)] === victim.address);
        await client.set(key, 'before');
        process.kill(victim.pid, 'SIGKILL');
        await until('the victim stopped answering', async () => direct(victim.address, key).then(() => false, () => true));
        if (client.owners[partitionOf(key)] === victim.address) {
            assert.equal(await client.get(key), undefined);
            assert.equal(await client.has(key), false);
            // A write fails, unless the owner answers again by then (the manager failed the partition
            // over, or its provisioner restarted the node): either way it is never silently lost.
            for (const write of [() => client.set(key, 'x'), () => client.delete(key)]) {
                const code = await codeOf(write());
                assert.ok(code === 'no error' || code === 'CP_ERR_NODE_UNREACHABLE', code);
            }
        }
        // The manager fails the node's partitions over (a newer table) or its provisioner restarts
        // the node at its address: either way the key can be written and read again.
        await until('a write of the key succeeds again', async () => (await codeOf(client.set(key, 'after'))) === 'no error', 30_000, 100);
        assert.equal(await client.getString(key), 'after');
    });
});
describe('the client with a token and --protect-data', { timeout: 90_000 }, () => {
    it('needs the token for data, and works with it', async () => {
        const token = 'client-test-token-0123456789abcdef';
        const pool = await startPool(['--nodes', '2', '--token', token, '--protect-data']);
        const without = await CachePool.connect({ manager: pool.manager });
        const withToken = await CachePool.connect({ manager: pool.manager, token });
        try {
            assert.equal(await codeOf(without.set('t', 'v')), 'CP_ERR_AUTH_REQUIRED');
            assert.equal(await codeOf(without.get('t')), 'CP_ERR_AUTH_REQUIRED');
            await withToken.set('t', 'v', { ttl: 60 });
            assert.equal(await withToken.getString('t'), 'v');
            await withToken.setMany([['t2', 'w']]);
            assert.deepEqual([...(await withToken.getMany(['t', 't2']))].map(([k, v]) => [k, v.toString()]), [
                ['t', 'v'],
                ['t2', 'w'],
            ]);
            assert.equal(await codeOf(without.getMany(['t'])), 'CP_ERR_AUTH_REQUIRED');
        }
        finally {
            await without.close();
            await withToken.close();
            await pool.process.stop();
        }
    });
});
//# sourceMappingURL=client.test.js.map