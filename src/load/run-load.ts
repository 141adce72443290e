/**
 * Runs a workload against a gateway's legacy API: at `rate` operations per second for
 * `durationS` seconds (never more than rate × duration operations, never more than `concurrency`
 * requests in flight), reads (`POST /api/cache/key`) and puts (`POST /api/cache/content`) with the
 * given ratio; a read that misses puts the key, as an application with a cache-aside pattern
 * does. Reports a progress line's figures every second and a summary at the end.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { errorCodeOf, type ErrorCode } from '../errors.js';
import { checkLoadOptions, loadLimits, type LoadOptions } from './load-options.js';
import { LatencyHistogram } from './latency.js';
import { dataUrlValue, nextOperation, type Random } from './workload.js';

/** Counters of a run (cumulative) with the latency percentiles of a window, in ms. */
export interface LoadFigures {
  elapsedS: number;
  /** HTTP requests sent so far (reads, puts, and the puts that follow misses). */
  sent: number;
  operations: number;
  hits: number;
  misses: number;
  puts: number;
  errors: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

/** The end of a run: figures over the whole run, plus the achieved rate. */
export interface LoadSummary extends LoadFigures {
  /** Operations per second actually started. */
  achievedRate: number;
  /** hits / (hits + misses); null without reads. */
  hitRatio: number | null;
  /** The first error seen, to tell the user what went wrong. */
  firstError: string | null;
}

export interface LoadHooks {
  /** Called once a second with cumulative counts and the last second's latencies. */
  onProgress?: (figures: LoadFigures) => void;
  /** Stops the run early (the summary covers what was done). */
  signal?: AbortSignal;
  /** Source of randomness for keys, kinds and values; default Math.random. */
  random?: Random;
}

type Outcome = 'hit' | 'miss' | 'put' | 'error';

/** Runs the workload; rejects only for bad options (an OptionError naming the option). */
export async function runLoad(options: LoadOptions, hooks: LoadHooks = {}): Promise<LoadSummary> {
  const o = checkLoadOptions(options);
  const random = hooks.random ?? Math.random;
  const values = Array.from({ length: 8 }, () => dataUrlValue(o.valueBytes, random));
  const basePath = o.gateway.pathname.replace(/\/+$/, '');
  const pool = new Pool(o.gateway.origin, {
    connections: o.concurrency,
    headersTimeout: loadLimits.requestTimeoutMs,
    bodyTimeout: loadLimits.requestTimeoutMs,
    connectTimeout: loadLimits.requestTimeoutMs,
  });
  const total = new LatencyHistogram();
  const window = new LatencyHistogram();
  const counts = { sent: 0, operations: 0, hits: 0, misses: 0, puts: 0, errors: 0 };
  let firstError: string | null = null;
  let inFlight = 0;
  let wake: (() => void) | null = null;

  const fail = (message: string): Outcome => {
    firstError ??= message;
    return 'error';
  };

  const post = async (
    path: string,
    form: Record<string, string>,
  ): Promise<{ status: number; body: string; code: ErrorCode | undefined }> => {
    const started = performance.now();
    counts.sent++;
    const response = await pool.request({
      method: 'POST',
      path: basePath + path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(loadLimits.requestTimeoutMs),
    });
    const body = await response.body.text();
    const ms = performance.now() - started;
    total.record(ms);
    window.record(ms);
    return { status: response.statusCode, body, code: errorCodeOf(response.headers) };
  };

  const put = async (key: string): Promise<Outcome> => {
    const value = values[Math.floor(random() * values.length)]!;
    const { status, body } = await post('/api/cache/content', { key, value });
    return status === 200 ? 'put' : fail(`put ${key}: HTTP ${status} ${messageOf(body)}`);
  };

  const read = async (key: string): Promise<Outcome> => {
    const { status, body, code } = await post('/api/cache/key', { key });
    if (status === 200) return 'hit';
    if (code === 'CP_ERR_KEY_UNKNOWN') {
      counts.misses++;
      return put(key);
    }
    return fail(`read ${key}: HTTP ${status} ${messageOf(body)}`);
  };

  const launch = (): void => {
    const op = nextOperation(o.keys, o.readRatio, random);
    counts.operations++;
    inFlight++;
    // Not awaited: launch keeps up to --concurrency operations in flight; each failure is
    // counted by its own catch.
    void (op.kind === 'read' ? read(op.key) : put(op.key))
      .catch((error: unknown) =>
        fail(`${op.kind} ${op.key}: ${error instanceof Error ? error.message : String(error)}`),
      )
      .then((outcome) => {
        if (outcome === 'hit') counts.hits++;
        else if (outcome === 'put') counts.puts++;
        else if (outcome === 'error') counts.errors++;
      })
      .finally(() => {
        inFlight--;
        wake?.();
      });
  };

  const startedMs = performance.now();
  const elapsedS = (): number => (performance.now() - startedMs) / 1000;
  const figures = (h: LatencyHistogram): LoadFigures => ({
    elapsedS: Math.round(elapsedS() * 10) / 10,
    ...counts,
    p50Ms: h.percentile(0.5),
    p99Ms: h.percentile(0.99),
  });
  const progress = setInterval(() => {
    hooks.onProgress?.(figures(window));
    window.reset();
  }, 1000);

  try {
    while (
      !hooks.signal?.aborted &&
      counts.operations < o.maxOperations &&
      elapsedS() < o.durationS
    ) {
      const due = Math.min(o.maxOperations, Math.floor(elapsedS() * o.rate) + 1);
      while (counts.operations < due && inFlight < o.concurrency) launch();
      if (inFlight >= o.concurrency) {
        // Wait for a request to finish rather than piling up more than `concurrency`.
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      } else {
        await sleep(Math.max(1, Math.min(20, (counts.operations / o.rate - elapsedS()) * 1000)));
      }
    }
    while (inFlight > 0) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
    }
  } finally {
    clearInterval(progress);
    await pool.close().catch(() => {});
  }
  const end = figures(total);
  const reads = counts.hits + counts.misses;
  return {
    ...end,
    achievedRate:
      end.elapsedS > 0
        ? Math.round((counts.operations / end.elapsedS) * 10) / 10
        : counts.operations,
    hitRatio: reads > 0 ? counts.hits / reads : null,
    firstError,
  };
}

/** The envelope's error message, or the start of the body. */
function messageOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: string } };
    if (parsed?.error?.message) return parsed.error.message;
  } catch {
    // not JSON: fall through
  }
  return body.slice(0, 120);
}

/**
 * One progress line, cumulative like the summary and in the same words:
 * `3s ops=300 requests=330 hits=120 misses=30 puts=150 errors=0 p50=1.2ms p99=4.8ms` (the
 * latencies are the last second's). An operation is one read or put of the workload; a read that
 * misses sends a second request, the put.
 */
export function formatFigures(f: LoadFigures): string {
  const ms = (v: number | null): string =>
    v === null ? '-' : `${v < 10 ? v.toFixed(2) : v.toFixed(1)}ms`;
  return `${f.elapsedS.toFixed(0)}s ops=${f.operations} requests=${f.sent} hits=${f.hits} misses=${f.misses} puts=${f.puts} errors=${f.errors} p50=${ms(f.p50Ms)} p99=${ms(f.p99Ms)}`;
}

/** The summary, a few lines. */
export function formatSummary(s: LoadSummary): string {
  const ratio = s.hitRatio === null ? '-' : `${(s.hitRatio * 100).toFixed(1)}%`;
  return [
    `done in ${s.elapsedS}s: ops=${s.operations} (${s.achievedRate}/s) requests=${s.sent}`,
    `hits=${s.hits} misses=${s.misses} (hit ratio ${ratio}) puts=${s.puts} errors=${s.errors}`,
    `latency p50=${s.p50Ms === null ? '-' : s.p50Ms.toFixed(2)}ms p99=${s.p99Ms === null ? '-' : s.p99Ms.toFixed(2)}ms`,
    ...(s.firstError ? [`first error: ${s.firstError}`] : []),
  ].join('\n');
}
