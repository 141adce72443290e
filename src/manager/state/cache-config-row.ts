/**
 * The stored cache configuration (one-row table `cache_config`): the capacity and replacement
 * policy the manager applies to every node, including nodes that join after a restart.
 */
import type Database from 'better-sqlite3';
import { defaults } from '../../defaults.js';
import { OptionError } from '../../errors.js';

/** The cache configuration applied to every node (SPEC §4 `cache/config`). */
export interface CacheConfig {
  capacityMb: number;
  policy: string;
}

/** The `cache_config` row's statements, prepared once. `StateDb` documents them for callers. */
export class CacheConfigRow {
  readonly #statements: ReturnType<typeof prepare>;

  constructor(db: Database.Database) {
    this.#statements = prepare(db);
  }

  /** Stores the configuration; throws on a negative capacity or an empty policy name. */
  save(config: CacheConfig): void {
    if (!Number.isInteger(config.capacityMb) || config.capacityMb < 0) {
      throw new OptionError('capacityMb', 'must be an integer >= 0', config.capacityMb);
    }
    if (typeof config.policy !== 'string' || config.policy === '')
      throw new OptionError('policy', 'must be a policy name', config.policy);
    this.#statements.saveCacheConfig.run(config.capacityMb, config.policy);
  }

  /** The stored configuration, or the defaults (`defaults.capacityMb`, `defaults.replacementPolicy`). */
  load(): CacheConfig {
    const row = this.#statements.loadCacheConfig.get() as
      { capacity_mb: number; policy: string } | undefined;
    return row === undefined
      ? { capacityMb: defaults.capacityMb, policy: defaults.replacementPolicy }
      : { capacityMb: row.capacity_mb, policy: row.policy };
  }
}

function prepare(db: Database.Database) {
  return {
    saveCacheConfig: db.prepare(
      `INSERT INTO cache_config (id, capacity_mb, policy) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET capacity_mb = excluded.capacity_mb, policy = excluded.policy`,
    ),
    loadCacheConfig: db.prepare('SELECT capacity_mb, policy FROM cache_config WHERE id = 1'),
  };
}
