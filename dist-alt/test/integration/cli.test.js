/**
 * The `cachepool` command as a person meets it: each mistake answers in one line (and where the
 * help is), `--version`, the policies in `start --help`, a data directory that cannot be made,
 * a busy port (issue 10 item 7: the nodes already started are stopped, none is left running),
 * a corrupt manager database (issue 9 item 5), and what `start` tells a terminal.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { CLI } from '../helpers/process.js';
import { removeTempDirs, tempDir } from '../helpers/temp-dir.js';
after(removeTempDirs);
/** Runs `cachepool <args>` to its exit (SIGKILL after `timeoutMs`, which fails the run). */
async function run(args, env = {}, timeoutMs = 30_000) {
    const child = spawn(process.execPath, [CLI, ...args], {
        env: { ...process.env, CACHEPOOL_LOG_FORMAT: '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const [status, signal] = (await once(child, 'exit'));
    clearTimeout(timer);
    assert.equal(signal, null, `cachepool ${args.join(' ')} did not exit by itself: ${stderr}`);
    return { status, stdout, stderr };
}
/** The non-empty lines of `text`. */
const linesOf = (text) => text.split('\n').filter((l) => l.trim() !== '');
function isAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch {
        return false;
    }
}
/** The pids of the nodes that listened, from their log files under `<dataDir>/nodes`. */
function nodePids(dataDir) {
    const dir = join(dataDir, 'nodes');
    const pids = [];
    for (const name of readdirSync(dir)) {
        for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
            if (!line.startsWith('{'))
                continue;
            const record = JSON.parse(line);
            if (record.msg === 'listening' && typeof record.pid === 'number')
                pids.push(record.pid);
        }
    }
    return pids;
}
describe('usage mistakes answer in one line', () => {
    test('a bad option prints what is wrong and where the help is, not the whole help', async () => {
        for (const [command, args] of [
            ['start', ['--capacity', 'abc']],
            ['node', ['--policy', 'fifo']],
            ['load', ['--rate', '0']],
            ['start', ['--no-such-option']],
        ]) {
            const result = await run([command, ...args]);
            assert.equal(result.status, 1);
            const lines = linesOf(result.stderr);
            assert.equal(lines.length, 2, result.stderr);
            assert.match(lines[0], /^error: /);
            assert.equal(lines[1], `see 'cachepool ${command} --help'`);
        }
        const unknown = await run(['strat']);
        assert.equal(unknown.status, 1);
        assert.equal(linesOf(unknown.stderr).at(-1), "see 'cachepool --help'");
    });
    test('--version prints the package version', async () => {
        const version = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version;
        const result = await run(['--version']);
        assert.equal(result.status, 0);
        assert.equal(result.stdout.trim(), version);
    });
    test('start --help lists the policies, as node --help does', async () => {
        for (const command of ['start', 'node']) {
            const result = await run([command, '--help']);
            assert.equal(result.status, 0);
            // Help wraps to the terminal's width: compare with the white space folded.
            assert.match(result.stdout.replace(/\s+/g, ' '), /--policy <name> replacement policy[^(]*\(lru, rr, sieve, lfu\)/);
        }
    });
    test('start --data-dir under /proc refuses in one line instead of spinning', async () => {
        const result = await run([
            'start',
            '--port',
            '0',
            '--gateway-port',
            '0',
            '--data-dir',
            '/proc/x/y',
        ]);
        assert.equal(result.status, 1);
        assert.deepEqual(linesOf(result.stderr), [
            'cachepool: --data-dir must be a writable directory (cannot create /proc/x: ENOENT), got "/proc/x/y"',
        ]);
        const file = join(tempDir('cachepool-cli-file-'), 'plain');
        writeFileSync(file, 'x');
        const notDir = await run([
            'start',
            '--port',
            '0',
            '--gateway-port',
            '0',
            '--data-dir',
            join(file, 'sub'),
        ]);
        assert.equal(notDir.status, 1);
        assert.match(notDir.stderr, /--data-dir must be a writable directory \(.*plain is not a directory\)/);
    });
});
describe('a start that fails part-way', () => {
    test('issue 10 item 7: a busy gateway port stops the nodes already started and exits 1 in one line', async () => {
        const busy = createServer();
        busy.listen(0, '127.0.0.1');
        await once(busy, 'listening');
        const port = busy.address().port;
        const dataDir = tempDir('cachepool-cli-busy-');
        let pids = [];
        try {
            const result = await run([
                'start',
                '--port',
                '0',
                '--gateway-port',
                String(port),
                '--nodes',
                '2',
                '--data-dir',
                dataDir,
            ], { CACHEPOOL_STATS_INTERVAL: '1' }, 60_000);
            assert.equal(result.status, 1);
            assert.deepEqual(linesOf(result.stderr), [
                `cachepool: --gateway-port must name a free port (127.0.0.1:${port} is already in use), got ${port}`,
            ]);
            assert.doesNotMatch(result.stdout, /"stack"|\n\s+at /);
            pids = nodePids(dataDir);
            assert.equal(pids.length, 2, 'both nodes had started before the gateway failed');
            for (const pid of pids)
                assert.equal(isAlive(pid), false, `node ${pid} is still running`);
        }
        finally {
            for (const pid of pids)
                if (isAlive(pid))
                    process.kill(pid, 'SIGKILL');
            busy.close();
        }
    });
    test('a node on a busy port says so in one line', async () => {
        const busy = createServer();
        busy.listen(0, '127.0.0.1');
        await once(busy, 'listening');
        const port = busy.address().port;
        try {
            const result = await run(['node', '--port', String(port)]);
            assert.equal(result.status, 1);
            assert.deepEqual(linesOf(result.stderr), [
                `cachepool: --port must name a free port (127.0.0.1:${port} is already in use), got ${port}`,
            ]);
        }
        finally {
            busy.close();
        }
    });
    test('issue 9 item 5: a corrupt manager.sqlite is named in one line with what to do', async () => {
        // Random bytes, and a real database whose pages were overwritten.
        const random = tempDir('cachepool-cli-random-');
        writeFileSync(join(random, 'manager.sqlite'), Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919) % 251)));
        const damaged = tempDir('cachepool-cli-damaged-');
        const path = join(damaged, 'manager.sqlite');
        const db = new Database(path);
        db.exec('CREATE TABLE t (x TEXT); ');
        const insert = db.prepare('INSERT INTO t VALUES (?)');
        for (let i = 0; i < 400; i++)
            insert.run('x'.repeat(200));
        db.close();
        const bytes = readFileSync(path);
        bytes.fill(0xa5, 4096, bytes.length - 4096);
        writeFileSync(path, bytes);
        for (const dataDir of [random, damaged]) {
            const result = await run([
                'start',
                '--port',
                '0',
                '--gateway-port',
                '0',
                '--data-dir',
                dataDir,
            ]);
            assert.equal(result.status, 1);
            const lines = linesOf(result.stderr);
            assert.equal(lines.length, 1, result.stderr);
            assert.match(lines[0], /^cachepool: the manager's database .*manager\.sqlite is corrupt \(.+\): move it aside .* or restore it from a backup/);
            assert.doesNotMatch(result.stdout, /"stack"|\n\s+at /);
        }
    });
});
test('start tells a person where things are, with readable logs; JSON lines on a pipe otherwise', async () => {
    const dataDir = tempDir('cachepool-cli-banner-');
    // CACHEPOOL_LOG_FORMAT=pretty stands for a terminal here (stdout is a pipe in a test).
    const child = spawn(process.execPath, [CLI, 'start', '--port', '0', '--gateway-port', '0', '--data-dir', dataDir], { env: { ...process.env, CACHEPOOL_LOG_FORMAT: 'pretty' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const banner = new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner: ${stdout}`)), 30_000);
        child.stdout.setEncoding('utf8').on('data', (chunk) => {
            stdout += chunk;
            if (/stop\s+Ctrl-C/.test(stdout)) {
                clearTimeout(timer);
                resolve();
            }
        });
    });
    try {
        await banner;
    }
    finally {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
    }
    assert.match(stdout, /cachepool is running with 1 node\n/);
    assert.match(stdout, /dashboard\s+http:\/\/127\.0\.0\.1:\d+\/\n/);
    assert.match(stdout, /gateway\s+http:\/\/127\.0\.0\.1:\d+\n/);
    assert.ok(stdout.includes(`data dir     ${dataDir}\n`), stdout);
    assert.match(stdout, /stop\s+Ctrl-C, or kill \d+/);
    // The logs are pino-pretty's lines, not JSON.
    assert.match(stdout, /INFO.*listening/);
    assert.doesNotMatch(stdout, /^\{"level"/m);
});
//# sourceMappingURL=cli.test.js.map