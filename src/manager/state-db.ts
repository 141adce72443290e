/**
 * The manager's durable state: one SQLite file (better-sqlite3, WAL) under `--data-dir`, so that a
 * manager that restarts finds its pool, its partition table, its settings, the auto-scaler's
 * decisions and any resize it was killed in the middle of. It owns storage only: it does not talk
 * to nodes, decide anything or validate requests beyond keeping impossible rows out.
 *
 * Everything that changes several rows together runs in one transaction; callers that must change
 * several kinds of state at once (finish a migration *and* save the new table) use `atomically`.
 * The schema is versioned in `schema_version`; `open` applies the missing steps of `schemaSteps`.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import { defaults } from '../defaults.js';
import { errors, OptionError } from '../errors.js';
import { PARTITION_COUNT, type PartitionMove, type PartitionStrategy } from '../partition/index.js';

/** Name of the database file inside the data directory. */
export const STATE_DB_FILE = 'manager.sqlite';
/** Auto-scaler decisions kept (`defaults.decisionLogLimit`); older ones are dropped as new ones are appended. */
export const DECISION_LOG_LIMIT = defaults.decisionLogLimit;
/** Finished migrations kept with their moves (`defaults.migrationHistoryLimit`), for the dashboard and post-mortems. */
export const MIGRATION_HISTORY_LIMIT = defaults.migrationHistoryLimit;

export type NodeStatus = 'up' | 'down' | 'starting' | 'draining';

/** A pool member as remembered across restarts. */
export interface StoredNode {
  /** `host:port`, the key of the row. */
  address: string;
  cacheIndex: number;
  status: NodeStatus;
  /** Process id of a node this manager started itself (`local` provisioner); null otherwise. */
  pid: number | null;
  /** When the node joined the pool, ms since the epoch. */
  addedAtMs: number;
}

/**
 * The partition table as stored: `owners[i]` is the address owning partition i (16 entries). A
 * `PartitionTable` (src/partition) is one, so the manager can pass its tables as they are.
 */
export interface StoredPartitionTable {
  version: number;
  strategy: PartitionStrategy;
  owners: readonly string[];
}

/** The cache configuration applied to every node (SPEC §4 `cache/config`). */
export interface CacheConfig {
  capacityMb: number;
  policy: string;
}

export type ScaleMode = 'manual' | 'automatic';

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

export type ScaleAction = 'grow' | 'shrink' | 'none';

/** One auto-scaler decision, as the dashboard lists them. */
export interface ScaleDecision {
  timeMs: number;
  /** Miss rate of the period, 0..1; null when there were no requests to measure. */
  missRate: number | null;
  requests: number;
  oldSize: number;
  newSize: number;
  action: ScaleAction;
  reason: string;
}

/** One partition handed from one node to another during a resize (the planner's move). */
export type MigrationMove = PartitionMove;

/** What `beginMigration` journals before the first key moves. */
export interface MigrationStart {
  id: string;
  fromTable: StoredPartitionTable;
  toTable: StoredPartitionTable;
  moves: MigrationMove[];
  startedAtMs: number;
}

export type MigrationOutcome = 'done' | 'failed' | 'rolled-back';

/** A journaled migration: unfinished while `outcome` is null. */
export interface MigrationRecord extends MigrationStart {
  moves: (MigrationMove & { done: boolean })[];
  finishedAtMs: number | null;
  outcome: MigrationOutcome | null;
  error: string | null;
}

/** Options of `StateDb.open`. */
export interface StateDbOptions {
  /** Time source for `finishMigration`; the system clock by default. */
  clock?: Clock;
}

/**
 * The schema, one step per version: step i brings the database from version i to i + 1. Steps are
 * only ever appended, never edited, so that a database written by an older cachepool upgrades.
 */
const schemaSteps: readonly string[] = [
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

const nodeStatuses: ReadonlySet<string> = new Set(['up', 'down', 'starting', 'draining']);
const strategies: ReadonlySet<string> = new Set(['minimal', 'round-robin']);

/** The manager's database. Open with `StateDb.open`; close once at shutdown. */
export class StateDb {
  readonly #db: Database.Database;
  readonly #clock: Clock;
  readonly #statements: ReturnType<typeof prepare>;

  private constructor(db: Database.Database, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    this.#statements = prepare(db);
  }

  /**
   * Opens (creating when missing) `<dataDir>/manager.sqlite`, or an in-memory database for
   * `':memory:'`, and brings its schema up to date. Throws an OptionError naming `--data-dir` when
   * the directory cannot be created or written, or holds a database of a newer schema.
   */
  static open(dataDir: string, options: StateDbOptions = {}): StateDb {
    let db: Database.Database;
    try {
      if (dataDir === ':memory:') {
        db = new Database(':memory:');
      } else {
        mkdirSync(dataDir, { recursive: true });
        db = new Database(join(dataDir, STATE_DB_FILE));
        db.pragma('journal_mode = WAL');
        // WAL + NORMAL survives a killed process (the case the migration journal is for); only a
        // power loss can drop the last commits.
        db.pragma('synchronous = NORMAL');
      }
      db.pragma('foreign_keys = ON');
    } catch (error) {
      throw new OptionError(
        '--data-dir',
        `must be a writable directory (${(error as Error).message})`,
        dataDir,
      );
    }
    try {
      migrateSchema(db, dataDir);
    } catch (error) {
      db.close();
      throw error;
    }
    return new StateDb(db, options.clock ?? systemClock);
  }

  /** The schema version of the open database. */
  schemaVersion(): number {
    return readSchemaVersion(this.#db);
  }

  /**
   * Runs `fn` in one transaction: every change inside commits together or not at all (an exception
   * rolls back and is rethrown). Nests: the methods below are transactions of their own.
   */
  atomically<T>(fn: () => T): T {
    return this.#db.transaction(fn)();
  }

  // ---- pool membership ----

  /** Adds the node, or replaces the row of the same address. */
  upsertNode(node: StoredNode): void {
    if (!nodeStatuses.has(node.status))
      throw new OptionError('node status', 'must be up, down, starting or draining', node.status);
    if (!Number.isInteger(node.cacheIndex) || node.cacheIndex < 0) {
      throw new OptionError('cacheIndex', 'must be an integer >= 0', node.cacheIndex);
    }
    this.#statements.upsertNode.run({
      address: node.address,
      cacheIndex: node.cacheIndex,
      status: node.status,
      pid: node.pid,
      addedAtMs: node.addedAtMs,
    });
  }

  /** Removes the node; false when it was not stored. */
  removeNode(address: string): boolean {
    return this.#statements.removeNode.run(address).changes > 0;
  }

  /** Changes a stored node's status; false when it is not stored. */
  setNodeStatus(address: string, status: NodeStatus): boolean {
    if (!nodeStatuses.has(status))
      throw new OptionError('node status', 'must be up, down, starting or draining', status);
    return this.#statements.setNodeStatus.run(status, address).changes > 0;
  }

  /** Every stored node, by cache index then address; empty when none. */
  listNodes(): StoredNode[] {
    return (this.#statements.listNodes.all() as NodeRow[]).map((row) => ({
      address: row.address,
      cacheIndex: row.cache_index,
      status: row.status as NodeStatus,
      pid: row.pid,
      addedAtMs: row.added_at_ms,
    }));
  }

  // ---- partition table ----

  /** Stores the table, replacing the previous one. Throws when it does not have 16 owners. */
  savePartitionTable(table: StoredPartitionTable): void {
    if (
      !Array.isArray(table.owners) ||
      table.owners.length !== PARTITION_COUNT ||
      table.owners.some((o) => typeof o !== 'string')
    ) {
      throw new OptionError(
        'partition table owners',
        `must be ${PARTITION_COUNT} addresses`,
        table.owners,
      );
    }
    if (!Number.isInteger(table.version) || table.version < 0) {
      throw new OptionError('partition table version', 'must be an integer >= 0', table.version);
    }
    if (!strategies.has(table.strategy))
      throw new OptionError('partition strategy', 'must be minimal or round-robin', table.strategy);
    this.#statements.savePartitionTable.run(
      table.version,
      table.strategy,
      JSON.stringify([...table.owners]),
    );
  }

  /** The stored table, or undefined before the first save. */
  loadPartitionTable(): StoredPartitionTable | undefined {
    const row = this.#statements.loadPartitionTable.get() as TableRow | undefined;
    return row === undefined
      ? undefined
      : {
          version: row.version,
          strategy: row.strategy as PartitionStrategy,
          owners: JSON.parse(row.owners) as string[],
        };
  }

  // ---- cache configuration ----

  /** Stores the configuration applied to every node. */
  saveCacheConfig(config: CacheConfig): void {
    if (!Number.isInteger(config.capacityMb) || config.capacityMb < 0) {
      throw new OptionError('capacityMb', 'must be an integer >= 0', config.capacityMb);
    }
    if (typeof config.policy !== 'string' || config.policy === '')
      throw new OptionError('policy', 'must be a policy name', config.policy);
    this.#statements.saveCacheConfig.run(config.capacityMb, config.policy);
  }

  /** The stored configuration, or the defaults (`defaults.capacityMb`, `defaults.replacementPolicy`). */
  loadCacheConfig(): CacheConfig {
    const row = this.#statements.loadCacheConfig.get() as
      { capacity_mb: number; policy: string } | undefined;
    return row === undefined
      ? { capacityMb: defaults.capacityMb, policy: defaults.replacementPolicy }
      : { capacityMb: row.capacity_mb, policy: row.policy };
  }

  // ---- mode and auto-scaler settings ----

  /** Stores the whole settings record (load, change, save). */
  saveAutoscalerSettings(settings: AutoscalerSettings): void {
    if (settings.mode !== 'manual' && settings.mode !== 'automatic')
      throw new OptionError('mode', 'must be manual or automatic', settings.mode);
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

  /**
   * The stored settings, or the defaults: manual mode, `defaults.autoscale`, `defaults.minNodes` /
   * `maxNodes`, and a cooldown of one scale interval (SPEC §4: wait one period after a resize).
   */
  loadAutoscalerSettings(): AutoscalerSettings {
    const row = this.#statements.loadAutoscalerSettings.get() as AutoscalerSettings | undefined;
    return row ?? defaultAutoscalerSettings();
  }

  // ---- auto-scaler decision log ----

  /** Appends a decision and drops the oldest beyond `DECISION_LOG_LIMIT`. */
  appendDecision(decision: ScaleDecision): void {
    this.atomically(() => {
      this.#statements.appendDecision.run({ ...decision });
      this.#statements.trimDecisions.run(DECISION_LOG_LIMIT);
    });
  }

  /** The newest `limit` decisions, newest first (`limit` >= 0; 0 gives none). */
  listDecisions(limit: number): ScaleDecision[] {
    if (!Number.isInteger(limit) || limit < 0)
      throw new OptionError('limit', 'must be an integer >= 0', limit);
    return this.#statements.listDecisions.all(limit) as ScaleDecision[];
  }

  // ---- migration journal ----

  /**
   * Journals a migration before its first key moves. Throws the pool-busy error when another
   * migration is still unfinished (finish or roll it back first).
   */
  beginMigration(start: MigrationStart): void {
    this.atomically(() => {
      if (this.#statements.unfinishedMigration.get() !== undefined) throw errors.poolBusy();
      this.#statements.insertMigration.run(
        start.id,
        serializeTable(start.fromTable),
        serializeTable(start.toTable),
        start.startedAtMs,
      );
      for (const move of start.moves)
        this.#statements.insertMove.run(start.id, move.partition, move.from, move.to);
    });
  }

  /** Records that the move of `partition` finished; false when the migration has no such move. */
  markMoveDone(id: string, partition: number): boolean {
    return this.#statements.markMoveDone.run(id, partition).changes > 0;
  }

  /**
   * Closes the journal entry with its outcome (and error text); false when no unfinished migration
   * has this id. Keeps the last `MIGRATION_HISTORY_LIMIT` finished migrations.
   */
  finishMigration(id: string, outcome: MigrationOutcome, error?: string): boolean {
    return this.atomically(() => {
      const changed =
        this.#statements.finishMigration.run(this.#clock.now(), outcome, error ?? null, id)
          .changes > 0;
      if (changed) this.#statements.trimMigrations.run(MIGRATION_HISTORY_LIMIT);
      return changed;
    });
  }

  /** The migration that was begun and never finished (a manager killed mid-resize), if any. */
  unfinishedMigration(): MigrationRecord | undefined {
    const row = this.#statements.unfinishedMigration.get() as MigrationRow | undefined;
    return row === undefined ? undefined : this.#migrationRecord(row);
  }

  /** The most recently begun migration, finished or not, if any. */
  lastMigration(): MigrationRecord | undefined {
    const row = this.#statements.lastMigration.get() as MigrationRow | undefined;
    return row === undefined ? undefined : this.#migrationRecord(row);
  }

  /** Closes the database; later calls do nothing. */
  close(): void {
    if (this.#db.open) this.#db.close();
  }

  #migrationRecord(row: MigrationRow): MigrationRecord {
    const moves = (this.#statements.listMoves.all(row.id) as MoveRow[]).map((m) => ({
      partition: m.partition,
      from: m.from_address,
      to: m.to_address,
      done: m.done === 1,
    }));
    return {
      id: row.id,
      fromTable: JSON.parse(row.from_table) as StoredPartitionTable,
      toTable: JSON.parse(row.to_table) as StoredPartitionTable,
      moves,
      startedAtMs: row.started_at_ms,
      finishedAtMs: row.finished_at_ms,
      outcome: row.outcome as MigrationOutcome | null,
      error: row.error,
    };
  }
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

interface NodeRow {
  address: string;
  cache_index: number;
  status: string;
  pid: number | null;
  added_at_ms: number;
}
interface TableRow {
  version: number;
  strategy: string;
  owners: string;
}
interface MigrationRow {
  id: string;
  from_table: string;
  to_table: string;
  started_at_ms: number;
  finished_at_ms: number | null;
  outcome: string | null;
  error: string | null;
}
interface MoveRow {
  partition: number;
  from_address: string;
  to_address: string;
  done: number;
}

/** A table as JSON with its owners by name (a PartitionTable's own toJSON says `partitions`). */
function serializeTable(table: StoredPartitionTable): string {
  return JSON.stringify({
    version: table.version,
    strategy: table.strategy,
    owners: [...table.owners],
  });
}

function readSchemaVersion(db: Database.Database): number {
  const row = db.prepare('SELECT version FROM schema_version').get() as
    { version: number } | undefined;
  return row?.version ?? 0;
}

/** Applies the missing schema steps, each with its version bump in one transaction. */
function migrateSchema(db: Database.Database, dataDir: string): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  db.transaction(() => {
    const { n } = db.prepare('SELECT COUNT(*) AS n FROM schema_version').get() as { n: number };
    if (n === 0) db.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
  })();
  const current = readSchemaVersion(db);
  if (current > SCHEMA_VERSION) {
    throw new OptionError(
      '--data-dir',
      `holds a database of schema version ${current}, newer than this cachepool's ${SCHEMA_VERSION}`,
      dataDir,
    );
  }
  for (let version = current; version < SCHEMA_VERSION; version++) {
    db.transaction(() => {
      db.exec(schemaSteps[version]!);
      db.prepare('UPDATE schema_version SET version = ?').run(version + 1);
    })();
  }
}

function prepare(db: Database.Database) {
  return {
    upsertNode: db.prepare(
      `INSERT INTO nodes (address, cache_index, status, pid, added_at_ms) VALUES (@address, @cacheIndex, @status, @pid, @addedAtMs)
       ON CONFLICT (address) DO UPDATE SET cache_index = excluded.cache_index, status = excluded.status,
         pid = excluded.pid, added_at_ms = excluded.added_at_ms`,
    ),
    removeNode: db.prepare('DELETE FROM nodes WHERE address = ?'),
    setNodeStatus: db.prepare('UPDATE nodes SET status = ? WHERE address = ?'),
    listNodes: db.prepare(
      'SELECT address, cache_index, status, pid, added_at_ms FROM nodes ORDER BY cache_index, address',
    ),
    savePartitionTable: db.prepare(
      `INSERT INTO partition_table (id, version, strategy, owners) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET version = excluded.version, strategy = excluded.strategy, owners = excluded.owners`,
    ),
    loadPartitionTable: db.prepare(
      'SELECT version, strategy, owners FROM partition_table WHERE id = 1',
    ),
    saveCacheConfig: db.prepare(
      `INSERT INTO cache_config (id, capacity_mb, policy) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET capacity_mb = excluded.capacity_mb, policy = excluded.policy`,
    ),
    loadCacheConfig: db.prepare('SELECT capacity_mb, policy FROM cache_config WHERE id = 1'),
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
    appendDecision: db.prepare(
      `INSERT INTO decisions (time_ms, miss_rate, requests, old_size, new_size, action, reason)
       VALUES (@timeMs, @missRate, @requests, @oldSize, @newSize, @action, @reason)`,
    ),
    trimDecisions: db.prepare(
      'DELETE FROM decisions WHERE id <= (SELECT id FROM decisions ORDER BY id DESC LIMIT 1 OFFSET ?)',
    ),
    listDecisions: db.prepare(
      `SELECT time_ms AS timeMs, miss_rate AS missRate, requests, old_size AS oldSize, new_size AS newSize, action, reason
       FROM decisions ORDER BY id DESC LIMIT ?`,
    ),
    insertMigration: db.prepare(
      'INSERT INTO migrations (id, from_table, to_table, started_at_ms) VALUES (?, ?, ?, ?)',
    ),
    insertMove: db.prepare(
      'INSERT INTO migration_moves (migration_id, partition, from_address, to_address) VALUES (?, ?, ?, ?)',
    ),
    markMoveDone: db.prepare(
      'UPDATE migration_moves SET done = 1 WHERE migration_id = ? AND partition = ?',
    ),
    finishMigration: db.prepare(
      'UPDATE migrations SET finished_at_ms = ?, outcome = ?, error = ? WHERE id = ? AND outcome IS NULL',
    ),
    trimMigrations: db.prepare(
      `DELETE FROM migrations WHERE outcome IS NOT NULL AND seq <= (
         SELECT seq FROM migrations WHERE outcome IS NOT NULL ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
    ),
    unfinishedMigration: db.prepare(
      'SELECT id, from_table, to_table, started_at_ms, finished_at_ms, outcome, error FROM migrations WHERE outcome IS NULL ORDER BY seq DESC LIMIT 1',
    ),
    lastMigration: db.prepare(
      'SELECT id, from_table, to_table, started_at_ms, finished_at_ms, outcome, error FROM migrations ORDER BY seq DESC LIMIT 1',
    ),
    listMoves: db.prepare(
      'SELECT partition, from_address, to_address, done FROM migration_moves WHERE migration_id = ? ORDER BY partition',
    ),
  };
}
