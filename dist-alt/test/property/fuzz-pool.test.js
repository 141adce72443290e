/**
 * Fuzzes a whole pool (`cachepool start --token …`: manager, gateway and two node processes) with
 * generated requests to the gateway and to the manager, sent without the token or with a wrong
 * one: no answer may be a 5xx, no control endpoint may succeed, every process stays alive with a
 * bounded RSS, and data put through the gateway before the fuzz is intact afterwards.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { postForm, send } from '../helpers/http.js';
import { isAlive, startCachepool, stopAll } from '../helpers/process.js';
import { requestArb, RESERVED_PREFIX, rssBytesOf, runFuzz, } from './fuzz-requests.js';
const TOKEN = 'fuzz-pool-token-7c1d2e3f4a';
const WRONG_TOKENS = [
    undefined,
    'Bearer wrong',
    `Bearer ${TOKEN}x`,
    'Basic dXNlcjpwYXNz',
    'Bearer',
];
const GATEWAY_ROUTES = [
    'GET /',
    'GET /healthz',
    'GET /keys',
    'POST /keys',
    'POST /api/cache/key',
    'POST /api/cache/content',
    'DELETE /api/cache/key',
    'DELETE /api/cache',
    'POST /api/cache/config',
    'GET /api/cache/statistics',
    'POST /api/cache/statistics',
    'DELETE /api/cache/statistics',
];
const GATEWAY_CONTROL = new Set([
    'DELETE /api/cache',
    'POST /api/cache/config',
    'DELETE /api/cache/statistics',
]);
const MANAGER_ROUTES = [
    'GET /',
    'GET /healthz',
    'GET /metrics',
    'GET /api/manager/pool_node_list',
    'GET /api/manager/poolsize',
    'POST /api/manager/poolsize/manual',
    'POST /api/poolsize/change',
    'GET /api/manager/poolsize/config',
    'POST /api/manager/poolsize/automatic',
    'GET /api/manager/autoscaler',
    'GET /api/manager/events',
    'GET /api/manager/partitions',
    'GET /api/manager/migration',
    'GET /api/manager/nodes',
    'GET /api/manager/cache/config',
    'POST /api/manager/cache/config',
    'DELETE /api/manager/cache/clear',
    'POST /api/manager/register',
    'POST /api/manager/stats',
    'GET /api/manager/aggregate_stats',
];
const MANAGER_CONTROL = new Set([
    'POST /api/manager/poolsize/manual',
    'POST /api/poolsize/change',
    'POST /api/manager/poolsize/automatic',
    'POST /api/manager/cache/config',
    'DELETE /api/manager/cache/clear',
    'POST /api/manager/register',
    'POST /api/manager/stats',
]);
const SEEDS = Array.from({ length: 6 }, (_, i) => ({
    key: `${RESERVED_PREFIX}pool-${i}`,
    value: `data:text/plain;base64,${Buffer.from(`seed ${i} `.repeat(50)).toString('base64')}`,
}));
function routeOf(method, path) {
    const q = path.indexOf('?');
    const bare = q === -1 ? path : path.slice(0, q);
    return `${method} ${bare.length > 1 && bare.endsWith('/') ? bare.slice(0, -1) : bare}`;
}
function summary(name, outcome, control) {
    const statuses = [...outcome.byStatus.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([s, n]) => `${s}:${n}`)
        .join(' ');
    return `fuzz-pool ${name}: ${outcome.requests} requests tried (${control} to control endpoints, ${outcome.clientErrors.length} connection errors, ${outcome.retried} answered on a retry); statuses ${statuses}`;
}
describe('fuzzing a whole pool', () => {
    let pool;
    let gateway;
    let manager;
    before(async () => {
        const dataDir = mkdtempSync(join(tmpdir(), 'cachepool-fuzz-pool-'));
        pool = await startCachepool([
            'start',
            '--port',
            '0',
            '--gateway-port',
            '0',
            '--nodes',
            '2',
            '--token',
            TOKEN,
            '--data-dir',
            dataDir,
        ], {
            roles: ['manager', 'gateway'],
            timeoutMs: 30_000,
        });
        gateway = pool.urls.get('gateway');
        manager = pool.urls.get('manager');
        for (const seed of SEEDS)
            assert.equal((await postForm(`${gateway}/api/cache/content`, seed)).status, 200);
    });
    after(stopAll);
    test('gateway and manager: no 5xx, no control call succeeds without the token, every process lives, seeded data intact', async () => {
        const pids = [
            pool.child.pid,
            ...pool.lines
                .filter((l) => l.msg === 'node started' && typeof l.node_pid === 'number')
                .map((l) => l.node_pid),
        ];
        assert.equal(pids.length, 3, 'the manager and two node pids');
        const rssBefore = await Promise.all(pids.map(rssBytesOf));
        const sizeBefore = (await send(`${manager}/api/manager/poolsize`)).json.content.size;
        const controlCalls = { gateway: 0, manager: 0 };
        // Control calls refused for another reason than the token (their body was read first).
        const refusedBeforeAuth = { gateway: 0, manager: 0 };
        const checkWith = (name, control) => (request, status, body) => {
            assert.ok(status < 500, `${name}: ${request.method} ${request.path.slice(0, 200)} answered ${status}: ${body.slice(0, 300)}`);
            if (control.has(routeOf(request.method, request.path))) {
                controlCalls[name]++;
                assert.ok(status >= 400, `${name}: control ${request.method} ${request.path} succeeded without the token: ${status}`);
                if (status !== 401 && status !== 403)
                    refusedBeforeAuth[name]++;
            }
        };
        const [onGateway, onManager] = await Promise.all([
            runFuzz({
                url: gateway,
                arbitrary: requestArb(GATEWAY_ROUTES, WRONG_TOKENS),
                concurrency: 4,
                maxRequests: 2_000,
                timeLimitMs: 35_000,
                bodyLimitBytes: 32 * 2 ** 20,
                check: checkWith('gateway', GATEWAY_CONTROL),
            }),
            runFuzz({
                url: manager,
                arbitrary: requestArb(MANAGER_ROUTES, WRONG_TOKENS),
                concurrency: 4,
                maxRequests: 1_500,
                timeLimitMs: 35_000,
                bodyLimitBytes: 32 * 2 ** 20,
                check: checkWith('manager', MANAGER_CONTROL),
            }),
        ]);
        console.log(summary('gateway', onGateway, controlCalls.gateway), `; control refused before the token check: ${refusedBeforeAuth.gateway}`);
        console.log(summary('manager', onManager, controlCalls.manager), `; control refused before the token check: ${refusedBeforeAuth.manager}`);
        for (const outcome of [onGateway, onManager]) {
            assert.deepEqual(outcome.clientErrors.map((e) => `${e.request.method} ${e.request.path.slice(0, 100)}: ${e.error}`), []);
        }
        assert.ok(onGateway.requests >= 300 && onManager.requests >= 300);
        for (const pid of pids)
            assert.ok(isAlive(pid), `process ${pid} died`);
        const rssAfter = await Promise.all(pids.map(rssBytesOf));
        console.log(`fuzz-pool: RSS MB before ${rssBefore.map((b) => Math.round(b / 2 ** 20)).join('/')}, after ${rssAfter.map((b) => Math.round(b / 2 ** 20)).join('/')} (manager/nodes)`);
        for (const rss of rssAfter)
            assert.ok(rss < 500 * 2 ** 20, `RSS grew to ${rss} bytes`);
        assert.equal((await send(`${manager}/api/manager/poolsize`)).json.content.size, sizeBefore);
        for (const seed of SEEDS) {
            const got = await postForm(`${gateway}/api/cache/key`, { key: seed.key });
            assert.equal(got.status, 200, `${seed.key}: ${got.text}`);
            assert.equal(got.json.content, seed.value);
        }
    });
});
//# sourceMappingURL=fuzz-pool.test.js.map