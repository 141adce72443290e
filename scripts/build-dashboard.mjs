#!/usr/bin/env node
// Builds the dashboard into dist/dashboard/: index.html, and under assets/ the page script (the
// TypeScript client bundled with uPlot by esbuild, no CDN), uPlot's CSS and the page's CSS.
// Exits non-zero on any failure so that `npm run build` fails with it.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'dashboard');
const assets = join(out, 'assets');
const require = createRequire(import.meta.url);

try {
  const started = Date.now();
  rmSync(out, { recursive: true, force: true });
  mkdirSync(assets, { recursive: true });
  await build({
    entryPoints: [join(root, 'src', 'dashboard', 'client', 'main.ts')],
    outfile: join(assets, 'dashboard.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  const uplotCss = join(dirname(require.resolve('uplot')), 'uPlot.min.css');
  copyFileSync(uplotCss, join(assets, 'uPlot.min.css'));
  copyFileSync(
    join(root, 'src', 'dashboard', 'static', 'dashboard.css'),
    join(assets, 'dashboard.css'),
  );
  copyFileSync(join(root, 'src', 'dashboard', 'static', 'index.html'), join(out, 'index.html'));
  console.log(`dashboard built into ${out} in ${Date.now() - started} ms`);
} catch (error) {
  console.error(
    `dashboard build failed: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
}
