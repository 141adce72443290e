/**
 * The manager's control routes with a pool token, through app.inject(): the token is checked
 * when the request arrives (`onRequest`), so an unauthenticated call is a 401 (a wrong token a
 * 403) whatever its body — malformed JSON, an unknown content type, a cut multipart body or one
 * over the limit — and nothing changes. With the token, the same bodies get their 4xx.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaults } from '../../../src/defaults.js';
import { buildTestManagerApp } from '../../helpers/manager-app.js';
const TOKEN = 'routes-token-test-0123456789';
describe('manager control routes check the token before the body', () => {
    let app;
    let manager;
    let scaling;
    let harness;
    before(async () => {
        harness = await buildTestManagerApp(TOKEN);
        ({ app, manager, scaling } = harness);
    });
    after(() => harness.close());
    const writes = [
        ['POST', '/api/manager/poolsize/manual'],
        ['POST', '/api/manager/poolsize/automatic'],
        ['POST', '/api/manager/cache/config'],
        ['POST', '/api/manager/register'],
        ['POST', '/api/manager/stats'],
        ['POST', '/api/poolsize/change'],
    ];
    const badBodies = [
        {
            name: 'malformed JSON',
            headers: { 'content-type': 'application/json' },
            payload: '{"change": "incr',
        },
        {
            name: 'an unknown content type',
            headers: { 'content-type': 'application/x-unknown' },
            payload: 'x',
        },
        {
            name: 'a cut multipart body',
            headers: { 'content-type': 'multipart/form-data; boundary=zz' },
            payload: '--zz\r\nContent-Disposition: form-data; name="change"\r\n\r\nincr',
        },
        {
            name: 'a body over the limit',
            headers: { 'content-type': 'application/json' },
            payload: Buffer.alloc(defaults.bodyLimitBytes + 1, 0x20),
        },
    ];
    it('answers 401 without a token and 403 with a wrong one, in the envelope, whatever the body', async () => {
        for (const [method, url] of writes) {
            for (const { name, headers, payload } of badBodies) {
                const none = await app.inject({ method: method, url, headers, payload });
                assert.equal(none.statusCode, 401, `${url} with ${name}: ${none.body}`);
                assert.deepEqual(none.json(), {
                    success: 'false',
                    error: {
                        code: 401,
                        message: 'this endpoint needs the pool token (Authorization: Bearer <token>)',
                    },
                });
                const wrong = await app.inject({
                    method: method,
                    url,
                    headers: { ...headers, authorization: 'Bearer nope' },
                    payload,
                });
                assert.equal(wrong.statusCode, 403, `${url} with ${name}: ${wrong.body}`);
            }
        }
        const clear = await app.inject({ method: 'DELETE', url: '/api/manager/cache/clear' });
        assert.equal(clear.statusCode, 401);
        assert.equal(scaling.mode, 'manual');
        assert.deepEqual(manager.config, {
            capacityMb: defaults.capacityMb,
            policy: defaults.replacementPolicy,
        });
    });
    it('with the token, reads the body and refuses the bad ones with their own 4xx', async () => {
        const authorization = `Bearer ${TOKEN}`;
        const [json, media, multipart, large] = badBodies;
        const url = '/api/manager/poolsize/manual';
        const parse = (b) => app.inject({
            method: 'POST',
            url,
            headers: { ...b.headers, authorization },
            payload: b.payload,
        });
        assert.equal((await parse(json)).statusCode, 400);
        assert.equal((await parse(media)).statusCode, 400);
        assert.equal((await parse(multipart)).statusCode, 400);
        assert.equal((await parse(large)).statusCode, 413);
        const change = await app.inject({
            method: 'POST',
            url,
            headers: { authorization },
            payload: { change: 'sideways' },
        });
        assert.equal(change.json().error.message, 'Parameter change can only be increase or decrease');
    });
    it('leaves the reads open', async () => {
        for (const url of [
            '/api/manager/poolsize',
            '/api/manager/poolsize/config',
            '/api/manager/nodes',
            '/api/manager/autoscaler',
            '/api/manager/migration',
            '/healthz',
        ]) {
            const answer = await app.inject({ method: 'GET', url });
            assert.equal(answer.statusCode, 200, url);
        }
        assert.deepEqual((await app.inject({ method: 'GET', url: '/api/manager/nodes' })).json().content, { nodes: [] });
        assert.deepEqual((await app.inject({ method: 'GET', url: '/api/manager/migration' })).json().content, { migration: null });
    });
});
//# sourceMappingURL=routes-token.test.js.map