/**
 * Pure roll-up of node snapshots into 1-minute pool points. Owns the arithmetic only: no
 * database, no clock, no I/O (the metrics store feeds it rows and keeps its results).
 *
 * Rates come from *deltas* of the monotonic `*Total` counters between two snapshots of the same
 * node, never from the counters themselves, so that:
 * - a node restart (a new `startedAtMs`, counters back near 0) counts what the new process served
 *   since it started, never a negative delta;
 * - a counter that goes backwards without a restart (a node that reset its figures) counts the
 *   new value as what happened since the reset, never a negative delta;
 * - a delta spanning more than `maxGapMs` (the manager or node was away) is dropped rather than
 *   piled into one minute as a spike;
 * - a minute without GET requests has `null` hit and miss rates, not 0/0.
 */
import { defaults } from '../defaults.js';
import type { NodeSnapshot } from '../wire/index.js';

/** One minute of a node's pool: length of a point, in ms. */
export const MINUTE_MS = 60_000;

/** The counters a rate is computed from. */
export interface CounterDelta {
  requests: number;
  getRequests: number;
  hits: number;
  misses: number;
}

/** One 1-minute point of the pool (or of one node). */
export interface PoolPoint {
  /** Start of the minute, ms since the epoch (a multiple of 60 000). */
  minuteMs: number;
  /**
   * Nodes still reporting at the end of the minute (see `stillReporting`): a node that left, died
   * or hung during the minute is not counted, nor are its gauges — its keys were handed off to
   * the others, or lost, and would otherwise be counted twice.
   */
  nodes: number;
  /** Sum over those nodes of the items in each node's last snapshot of the minute. */
  items: number;
  /** Sum over those nodes of the bytes used in each node's last snapshot of the minute. */
  usedBytes: number;
  /** Requests served during the minute (all kinds). */
  requests: number;
  getRequests: number;
  hits: number;
  misses: number;
  /** hits / getRequests, 0..1; null when the minute had no GET request. */
  hitRate: number | null;
  /** misses / getRequests, 0..1; null when the minute had no GET request. */
  missRate: number | null;
}

/** The subset of a snapshot the roll-up reads. */
export type RollupSample = Pick<
  NodeSnapshot,
  | 'address'
  | 'timeMs'
  | 'startedAtMs'
  | 'items'
  | 'usedBytes'
  | 'requestsTotal'
  | 'getRequestsTotal'
  | 'hitsTotal'
  | 'missesTotal'
>;

export interface RollupOptions {
  /** A delta between two snapshots further apart than this is dropped (ms); default `defaults.metricsMaxGapMs`. */
  maxGapMs?: number;
}

const DEFAULT_MAX_GAP_MS = defaults.metricsMaxGapMs;

/** The start of the minute that contains `timeMs`. */
export function minuteOf(timeMs: number): number {
  return Math.floor(timeMs / MINUTE_MS) * MINUTE_MS;
}

const ZERO: CounterDelta = { requests: 0, getRequests: 0, hits: 0, misses: 0 };

/** The increase of one counter from `before` to `after`; a drop means a reset to 0 in between. */
function increase(before: number, after: number): number {
  if (!Number.isFinite(after) || after < 0) return 0;
  if (!Number.isFinite(before) || after < before) return after;
  return after - before;
}

/**
 * What a node served between `prev` and `cur` (two snapshots of the same node, `prev` older).
 * With no `prev`, or after a restart, the baseline is a zero snapshot at `cur.startedAtMs`.
 * Returns zeros when the span exceeds `maxGapMs` or is not positive. `hits` never exceeds
 * `getRequests`, and `misses` is the rest of the GETs, so hit and miss rates add up to 1.
 */
export function counterDelta(
  prev: RollupSample | undefined,
  cur: RollupSample,
  options: RollupOptions = {},
): CounterDelta {
  const maxGapMs = options.maxGapMs ?? DEFAULT_MAX_GAP_MS;
  const restarted = prev === undefined || prev.startedAtMs !== cur.startedAtMs;
  const sinceMs = restarted ? cur.startedAtMs : prev.timeMs;
  const spanMs = cur.timeMs - sinceMs;
  if (!(spanMs >= 0) || spanMs > maxGapMs) return ZERO;
  const base = restarted ? undefined : prev;
  const requests = increase(base?.requestsTotal ?? 0, cur.requestsTotal);
  const getRequests = increase(base?.getRequestsTotal ?? 0, cur.getRequestsTotal);
  const hits = Math.min(increase(base?.hitsTotal ?? 0, cur.hitsTotal), getRequests);
  return { requests, getRequests, hits, misses: getRequests - hits };
}

/** A point with no data yet for `minuteMs`. */
function emptyPoint(minuteMs: number): PoolPoint {
  return {
    minuteMs,
    nodes: 0,
    items: 0,
    usedBytes: 0,
    requests: 0,
    getRequests: 0,
    hits: 0,
    misses: 0,
    hitRate: null,
    missRate: null,
  };
}

/** Fills in the rates of a point from its GET and hit counts. */
export function withRates(point: PoolPoint): PoolPoint {
  if (point.getRequests <= 0) return { ...point, hitRate: null, missRate: null };
  return {
    ...point,
    hitRate: point.hits / point.getRequests,
    missRate: point.misses / point.getRequests,
  };
}

/**
 * Rolls `samples` (any nodes, any order) up into one point per minute in which at least one
 * node reported, for minutes in [`fromMs`, `toMs`) (rounded down to minutes), oldest first.
 * `baseline` gives, per address, the node's last snapshot before `fromMs` (so that the first
 * minute's deltas are right); without it a node's first sample only counts if it started within
 * `maxGapMs`. Minutes in which no node reported are absent (a gap), not zero.
 */
export function rollupMinutes(
  samples: readonly RollupSample[],
  fromMs: number,
  toMs: number,
  baseline: ReadonlyMap<string, RollupSample> = new Map(),
  options: RollupOptions = {},
): PoolPoint[] {
  const startMs = minuteOf(fromMs);
  const sorted = [...samples].sort((a, b) => a.timeMs - b.timeMs);
  const previous = new Map(baseline);
  const points = new Map<number, PoolPoint>();
  // Per minute, each node's last snapshot gives the gauges (items, bytes) of that node.
  const lastOfMinute = new Map<number, Map<string, RollupSample>>();
  // Each node's latest interval between two snapshots: how long a silence means it stopped.
  const intervalOf = new Map<string, number>();
  for (const sample of sorted) {
    const prev = previous.get(sample.address);
    previous.set(sample.address, sample);
    if (prev !== undefined && sample.timeMs > prev.timeMs)
      intervalOf.set(sample.address, sample.timeMs - prev.timeMs);
    if (sample.timeMs < startMs || sample.timeMs >= toMs) continue;
    const minuteMs = minuteOf(sample.timeMs);
    const point = points.get(minuteMs) ?? emptyPoint(minuteMs);
    const delta = counterDelta(prev, sample, options);
    point.requests += delta.requests;
    point.getRequests += delta.getRequests;
    point.hits += delta.hits;
    point.misses += delta.misses;
    points.set(minuteMs, point);
    const nodes = lastOfMinute.get(minuteMs) ?? new Map<string, RollupSample>();
    nodes.set(sample.address, sample);
    lastOfMinute.set(minuteMs, nodes);
  }
  const result: PoolPoint[] = [];
  for (const minuteMs of [...points.keys()].sort((a, b) => a - b)) {
    const point = points.get(minuteMs)!;
    const nodes = [...lastOfMinute.get(minuteMs)!.values()];
    const newest = Math.max(...nodes.map((last) => last.timeMs));
    for (const last of nodes) {
      if (!stillReporting(last, newest, intervalOf.get(last.address))) continue;
      point.nodes++;
      point.items += Math.max(0, last.items);
      point.usedBytes += Math.max(0, last.usedBytes);
    }
    result.push(withRates(point));
  }
  return result;
}

/**
 * Whether a node whose last snapshot of a minute is `last` was still reporting when the minute's
 * newest snapshot (of any node) came, at `newestMs`: its own snapshot is at most 2.5 of its
 * reporting intervals older (the statistics interval when it sent only one), so a node that left,
 * died or hung earlier in the minute is not counted as part of the pool at its end.
 */
export function stillReporting(
  last: RollupSample,
  newestMs: number,
  intervalMs: number = defaults.statsIntervalS * 1000,
): boolean {
  return newestMs - last.timeMs <= 2.5 * intervalMs;
}

/**
 * Adds up the deltas of `samples` in (`fromMs`, `toMs`] over every node, with the same rules as
 * the minute roll-up: what the pool served in that window.
 */
export function sumDeltas(
  samples: readonly RollupSample[],
  fromMs: number,
  toMs: number,
  baseline: ReadonlyMap<string, RollupSample> = new Map(),
  options: RollupOptions = {},
): CounterDelta {
  const sorted = [...samples].sort((a, b) => a.timeMs - b.timeMs);
  const previous = new Map(baseline);
  const total = { ...ZERO };
  for (const sample of sorted) {
    const prev = previous.get(sample.address);
    previous.set(sample.address, sample);
    if (sample.timeMs <= fromMs || sample.timeMs > toMs) continue;
    const delta = counterDelta(prev, sample, options);
    total.requests += delta.requests;
    total.getRequests += delta.getRequests;
    total.hits += delta.hits;
    total.misses += delta.misses;
  }
  return total;
}

/**
 * The pool's miss rate over (fromMs, toMs]: the misses and GET requests of `sumDeltas` (so a
 * node's interval counts in the window its snapshot ends it in, a restart counts from zero, and
 * hits never exceed GETs). `missRate` is 0..1, or null when no GET request was served. The one
 * definition: the auto-scaler reads it through MetricsStore.missRateOver, the manager's own figures
 * through NodeStatistics.missRate.
 */
export function poolMissRate(
  samples: readonly RollupSample[],
  fromMs: number,
  toMs: number,
  baseline: ReadonlyMap<string, RollupSample> = new Map(),
  options: RollupOptions = {},
): { missRate: number | null; getRequests: number } {
  const total = sumDeltas(samples, fromMs, toMs, baseline, options);
  return {
    missRate: total.getRequests > 0 ? total.misses / total.getRequests : null,
    getRequests: total.getRequests,
  };
}
