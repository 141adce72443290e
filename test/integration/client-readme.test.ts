/**
 * The five-line example of README.md runs as written against a real pool: the block is taken
 * from the README, saved inside the package (so `import … from 'cachepool'` resolves to this
 * package through its exports map, as it does for an application that installed it) and run by
 * node with CACHEPOOL_MANAGER pointing at the pool. docs/client.md shows the same block.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { startPool } from '../helpers/pool.js';
import { stopAll } from '../helpers/process.js';

after(stopAll);

const root = fileURLToPath(new URL('../../../', import.meta.url));

function tsBlock(file: string): string {
  const text = readFileSync(join(root, file), 'utf8');
  const match = /```ts\n([\s\S]*?)```/.exec(text);
  assert.ok(match, `${file} has a ts code block`);
  return match[1]!;
}

describe('the README example', { timeout: 60_000 }, () => {
  it('runs as written and prints the value it stored', async () => {
    const example = tsBlock('README.md');
    assert.equal(tsBlock('docs/client.md'), example, 'docs/client.md shows the same example');
    assert.ok(
      example
        .trim()
        .split('\n')
        .filter((line) => line.trim() !== '').length <= 6,
    );
    const pool = await startPool(['--nodes', '2']);
    const file = join(root, 'dist', `readme-example-${process.pid}.mjs`);
    writeFileSync(file, example);
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [file], {
        env: { ...process.env, CACHEPOOL_MANAGER: pool.manager },
        timeout: 30_000,
      });
      assert.equal(stdout, 'hello\n');
    } finally {
      rmSync(file, { force: true });
    }
  });
});
