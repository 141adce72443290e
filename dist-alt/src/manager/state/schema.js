import { OptionError } from '../../errors.js';
/**
 * The schema, one step per version: step i brings the database from version i to i + 1. Steps are
 * only ever appended, never edited, so that a database written by an older cachepool upgrades.
 */
const schemaSteps = [
    `
  CREATE TABLE nodes (
    address TEXT PRIMARY KEY,
    cache_index INTEGER NOT NULL CHECK (cache_index >= 0),
    status TEXT NOT NULL CHECK (status IN ('up', 'down', 'starting', 'draining')),
    pid INTEGER,
    added_at_ms INTEGER NOT NULL
  );
  CREATE TABLE partition_table (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL,
    strategy TEXT NOT NULL,
    owners TEXT NOT NULL
  );
  CREATE TABLE cache_config (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    capacity_mb INTEGER NOT NULL,
    policy TEXT NOT NULL
  );
  CREATE TABLE autoscaler_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    mode TEXT NOT NULL CHECK (mode IN ('manual', 'automatic')),
    max_miss_rate_threshold REAL NOT NULL,
    min_miss_rate_threshold REAL NOT NULL,
    expand_ratio REAL NOT NULL,
    shrink_ratio REAL NOT NULL,
    min_requests INTEGER NOT NULL,
    cooldown_ms INTEGER NOT NULL,
    min_nodes INTEGER NOT NULL,
    max_nodes INTEGER NOT NULL
  );
  CREATE TABLE decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time_ms INTEGER NOT NULL,
    miss_rate REAL,
    requests INTEGER NOT NULL,
    old_size INTEGER NOT NULL,
    new_size INTEGER NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('grow', 'shrink', 'none')),
    reason TEXT NOT NULL
  );
  CREATE TABLE migrations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    from_table TEXT NOT NULL,
    to_table TEXT NOT NULL,
    started_at_ms INTEGER NOT NULL,
    finished_at_ms INTEGER,
    outcome TEXT CHECK (outcome IN ('done', 'failed', 'rolled-back')),
    error TEXT
  );
  CREATE TABLE migration_moves (
    migration_id TEXT NOT NULL REFERENCES migrations(id) ON DELETE CASCADE,
    partition INTEGER NOT NULL,
    from_address TEXT NOT NULL,
    to_address TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (migration_id, partition)
  );
  `,
];
/** The schema version this code writes. */
export const SCHEMA_VERSION = schemaSteps.length;
/** The schema version of `db`: 0 for a database no step was applied to yet. */
export function readSchemaVersion(db) {
    const row = db.prepare('SELECT version FROM schema_version').get();
    return row?.version ?? 0;
}
/**
 * Applies the missing schema steps, each with its version bump in one transaction. Throws an
 * OptionError naming `--data-dir` (with `dataDir` as the value) when the database is of a newer
 * schema than `SCHEMA_VERSION`, before any step is applied.
 */
export function migrateSchema(db, dataDir) {
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    db.transaction(() => {
        const { n } = db.prepare('SELECT COUNT(*) AS n FROM schema_version').get();
        if (n === 0)
            db.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
    })();
    const current = readSchemaVersion(db);
    if (current > SCHEMA_VERSION) {
        throw new OptionError('--data-dir', `holds a database of schema version ${current}, newer than this cachepool's ${SCHEMA_VERSION}`, dataDir);
    }
    for (let version = current; version < SCHEMA_VERSION; version++) {
        db.transaction(() => {
            db.exec(schemaSteps[version]);
            db.prepare('UPDATE schema_version SET version = ?').run(version + 1);
        })();
    }
}
//# sourceMappingURL=schema.js.map