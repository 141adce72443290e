/**
 * The gateway's batches and conditional writes against two real nodes in this process: a batch
 * through the gateway stores each key on its owner and reads back what single gets through the
 * gateway read; while a partition moves, a batch get finds a key still on the old owner and a
 * batch put removes the old owner's copy; If-None-Match and If-Match reach the owner and its
 * ETag comes back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BATCH_CONTENT_TYPE } from '../../../src/http/index.js';
import { decodeBatch, encodeBatch } from '../../../src/node/index.js';
import { PartitionTable, partitionOf } from '../../../src/partition/index.js';
import { buildGatewayApp, Routing } from '../../../src/pool/index.js';
import { LocalNodes } from '../../helpers/local-nodes.js';
describe('gateway batches and conditional writes', () => {
    const nodes = new LocalNodes();
    let a;
    let b;
    let routing;
    let gateway;
    before(async () => {
        a = await nodes.start();
        b = await nodes.start();
        routing = new Routing(PartitionTable.initial([a.address, b.address]));
        gateway = await buildGatewayApp({ routing, timeoutMs: 3_000 });
    });
    after(async () => {
        await gateway.close();
        await nodes.close();
    });
    const batchGet = async (keys) => {
        const answer = await gateway.inject({
            method: 'POST',
            url: '/v1/batch/get',
            headers: { 'content-type': 'application/json' },
            payload: JSON.stringify({ keys }),
        });
        assert.equal(answer.statusCode, 200, answer.body);
        return decodeBatch(answer.rawPayload);
    };
    const batchPut = (records, url = '/v1/batch/put') => gateway.inject({
        method: 'POST',
        url,
        headers: { 'content-type': BATCH_CONTENT_TYPE },
        payload: encodeBatch(records),
    });
    it('stores each record on its owner and reads back what single gets read', async () => {
        const keys = Array.from({ length: 60 }, (_, i) => `gb-${i}`);
        const answer = await batchPut(keys.map((key, i) => ({ key, type: 'application/x-gb', value: Buffer.from([i, 0, 255]) })));
        assert.equal(answer.statusCode, 200, answer.body);
        assert.deepEqual(answer.json(), { stored: 60 });
        const owners = routing.view.owners;
        for (const key of keys) {
            const owner = owners[partitionOf(key)] === a.address ? a : b;
            const other = owner === a ? b : a;
            assert.ok(owner.node.node.store.has(key), `${key} on its owner`);
            assert.ok(!other.node.node.store.has(key), `${key} only on its owner`);
        }
        const records = await batchGet([...keys, 'gb-missing']);
        assert.equal(records.length, 61);
        for (const record of records) {
            const single = await gateway.inject({ method: 'GET', url: `/v1/keys/${record.key}` });
            if (single.statusCode === 404)
                assert.equal(record.value.length, 0);
            else {
                assert.deepEqual(record.value, single.rawPayload);
                assert.equal(record.type, single.headers['content-type']);
            }
        }
    });
    it('refuses a bad batch before any node stores a part of it', async () => {
        const before = a.node.node.store.size + b.node.node.store.size;
        const cases = [
            batchPut([{ key: 'x1', type: 't', value: Buffer.from('v') }], '/v1/batch/put?ttl=-3'),
            batchPut([
                { key: 'x2', type: 't', value: Buffer.from('v') },
                { key: 'x3', type: 't', value: Buffer.alloc(0) },
            ]),
            gateway.inject({
                method: 'POST',
                url: '/v1/batch/put',
                headers: { 'content-type': BATCH_CONTENT_TYPE },
                payload: encodeBatch([{ key: 'x4', type: 't', value: Buffer.from('vv') }]).subarray(0, 9),
            }),
        ];
        for (const answer of await Promise.all(cases)) {
            assert.equal(answer.statusCode, 400, answer.body);
            assert.match(answer.json().error.code, /^CP_ERR_/);
        }
        assert.equal(a.node.node.store.size + b.node.node.store.size, before);
    });
    it('reads a moving partition on the old owner and removes the old copy on a write', async () => {
        const key = Array.from({ length: 200 }, (_, i) => `mv-${i}`).find((k) => routing.view.owners[partitionOf(k)] === a.address);
        const other = Array.from({ length: 200 }, (_, i) => `mv2-${i}`).find((k) => partitionOf(k) === partitionOf(key) && k !== key);
        await a.node.app.inject({ method: 'PUT', url: `/v1/keys/${key}`, payload: 'on A' });
        await a.node.app.inject({ method: 'PUT', url: `/v1/keys/${other}`, payload: 'old on A' });
        await routing.publish(routing.view.table, [
            { partition: partitionOf(key), from: a.address, to: b.address },
        ]);
        try {
            const [found] = await batchGet([key]);
            assert.equal(found.value.toString(), 'on A');
            const answer = await batchPut([{ key: other, type: 't', value: Buffer.from('new') }]);
            assert.equal(answer.statusCode, 200, answer.body);
            assert.equal(b.node.node.store.has(other), true);
            assert.equal(a.node.node.store.has(other), false, 'the old owner let go of its copy');
        }
        finally {
            await routing.publish(routing.view.table, []);
        }
    });
    it('passes If-None-Match and If-Match to the owner and relays its ETag', async () => {
        const put = (value, headers) => gateway.inject({ method: 'PUT', url: '/v1/keys/cas', payload: value, headers });
        assert.equal((await put('one', { 'if-none-match': '*' })).statusCode, 201);
        assert.equal((await put('two', { 'if-none-match': '*' })).statusCode, 412);
        const read = await gateway.inject({ method: 'GET', url: '/v1/keys/cas' });
        const tag = String(read.headers.etag);
        assert.match(tag, /^"/);
        assert.equal((await put('three', { 'if-match': '"stale"' })).statusCode, 412);
        assert.equal((await put('three', { 'if-match': tag })).statusCode, 204);
        assert.equal((await put('four', { 'if-match': tag })).statusCode, 412);
        assert.equal((await gateway.inject({ method: 'GET', url: '/v1/keys/cas' })).body, 'three');
    });
});
//# sourceMappingURL=gateway-batch.test.js.map