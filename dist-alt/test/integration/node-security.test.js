import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { postForm, postJson, send } from '../helpers/http.js';
import { CLI, startCachepool, stopAll } from '../helpers/process.js';
const run = (args, env = {}) => spawnSync(process.execPath, [CLI, 'node', '--port', '0', ...args], {
    encoding: 'utf8',
    timeout: 15_000,
    env: { ...process.env, ...env },
});
describe('cachepool node: token and start-up refusals', () => {
    after(stopAll);
    const dir = mkdtempSync(join(tmpdir(), 'cachepool-node-security-'));
    test('--token-file is read once and trimmed; the control plane needs that token', async () => {
        const file = join(dir, 'token');
        writeFileSync(file, 'file-token-0123456789abcdef\n');
        const proc = await startCachepool(['node', '--port', '0', '--token-file', file]);
        const url = proc.urls.get('node');
        // Rewriting the file later changes nothing: it was read at start.
        writeFileSync(file, 'another-token-entirely-xyz\n');
        assert.equal((await send(`${url}/api/cache`, { method: 'DELETE' })).status, 401);
        assert.equal((await send(`${url}/api/cache`, {
            method: 'DELETE',
            headers: { authorization: 'Bearer another-token-entirely-xyz' },
        })).status, 403);
        assert.equal((await send(`${url}/api/cache`, {
            method: 'DELETE',
            headers: { authorization: 'Bearer file-token-0123456789abcdef' },
        })).status, 200);
        assert.ok(!proc.lines.some((l) => String(l.msg).startsWith('no --token')));
        await proc.stop();
    });
    test('CACHEPOOL_TOKEN_FILE works like --token-file', async () => {
        const file = join(dir, 'env-token');
        writeFileSync(file, 'env-file-token-0123456789');
        const proc = await startCachepool(['node', '--port', '0'], {
            env: { CACHEPOOL_TOKEN_FILE: file },
        });
        const url = proc.urls.get('node');
        assert.equal((await postForm(`${url}/api/cache/set_num_hit`, { num_hit: 1 })).status, 401);
        assert.equal((await postForm(`${url}/api/cache/set_num_hit`, { num_hit: 1 }, { headers: { authorization: 'Bearer env-file-token-0123456789' } })).status, 200);
        await proc.stop();
    });
    test('a missing or empty token file, or a token given twice, stops the start with a clear message', () => {
        const missing = run(['--token-file', join(dir, 'absent')]);
        assert.equal(missing.status, 1);
        assert.match(missing.stderr, /--token-file must name an existing file, got ".*absent"/);
        const empty = join(dir, 'empty');
        writeFileSync(empty, '\n');
        const blank = run(['--token-file', empty]);
        assert.equal(blank.status, 1);
        assert.match(blank.stderr, /--token-file must hold the token, the file is empty/);
        const both = run(['--token-file', empty], { CACHEPOOL_TOKEN: 'abc' });
        assert.equal(both.status, 1);
        assert.match(both.stderr, /--token-file cannot be combined with --token/);
    });
    test('--protect-data without a token is refused at start', () => {
        const result = run(['--protect-data']);
        assert.equal(result.status, 1);
        assert.match(result.stderr, /--protect-data needs a token/);
    });
    test('a non-loopback host is refused without a token, even with a token file that is empty', () => {
        const result = run(['--host', '0.0.0.0']);
        assert.equal(result.status, 1);
        assert.match(result.stdout, /--host may name a non-loopback address only with --token/);
    });
    test('without a token the node binds loopback and says its control endpoints are open', async () => {
        const proc = await startCachepool(['node', '--port', '0']);
        assert.match(proc.urls.get('node'), /^http:\/\/127\.0\.0\.1:\d+$/);
        const warning = await proc.waitForLine((l) => l.msg === 'no --token: the control endpoints are open to local processes');
        assert.equal(warning.level, 40);
        await proc.stop();
    });
    test('with --protect-data, data endpoints of a live node need the token too', async () => {
        const proc = await startCachepool([
            'node',
            '--port',
            '0',
            '--token',
            'live-token-0123456789ab',
            '--protect-data',
        ]);
        const url = proc.urls.get('node');
        assert.equal((await postForm(`${url}/api/cache/content`, { key: 'k', value: 'v' })).status, 401);
        assert.equal((await send(`${url}/v1/keys/k`)).status, 401);
        const headers = { authorization: 'Bearer live-token-0123456789ab' };
        assert.equal((await postForm(`${url}/api/cache/content`, { key: 'k', value: 'v' }, { headers })).status, 200);
        assert.equal((await send(`${url}/v1/keys/k`, { headers })).text, 'v');
        await proc.stop();
    });
    test('a live node never makes a call to a manager other than its own', async () => {
        const proc = await startCachepool([
            'node',
            '--port',
            '0',
            '--token',
            'live-token-0123456789ab',
            '--manager',
            'http://127.0.0.1:9',
        ]);
        const url = proc.urls.get('node');
        const headers = { authorization: 'Bearer live-token-0123456789ab' };
        const res = await postJson(`${url}/api/cache/move_keys`, { manager: '127.0.0.1:10', dest: {} }, { headers });
        assert.equal(res.status, 400);
        assert.equal(res.json.error.message, '127.0.0.1:10 is not an allowed manager: this node reports only to its --manager 127.0.0.1:9');
        const warned = await proc.waitForLine((l) => l.msg === 'move_keys refused');
        assert.match(String(warned.reason), /127\.0\.0\.1:10/);
        await proc.stop();
    });
});
//# sourceMappingURL=node-security.test.js.map