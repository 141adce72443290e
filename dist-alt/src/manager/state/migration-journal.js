import { defaults } from '../../defaults.js';
import { errors } from '../../errors.js';
import { serializeTable } from './partition-table-row.js';
/** Finished migrations kept with their moves (`defaults.migrationHistoryLimit`), for the dashboard and post-mortems. */
export const MIGRATION_HISTORY_LIMIT = defaults.migrationHistoryLimit;
/** The journal's statements, prepared once. `StateDb` documents each method for callers. */
export class MigrationJournal {
    #clock;
    #statements;
    /** The busy check, the entry and its moves commit together: a half-journaled start never exists. */
    #begin;
    /** The outcome and the history trim commit together. */
    #finish;
    constructor(db, clock) {
        const statements = prepare(db);
        this.#clock = clock;
        this.#statements = statements;
        this.#begin = db.transaction((start) => {
            if (statements.unfinishedMigration.get() !== undefined)
                throw errors.poolBusy();
            statements.insertMigration.run(start.id, serializeTable(start.fromTable), serializeTable(start.toTable), start.startedAtMs);
            for (const move of start.moves)
                statements.insertMove.run(start.id, move.partition, move.from, move.to);
        });
        this.#finish = db.transaction((id, outcome, error) => {
            const changed = statements.finishMigration.run(this.#clock.now(), outcome, error, id).changes > 0;
            if (changed)
                statements.trimMigrations.run(MIGRATION_HISTORY_LIMIT);
            return changed;
        });
    }
    /** Journals a migration; throws the pool-busy error while another one is unfinished. */
    begin(start) {
        this.#begin(start);
    }
    /** Records that the move of `partition` finished; false when the migration has no such move. */
    markMoveDone(id, partition) {
        return this.#statements.markMoveDone.run(id, partition).changes > 0;
    }
    /** Closes the unfinished entry `id` with its outcome; false when there is none. */
    finish(id, outcome, error) {
        return this.#finish(id, outcome, error ?? null);
    }
    /** The migration that was begun and never finished, if any. */
    unfinished() {
        const row = this.#statements.unfinishedMigration.get();
        return row === undefined ? undefined : this.#record(row);
    }
    /** The most recently begun migration, finished or not, if any. */
    last() {
        const row = this.#statements.lastMigration.get();
        return row === undefined ? undefined : this.#record(row);
    }
    #record(row) {
        const moves = this.#statements.listMoves.all(row.id).map((m) => ({
            partition: m.partition,
            from: m.from_address,
            to: m.to_address,
            done: m.done === 1,
        }));
        return {
            id: row.id,
            fromTable: JSON.parse(row.from_table),
            toTable: JSON.parse(row.to_table),
            moves,
            startedAtMs: row.started_at_ms,
            finishedAtMs: row.finished_at_ms,
            outcome: row.outcome,
            error: row.error,
        };
    }
}
function prepare(db) {
    return {
        insertMigration: db.prepare('INSERT INTO migrations (id, from_table, to_table, started_at_ms) VALUES (?, ?, ?, ?)'),
        insertMove: db.prepare('INSERT INTO migration_moves (migration_id, partition, from_address, to_address) VALUES (?, ?, ?, ?)'),
        markMoveDone: db.prepare('UPDATE migration_moves SET done = 1 WHERE migration_id = ? AND partition = ?'),
        finishMigration: db.prepare('UPDATE migrations SET finished_at_ms = ?, outcome = ?, error = ? WHERE id = ? AND outcome IS NULL'),
        trimMigrations: db.prepare(`DELETE FROM migrations WHERE outcome IS NOT NULL AND seq <= (
         SELECT seq FROM migrations WHERE outcome IS NOT NULL ORDER BY seq DESC LIMIT 1 OFFSET ?)`),
        unfinishedMigration: db.prepare('SELECT id, from_table, to_table, started_at_ms, finished_at_ms, outcome, error FROM migrations WHERE outcome IS NULL ORDER BY seq DESC LIMIT 1'),
        lastMigration: db.prepare('SELECT id, from_table, to_table, started_at_ms, finished_at_ms, outcome, error FROM migrations ORDER BY seq DESC LIMIT 1'),
        listMoves: db.prepare('SELECT partition, from_address, to_address, done FROM migration_moves WHERE migration_id = ? ORDER BY partition'),
    };
}
//# sourceMappingURL=migration-journal.js.map