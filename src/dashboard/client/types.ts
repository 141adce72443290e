/** The shapes the manager answers (SPEC §4 and docs/internal-api.md), as the dashboard reads them. */
import type { MigrationJSON } from '../../pool/migration-progress.js';

export type Series = [number, number | null][];

export interface AggregateStats {
  miss_rate: Series;
  hit_rate: Series;
  number_of_items_in_cache: Series;
  total_size_of_items_in_cache: Series;
  number_of_requests_served_per_minute: Series;
  number_of_nodes: Series;
}

export interface NodeRow {
  address: string;
  cache_index: number;
  status: 'up' | 'down' | 'starting' | 'draining';
  items: number;
  used_bytes: number;
  capacity_bytes: number;
  /** Over the last minute; null when the node served no GET in it. */
  hit_rate: number | null;
  miss_rate: number | null;
  requests_total: number;
}

/** `GET /api/manager/migration`'s `migration`: the pool's own wire type (erased when bundled). */
export type Migration = MigrationJSON;

export interface AutoscaleParameters {
  max_miss_rate_threshold?: number;
  min_miss_rate_threshold?: number;
  expand_ratio?: number;
  shrink_ratio?: number;
}

export interface Decision {
  time_ms: number;
  miss_rate: number | null;
  requests: number;
  old_size: number;
  new_size: number;
  action: 'grow' | 'shrink' | 'none';
  reason: string;
}

export interface Autoscaler {
  mode: 'manual' | 'automatic';
  parameters: AutoscaleParameters;
  decisions: Decision[];
}

export interface ResizeEvent {
  time_ms: number;
  old_size: number;
  new_size: number;
  cause: 'manual' | 'automatic' | 'failure';
}

export interface CacheConfig {
  capacity?: number;
  replacement_policy?: string;
  policy?: string;
}
