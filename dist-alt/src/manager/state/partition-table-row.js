import { OptionError } from '../../errors.js';
import { PARTITION_COUNT } from '../../partition/index.js';
const strategies = new Set(['minimal', 'round-robin']);
/** The `partition_table` row's statements, prepared once. `StateDb` documents them for callers. */
export class PartitionTableRow {
    #statements;
    constructor(db) {
        this.#statements = prepare(db);
    }
    /** Stores the table, replacing the previous one. Throws when it does not have 16 owners. */
    save(table) {
        if (!Array.isArray(table.owners) ||
            table.owners.length !== PARTITION_COUNT ||
            table.owners.some((o) => typeof o !== 'string')) {
            throw new OptionError('partition table owners', `must be ${PARTITION_COUNT} addresses`, table.owners);
        }
        if (!Number.isInteger(table.version) || table.version < 0) {
            throw new OptionError('partition table version', 'must be an integer >= 0', table.version);
        }
        if (!strategies.has(table.strategy))
            throw new OptionError('partition strategy', 'must be minimal or round-robin', table.strategy);
        this.#statements.savePartitionTable.run(table.version, table.strategy, JSON.stringify([...table.owners]));
    }
    /** The stored table, or undefined before the first save. */
    load() {
        const row = this.#statements.loadPartitionTable.get();
        return row === undefined
            ? undefined
            : {
                version: row.version,
                strategy: row.strategy,
                owners: JSON.parse(row.owners),
            };
    }
}
/** A table as JSON with its owners by name (a PartitionTable's own toJSON says `partitions`). */
export function serializeTable(table) {
    return JSON.stringify({
        version: table.version,
        strategy: table.strategy,
        owners: [...table.owners],
    });
}
function prepare(db) {
    return {
        savePartitionTable: db.prepare(`INSERT INTO partition_table (id, version, strategy, owners) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET version = excluded.version, strategy = excluded.strategy, owners = excluded.owners`),
        loadPartitionTable: db.prepare('SELECT version, strategy, owners FROM partition_table WHERE id = 1'),
    };
}
//# sourceMappingURL=partition-table-row.js.map