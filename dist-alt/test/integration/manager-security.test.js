/**
 * A whole pool started with a token from `--token-file` and `--protect-data`: the token reaches
 * each local node through its environment (never its command line, as `ps` would show it), the
 * nodes refuse data calls without it, the gateway and the manager reach them with it, the
 * manager refuses an unauthenticated control call before reading its body, a busy resize is a
 * 409, and `GET /api/manager/nodes` gives each local node's process id. Also the start-up
 * refusals of `start` for a bad `--token-file` or `--protect-data` without a token.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pollUntil, postForm, postJson, send } from '../helpers/http.js';
import { startPool } from '../helpers/pool.js';
import { CLI, stopAll } from '../helpers/process.js';
const TOKEN = 'manager-security-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };
/** The NUL-separated strings of /proc/<pid>/<file> (`cmdline` or `environ`). */
function procStrings(pid, file) {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8')
        .split('\0')
        .filter((s) => s !== '');
}
describe('a pool started with --token-file and --protect-data', () => {
    let pool;
    let manager;
    let gateway;
    let dir;
    before(async () => {
        dir = mkdtempSync(join(tmpdir(), 'cachepool-mgr-security-'));
        const tokenFile = join(dir, 'token');
        // Written as `echo` would: the trailing newline is trimmed.
        writeFileSync(tokenFile, `${TOKEN}\n`);
        ({
            process: pool,
            manager,
            gateway,
        } = await startPool([
            '--nodes',
            '2',
            '--max',
            '3',
            '--move-chunk-keys',
            '5',
            '--token-file',
            tokenFile,
            '--protect-data',
        ], { dataDir: join(dir, 'data') }));
    });
    after(stopAll);
    it('hands each local node the token and --protect-data in its environment, never its argv', () => {
        const started = pool.lines.filter((line) => line.msg === 'node started');
        assert.equal(started.length, 2);
        for (const line of started) {
            const pid = line.node_pid;
            const argv = procStrings(pid, 'cmdline');
            assert.ok(argv.includes('node') && argv.includes('--index'), `not a node's argv: ${argv.join(' ')}`);
            assert.ok(!argv.some((arg) => arg.includes(TOKEN)), `the token is in argv: ${argv.join(' ')}`);
            assert.ok(!argv.some((arg) => arg.startsWith('--token')), `a token option is in argv: ${argv.join(' ')}`);
            const env = procStrings(pid, 'environ');
            assert.ok(env.includes(`CACHEPOOL_TOKEN=${TOKEN}`));
            assert.ok(env.includes('CACHEPOOL_PROTECT_DATA=1'));
            // The manager's own settings stay with the manager.
            assert.ok(!env.some((entry) => entry.startsWith('CACHEPOOL_TOKEN_FILE=')));
        }
    });
    it('lists each local node with the process id the provisioner started', async () => {
        const rows = (await send(`${manager}/api/manager/nodes`)).json.content.nodes;
        assert.equal(rows.length, 2);
        for (const row of rows) {
            const started = pool.lines.find((line) => line.msg === 'node started' && line.address === row.address);
            assert.ok(started, `no start line for ${row.address}`);
            assert.equal(row.pid, started.node_pid);
            assert.equal(typeof row.pid, 'number');
        }
    });
    it('serves gets and puts through the gateway with the token; a node refuses them without it', async () => {
        const keys = Array.from({ length: 40 }, (_, i) => `sec-${i}`);
        for (const key of keys) {
            const put = await postForm(`${gateway}/api/cache/content`, { key, value: `v-${key}` }, { headers: auth });
            assert.equal(put.status, 200, put.text);
        }
        for (const key of keys) {
            const got = await postForm(`${gateway}/api/cache/key`, { key }, { headers: auth });
            assert.equal(got.json?.content, `v-${key}`);
        }
        const v1 = await send(`${gateway}/v1/keys/sec-0`, { headers: auth });
        assert.equal(v1.status, 200);
        assert.equal(v1.text, 'v-sec-0');
        const list = (await send(`${manager}/api/manager/pool_node_list`)).json.content
            .node_ip_list;
        let held = 0;
        for (const address of list) {
            const direct = await postForm(`http://${address}/api/cache/key`, { key: 'sec-0' });
            assert.equal(direct.status, 401);
            assert.equal(direct.json.error.code, 401);
            const put = await postForm(`http://${address}/api/cache/content`, {
                key: 'intruder',
                value: 'x',
            });
            assert.equal(put.status, 401);
            const wrong = await send(`http://${address}/keys`, {
                headers: { authorization: 'Bearer not-the-token' },
            });
            assert.equal(wrong.status, 403);
            const mine = (await send(`http://${address}/keys`, { headers: auth })).json;
            assert.ok(!mine.includes('intruder'));
            held += mine.length;
        }
        assert.equal(held, keys.length);
    });
    it('refuses gets and puts through the gateway without the token, on the fast path too', async () => {
        const wrong = { authorization: 'Bearer not-the-token' };
        // Form and JSON bodies of a known length are what the fast path takes: it must refuse them
        // (fall through to the guard) just as Fastify's routes do.
        for (const headers of [{}, wrong]) {
            const expected = 'authorization' in headers ? 403 : 401;
            const got = await postForm(`${gateway}/api/cache/key`, { key: 'sec-0' }, { headers });
            assert.equal(got.status, expected, got.text);
            assert.equal(got.json.error.code, expected);
            assert.equal(got.text.includes('v-sec-0'), false);
            const put = await postForm(`${gateway}/api/cache/content`, { key: 'sec-x', value: 'x' }, { headers });
            assert.equal(put.status, expected, put.text);
            const json = await postJson(`${gateway}/api/cache/content`, { key: 'sec-y', value: 'y' }, {
                headers,
            });
            assert.equal(json.status, expected, json.text);
            const removed = await send(`${gateway}/api/cache/key`, {
                method: 'DELETE',
                headers: { 'content-type': 'application/json', ...headers },
                body: JSON.stringify({ key: 'sec-1' }),
            });
            assert.equal(removed.status, expected, removed.text);
            assert.equal((await send(`${gateway}/v1/keys/sec-0`, { headers })).status, expected);
            const v1put = await send(`${gateway}/v1/keys/sec-z`, { method: 'PUT', headers, body: 'z' });
            assert.equal(v1put.status, expected);
            assert.equal((await send(`${gateway}/keys`, { headers })).status, expected);
        }
        // Nothing changed: the refused puts stored nothing and the refused delete removed nothing.
        for (const key of ['sec-x', 'sec-y', 'sec-z']) {
            const got = await postForm(`${gateway}/api/cache/key`, { key }, { headers: auth });
            assert.equal(got.json?.error?.message, 'Unknown key', `${key}: ${got.text}`);
        }
        const kept = await postForm(`${gateway}/api/cache/key`, { key: 'sec-1' }, { headers: auth });
        assert.equal(kept.json?.content, 'v-sec-1');
    });
    it('refuses an unauthenticated control call with 401 before reading its malformed body', async () => {
        const bodies = [
            { 'content-type': 'application/json', body: '{"change": "incr' },
            { 'content-type': 'application/x-unknown', body: 'x' },
            { 'content-type': 'multipart/form-data; boundary=zz', body: '--zz\r\ncut' },
        ];
        for (const path of [
            '/api/manager/poolsize/manual',
            '/api/manager/cache/config',
            '/api/manager/poolsize/automatic',
        ]) {
            for (const { body, ...headers } of bodies) {
                const answer = await send(`${manager}${path}`, { method: 'POST', headers, body });
                assert.equal(answer.status, 401, `${path} ${headers['content-type']}: ${answer.text}`);
                assert.equal(answer.json.error.code, 401);
            }
        }
        const wrong = await send(`${manager}/api/manager/poolsize/manual`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: 'Bearer wrong' },
            body: '{',
        });
        assert.equal(wrong.status, 403);
        // With the token, the same malformed body is what is refused.
        const malformed = await send(`${manager}/api/manager/poolsize/manual`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...auth },
            body: '{',
        });
        assert.equal(malformed.status, 400);
        assert.equal((await send(`${manager}/api/manager/poolsize`)).json.content.size, 2);
    });
    it('answers a second resize while one runs with 409, and the finished one has outcome done', async () => {
        const increase = () => postForm(`${manager}/api/manager/poolsize/manual`, { change: 'increase' }, { headers: auth, timeoutMs: 60_000 });
        const [first, second] = await Promise.all([increase(), increase()]);
        const statuses = [first.status, second.status].sort();
        assert.deepEqual(statuses, [200, 409], `${first.text} / ${second.text}`);
        const refused = first.status === 409 ? first : second;
        assert.deepEqual(refused.json, {
            success: 'false',
            error: { code: 409, message: 'a resize is already running; retry when it has finished' },
        });
        const migration = await pollUntil(async () => {
            const m = (await send(`${manager}/api/manager/migration`)).json.content.migration;
            return m && !m.running ? m : undefined;
        });
        assert.equal(migration.outcome, 'done');
        assert.equal(migration.to_size, 3);
        // The new node got the token and --protect-data too, and its pid is listed.
        const rows = (await send(`${manager}/api/manager/nodes`)).json.content.nodes;
        assert.equal(rows.length, 3);
        for (const row of rows) {
            assert.equal(typeof row.pid, 'number');
            assert.ok(procStrings(row.pid, 'environ').includes('CACHEPOOL_PROTECT_DATA=1'));
            assert.equal((await postForm(`http://${row.address}/api/cache/key`, { key: 'sec-1' })).status, 401);
        }
        // Every key is still served after the move.
        for (let i = 0; i < 40; i++) {
            const got = await postForm(`${gateway}/api/cache/key`, { key: `sec-${i}` }, { headers: auth });
            assert.equal(got.json?.content, `v-sec-${i}`);
        }
    });
});
describe('cachepool start refuses a bad token setup at once', () => {
    const run = (args, env = {}) => spawnSync(process.execPath, [CLI, 'start', '--port', '0', '--gateway-port', '0', ...args], {
        encoding: 'utf8',
        timeout: 15_000,
        env: { ...process.env, ...env },
    });
    it('names --token-file when the file is missing, empty or given with --token', () => {
        const dir = mkdtempSync(join(tmpdir(), 'cachepool-start-token-'));
        const missing = run(['--token-file', join(dir, 'absent'), '--data-dir', join(dir, 'd1')]);
        assert.equal(missing.status, 1);
        assert.match(missing.stderr, /--token-file must name an existing file, got ".*absent"/);
        const empty = join(dir, 'empty');
        writeFileSync(empty, '  \n');
        const blank = run(['--token-file', empty, '--data-dir', join(dir, 'd2')]);
        assert.equal(blank.status, 1);
        assert.match(blank.stderr, /--token-file must hold the token, the file is empty/);
        const file = join(dir, 'token');
        writeFileSync(file, TOKEN);
        const both = run(['--token-file', file, '--data-dir', join(dir, 'd3')], {
            CACHEPOOL_TOKEN: TOKEN,
        });
        assert.equal(both.status, 1);
        assert.match(both.stderr, /--token-file cannot be combined with --token/);
        assert.ok(!both.stderr.includes(TOKEN), 'the token was echoed');
    });
    it('names --protect-data when no token is given', () => {
        const dir = mkdtempSync(join(tmpdir(), 'cachepool-start-protect-'));
        const result = run(['--protect-data', '--data-dir', dir]);
        assert.equal(result.status, 1);
        assert.match(result.stderr, /--protect-data needs a token \(--token or --token-file\)/);
    });
});
//# sourceMappingURL=manager-security.test.js.map