/**
 * The two shapes of `GET /api/manager/aggregate_stats` (docs/internal-api.md), both from 1-minute
 * pool points. Pure; the points come from the metrics store.
 *
 * - The original manager's shape (no query): flat lists of numbers, one per minute of the window,
 *   oldest first; rates in percent, sizes in MB (bytes / 2^20). What the original manager UI
 *   draws.
 * - cachepool's own (with `?minutes=N`): `[timestamp ms, value]` points, rates 0..1, sizes in
 *   bytes, minutes without a report absent. What cachepool's dashboard draws.
 */
import type { AggregateStats, LegacyAggregateStats, SeriesPoint } from '../wire/index.js';
import { MINUTE_MS, minuteOf, type PoolPoint } from './rollup.js';

/**
 * The timestamped content (`?minutes=N`) and the original manager's (one number per minute,
 * oldest first; percent, MB): declared in wire/.
 */
export type { AggregateStats, LegacyAggregateStats, SeriesPoint };

/** Bytes in one MB as the original counted them. */
const BYTES_PER_MB = 2 ** 20;

/** Turns 1-minute points into the timestamped shape; no points give six empty series. */
export function toAggregateStats(points: readonly PoolPoint[]): AggregateStats {
  return {
    miss_rate: points.map((p) => [p.minuteMs, p.missRate]),
    hit_rate: points.map((p) => [p.minuteMs, p.hitRate]),
    number_of_items_in_cache: points.map((p) => [p.minuteMs, p.items]),
    total_size_of_items_in_cache: points.map((p) => [p.minuteMs, p.usedBytes]),
    number_of_requests_served_per_minute: points.map((p) => [p.minuteMs, p.requests]),
    number_of_nodes: points.map((p) => [p.minuteMs, p.nodes]),
  };
}

/** `x` rounded to `digits` decimals (so that 0.7 × 100 reads 70, not 70.00000000000001). */
function round(x: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(x * factor) / factor;
}

/**
 * Turns 1-minute points into the original's shape over exactly `minutes` minutes ending with the
 * minute of `nowMs` (the current one included), oldest first. A minute without a point counts 0
 * everywhere (no node reported: nothing was served, nothing is known to be held); a minute
 * without GET requests has hit and miss rate 0, as the original answered. Rates have two
 * decimals, the miss rate being 100 − the hit rate so that the two always add up to 100; sizes
 * in MB have six.
 */
export function toLegacyAggregateStats(
  points: readonly PoolPoint[],
  minutes: number,
  nowMs: number,
): LegacyAggregateStats {
  const byMinute = new Map(points.map((p) => [p.minuteMs, p]));
  const last = minuteOf(nowMs);
  const stats: LegacyAggregateStats = {
    miss_rate: [],
    hit_rate: [],
    number_of_items_in_cache: [],
    total_size_of_items_in_cache: [],
    number_of_requests_served_per_minute: [],
    number_of_nodes: [],
  };
  for (let i = minutes - 1; i >= 0; i--) {
    const point = byMinute.get(last - i * MINUTE_MS);
    const hit =
      point?.hitRate === null || point === undefined ? null : round(point.hitRate * 100, 2);
    stats.hit_rate.push(hit ?? 0);
    stats.miss_rate.push(hit === null ? 0 : round(100 - hit, 2));
    stats.number_of_items_in_cache.push(point?.items ?? 0);
    stats.total_size_of_items_in_cache.push(round((point?.usedBytes ?? 0) / BYTES_PER_MB, 6));
    stats.number_of_requests_served_per_minute.push(point?.requests ?? 0);
    stats.number_of_nodes.push(point?.nodes ?? 0);
  }
  return stats;
}
