/**
 * The auto-scaler's decision log (table `decisions`): every decision with the miss rate and
 * request count it was taken on, bounded to the newest `DECISION_LOG_LIMIT`, for the dashboard.
 */
import type Database from 'better-sqlite3';
import { defaults } from '../../defaults.js';
import { OptionError } from '../../errors.js';
import type { ScaleAction } from '../../wire/index.js';

/** Auto-scaler decisions kept (`defaults.decisionLogLimit`); older ones are dropped as new ones are appended. */
export const DECISION_LOG_LIMIT = defaults.decisionLogLimit;

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

/** The `decisions` table's statements, prepared once. `StateDb` documents them for callers. */
export class DecisionLog {
  readonly #statements: ReturnType<typeof prepare>;
  /** Append and trim commit together, so the log never holds more than the limit. */
  readonly #append: (decision: ScaleDecision) => void;

  constructor(db: Database.Database) {
    const statements = prepare(db);
    this.#statements = statements;
    this.#append = db.transaction((decision: ScaleDecision) => {
      statements.appendDecision.run({ ...decision });
      statements.trimDecisions.run(DECISION_LOG_LIMIT);
    });
  }

  /** Appends a decision and drops the oldest beyond `DECISION_LOG_LIMIT`. */
  append(decision: ScaleDecision): void {
    this.#append(decision);
  }

  /** The newest `limit` decisions, newest first; throws unless `limit` is an integer >= 0. */
  list(limit: number): ScaleDecision[] {
    if (!Number.isInteger(limit) || limit < 0)
      throw new OptionError('limit', 'must be an integer >= 0', limit);
    return this.#statements.listDecisions.all(limit) as ScaleDecision[];
  }
}

function prepare(db: Database.Database) {
  return {
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
  };
}
