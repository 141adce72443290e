/** The shapes the manager answers (docs/internal-api.md), as the dashboard reads them. */
import type { ResizeCause } from '../../metrics/store-db.js';
import type { MigrationJSON } from '../../pool/migration-progress.js';

export type Series = [number, number | null][];

/** `aggregate_stats?minutes=N`: timestamped series, rates 0..1, sizes in bytes. */
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
  /** Requests to this node that failed, when the manager reports it (not every version does). */
  errors?: number;
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
  /** Keys lost with a failed node, when the manager reports it. */
  keys_lost?: number;
}

export interface Autoscaler {
  mode: 'manual' | 'automatic';
  parameters: AutoscaleParameters;
  decisions: Decision[];
}

export interface ResizeEvent {
  time_ms: number;
  old_size: number;
  /** For `rolled-back`, the size the resize aimed at (the pool kept `old_size`). */
  new_size: number;
  cause: ResizeCause;
}

export interface CacheConfig {
  capacity?: number;
  replacement_policy?: string;
  policy?: string;
  /** The policies the nodes support. */
  policies?: string[];
}
