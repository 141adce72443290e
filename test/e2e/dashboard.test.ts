/**
 * The dashboard in a real headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core; no browser is ever downloaded) against a real pool started by
 * `cachepool start`: node count, grow, charts with data points and legends, the cache config
 * form, an API error shown to the user, resize markers, a killed node in red, and screenshots
 * at 1400 and 420 px wide in test-artifacts/ (the page must not overflow at 420 px).
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
/** Node processes this test stopped (SIGSTOP): continued at the end so that they can exit. */
const stopped: number[] = [];

after(async () => {
  for (const pid of stopped) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // already gone
    }
  }
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

/**
 * Waits until the pool size shown is `size` and the resize this page asked for is answered (its
 * notice shown, grow and shrink enabled again). A timeout names what the page showed instead.
 */
async function waitForResize(page: Page, size: number): Promise<void> {
  try {
    await page.waitForFunction((wanted) => {
      const shown = (id: string) => document.querySelector(`[data-testid="${id}"]`);
      return (
        shown('pool-size')?.textContent?.trim() === String(wanted) &&
        new RegExp(`(grown|shrunk) to ${wanted} node`).test(shown('notice')?.textContent ?? '') &&
        !(shown('grow') as HTMLButtonElement).disabled &&
        !(shown('shrink') as HTMLButtonElement).disabled
      );
    }, size);
  } catch (error) {
    const seen = {
      size: await text(page, 'pool-size'),
      notice: await text(page, 'notice'),
      error: await text(page, 'error'),
      migration: await text(page, 'migration'),
    };
    throw new Error(`the page did not show a resize to ${size}: ${JSON.stringify(seen)}`, {
      cause: error,
    });
  }
}

/**
 * What is wrong with the resize labels the charts drew (each chart's `data-plot`, `data-labels`
 * and `data-dots`, in CSS pixels): a label outside its plot area, two labels that overlap, or a
 * label that touches a point (within 3 px of it); `drawn` says whether any label was drawn at all, so the check is not
 * vacuous.
 */
async function labelProblems(page: Page): Promise<{ charts: string[]; drawn: boolean }> {
  return page.evaluate(() => {
    const charts: string[] = [];
    let drawn = false;
    for (const chart of Array.from(document.querySelectorAll<HTMLElement>('.chart'))) {
      const id = chart.dataset.testid ?? '?';
      const [left, top, right, bottom] = JSON.parse(chart.dataset.plot ?? '[0,0,0,0]') as number[];
      const labels = JSON.parse(chart.dataset.labels ?? '[]') as number[][];
      const dots = JSON.parse(chart.dataset.dots ?? '[]') as number[][];
      drawn ||= labels.length > 0;
      labels.forEach(([l = 0, t = 0, r = 0, b = 0], i) => {
        for (const [l2 = 0, t2 = 0, r2 = 0, b2 = 0] of labels.slice(i + 1))
          if (l < r2 && l2 < r && t < b2 && t2 < b)
            charts.push(
              `${id}: labels [${l}, ${t}, ${r}, ${b}] and [${l2}, ${t2}, ${r2}, ${b2}] overlap`,
            );
      });
      for (const [l = 0, t = 0, r = 0, b = 0] of labels) {
        if (l < left! || r > right! || t < top! || b > bottom!)
          charts.push(
            `${id}: label [${l}, ${t}, ${r}, ${b}] outside [${left}, ${top}, ${right}, ${bottom}]`,
          );
        for (const [x = 0, y = 0] of dots)
          if (x >= l - 3 && x <= r + 3 && y >= t - 3 && y <= b + 3)
            charts.push(`${id}: label [${l}, ${t}, ${r}, ${b}] touches the point (${x}, ${y})`);
      }
    }
    return { charts, drawn };
  });
}

test(
  'the dashboard shows the pool, grows it, charts the load and changes the cache config',
  { skip: skipWithoutChromium },
  async () => {
    const { manager, gateway } = await startPool(['--nodes', '1', '--down-after', '2000'], {
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
    await waitForResize(page, 2);
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

    // The legends read the latest minute without a pointer on the chart.
    await page.waitForFunction(() =>
      /requests\/min\s*[\d.]+K?/.test(
        document.querySelector('[data-testid="chart-requests"]')?.getAttribute('data-legend') ?? '',
      ),
    );
    const legend = (await page.getByTestId('chart-requests').getAttribute('data-legend')) ?? '';
    assert.doesNotMatch(legend, /--/, legend);

    // The cache config form: the policy is a select of the policies the nodes support.
    const choices = await page
      .getByTestId('cache-policy')
      .locator('option')
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    assert.deepEqual(
      choices,
      (await getContent<{ policies: string[] }>(`${manager}/api/manager/cache/config`)).policies,
    );
    assert.deepEqual([...choices].sort(), ['lfu', 'lru', 'rr', 'sieve']);
    assert.equal(await page.getByTestId('cache-policy').inputValue(), 'lru');
    await page.getByTestId('cache-capacity').fill('32');
    await page.getByTestId('cache-policy').selectOption('rr');
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
    await page.getByTestId('auto-max').fill('0.1');
    await page.getByTestId('auto-min').fill('0.9');
    await page.getByTestId('auto-apply').click();
    await page.getByTestId('error').waitFor({ state: 'visible' });
    assert.match(await text(page, 'error'), /min_miss_rate_threshold/);
    assert.equal(
      (await getContent<{ resize_pool_option: string }>(`${manager}/api/manager/poolsize/config`))
        .resize_pool_option,
      'manual',
    );

    // Resizes close together: 2 → 3 → 2 within the minute, their markers must not overlap.
    // Grow and shrink wait for the resize asked for: the shrink is disabled as the grow is clicked.
    const shrinkDisabledByGrow = await page.evaluate(() => {
      document.querySelector<HTMLButtonElement>('[data-testid="grow"]')!.click();
      return document.querySelector<HTMLButtonElement>('[data-testid="shrink"]')!.disabled;
    });
    assert.equal(shrinkDisabledByGrow, true);
    await waitForResize(page, 3);
    await page.getByTestId('shrink').click();
    await waitForResize(page, 2);
    assert.match(await text(page, 'notice'), /shrunk to 2 nodes/);

    // A node hangs (SIGSTOP; a killed local node is restarted at once): it shows red (down),
    // then its failover (keys lost) shows red too.
    // The node rows show what the nodes last pushed (every second): a row may lag the shrink by
    // a push, so wait (bounded) for one that reports its keys.
    type Rows = { nodes: { address: string; pid: number; items: number }[] };
    let nodes: Rows = { nodes: [] };
    const holding = Date.now() + 5_000;
    do {
      nodes = await getContent<Rows>(`${manager}/api/manager/nodes`);
      if (nodes.nodes.some((node) => node.items > 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    } while (Date.now() < holding);
    const victim = [...nodes.nodes].sort((a, b) => b.items - a.items)[0]!;
    assert.ok(victim.pid > 0 && victim.items > 0, JSON.stringify(nodes));
    process.kill(victim.pid, 'SIGSTOP');
    stopped.push(victim.pid);
    await page.waitForFunction(
      (address) =>
        document
          .querySelector(`[data-testid="node-row"][data-address="${address}"]`)
          ?.getAttribute('data-status') === 'down' ||
        document.querySelector('[data-testid="decision-row"].row-bad') !== null,
      victim.address,
    );
    await page.waitForFunction(
      () => document.querySelector('[data-testid="decision-row"].row-bad') !== null,
    );
    assert.match(
      await page.locator('[data-testid="decision-row"].row-bad').first().innerText(),
      new RegExp(`${victim.address.replace(/\./g, '\\.')}.*keys lost`, 's'),
    );
    assert.equal(
      await page
        .locator('[data-testid="decision-row"].row-bad td')
        .first()
        .evaluate((td) => getComputedStyle(td).backgroundColor),
      'rgb(255, 245, 245)',
    );

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.setViewportSize({ width: 1400, height: 1400 });
    await page.waitForTimeout(0);
    assert.deepEqual(await labelProblems(page), { charts: [], drawn: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-1400.png'), fullPage: true });
    await page.getByTestId('chart-nodes').screenshot({
      path: join(ARTIFACTS, 'dashboard-1400-nodes-chart.png'),
    });

    // At 420 px nothing is wider than its card, and the page does not scroll sideways.
    await page.setViewportSize({ width: 420, height: 1400 });
    await page.waitForFunction(() => {
      const charts = Array.from(document.querySelectorAll('.chart'));
      return charts.every(
        (chart) => (chart.querySelector('.uplot') as HTMLElement).offsetWidth <= chart.clientWidth,
      );
    });
    const overflow = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth - window.innerWidth,
      panels: Array.from(document.querySelectorAll<HTMLElement>('.panel'))
        .filter((panel) => panel.scrollWidth > panel.clientWidth + 1)
        .map((panel) => panel.querySelector('h2')?.textContent ?? '?'),
    }));
    assert.deepEqual(overflow, { page: 0, panels: [] });
    assert.deepEqual(await labelProblems(page), { charts: [], drawn: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-420.png'), fullPage: true });
    // Close-ups at full resolution, to look at the labels.
    await page.getByTestId('chart-requests').screenshot({
      path: join(ARTIFACTS, 'dashboard-420-requests.png'),
    });
    await page.getByTestId('nodes-table').screenshot({
      path: join(ARTIFACTS, 'dashboard-420-nodes.png'),
    });
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
    await waitForResize(page, 2);
    assert.equal(prompts.length, 1, 'asked for the token once');
    assert.match(prompts[0]!, /token/);
    assert.equal((await getContent<{ size: number }>(`${manager}/api/manager/poolsize`)).size, 2);

    // The token is kept for the tab: a second change does not ask again.
    await page.getByTestId('shrink').click();
    await waitForResize(page, 1);
    assert.equal(prompts.length, 1);
  },
);
