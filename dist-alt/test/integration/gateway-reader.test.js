/**
 * The gateway reads every legacy request exactly as a node does (one reader, src/http/
 * legacy-body.ts): the node's byte-for-byte case tables (test/helpers/legacy-cases.ts) run
 * through a gateway in front of a real node — over a socket (its pre-router or its Fastify
 * route, asserted per case) and injected into its Fastify routes — and straight to a twin node;
 * the answers (status, content type, body bytes) and what each node then holds (keys in recency
 * order, statistics) must be the same. Then the hostile requests of issue 9 through a whole pool
 * (`cachepool start`, two nodes): each is routed by the key the owner stores.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { PartitionTable, partitionOf } from '../../src/partition/index.js';
import { buildGatewayApp, Routing } from '../../src/pool/index.js';
import { send } from '../helpers/http.js';
import { FORM, JSON_TYPE, PUT, PUT_NODE, fillCases, getCases, getSeed, putCases, } from '../helpers/legacy-cases.js';
import { startPool } from '../helpers/pool.js';
import { startCachepool, stopAll } from '../helpers/process.js';
after(async () => {
    await stopAll();
});
/** Sends a case over a socket to `base` (`http://host:port`), as the node's test does. */
function overSocket(base, c) {
    const url = new URL(base);
    return new Promise((resolve, reject) => {
        const body = Buffer.from(c.body, 'utf8');
        const headers = { ...(c.headers ?? {}) };
        if (c.type !== undefined)
            headers['content-type'] = c.type;
        if (!c.chunked)
            headers['content-length'] = body.length;
        const request = httpRequest({
            host: url.hostname,
            port: Number(url.port),
            method: c.method ?? 'POST',
            path: c.url ?? '/api/cache/key',
            headers,
            timeout: 10_000,
        }, (response) => {
            const chunks = [];
            response.on('data', (chunk) => chunks.push(chunk));
            response.on('error', reject);
            response.on('end', () => resolve({
                status: response.statusCode ?? 0,
                type: response.headers['content-type'],
                body: Buffer.concat(chunks).toString('utf8'),
            }));
        });
        request.on('timeout', () => request.destroy(new Error('timed out')));
        request.on('error', reject);
        if (c.chunked) {
            request.write(body.subarray(0, 3));
            request.end(body.subarray(3));
        }
        else
            request.end(body);
    });
}
async function injected(app, c) {
    const answer = await app.inject({
        method: c.method ?? 'POST',
        url: c.url ?? '/api/cache/key',
        headers: { ...(c.headers ?? {}), ...(c.type !== undefined ? { 'content-type': c.type } : {}) },
        payload: c.body,
    });
    return {
        status: answer.statusCode,
        type: answer.headers['content-type'],
        body: answer.body,
    };
}
/** What a node holds: its keys in recency order and its legacy statistics. */
async function held(base) {
    const keys = await send(`${base}/keys`);
    const statistics = await send(`${base}/api/cache/statistics`);
    return { keys: keys.json, statistics: JSON.parse(statistics.json.content) };
}
/** Three fresh nodes with `args`, a gateway listening in front of the first, one injected into in front of the second. */
async function threeWays(args) {
    const nodes = await Promise.all([0, 1, 2].map(() => startCachepool(['node', '--port', '0', ...args], { timeoutMs: 60_000 })));
    const [viaSocket, viaInject, direct] = nodes.map((node) => node.urls.get('node'));
    const gateway = await buildGatewayApp({
        routing: new Routing(PartitionTable.initial([new URL(viaSocket).host])),
        timeoutMs: 5_000,
    });
    let reachedFastify = 0;
    gateway.addHook('onRequest', (_request, _reply, done) => {
        reachedFastify++;
        done();
    });
    await gateway.listen({ host: '127.0.0.1', port: 0 });
    const reference = await buildGatewayApp({
        routing: new Routing(PartitionTable.initial([new URL(viaInject).host])),
        timeoutMs: 5_000,
    });
    const address = gateway.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const close = async () => {
        await gateway.close();
        await reference.close();
        await Promise.all(nodes.map((node) => node.stop()));
    };
    return {
        base,
        gateway,
        reference,
        viaSocket,
        viaInject,
        direct,
        fastify: () => reachedFastify,
        close,
    };
}
async function runTable(ways, cases) {
    for (const c of cases) {
        const before = ways.fastify();
        const gateway = await overSocket(ways.base, c);
        const fast = c.gatewayFast ?? c.fast;
        assert.equal(ways.fastify() - before, fast ? 0 : 1, `${c.name}: the gateway's ${fast ? 'pre-router' : 'Fastify route'} answers`);
        const node = await overSocket(ways.direct, c);
        const routes = await injected(ways.reference, c);
        assert.deepEqual(gateway, node, `${c.name}: the gateway answers as the node`);
        assert.deepEqual(routes, node, `${c.name}: the gateway's Fastify route answers as the node`);
        const [behindSocket, behindInject, alone] = await Promise.all([ways.viaSocket, ways.viaInject, ways.direct].map(held));
        assert.deepEqual(behindSocket, alone, `${c.name}: the node behind the gateway holds the same`);
        assert.deepEqual(behindInject, alone, `${c.name}: the node behind the routes holds the same`);
    }
}
describe('the gateway reads the node case tables as a node does', { timeout: 240_000 }, () => {
    it('answers every get case as a node, byte for byte, storing and counting the same', async () => {
        const ways = await threeWays([]);
        try {
            for (const base of [ways.viaSocket, ways.viaInject, ways.direct]) {
                for (const [key, value] of getSeed()) {
                    const answer = await send(`${base}${PUT}`, {
                        method: 'POST',
                        headers: { 'content-type': FORM },
                        body: new URLSearchParams({ key, value }).toString(),
                    });
                    assert.equal(answer.status, 200, answer.text);
                }
            }
            await runTable(ways, getCases());
        }
        finally {
            await ways.close();
        }
    });
    it('answers every put case as a node, byte for byte, storing and evicting the same', async () => {
        const ways = await threeWays([
            '--capacity',
            String(PUT_NODE.capacityMb),
            '--max-value-bytes',
            String(PUT_NODE.maxValueBytes),
        ]);
        try {
            await runTable(ways, putCases());
            await runTable(ways, fillCases());
        }
        finally {
            await ways.close();
        }
    });
});
/** A key whose partition is owned by `owner` in `owners`, made from `prefix`. */
function keyOwnedBy(owners, owner, prefix) {
    for (let i = 0; i < 10_000; i++) {
        const key = `${prefix}${i}`;
        if (owners[partitionOf(key)] === owner)
            return key;
    }
    throw new Error(`no key with prefix ${prefix} owned by ${owner}`);
}
describe('issue 9: hostile requests read the same through a pool as on its nodes', { timeout: 240_000 }, () => {
    let pool;
    /** A standalone node: what a node answers to each request, for comparison. */
    let lone;
    let owners;
    let nodes;
    before(async () => {
        pool = await startPool(['--nodes', '2', '--min', '2', '--max', '2']);
        lone = (await startCachepool(['node', '--port', '0'], { timeoutMs: 60_000 })).urls.get('node');
        const table = await send(`${pool.manager}/api/manager/partitions`);
        owners = table.json.content.partitions;
        nodes = [...new Set(owners)];
        assert.equal(nodes.length, 2, JSON.stringify(table.json));
    });
    /** Sends the same raw request to the gateway and to the standalone node; both answers. */
    async function both(method, path, type, body) {
        const headers = type === undefined ? {} : { 'content-type': type };
        const options = {
            method,
            headers,
            ...(body === undefined ? {} : { body }),
        };
        const gateway = await send(`${pool.gateway}${path}`, options);
        const node = await send(`${lone}${path}`, options);
        assert.equal(gateway.status, node.status, `${method} ${path}: ${gateway.text} / ${node.text}`);
        assert.equal(gateway.text, node.text, `${method} ${path}: the same body`);
        return [gateway, node];
    }
    const keysOf = async (node) => (await send(`http://${node}/keys`)).json;
    const getThroughGateway = (key) => send(`${pool.gateway}/api/cache/key`, {
        method: 'POST',
        headers: { 'content-type': JSON_TYPE },
        body: JSON.stringify({ key }),
    });
    it('regression issue 9 item 1: %6Bey=A&key=B&value=V is routed by A, stored on the owner of A and read back', async () => {
        const [first, second] = nodes;
        const a = keyOwnedBy(owners, first, 'escaped-a-');
        const b = keyOwnedBy(owners, second, 'escaped-b-');
        const [put] = await both('POST', PUT, FORM, `%6Bey=${a}&key=${b}&value=V`);
        assert.equal(put.status, 200, put.text);
        assert.ok((await keysOf(first)).includes(a), 'A is on its owner');
        assert.ok(!(await keysOf(second)).includes(a), 'A is not on the owner of B');
        assert.ok(!(await keysOf(second)).includes(b), 'nothing is stored under B');
        assert.deepEqual((await getThroughGateway(a)).json, { success: 'true', content: 'V' });
    });
    it('regression issue 9 item 1: a multipart part named KEY is not the key', async () => {
        const [first, second] = nodes;
        const upper = keyOwnedBy(owners, first, 'upper-');
        const lower = keyOwnedBy(owners, second, 'lower-');
        const boundary = 'hostile-boundary';
        const body = `--${boundary}\r\nContent-Disposition: form-data; name="KEY"\r\n\r\n${upper}\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="key"\r\n\r\n${lower}\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="value"\r\n\r\nmultipart\r\n` +
            `--${boundary}--\r\n`;
        const [put] = await both('POST', PUT, `multipart/form-data; boundary=${boundary}`, body);
        assert.equal(put.status, 200, put.text);
        assert.ok((await keysOf(second)).includes(lower), 'stored under key, on its owner');
        assert.ok(!(await keysOf(first)).includes(lower), 'not on the owner of the KEY part');
        assert.deepEqual((await getThroughGateway(lower)).json, {
            success: 'true',
            content: 'multipart',
        });
    });
    it('regression issue 9 item 1: keys 50% and %zz are stored as sent and read back', async () => {
        for (const key of ['50%', '%zz']) {
            const [put] = await both('POST', PUT, FORM, `key=${key}&value=percent`);
            assert.equal(put.status, 200, put.text);
            const owner = owners[partitionOf(key)];
            assert.ok((await keysOf(owner)).includes(key), `${key} is on its owner`);
            const [get] = await both('POST', '/api/cache/key', FORM, `key=${key}`);
            assert.deepEqual(get.json, { success: 'true', content: 'percent' });
        }
    });
    it('regression issue 9 item 1: a JSON body with a byte-order mark is read', async () => {
        const [put] = await both('POST', PUT, JSON_TYPE, '\uFEFF{"key":"bom-key","value":"bom"}');
        assert.equal(put.status, 200, put.text);
        const [get] = await both('POST', '/api/cache/key', JSON_TYPE, '\uFEFF{"key":"bom-key"}');
        assert.deepEqual(get.json, { success: 'true', content: 'bom' });
    });
    it('regression issue 9 item 1: DELETE /api/cache/key?key=x removes x from its owner', async () => {
        await both('POST', PUT, FORM, 'key=query-delete&value=v');
        const owner = owners[partitionOf('query-delete')];
        assert.ok((await keysOf(owner)).includes('query-delete'));
        const [deleted] = await both('DELETE', '/api/cache/key?key=query-delete', undefined, undefined);
        assert.equal(deleted.status, 200, deleted.text);
        assert.ok(!(await keysOf(owner)).includes('query-delete'), 'the key is gone');
        const [get] = await both('POST', '/api/cache/key', FORM, 'key=query-delete');
        assert.equal(get.json.error.message, 'Unknown key');
    });
    it('regression issue 9 item 1: /v1/keys/a/b is the key a/b, as on a node', async () => {
        const [put] = await both('PUT', '/v1/keys/a/b', 'text/plain', 'slash');
        assert.equal(put.status, 201, put.text);
        const owner = owners[partitionOf('a/b')];
        assert.ok((await keysOf(owner)).includes('a/b'));
        const [get] = await both('GET', '/v1/keys/a%2Fb', undefined, undefined);
        assert.equal(get.text, 'slash');
    });
    it('regression issue 9 item 4: keys and values that are not well-formed Unicode are refused at the door, and nothing is stored', async () => {
        const before = await Promise.all(nodes.map(keysOf));
        const refused = [
            ['POST', PUT, JSON_TYPE, '{"key":"img-\\udc00-1","value":"v"}'],
            ['POST', PUT, JSON_TYPE, '{"key":"\\ud800","value":"v"}'],
            ['POST', PUT, JSON_TYPE, '{"key":"lone-value","value":"a\\udc00b"}'],
            ['POST', PUT, FORM, 'key=%ED%B0%80&value=v'],
            ['POST', PUT, FORM, 'key=%FF&value=v'],
            ['POST', PUT, FORM, 'key=bad-value&value=%C3%28'],
            ['POST', '/api/cache/key', JSON_TYPE, '{"key":"img-\\udc00-1"}'],
            ['DELETE', '/api/cache/key', FORM, 'key=%ED%A0%80'],
        ];
        for (const [method, path, type, body] of refused) {
            const [answer] = await both(method, path, type, body);
            assert.equal(answer.status, 400, `${body}: ${answer.text}`);
            assert.equal(answer.json.success, 'false');
            assert.match(answer.json.error.message, /is not well-formed Unicode/, body);
        }
        const [v1] = await both('PUT', '/v1/keys/img-%ED%B0%80-1', 'text/plain', 'v');
        assert.equal(v1.status, 400, v1.text);
        assert.equal(v1.json.error.status, 400);
        assert.deepEqual(await Promise.all(nodes.map(keysOf)), before, 'nothing was stored');
    });
    it('regression issue 9 item 5: a JSON number out of range and a text/plain body are refused with their own message', async () => {
        const [infinite] = await both('POST', PUT, JSON_TYPE, '{"key":"infinite","value":1e400}');
        assert.equal(infinite.status, 400);
        assert.equal(infinite.json.error.message, 'value is a JSON number out of range');
        const [text] = await both('POST', PUT, 'text/plain', 'key=plain&value=v');
        assert.equal(text.status, 400);
        assert.equal(text.json.error.message, 'unsupported content type "text/plain"');
        const owner = owners[partitionOf('infinite')];
        assert.ok(!(await keysOf(owner)).includes('infinite'));
    });
});
//# sourceMappingURL=gateway-reader.test.js.map