/**
 * The stored partition table (one-row table `partition_table`): the table a restarted manager
 * routes by until it plans a new one. Also how a table is written as JSON inside the migration
 * journal. Storage only: tables are built and planned in src/partition.
 */
import type Database from 'better-sqlite3';
import { OptionError } from '../../errors.js';
import {
  PARTITION_COUNT,
  partitionStrategies,
  type PartitionStrategy,
} from '../../partition/index.js';

/**
 * The partition table as stored: `owners[i]` is the address owning partition i (16 entries). A
 * `PartitionTable` (src/partition) is one, so the manager can pass its tables as they are.
 */
export interface StoredPartitionTable {
  version: number;
  strategy: PartitionStrategy;
  owners: readonly string[];
}

interface TableRow {
  version: number;
  strategy: string;
  owners: string;
}

const strategies: ReadonlySet<string> = new Set(partitionStrategies);

/** The `partition_table` row's statements, prepared once. `StateDb` documents them for callers. */
export class PartitionTableRow {
  readonly #statements: ReturnType<typeof prepare>;

  constructor(db: Database.Database) {
    this.#statements = prepare(db);
  }

  /** Stores the table, replacing the previous one. Throws when it does not have 16 owners. */
  save(table: StoredPartitionTable): void {
    if (
      !Array.isArray(table.owners as unknown) ||
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
  load(): StoredPartitionTable | undefined {
    const row = this.#statements.loadPartitionTable.get() as TableRow | undefined;
    return row === undefined
      ? undefined
      : {
          version: row.version,
          strategy: row.strategy as PartitionStrategy,
          owners: JSON.parse(row.owners) as string[],
        };
  }
}

/** A table as JSON with its owners by name (a PartitionTable's own toJSON says `partitions`). */
export function serializeTable(table: StoredPartitionTable): string {
  return JSON.stringify({
    version: table.version,
    strategy: table.strategy,
    owners: [...table.owners],
  });
}

function prepare(db: Database.Database) {
  return {
    savePartitionTable: db.prepare(
      `INSERT INTO partition_table (id, version, strategy, owners) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET version = excluded.version, strategy = excluded.strategy, owners = excluded.owners`,
    ),
    loadPartitionTable: db.prepare(
      'SELECT version, strategy, owners FROM partition_table WHERE id = 1',
    ),
  };
}
