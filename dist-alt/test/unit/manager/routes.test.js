/**
 * Manager routes through app.inject(), for the requests that must be refused in the envelope and
 * change nothing. The manager is real, with a local provisioner that starts no node here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { messages } from '../../../src/errors.js';
import { buildTestManagerApp } from '../../helpers/manager-app.js';
describe('manager routes refuse bad input in the envelope', () => {
    let app;
    let manager;
    let scaling;
    let harness;
    before(async () => {
        harness = await buildTestManagerApp();
        ({ app, manager, scaling } = harness);
    });
    after(() => harness.close());
    const post = (url, payload) => app.inject({ method: 'POST', url, payload });
    it('answers an unknown change with the legacy message', async () => {
        for (const change of ['double', '', 'INCREASE']) {
            const answer = await post('/api/manager/poolsize/manual', { change });
            assert.equal(answer.statusCode, 400);
            assert.deepEqual(answer.json(), {
                success: 'false',
                error: { code: 400, message: messages.poolChangeInvalid },
            });
        }
        const form = await app.inject({
            method: 'POST',
            url: '/api/manager/poolsize/manual',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            payload: 'change=sideways',
        });
        assert.equal(form.json().error.message, messages.poolChangeInvalid);
        assert.equal(scaling.mode, 'manual');
    });
    it('refuses bad auto-scaler parameters and stays in manual mode', async () => {
        const bad = [
            {
                max_miss_rate_threshold: 0.2,
                min_miss_rate_threshold: 0.5,
                expand_ratio: 2,
                shrink_ratio: 0.5,
            },
            {
                max_miss_rate_threshold: 1.5,
                min_miss_rate_threshold: 0.1,
                expand_ratio: 2,
                shrink_ratio: 0.5,
            },
            {
                max_miss_rate_threshold: 0.8,
                min_miss_rate_threshold: 0.1,
                expand_ratio: 1,
                shrink_ratio: 0.5,
            },
            {
                max_miss_rate_threshold: 0.8,
                min_miss_rate_threshold: 0.1,
                expand_ratio: 2,
                shrink_ratio: 'half',
            },
        ];
        for (const payload of bad) {
            const answer = await post('/api/manager/poolsize/automatic', payload);
            assert.equal(answer.statusCode, 400, JSON.stringify(payload));
            assert.equal(answer.json().success, 'false');
        }
        const config = (await app.inject({ method: 'GET', url: '/api/manager/poolsize/config' })).json();
        assert.equal(config.content.resize_pool_option, 'manual');
        assert.equal(config.content.resize_pool_parameters.max_miss_rate_threshold, 0.5);
    });
    it('switches to automatic mode with valid parameters given as strings', async () => {
        const answer = await post('/api/manager/poolsize/automatic', {
            max_miss_rate_threshold: '0.7',
            min_miss_rate_threshold: '0.2',
            expand_ratio: '3',
            shrink_ratio: '0.25',
        });
        assert.equal(answer.statusCode, 200);
        const config = (await app.inject({ method: 'GET', url: '/api/manager/poolsize/config' })).json();
        assert.deepEqual(config.content, {
            resize_pool_option: 'automatic',
            resize_pool_parameters: {
                max_miss_rate_threshold: 0.7,
                min_miss_rate_threshold: 0.2,
                expand_ratio: 3,
                shrink_ratio: 0.25,
                ratio_expand_pool: 3,
                ratio_shrink_pool: 0.25,
            },
        });
    });
    it('refuses a bad cache config and keeps the old one', async () => {
        for (const payload of [
            { capacity: -1 },
            { capacity: 'ten' },
            { replacement_policy: 'fifo-ish' },
            {},
        ]) {
            const answer = await post('/api/manager/cache/config', payload);
            assert.equal(answer.statusCode, 400, JSON.stringify(payload));
        }
        const config = (await app.inject({ method: 'GET', url: '/api/manager/cache/config' })).json();
        assert.equal(config.content.capacity, 64);
        assert.equal(config.content.replacement_policy, 'lru');
        assert.equal(config.content.policy, 'lru');
    });
    it('refuses a removal call from a node that is not a member, and one without cache_ip', async () => {
        const stranger = await post('/api/poolsize/change', { cache_ip: '127.0.0.1:5999' });
        assert.equal(stranger.statusCode, 400);
        assert.match(stranger.json().error.message, /not a member/);
        const nothing = await post('/api/poolsize/change', {});
        assert.equal(nothing.statusCode, 400);
    });
    it('registers a node with the index it asks for when free, and keeps it on a second call', async () => {
        const first = await post('/api/manager/register', {
            address: '127.0.0.1:6001',
            cache_index: 4,
        });
        assert.deepEqual(first.json().content, {
            cache_index: 4,
            capacity: 64,
            replacement_policy: 'lru',
            down_after_ms: 5_000,
        });
        const again = await post('/api/manager/register', {
            address: '127.0.0.1:6001',
            cache_index: null,
        });
        assert.equal(again.json().content.cache_index, 4);
        const other = await post('/api/manager/register', {
            address: '127.0.0.1:6002',
            cache_index: 4,
        });
        assert.equal(other.json().content.cache_index, 0);
        const bad = await post('/api/manager/register', { address: 'not an address' });
        assert.equal(bad.statusCode, 400);
    });
    /** A snapshot as a node sends it (src/node/cache-node.ts `snapshot`). */
    const completeSnapshot = {
        cacheIndex: 4,
        address: '127.0.0.1:6001',
        timeMs: 1_700_000_000_000,
        startedAtMs: 1_699_999_000_000,
        items: 3,
        usedBytes: 300,
        capacityBytes: 1_048_576,
        utilization: 300 / 1_048_576,
        policy: 'lru',
        requestsTotal: 10,
        getRequestsTotal: 8,
        hitsTotal: 6,
        missesTotal: 2,
        evictionsTotal: 0,
        legacy: { num_request_served: 10, num_GET_request_served: 8, num_hit: 6 },
        hitRate: 0.75,
        missRate: 0.25,
    };
    it('regression issue 9 item 5: refuses a pushed snapshot with a figure out of range, naming the field', async () => {
        const outOfRange = [
            ['items', 1e300, /snapshot\.items must be an integer >= 0/],
            ['hitsTotal', 2.5, /snapshot\.hitsTotal/],
            ['requestsTotal', -1, /snapshot\.requestsTotal/],
            ['missRate', 1.5, /snapshot\.missRate must be a number in \[0, 1\]/],
            ['hitRate', -0.1, /snapshot\.hitRate/],
            ['timeMs', 1e300, /snapshot\.timeMs/],
            ['cacheIndex', '4', /snapshot\.cacheIndex/],
            ['legacy', { num_request_served: 1e300, num_GET_request_served: 0, num_hit: 0 }, /legacy/],
        ];
        for (const [field, value, message] of outOfRange) {
            const answer = await post('/api/manager/stats', { ...completeSnapshot, [field]: value });
            assert.equal(answer.statusCode, 400, `${field}: ${answer.body}`);
            assert.match(answer.json().error.message, message);
        }
    });
    it('refuses a snapshot without an address or with a negative figure, and ignores one from a non-member', async () => {
        const bad = await post('/api/manager/stats', { items: 3 });
        assert.equal(bad.statusCode, 400);
        const negative = await post('/api/manager/stats', {
            address: '127.0.0.1:6001',
            cacheIndex: 4,
            timeMs: 1,
            items: -3,
        });
        assert.equal(negative.statusCode, 400);
        assert.match(negative.json().error.message, /items/);
        const stranger = await post('/api/manager/stats', {
            ...completeSnapshot,
            address: '127.0.0.1:6001',
        });
        assert.equal(stranger.statusCode, 200);
        // Not a member (only pending): its figures must not count in the pool's.
        assert.equal(manager.snapshotOf('127.0.0.1:6001'), undefined);
    });
    it('refuses a registration with a bad cache_index', async () => {
        const answer = await post('/api/manager/register', {
            address: '127.0.0.1:6003',
            cache_index: 'x',
        });
        assert.equal(answer.statusCode, 400);
        assert.match(answer.json().error.message, /cache_index/);
    });
    it('keeps min_requests of the auto-scaler and refuses a bad one without switching mode', async () => {
        scaling.mode = 'manual';
        const bad = await post('/api/manager/poolsize/automatic', { min_requests: -1 });
        assert.equal(bad.statusCode, 400);
        assert.equal(scaling.mode, 'manual');
        const good = await post('/api/manager/poolsize/automatic', { min_requests: 5 });
        assert.equal(good.statusCode, 200);
        const view = await app.inject({ method: 'GET', url: '/api/manager/autoscaler' });
        assert.equal(view.json().content.parameters.min_requests, 5);
        assert.equal(view.json().content.mode, 'automatic');
    });
    it('lists node statuses next to the two lists of pool_node_list', async () => {
        const answer = await app.inject({ method: 'GET', url: '/api/manager/pool_node_list' });
        assert.deepEqual(answer.json().content, {
            node_ip_list: [],
            node_id_list: [],
            node_status_list: [],
        });
    });
    it('answers an unknown path with a 404 in the envelope', async () => {
        const answer = await app.inject({ method: 'GET', url: '/api/manager/nothing' });
        assert.equal(answer.statusCode, 404);
        assert.equal(answer.json().success, 'false');
    });
});
//# sourceMappingURL=routes.test.js.map