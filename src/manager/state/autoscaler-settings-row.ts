/**
 * The stored resize mode and auto-scaler parameters (one-row table `autoscaler_settings`), and
 * the settings a fresh database reports. Storage only: the rule that uses them is
 * src/manager/autoscaler.ts, the HTTP validation src/manager/routes.ts.
 */
import type Database from 'better-sqlite3';
import { defaults } from '../../defaults.js';
import { OptionError } from '../../errors.js';
import { scaleModes, type ScaleMode } from '../../wire/index.js';

/** Resize mode and auto-scaler parameters (SPEC §4 `poolsize/config` and `poolsize/automatic`). */
export interface AutoscalerSettings {
  mode: ScaleMode;
  maxMissRateThreshold: number;
  minMissRateThreshold: number;
  expandRatio: number;
  shrinkRatio: number;
  /** GET requests in a period below which no decision is taken. */
  minRequests: number;
  /** Time after a resize during which no decision is taken, in ms. */
  cooldownMs: number;
  minNodes: number;
  maxNodes: number;
}

/** The settings a fresh database reports. */
export function defaultAutoscalerSettings(): AutoscalerSettings {
  return {
    mode: 'manual',
    ...defaults.autoscale,
    cooldownMs: defaults.scaleIntervalS * 1000,
    minNodes: defaults.minNodes,
    maxNodes: defaults.maxNodes,
  };
}

/** The `autoscaler_settings` row's statements, prepared once. `StateDb` documents them for callers. */
export class AutoscalerSettingsRow {
  readonly #statements: ReturnType<typeof prepare>;

  constructor(db: Database.Database) {
    this.#statements = prepare(db);
  }

  /** Stores the whole settings record; throws on an unknown mode or a negative or non-finite number. */
  save(settings: AutoscalerSettings): void {
    if (!scaleModes.includes(settings.mode))
      throw new OptionError('mode', `must be ${scaleModes.join(' or ')}`, settings.mode);
    for (const name of [
      'maxMissRateThreshold',
      'minMissRateThreshold',
      'expandRatio',
      'shrinkRatio',
      'minRequests',
      'cooldownMs',
      'minNodes',
      'maxNodes',
    ] as const) {
      if (
        typeof settings[name] !== 'number' ||
        !Number.isFinite(settings[name]) ||
        settings[name] < 0
      ) {
        throw new OptionError(name, 'must be a finite number >= 0', settings[name]);
      }
    }
    this.#statements.saveAutoscalerSettings.run({ ...settings });
  }

  /** The stored settings, or `defaultAutoscalerSettings()` before the first save. */
  load(): AutoscalerSettings {
    const row = this.#statements.loadAutoscalerSettings.get() as AutoscalerSettings | undefined;
    return row ?? defaultAutoscalerSettings();
  }
}

function prepare(db: Database.Database) {
  return {
    saveAutoscalerSettings: db.prepare(
      `INSERT INTO autoscaler_settings (id, mode, max_miss_rate_threshold, min_miss_rate_threshold, expand_ratio, shrink_ratio,
         min_requests, cooldown_ms, min_nodes, max_nodes)
       VALUES (1, @mode, @maxMissRateThreshold, @minMissRateThreshold, @expandRatio, @shrinkRatio, @minRequests, @cooldownMs, @minNodes, @maxNodes)
       ON CONFLICT (id) DO UPDATE SET mode = excluded.mode, max_miss_rate_threshold = excluded.max_miss_rate_threshold,
         min_miss_rate_threshold = excluded.min_miss_rate_threshold, expand_ratio = excluded.expand_ratio,
         shrink_ratio = excluded.shrink_ratio, min_requests = excluded.min_requests, cooldown_ms = excluded.cooldown_ms,
         min_nodes = excluded.min_nodes, max_nodes = excluded.max_nodes`,
    ),
    loadAutoscalerSettings: db.prepare(
      `SELECT mode, max_miss_rate_threshold AS maxMissRateThreshold, min_miss_rate_threshold AS minMissRateThreshold,
         expand_ratio AS expandRatio, shrink_ratio AS shrinkRatio, min_requests AS minRequests, cooldown_ms AS cooldownMs,
         min_nodes AS minNodes, max_nodes AS maxNodes
       FROM autoscaler_settings WHERE id = 1`,
    ),
  };
}
