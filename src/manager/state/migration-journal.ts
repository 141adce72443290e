/**
 * The migration journal (tables `migrations` and `migration_moves`): a resize is journaled with
 * its tables and moves before the first key moves, each move is marked as it finishes, and the
 * outcome closes the entry, so that a manager killed mid-resize can settle it at its restart
 * (src/manager/recovery.ts). At most one migration is unfinished; the newest
 * `MIGRATION_HISTORY_LIMIT` finished ones are kept.
 */
import type Database from 'better-sqlite3';
import type { Clock } from '../../clock.js';
import { defaults } from '../../defaults.js';
import { errors } from '../../errors.js';
import type { PartitionMove } from '../../partition/index.js';
import { serializeTable, type StoredPartitionTable } from './partition-table-row.js';

/** Finished migrations kept with their moves (`defaults.migrationHistoryLimit`), for the dashboard and post-mortems. */
export const MIGRATION_HISTORY_LIMIT = defaults.migrationHistoryLimit;

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

/** The journal's statements, prepared once. `StateDb` documents each method for callers. */
export class MigrationJournal {
  readonly #clock: Clock;
  readonly #statements: ReturnType<typeof prepare>;
  /** The busy check, the entry and its moves commit together: a half-journaled start never exists. */
  readonly #begin: (start: MigrationStart) => void;
  /** The outcome and the history trim commit together. */
  readonly #finish: (id: string, outcome: MigrationOutcome, error: string | null) => boolean;

  constructor(db: Database.Database, clock: Clock) {
    const statements = prepare(db);
    this.#clock = clock;
    this.#statements = statements;
    this.#begin = db.transaction((start: MigrationStart) => {
      if (statements.unfinishedMigration.get() !== undefined) throw errors.poolBusy();
      statements.insertMigration.run(
        start.id,
        serializeTable(start.fromTable),
        serializeTable(start.toTable),
        start.startedAtMs,
      );
      for (const move of start.moves)
        statements.insertMove.run(start.id, move.partition, move.from, move.to);
    });
    this.#finish = db.transaction((id: string, outcome: MigrationOutcome, error: string | null) => {
      const changed =
        statements.finishMigration.run(this.#clock.now(), outcome, error, id).changes > 0;
      if (changed) statements.trimMigrations.run(MIGRATION_HISTORY_LIMIT);
      return changed;
    });
  }

  /** Journals a migration; throws the pool-busy error while another one is unfinished. */
  begin(start: MigrationStart): void {
    this.#begin(start);
  }

  /** Records that the move of `partition` finished; false when the migration has no such move. */
  markMoveDone(id: string, partition: number): boolean {
    return this.#statements.markMoveDone.run(id, partition).changes > 0;
  }

  /** Closes the unfinished entry `id` with its outcome; false when there is none. */
  finish(id: string, outcome: MigrationOutcome, error?: string): boolean {
    return this.#finish(id, outcome, error ?? null);
  }

  /** The migration that was begun and never finished, if any. */
  unfinished(): MigrationRecord | undefined {
    const row = this.#statements.unfinishedMigration.get() as MigrationRow | undefined;
    return row === undefined ? undefined : this.#record(row);
  }

  /** The most recently begun migration, finished or not, if any. */
  last(): MigrationRecord | undefined {
    const row = this.#statements.lastMigration.get() as MigrationRow | undefined;
    return row === undefined ? undefined : this.#record(row);
  }

  #record(row: MigrationRow): MigrationRecord {
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

function prepare(db: Database.Database) {
  return {
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
