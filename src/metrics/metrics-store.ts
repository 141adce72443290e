/**
 * The manager's metrics store: node snapshots (raw, one row per push), 1-minute pool roll-ups and
 * resize events in an embedded SQLite database (better-sqlite3, WAL). Answers both
 * `aggregate_stats` shapes, per-node series, the auto-scaler's last-minute miss rate and the
 * resize events. Owns retention, the roll-up schedule and the running totals; the SQL (schema,
 * pragmas, statements) is store-db.ts, the arithmetic rollup.ts, the two wire shapes
 * aggregate-stats.ts, the snapshot check check-snapshot.ts, the HTTP routes the manager's.
 *
 * Sample times are the manager's clock at `record` (not the node's), so samples of one minute
 * never arrive after that minute was rolled up, whatever the nodes' clocks say.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { systemClock, type Clock } from '../clock.js';
import { defaults } from '../defaults.js';
import { OptionError } from '../errors.js';
import {
  toAggregateStats,
  toLegacyAggregateStats,
  type AggregateStats,
  type LegacyAggregateStats,
  type SeriesPoint,
} from './aggregate-stats.js';
import { checkSnapshot, type RecordOutcome } from './check-snapshot.js';
import {
  counterDelta,
  MINUTE_MS,
  minuteOf,
  poolMissRate,
  rollupMinutes,
  type CounterDelta,
  type PoolPoint,
  type RollupSample,
} from './rollup.js';
import {
  openStoreDb,
  prepareStoreStatements,
  toPoint,
  toSample,
  type ResizeEvent,
} from './store-db.js';
import { resizeCauses, type NodeSnapshot } from '../wire/index.js';

export {
  checkSnapshot,
  toAggregateStats,
  toLegacyAggregateStats,
  type AggregateStats,
  type LegacyAggregateStats,
  type RecordOutcome,
  type ResizeEvent,
  type SeriesPoint,
};

/** File name of the database inside the manager's data directory. */
export const METRICS_FILE = 'metrics.sqlite';

/** The auto-scaler's input: the pool's miss rate over the last minute. */
export interface LastMinute {
  /** 0..1, or null when no GET request was served in the last minute. */
  missRate: number | null;
  getRequests: number;
}

/** Options of `new MetricsStore`; every one has a default. */
export interface MetricsStoreOptions {
  /** Database file; `:memory:` for none. Takes precedence over `dataDir`. */
  path?: string;
  /** Directory for `metrics.sqlite` (created if missing); default `defaults.dataDir`. */
  dataDir?: string;
  /** How long 1-minute points and events are kept, ms; default `defaults.metricsRetentionH` hours. */
  retentionMs?: number;
  /**
   * How long raw samples are kept, ms; default `defaults.metricsRawRetentionH` hours, or
   * `retentionMs` when that is shorter.
   */
  rawRetentionMs?: number;
  /** A delta between two samples of a node further apart than this is dropped, ms; default `defaults.metricsMaxGapMs`. */
  maxGapMs?: number;
  /** Time source of sample times and query windows; the system clock by default. */
  clock?: Clock;
}

const CAUSES: ReadonlySet<string> = new Set(resizeCauses);

/** The longest window a query reads, in minutes: a week. */
export const MAX_QUERY_MINUTES = 7 * 24 * 60;

function checkMinutes(minutes: number): number {
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_QUERY_MINUTES) {
    throw new OptionError('minutes', `must be an integer from 1 to ${MAX_QUERY_MINUTES}`, minutes);
  }
  return minutes;
}

/** Metrics of the pool over time, in SQLite. Call `close()` when done. */
export class MetricsStore {
  readonly #db: Database.Database;
  readonly #clock: Clock;
  readonly #retentionMs: number;
  readonly #rawRetentionMs: number;
  readonly #maxGapMs: number;
  /** Each node's last sample, for the running totals. */
  readonly #last = new Map<string, RollupSample>();
  readonly #totals: CounterDelta = { requests: 0, getRequests: 0, hits: 0, misses: 0 };
  #timer: NodeJS.Timeout | undefined;
  readonly #stmt: ReturnType<typeof prepareStoreStatements>;

  constructor(options: MetricsStoreOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#retentionMs = options.retentionMs ?? defaults.metricsRetentionH * 3_600_000;
    this.#rawRetentionMs =
      options.rawRetentionMs ??
      Math.min(this.#retentionMs, defaults.metricsRawRetentionH * 3_600_000);
    this.#maxGapMs = options.maxGapMs ?? defaults.metricsMaxGapMs;
    for (const [name, value] of [
      ['retentionMs', this.#retentionMs],
      ['rawRetentionMs', this.#rawRetentionMs],
      ['maxGapMs', this.#maxGapMs],
    ] as const) {
      if (!Number.isFinite(value) || value < MINUTE_MS)
        throw new OptionError(name, 'must be a number of ms >= 60000', value);
    }
    let path = options.path;
    if (path === undefined) {
      const dir = options.dataDir ?? defaults.dataDir;
      mkdirSync(dir, { recursive: true });
      path = join(dir, METRICS_FILE);
    }
    this.#db = openStoreDb(path);
    this.#stmt = prepareStoreStatements(this.#db);
    for (const row of this.#stmt.lastSamples.all()) this.#last.set(row.address, toSample(row));
  }

  /**
   * Stores one pushed snapshot, timed by the store's clock. A snapshot that lacks a field the
   * store needs is refused (`ok: false` with a message naming the field) and changes nothing.
   */
  record(snapshot: NodeSnapshot): RecordOutcome {
    const checked = checkSnapshot(snapshot);
    if (!checked.ok) return checked;
    const timeMs = this.#clock.now();
    this.#stmt.insertSample.run({
      address: snapshot.address,
      timeMs,
      startedAtMs: Math.trunc(snapshot.startedAtMs),
      cacheIndex: Math.trunc(snapshot.cacheIndex),
      items: Math.trunc(snapshot.items),
      usedBytes: Math.trunc(snapshot.usedBytes),
      capacityBytes: Math.trunc(snapshot.capacityBytes),
      requestsTotal: Math.trunc(snapshot.requestsTotal),
      getRequestsTotal: Math.trunc(snapshot.getRequestsTotal),
      hitsTotal: Math.trunc(snapshot.hitsTotal),
      missesTotal: Math.trunc(snapshot.missesTotal),
    });
    const sample: RollupSample = { ...snapshot, timeMs };
    const delta = counterDelta(this.#last.get(snapshot.address), sample, {
      maxGapMs: this.#maxGapMs,
    });
    this.#last.set(snapshot.address, sample);
    this.#totals.requests += delta.requests;
    this.#totals.getRequests += delta.getRequests;
    this.#totals.hits += delta.hits;
    this.#totals.misses += delta.misses;
    return { ok: true };
  }

  /** Records a pool resize (for the charts' markers). */
  recordEvent(event: ResizeEvent): void {
    if (!CAUSES.has(event.cause))
      throw new OptionError('cause', `must be one of ${[...CAUSES].join(', ')}`, event.cause);
    this.#stmt.insertEvent.run(
      Math.trunc(event.time_ms),
      Math.trunc(event.old_size),
      Math.trunc(event.new_size),
      event.cause,
    );
  }

  /** Resizes of the last `minutes` minutes (default 30), oldest first. */
  events(minutes = 30, nowMs = this.#clock.now()): ResizeEvent[] {
    return this.#stmt.eventsSince.all(nowMs - checkMinutes(minutes) * MINUTE_MS);
  }

  /**
   * Pool counters summed over every node since this store was opened, computed from deltas (so
   * they only grow, across node restarts and departures): for Prometheus counters.
   */
  totals(): CounterDelta {
    return { ...this.#totals };
  }

  /** Each known node's last sample (nodes seen within the raw retention). */
  lastSamples(): RollupSample[] {
    return [...this.#last.values()];
  }

  /**
   * Rolls finished minutes up into 1-minute rows and prunes what is older than the retention.
   * This is what the timer of `start()` runs; tests call it directly.
   */
  tick(nowMs = this.#clock.now()): void {
    const untilMs = minuteOf(nowMs);
    const rolledMs = this.#stmt.getMeta.get('rolled_until_ms')?.value;
    const fromMs = Math.max(rolledMs ?? 0, minuteOf(nowMs - this.#retentionMs));
    this.#db.transaction(() => {
      if (fromMs < untilMs) {
        for (const point of this.#livePoints(fromMs, untilMs)) this.#stmt.upsertMinute.run(point);
      }
      this.#stmt.setMeta.run('rolled_until_ms', Math.max(untilMs, rolledMs ?? 0));
      this.#stmt.pruneSamples.run(nowMs - this.#rawRetentionMs);
      this.#stmt.pruneMinutes.run(nowMs - this.#retentionMs);
      this.#stmt.pruneEvents.run(nowMs - this.#retentionMs);
    })();
    for (const [address, sample] of this.#last) {
      if (sample.timeMs < nowMs - this.#rawRetentionMs) this.#last.delete(address);
    }
  }

  /** Runs `tick()` every `intervalMs` (default one minute) until `close()`; the timer is unref'd. */
  start(intervalMs = MINUTE_MS): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.tick(), intervalMs);
    this.#timer.unref();
  }

  /**
   * The last `minutes` minutes (default 30, the current one included) at 1-minute points, in the
   * timestamped shape (`?minutes=N`). Minutes in which no node reported are absent; a minute without GET requests
   * has `null` rates. Finished minutes come from the roll-up, later ones are computed live.
   */
  aggregate(minutes = 30, nowMs = this.#clock.now()): AggregateStats {
    return toAggregateStats(this.points(minutes, nowMs));
  }

  /**
   * The last `minutes` minutes (default 30, the current one included) in the original manager's
   * shape: one number per minute, oldest first, rates in percent, sizes in MB
   * (aggregate-stats.ts says what an empty minute reads).
   */
  legacyAggregate(minutes = 30, nowMs = this.#clock.now()): LegacyAggregateStats {
    return toLegacyAggregateStats(this.points(minutes, nowMs), minutes, nowMs);
  }

  /** The 1-minute pool points behind `aggregate`, oldest first. */
  points(minutes = 30, nowMs = this.#clock.now()): PoolPoint[] {
    const fromMs = minuteOf(nowMs) - (checkMinutes(minutes) - 1) * MINUTE_MS;
    const rolledMs = Math.min(
      this.#stmt.getMeta.get('rolled_until_ms')?.value ?? fromMs,
      minuteOf(nowMs),
    );
    const stored =
      rolledMs > fromMs ? this.#stmt.minutesBetween.all(fromMs, rolledMs).map(toPoint) : [];
    return [...stored, ...this.#livePoints(Math.max(fromMs, rolledMs), nowMs + 1)];
  }

  /** One node's last `minutes` minutes at 1-minute points (`number_of_nodes` is 1 where it reported). */
  perNode(address: string, minutes = 30, nowMs = this.#clock.now()): AggregateStats {
    const fromMs = minuteOf(nowMs) - (checkMinutes(minutes) - 1) * MINUTE_MS;
    const rows = this.#stmt.nodeSamplesBetween
      .all(address, fromMs - this.#maxGapMs, nowMs)
      .map(toSample);
    const baseline = this.#baseline(rows, fromMs);
    return toAggregateStats(
      rollupMinutes(rows, fromMs, nowMs + 1, baseline, { maxGapMs: this.#maxGapMs }),
    );
  }

  /** What the pool served over the minute before `nowMs`. */
  missRateLastMinute(nowMs = this.#clock.now()): LastMinute {
    return this.missRateOver(MINUTE_MS, nowMs);
  }

  /**
   * What the pool served over the `windowMs` before `nowMs`: the auto-scaler's input (its window
   * is its own period, a minute by default). Null miss rate when no GET was served in it.
   */
  missRateOver(windowMs: number, nowMs = this.#clock.now()): LastMinute {
    const fromMs = nowMs - windowMs;
    const rows = this.#stmt.samplesBetween.all(fromMs - this.#maxGapMs, nowMs).map(toSample);
    return poolMissRate(rows, fromMs, nowMs, new Map(), { maxGapMs: this.#maxGapMs });
  }

  /** Row counts, for tests and diagnostics. */
  counts(): { samples: number; minutes: number; events: number } {
    return this.#stmt.count.get()!;
  }

  /** Stops the timer and closes the database. Safe to call twice. */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#db.open) this.#db.close();
  }

  /** Points for minutes in [fromMs, toMs) computed from raw samples. */
  #livePoints(fromMs: number, toMs: number): PoolPoint[] {
    const rows = this.#stmt.samplesBetween.all(fromMs - this.#maxGapMs, toMs - 1).map(toSample);
    return rollupMinutes(rows, fromMs, toMs, this.#baseline(rows, fromMs), {
      maxGapMs: this.#maxGapMs,
    });
  }

  /** Each node's last sample before `fromMs` among `rows`. */
  #baseline(rows: readonly RollupSample[], fromMs: number): Map<string, RollupSample> {
    const baseline = new Map<string, RollupSample>();
    for (const row of rows) if (row.timeMs < fromMs) baseline.set(row.address, row);
    return baseline;
  }
}
