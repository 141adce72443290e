#!/usr/bin/env node
// Runs every compiled test file under dist/test with node's test runner. Node 20 does not expand
// globs itself, so the list is built here; an empty list is a failure, never a silent pass.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('../dist/test/', import.meta.url).pathname;
const sources = new URL('../test/', import.meta.url).pathname;
const filter = process.argv.slice(2);
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    // Only tests whose source still exists: a deleted test's old build must not keep running.
    else if (
      name.endsWith('.test.js') &&
      existsSync(join(sources, path.slice(root.length)).replace(/\.js$/, '.ts'))
    )
      files.push(path);
  }
}
walk(root);
// A filter matches the path under the project (`test/unit/node/…`), never the checkout's own
// directory: a checkout in /work/wt-store must not select every test for `store`.
const underProject = (f) => `test/${f.slice(root.length)}`;
const selected = filter.length
  ? files.filter((f) => filter.some((x) => underProject(f).includes(x)))
  : files;
if (selected.length === 0) {
  console.error(`no test files found under ${root}${filter.length ? ` matching ${filter}` : ''}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=240000', ...selected],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
