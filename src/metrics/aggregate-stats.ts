/**
 * The SPEC §4 `aggregate_stats` shape: six series of `[timestamp ms, value]` points, and the
 * conversion of 1-minute pool points into it. Pure; the points come from the metrics store.
 */
import type { PoolPoint } from './rollup.js';

/** One `[timestamp ms, value]` point; `null` where there is no value (no GET in that minute). */
export type SeriesPoint = [number, number | null];

/** The SPEC §4 `aggregate_stats` content. */
export interface AggregateStats {
  miss_rate: SeriesPoint[];
  hit_rate: SeriesPoint[];
  number_of_items_in_cache: SeriesPoint[];
  total_size_of_items_in_cache: SeriesPoint[];
  number_of_requests_served_per_minute: SeriesPoint[];
  number_of_nodes: SeriesPoint[];
}

/** Turns 1-minute points into the SPEC §4 shape; no points give six empty series. */
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
