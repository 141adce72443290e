/**
 * The manager's durable state: one SQLite file (better-sqlite3, WAL) under `--data-dir`, so that a
 * manager that restarts finds its pool, its partition table, its settings, the auto-scaler's
 * decisions and any resize it was killed in the middle of. It owns storage only: it does not talk
 * to nodes, decide anything or validate requests beyond keeping impossible rows out.
 *
 * Everything that changes several rows together runs in one transaction; callers that must change
 * several kinds of state at once (finish a migration *and* save the new table) use `atomically`.
 * This file opens the database and is the one surface of it; the schema and its versioned steps
 * (state/schema.ts) and each topic's statements (the other files of state/) live beside it.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import { CachePoolError, OptionError } from '../errors.js';
import {
  AutoscalerSettingsRow,
  defaultAutoscalerSettings,
  type AutoscalerSettings,
} from './state/autoscaler-settings-row.js';
import { CacheConfigRow, type CacheConfig } from './state/cache-config-row.js';
import { DecisionLog, DECISION_LOG_LIMIT, type ScaleDecision } from './state/decision-log.js';
import {
  MigrationJournal,
  MIGRATION_HISTORY_LIMIT,
  type MigrationMove,
  type MigrationOutcome,
  type MigrationRecord,
  type MigrationStart,
} from './state/migration-journal.js';
import { NodeRows, type StoredNode } from './state/node-rows.js';
import type { MemberStatus, ScaleAction, ScaleMode } from '../wire/index.js';
import { PartitionTableRow, type StoredPartitionTable } from './state/partition-table-row.js';
import { migrateSchema, readSchemaVersion, SCHEMA_VERSION } from './state/schema.js';

export {
  defaultAutoscalerSettings,
  DECISION_LOG_LIMIT,
  MIGRATION_HISTORY_LIMIT,
  SCHEMA_VERSION,
  type AutoscalerSettings,
  type CacheConfig,
  type MigrationMove,
  type MigrationOutcome,
  type MigrationRecord,
  type MigrationStart,
  type MemberStatus,
  type ScaleAction,
  type ScaleDecision,
  type ScaleMode,
  type StoredNode,
  type StoredPartitionTable,
};

/** Name of the database file inside the data directory. */
export const STATE_DB_FILE = 'manager.sqlite';

/**
 * The database file exists but SQLite cannot read it (not a database, or a damaged one). The
 * message says what to do, in one line: the file is never touched by the manager.
 */
export class CorruptStateError extends CachePoolError {
  constructor(path: string, cause: unknown) {
    super(
      'CP_ERR_OPTION_INVALID',
      400,
      `the manager's database ${path} is corrupt (${(cause as Error).message}): ` +
        'move it aside to start a new, empty pool (the nodes refill as clients write), ' +
        'or restore it from a backup, then start again',
      { cause },
    );
    this.name = 'CorruptStateError';
  }
}

/** Whether `error` is SQLite saying that a file is not a database or is damaged. */
function isCorruption(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')
  );
}

/** Options of `StateDb.open`. */
export interface StateDbOptions {
  /** Time source for `finishMigration`; the system clock by default. */
  clock?: Clock;
}

/** The manager's database. Open with `StateDb.open`; close once at shutdown. */
export class StateDb {
  readonly #db: Database.Database;
  readonly #nodes: NodeRows;
  readonly #partitionTable: PartitionTableRow;
  readonly #cacheConfig: CacheConfigRow;
  readonly #autoscalerSettings: AutoscalerSettingsRow;
  readonly #decisions: DecisionLog;
  readonly #migrations: MigrationJournal;

  private constructor(db: Database.Database, clock: Clock) {
    this.#db = db;
    this.#nodes = new NodeRows(db);
    this.#partitionTable = new PartitionTableRow(db);
    this.#cacheConfig = new CacheConfigRow(db);
    this.#autoscalerSettings = new AutoscalerSettingsRow(db);
    this.#decisions = new DecisionLog(db);
    this.#migrations = new MigrationJournal(db, clock);
  }

  /**
   * Opens (creating when missing) `<dataDir>/manager.sqlite`, or an in-memory database for
   * `':memory:'`, and brings its schema up to date. Throws an OptionError naming `--data-dir` when
   * the directory cannot be created or written, or holds a database of a newer schema, and a
   * CorruptStateError when the file is not a database SQLite can read.
   */
  static open(dataDir: string, options: StateDbOptions = {}): StateDb {
    let db: Database.Database;
    const path = dataDir === ':memory:' ? dataDir : join(dataDir, STATE_DB_FILE);
    try {
      if (dataDir === ':memory:') {
        db = new Database(':memory:');
      } else {
        mkdirSync(dataDir, { recursive: true });
        db = new Database(path);
        db.pragma('journal_mode = WAL');
        // WAL + NORMAL survives a killed process (the case the migration journal is for); only a
        // power loss can drop the last commits.
        db.pragma('synchronous = NORMAL');
      }
      db.pragma('foreign_keys = ON');
    } catch (error) {
      if (isCorruption(error)) throw new CorruptStateError(path, error);
      throw new OptionError(
        '--data-dir',
        `must be a writable directory (${(error as Error).message})`,
        dataDir,
      );
    }
    try {
      // A damaged file may open and only fail when its pages are read: check them all first.
      if (dataDir !== ':memory:') {
        const check = db.pragma('quick_check(1)', { simple: true });
        if (check !== 'ok') {
          // SQLite's report names the database first (`*** in database main ***`): keep the problem.
          const problem =
            String(check)
              .split('\n')
              .filter((l) => !l.startsWith('***'))[0] ?? '';
          throw Object.assign(new Error(`integrity check failed: ${problem.slice(0, 120)}`), {
            code: 'SQLITE_CORRUPT',
          });
        }
      }
      migrateSchema(db, dataDir);
    } catch (error) {
      db.close();
      if (isCorruption(error)) throw new CorruptStateError(path, error);
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
    this.#nodes.upsert(node);
  }

  /** Removes the node; false when it was not stored. */
  removeNode(address: string): boolean {
    return this.#nodes.remove(address);
  }

  /** Changes a stored node's status; false when it is not stored. */
  setNodeStatus(address: string, status: MemberStatus): boolean {
    return this.#nodes.setStatus(address, status);
  }

  /** Every stored node, by cache index then address; empty when none. */
  listNodes(): StoredNode[] {
    return this.#nodes.list();
  }

  // ---- partition table ----

  /** Stores the table, replacing the previous one. Throws when it does not have 16 owners. */
  savePartitionTable(table: StoredPartitionTable): void {
    this.#partitionTable.save(table);
  }

  /** The stored table, or undefined before the first save. */
  loadPartitionTable(): StoredPartitionTable | undefined {
    return this.#partitionTable.load();
  }

  // ---- cache configuration ----

  /** Stores the configuration applied to every node. */
  saveCacheConfig(config: CacheConfig): void {
    this.#cacheConfig.save(config);
  }

  /** The stored configuration, or the defaults (`defaults.capacityMb`, `defaults.replacementPolicy`). */
  loadCacheConfig(): CacheConfig {
    return this.#cacheConfig.load();
  }

  // ---- mode and auto-scaler settings ----

  /** Stores the whole settings record (load, change, save). */
  saveAutoscalerSettings(settings: AutoscalerSettings): void {
    this.#autoscalerSettings.save(settings);
  }

  /**
   * The stored settings, or the defaults: manual mode, `defaults.autoscale`, `defaults.minNodes` /
   * `maxNodes`, and a cooldown of one scale interval (SPEC §4: wait one period after a resize).
   */
  loadAutoscalerSettings(): AutoscalerSettings {
    return this.#autoscalerSettings.load();
  }

  // ---- auto-scaler decision log ----

  /** Appends a decision and drops the oldest beyond `DECISION_LOG_LIMIT`. */
  appendDecision(decision: ScaleDecision): void {
    this.#decisions.append(decision);
  }

  /** The newest `limit` decisions, newest first (`limit` >= 0; 0 gives none). */
  listDecisions(limit: number): ScaleDecision[] {
    return this.#decisions.list(limit);
  }

  // ---- migration journal ----

  /**
   * Journals a migration before its first key moves. Throws the pool-busy error when another
   * migration is still unfinished (finish or roll it back first).
   */
  beginMigration(start: MigrationStart): void {
    this.#migrations.begin(start);
  }

  /** Records that the move of `partition` finished; false when the migration has no such move. */
  markMoveDone(id: string, partition: number): boolean {
    return this.#migrations.markMoveDone(id, partition);
  }

  /**
   * Closes the journal entry with its outcome (and error text); false when no unfinished migration
   * has this id. Keeps the last `MIGRATION_HISTORY_LIMIT` finished migrations.
   */
  finishMigration(id: string, outcome: MigrationOutcome, error?: string): boolean {
    return this.#migrations.finish(id, outcome, error);
  }

  /** The migration that was begun and never finished (a manager killed mid-resize), if any. */
  unfinishedMigration(): MigrationRecord | undefined {
    return this.#migrations.unfinished();
  }

  /** The most recently begun migration, finished or not, if any. */
  lastMigration(): MigrationRecord | undefined {
    return this.#migrations.last();
  }

  /** Closes the database; later calls do nothing. */
  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
