/**
 * The five-line example of README.md runs as written against a real pool: the block is taken
 * from the README, saved inside the package (so `import … from 'cachepool'` resolves to this
 * package through its exports map, as it does for an application that installed it) and run by
 * node with CACHEPOOL_MANAGER pointing at the pool. docs/client.md shows the same block. The
 * same pool serves `cachepool get/set/del`, which go through the client.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startPool } from '../helpers/pool.js';
import { CLI } from '../helpers/process.js';
import { stopAll } from '../helpers/process.js';
after(stopAll);
const root = fileURLToPath(new URL('../../../', import.meta.url));
function tsBlock(file) {
    const text = readFileSync(join(root, file), 'utf8');
    const match = /```ts\n([\s\S]*?)```/.exec(text);
    assert.ok(match, `${file} has a ts code block`);
    return match[1];
}
const run = promisify(execFile);
describe('the README example and the key commands', { timeout: 90_000 }, () => {
    let pool;
    before(async () => {
        pool = await startPool(['--nodes', '2']);
    });
    it('runs as written and prints the value it stored', async () => {
        const example = tsBlock('README.md');
        assert.equal(tsBlock('docs/client.md'), example, 'docs/client.md shows the same example');
        assert.ok(example
            .trim()
            .split('\n')
            .filter((line) => line.trim() !== '').length <= 6);
        const file = join(root, 'dist', `readme-example-${process.pid}.mjs`);
        writeFileSync(file, example);
        try {
            const { stdout } = await run(process.execPath, [file], {
                env: { ...process.env, CACHEPOOL_MANAGER: pool.manager },
                timeout: 30_000,
            });
            assert.equal(stdout, 'hello\n');
        }
        finally {
            rmSync(file, { force: true });
        }
    });
    it('cachepool set, get and del reach the pool through the client', async () => {
        const cli = (...args) => run(process.execPath, [CLI, ...args], { timeout: 30_000, encoding: 'buffer' }).then(({ stdout, stderr }) => ({ code: 0, stdout, stderr: stderr.toString() }), (error) => ({
            code: error.code,
            stdout: error.stdout,
            stderr: error.stderr.toString(),
        }));
        const manager = ['--manager', pool.manager];
        assert.equal((await cli('set', 'cli-key', 'cli value', '--ttl', '60', ...manager)).code, 0);
        const got = await cli('get', 'cli-key', '--gateway', pool.gateway);
        assert.equal(got.code, 0, got.stderr);
        assert.equal(got.stdout.toString(), 'cli value');
        const bytes = Buffer.from([0, 1, 2, 250, 255]);
        const file = join(root, 'dist', `cli-value-${process.pid}.bin`);
        writeFileSync(file, bytes);
        try {
            assert.equal((await cli('set', 'cli-bin', '--file', file, ...manager)).code, 0);
        }
        finally {
            rmSync(file, { force: true });
        }
        assert.deepEqual((await cli('get', 'cli-bin', ...manager)).stdout, bytes);
        assert.equal((await cli('del', 'cli-key', ...manager)).code, 0);
        const miss = await cli('get', 'cli-key', ...manager);
        assert.equal(miss.code, 1);
        assert.match(miss.stderr, /"cli-key" is not in the pool/);
        const badTtl = await cli('set', 'cli-key', 'v', '--ttl', '-5', ...manager);
        assert.notEqual(badTtl.code, 0);
        assert.match(badTtl.stderr, /--ttl must be an integer from 1 to 31536000/);
        const both = await cli('set', 'cli-key', 'v', '--file', '/dev/null', ...manager);
        assert.equal(both.code, 1);
        assert.match(both.stderr, /VALUE or --file exactly one must be given/);
        assert.equal((await cli('get', 'cli-key', ...manager)).code, 1, 'nothing was stored');
    });
});
//# sourceMappingURL=client-readme.test.js.map