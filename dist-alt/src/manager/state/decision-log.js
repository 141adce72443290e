import { defaults } from '../../defaults.js';
import { OptionError } from '../../errors.js';
/** Auto-scaler decisions kept (`defaults.decisionLogLimit`); older ones are dropped as new ones are appended. */
export const DECISION_LOG_LIMIT = defaults.decisionLogLimit;
/** The `decisions` table's statements, prepared once. `StateDb` documents them for callers. */
export class DecisionLog {
    #statements;
    /** Append and trim commit together, so the log never holds more than the limit. */
    #append;
    constructor(db) {
        const statements = prepare(db);
        this.#statements = statements;
        this.#append = db.transaction((decision) => {
            statements.appendDecision.run({ ...decision });
            statements.trimDecisions.run(DECISION_LOG_LIMIT);
        });
    }
    /** Appends a decision and drops the oldest beyond `DECISION_LOG_LIMIT`. */
    append(decision) {
        this.#append(decision);
    }
    /** The newest `limit` decisions, newest first; throws unless `limit` is an integer >= 0. */
    list(limit) {
        if (!Number.isInteger(limit) || limit < 0)
            throw new OptionError('limit', 'must be an integer >= 0', limit);
        return this.#statements.listDecisions.all(limit);
    }
}
function prepare(db) {
    return {
        appendDecision: db.prepare(`INSERT INTO decisions (time_ms, miss_rate, requests, old_size, new_size, action, reason)
       VALUES (@timeMs, @missRate, @requests, @oldSize, @newSize, @action, @reason)`),
        trimDecisions: db.prepare('DELETE FROM decisions WHERE id <= (SELECT id FROM decisions ORDER BY id DESC LIMIT 1 OFFSET ?)'),
        listDecisions: db.prepare(`SELECT time_ms AS timeMs, miss_rate AS missRate, requests, old_size AS oldSize, new_size AS newSize, action, reason
       FROM decisions ORDER BY id DESC LIMIT ?`),
    };
}
//# sourceMappingURL=decision-log.js.map