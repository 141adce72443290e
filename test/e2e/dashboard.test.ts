/**
 * The dashboard in a real headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core; no browser is ever downloaded) against a real pool started by
 * `cachepool start`: node count, grow, charts with data points, the cache config form, an API
 * error shown to the user, and a screenshot in test-artifacts/dashboard.png.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { runLoad } from '../../src/load/index.js';
import { content } from '../helpers/http.js';
import { startPool } from '../helpers/pool.js';
import { startCachepool, stopAll } from '../helpers/process.js';
import { removeTempDirs, tempDir } from '../helpers/temp-dir.js';

const CHROMIUM = '/usr/bin/chromium';
const skipWithoutChromium =
  !existsSync(CHROMIUM) &&
  `${CHROMIUM} is missing: install the Debian package chromium (apt-get install -y chromium)`;
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));
const WAIT_MS = 30_000;
let context: BrowserContext | undefined;

after(async () => {
  await context?.close().catch(() => {});
  await stopAll();
  removeTempDirs();
});

/** The content of a manager's answer, which must come within 5 s. */
function getContent<T>(url: string): Promise<T> {
  return content<T>(url, { timeoutMs: 5_000 });
}

/** Launches Debian's Chromium headless with a fresh profile; closed by the `after` hook. */
async function openBrowser(): Promise<Page> {
  await context?.close().catch(() => {});
  context = await chromium.launchPersistentContext(tempDir('cachepool-e2e-chromium-'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 1400 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return context.pages()[0] ?? (await context.newPage());
}

async function text(page: Page, testId: string): Promise<string> {
  return ((await page.getByTestId(testId).textContent()) ?? '').trim();
}

test(
  'the dashboard shows the pool, grows it, charts the load and changes the cache config',
  { skip: skipWithoutChromium },
  async () => {
    const { manager, gateway } = await startPool(['--nodes', '1'], {
      dataDir: tempDir('cachepool-e2e-data-'),
    });

    // A little load first, so that the charts have points to draw.
    const load = await runLoad({
      gateway,
      rate: 80,
      keys: 60,
      readRatio: 0.7,
      durationS: 2,
      valueBytes: 300,
    });
    assert.equal(load.errors, 0, load.firstError ?? '');

    const page = await openBrowser();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.setDefaultTimeout(WAIT_MS);

    await page.goto(`${manager}/`, { timeout: WAIT_MS });
    await page.waitForFunction(() => Number(document.body.dataset.refreshes ?? 0) >= 1);
    assert.equal(await text(page, 'pool-size'), '1');
    assert.equal(await page.getByTestId('node-row').count(), 1);
    assert.equal(await page.getByTestId('error').isHidden(), true, await text(page, 'error'));

    // Grow: the count and the table follow.
    await page.getByTestId('grow').click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="pool-size"]')?.textContent?.trim() === '2',
    );
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="node-row"]').length === 2,
    );
    assert.equal((await getContent<{ size: number }>(`${manager}/api/manager/poolsize`)).size, 2);
    assert.match(await text(page, 'notice'), /grown to 2 nodes/);

    // Charts: the minute of the load has points (pushed every second by the nodes).
    for (const chart of ['chart-nodes', 'chart-requests', 'chart-items', 'chart-rates']) {
      await page.waitForFunction(
        (id) =>
          Number(
            document.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-points') ?? 0,
          ) >= 1,
        chart,
      );
      assert.equal(await page.getByTestId(chart).locator('canvas').count(), 1);
    }
    const stats = await getContent<{ number_of_requests_served_per_minute: [number, number][] }>(
      `${manager}/api/manager/aggregate_stats?minutes=30`,
    );
    assert.ok(
      stats.number_of_requests_served_per_minute.some(([, v]) => v > 0),
      'the pool counted the load',
    );

    // The cache config form applies to the pool.
    await page.getByTestId('cache-capacity').fill('32');
    await page.getByTestId('cache-policy').fill('rr');
    await page.getByTestId('cache-apply').click();
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="cache-config-current"]')?.textContent === '32 MB, rr',
    );
    const config = await getContent<{ capacity: number; replacement_policy: string }>(
      `${manager}/api/manager/cache/config`,
    );
    assert.deepEqual(
      { capacity: config.capacity, policy: config.replacement_policy },
      { capacity: 32, policy: 'rr' },
    );

    // A refused change shows the manager's message and changes nothing.
    await page.getByTestId('cache-policy').fill('bogus');
    await page.getByTestId('cache-apply').click();
    await page.getByTestId('error').waitFor({ state: 'visible' });
    assert.match(await text(page, 'error'), /replacement_policy/);
    assert.equal(
      (await getContent<{ replacement_policy: string }>(`${manager}/api/manager/cache/config`))
        .replacement_policy,
      'rr',
    );

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    assert.deepEqual(pageErrors, []);
  },
);

test(
  'on a pool with a token the dashboard reads freely and asks for the token before a change',
  { skip: skipWithoutChromium },
  async () => {
    const token = 'e2e-token-1234';
    const pool = await startCachepool(
      ['start', '--port', '0', '--gateway-port', '0', '--stats-interval', '1', '--nodes', '1'],
      {
        roles: ['manager', 'gateway'],
        timeoutMs: 30_000,
        env: { CACHEPOOL_TOKEN: token, CACHEPOOL_DATA_DIR: tempDir('cachepool-e2e-token-') },
      },
    );
    const manager = pool.urls.get('manager')!;
    const page = await openBrowser();
    page.setDefaultTimeout(WAIT_MS);
    const prompts: string[] = [];
    page.on('dialog', (dialog) => {
      prompts.push(dialog.message());
      void dialog.accept(token);
    });

    await page.goto(`${manager}/`, { timeout: WAIT_MS });
    await page.waitForFunction(() => Number(document.body.dataset.refreshes ?? 0) >= 1);
    assert.equal(await text(page, 'pool-size'), '1');

    await page.getByTestId('grow').click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="pool-size"]')?.textContent?.trim() === '2',
    );
    assert.equal(prompts.length, 1, 'asked for the token once');
    assert.match(prompts[0]!, /token/);
    assert.equal((await getContent<{ size: number }>(`${manager}/api/manager/poolsize`)).size, 2);

    // The token is kept for the tab: a second change does not ask again.
    await page.getByTestId('shrink').click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="pool-size"]')?.textContent?.trim() === '1',
    );
    assert.equal(prompts.length, 1);
  },
);
