/**
 * The dashboard page: reads the manager every 5 s (pool size, nodes, migration, auto-scaler,
 * cache config, 30 minutes of aggregate stats and resize events) and drives its controls (grow,
 * shrink, automatic mode, cache config, clear all). Every manager error is shown in the banner
 * with the envelope's message; a failed read keeps the last good figures on screen.
 */
import { call } from './api.js';
import { Charts } from './charts.js';
import { escapeHtml, formatBytes, formatPercent, formatTime } from './format.js';
// Types only: the shapes the manager answers, from its route schemas (nothing of the server is
// bundled).
import type {
  AggregateStats,
  AutoscalerView,
  CacheConfigView,
  ManagerContent,
  MigrationJSON,
  NodeRow,
} from '../../wire/index.js';

const REFRESH_MS = 5_000;
const MINUTES = 30;

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page lacks #${id}`);
  return element as T;
}

const errorBanner = byId<HTMLDivElement>('error');
const noticeBanner = byId<HTMLDivElement>('notice');
const charts = new Charts(byId('charts'));
const autoForm = byId<HTMLFormElement>('auto-form');
const cacheForm = byId<HTMLFormElement>('cache-form');
let autoFilled = false;
let cacheFilled = false;
/** A resize this page asked for has not been answered yet. */
let resizeAsked = false;
/** The manager's last answer showed a migration running (a resize or a fail-over). */
let migrationRunning = false;

/**
 * Grow and shrink wait while a resize runs: the manager refuses a second one (CP_ERR_POOL_BUSY),
 * and the pool size it shows counts a joining node before its migration ends.
 */
function updateResizeButtons(): void {
  const waiting = resizeAsked || migrationRunning;
  for (const id of ['grow', 'shrink']) {
    const button = byId<HTMLButtonElement>(id);
    button.disabled = waiting;
    button.title = waiting ? 'A resize is running.' : '';
  }
}

function showError(message: string | null): void {
  errorBanner.hidden = message === null;
  errorBanner.textContent = message ?? '';
}

function showNotice(message: string): void {
  noticeBanner.hidden = false;
  noticeBanner.textContent = message;
}

function renderNodes(nodes: NodeRow[]): void {
  const rows = [...nodes].sort((a, b) => a.cache_index - b.cache_index);
  byId('nodes-body').innerHTML = rows
    .map((n) => {
      const down = n.status === 'down';
      return `<tr data-testid="node-row" data-address="${escapeHtml(n.address)}" data-status="${escapeHtml(n.status)}"${down ? ' class="row-bad"' : ''}>
        <td>${escapeHtml(n.address)}</td><td class="num opt">${n.cache_index}</td>
        <td class="status-${escapeHtml(n.status)}" data-testid="node-status">${escapeHtml(n.status)}</td>
        <td class="num" data-testid="node-items">${n.items}</td><td class="num opt">${formatBytes(n.used_bytes)}</td>
        <td class="num opt">${n.capacity_bytes > 0 ? formatPercent(n.used_bytes / n.capacity_bytes) : '–'}</td>
        <td class="num">${down ? '–' : formatPercent(n.hit_rate)}</td><td class="num">${n.requests_total}</td></tr>`;
    })
    .join('');
}

function renderMigration(migration: MigrationJSON | null): void {
  migrationRunning = migration?.running === true;
  updateResizeButtons();
  const box = byId('migration');
  if (!migration) {
    box.textContent = 'none yet';
    box.className = 'muted';
    return;
  }
  const done =
    migration.partitions_total > 0 ? migration.partitions_done / migration.partitions_total : 1;
  const lost = migration.keys_lost;
  const failedNode = migration.failed_node;
  const state = migration.error
    ? `failed: ${escapeHtml(migration.error)}`
    : migration.running
      ? 'running'
      : `finished ${migration.finished_at_ms ? formatTime(migration.finished_at_ms) : ''}`;
  box.className = migration.error || lost > 0 ? 'bad-box' : '';
  const loss =
    lost > 0 || failedNode
      ? `<div class="bad" data-testid="migration-lost">${failedNode ? `node ${escapeHtml(failedNode)} failed: ` : ''}${lost} key${lost === 1 ? '' : 's'} lost</div>`
      : '';
  box.innerHTML = `<div>${migration.from_size} → ${migration.to_size} nodes, <span data-testid="migration-state"${migration.error ? ' class="bad"' : ''}>${state}</span></div>
    <progress max="1" value="${done}"></progress>
    <div>${migration.partitions_done}/${migration.partitions_total} partitions,
      ${migration.keys_done}/${migration.keys_total} keys, ${formatBytes(migration.bytes_done)}</div>${loss}`;
}

function renderAutoscaler(autoscaler: AutoscalerView): void {
  byId('pool-mode').textContent = autoscaler.mode;
  if (!autoFilled) {
    for (const [name, value] of Object.entries(autoscaler.parameters)) {
      const input = autoForm.elements.namedItem(name);
      if (input instanceof HTMLInputElement && typeof value === 'number')
        input.value = String(value);
    }
    autoFilled = true;
  }
  if (autoscaler.decisions.length === 0) {
    byId('decisions-body').innerHTML =
      `<tr><td colspan="6" class="muted">No decision yet: the auto-scaler decides in automatic mode, once per period.</td></tr>`;
    return;
  }
  byId('decisions-body').innerHTML = autoscaler.decisions
    .slice(0, 20)
    .map((d) => {
      const bad = d.reason.startsWith('failover');
      return `<tr data-testid="decision-row"${bad ? ' class="row-bad"' : ''}><td>${formatTime(d.time_ms)}</td><td class="num">${formatPercent(d.miss_rate)}</td>
        <td class="num">${d.requests}</td><td>${d.old_size} → ${d.new_size}</td><td>${escapeHtml(d.action)}</td>
        <td>${escapeHtml(d.reason)}</td></tr>`;
    })
    .join('');
}

function renderCacheConfig(config: CacheConfigView): void {
  const policy = config.replacement_policy ?? config.policy ?? '?';
  byId('cache-config-current').textContent = `${config.capacity ?? '?'} MB, ${policy}`;
  const select = cacheForm.elements.namedItem('replacement_policy') as HTMLSelectElement;
  // The choices are the policies the nodes support, as the manager lists them.
  const choices = config.policies ?? (policy === '?' ? [] : [policy]);
  const shown = Array.from(select.options, (o) => o.value);
  if (choices.join() !== shown.join()) {
    const keep = select.value;
    select.replaceChildren(
      ...choices.map((name) => {
        const option = document.createElement('option');
        option.value = name;
        option.textContent = name;
        return option;
      }),
    );
    if (choices.includes(keep)) select.value = keep;
  }
  if (!cacheFilled) {
    (cacheForm.elements.namedItem('capacity') as HTMLInputElement).value = String(
      config.capacity ?? '',
    );
    if (choices.includes(policy)) select.value = policy;
    cacheFilled = true;
  }
}

let refreshing: Promise<void> | null = null;

/** Reads everything once; the first failure's message goes to the banner. */
async function refreshOnce(): Promise<void> {
  const now = Date.now();
  const [size, nodes, migration, autoscaler, config, stats, events] = await Promise.allSettled([
    call<ManagerContent<'poolSize'>>('GET', '/api/manager/poolsize'),
    call<ManagerContent<'nodes'>>('GET', '/api/manager/nodes'),
    call<ManagerContent<'migration'>>('GET', '/api/manager/migration'),
    call<ManagerContent<'autoscaler'>>('GET', '/api/manager/autoscaler'),
    call<ManagerContent<'cacheConfig'>>('GET', '/api/manager/cache/config'),
    // With ?minutes the timestamped shape (the schema's second choice).
    call<AggregateStats>('GET', `/api/manager/aggregate_stats?minutes=${MINUTES}`),
    call<ManagerContent<'events'>>('GET', `/api/manager/events?minutes=${MINUTES}`),
  ]);
  const failures: string[] = [];
  const use = <T>(result: PromiseSettledResult<T>, render: (value: T) => void): void => {
    if (result.status === 'fulfilled') {
      try {
        render(result.value);
      } catch (error) {
        failures.push(`unexpected answer: ${(error as Error).message}`);
      }
    } else failures.push((result.reason as Error).message);
  };
  use(size, (v) => (byId('pool-size').textContent = String(v.size)));
  use(nodes, (v) => renderNodes(v.nodes));
  use(migration, (v) => renderMigration(v.migration));
  use(autoscaler, renderAutoscaler);
  use(config, renderCacheConfig);
  if (stats.status === 'fulfilled') {
    charts.update(
      stats.value,
      events.status === 'fulfilled' ? events.value.events : [],
      now,
      MINUTES,
    );
  } else failures.push((stats.reason as Error).message);
  if (events.status === 'rejected') failures.push((events.reason as Error).message);
  showError(failures.length > 0 ? [...new Set(failures)].join(' · ') : null);
  byId('updated').textContent = formatTime(now);
  document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes ?? '0') + 1);
}

/** Refreshes now, or joins the refresh already running. */
function refresh(): Promise<void> {
  refreshing ??= refreshOnce().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** Runs a control action with its button disabled; shows its error or notice, then refreshes. */
async function act(button: HTMLButtonElement | null, action: () => Promise<string>): Promise<void> {
  if (button) button.disabled = true;
  try {
    showNotice(await action());
    showError(null);
  } catch (error) {
    noticeBanner.hidden = true;
    showError((error as Error).message);
    if (button) button.disabled = false;
    return;
  }
  if (button) button.disabled = false;
  await refresh();
}

function resize(change: 'increase' | 'decrease'): Promise<string> {
  return call<unknown>('POST', '/api/manager/poolsize/manual', { change }).then(async () => {
    const { size } = await call<ManagerContent<'poolSize'>>('GET', '/api/manager/poolsize');
    return `Pool ${change === 'increase' ? 'grown' : 'shrunk'} to ${size} node${size === 1 ? '' : 's'} (manual mode).`;
  });
}

/** Asks for a resize; grow and shrink stay disabled until it is answered and shown. */
async function resizeFromPage(change: 'increase' | 'decrease'): Promise<void> {
  resizeAsked = true;
  updateResizeButtons();
  try {
    await act(null, () => resize(change));
  } finally {
    resizeAsked = false;
    updateResizeButtons();
  }
}

byId<HTMLButtonElement>('grow').addEventListener('click', () => void resizeFromPage('increase'));
byId<HTMLButtonElement>('shrink').addEventListener('click', () => void resizeFromPage('decrease'));
byId<HTMLButtonElement>('clear').addEventListener('click', (e) => {
  if (!window.confirm('Remove every key from every node?')) return;
  void act(e.currentTarget as HTMLButtonElement, async () => {
    await call<unknown>('DELETE', '/api/manager/cache/clear');
    return 'Every node was cleared.';
  });
});

function numbersOf(form: HTMLFormElement, names: string[]): Record<string, number> {
  const data = new FormData(form);
  return Object.fromEntries(names.map((name) => [name, Number(data.get(name))]));
}

autoForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const body = numbersOf(autoForm, [
    'max_miss_rate_threshold',
    'min_miss_rate_threshold',
    'expand_ratio',
    'shrink_ratio',
  ]);
  void act(autoForm.querySelector('button'), async () => {
    await call<unknown>('POST', '/api/manager/poolsize/automatic', body);
    return 'Automatic mode is on with the new parameters.';
  });
});

cacheForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const data = new FormData(cacheForm);
  const body = {
    capacity: Number(data.get('capacity')),
    replacement_policy: (data.get('replacement_policy') as string | null)?.trim() ?? '',
  };
  void act(cacheForm.querySelector('button'), async () => {
    await call<unknown>('POST', '/api/manager/cache/config', body);
    cacheFilled = false;
    return `Cache config applied: ${body.capacity} MB, ${body.replacement_policy}.`;
  });
});

void refresh();
setInterval(() => void refresh(), REFRESH_MS);
