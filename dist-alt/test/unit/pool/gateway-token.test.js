/**
 * The gateway checks the pool token on its control routes when the request arrives (`onRequest`),
 * before its body is read: a malformed body without the token is a 401, with a wrong token a 403,
 * and only with the token does the body itself get refused (400). With `protectData` the data
 * routes need the token too. No node is reached by any of these calls.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PartitionTable } from '../../../src/partition/index.js';
import { buildGatewayApp, Routing } from '../../../src/pool/index.js';
const TOKEN = 'a-long-enough-pool-token-for-tests';
/** Port 9 on loopback: nothing listens there, and no call in this file should get that far. */
const NOWHERE = '127.0.0.1:9';
const malformed = [
    { 'content-type': 'application/json', payload: '{"capacity": 1' },
    { 'content-type': 'application/x-unknown', payload: 'x' },
    { 'content-type': 'multipart/form-data; boundary=zz', payload: '--zz\r\ncut' },
];
const controlRoutes = [
    { method: 'DELETE', url: '/api/cache' },
    { method: 'DELETE', url: '/api/cache/statistics' },
    { method: 'POST', url: '/api/cache/config' },
];
describe('gateway token', () => {
    let app;
    let configured = 0;
    before(async () => {
        app = await buildGatewayApp({
            routing: new Routing(PartitionTable.initial([NOWHERE])),
            token: TOKEN,
            protectData: true,
            timeoutMs: 1_000,
            configure: async () => {
                configured++;
            },
        });
    });
    after(async () => {
        await app.close();
    });
    it('refuses an unauthenticated control call with 401 before reading its malformed body', async () => {
        for (const route of controlRoutes) {
            for (const { payload, ...headers } of malformed) {
                const answer = await app.inject({ ...route, headers, payload });
                const label = `${route.method} ${route.url} ${headers['content-type']}: ${answer.body}`;
                assert.equal(answer.statusCode, 401, label);
                assert.equal(answer.json().error.code, 401, label);
            }
        }
        assert.equal(configured, 0);
    });
    it('refuses a wrong token with 403, and with the token refuses the malformed body itself', async () => {
        for (const route of controlRoutes) {
            const wrong = await app.inject({
                ...route,
                headers: { 'content-type': 'application/json', authorization: 'Bearer wrong' },
                payload: '{',
            });
            assert.equal(wrong.statusCode, 403, `${route.method} ${route.url}`);
            const right = await app.inject({
                ...route,
                headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
                payload: '{',
            });
            assert.equal(right.statusCode, 400, `${route.method} ${route.url}: ${right.body}`);
            assert.match(right.json().error.message, /JSON|malformed/i);
        }
        assert.equal(configured, 0);
    });
    it('with protectData, refuses data calls without the token before their body is read', async () => {
        const calls = [
            { method: 'POST', url: '/api/cache/key' },
            { method: 'POST', url: '/api/cache/content' },
            { method: 'DELETE', url: '/api/cache/key' },
            { method: 'PUT', url: '/v1/keys/k' },
        ];
        for (const call of calls) {
            const answer = await app.inject({
                ...call,
                headers: { 'content-type': 'application/json' },
                payload: '{"key": ',
            });
            assert.equal(answer.statusCode, 401, `${call.method} ${call.url}: ${answer.body}`);
        }
        for (const url of ['/keys', '/v1/keys/k'])
            assert.equal((await app.inject({ method: 'GET', url })).statusCode, 401, url);
        const wrong = await app.inject({
            method: 'GET',
            url: '/v1/keys/k',
            headers: { authorization: 'Bearer wrong' },
        });
        assert.equal(wrong.statusCode, 403);
    });
    it('leaves the health check open', async () => {
        const health = await app.inject({ method: 'GET', url: '/healthz' });
        assert.equal(health.statusCode, 200);
        assert.equal(health.json().content.role, 'gateway');
    });
});
//# sourceMappingURL=gateway-token.test.js.map