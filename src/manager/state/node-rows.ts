/**
 * Pool membership rows (table `nodes`): the members a restarted manager finds again, with their
 * cache index, status and, for nodes it started itself, their pid. Storage only: membership rules
 * are src/manager/membership.ts's.
 */
import type Database from 'better-sqlite3';
import { OptionError } from '../../errors.js';
import { memberStatuses, type MemberStatus } from '../../wire/index.js';

/** A pool member as remembered across restarts. */
export interface StoredNode {
  /** `host:port`, the key of the row. */
  address: string;
  cacheIndex: number;
  status: MemberStatus;
  /** Process id of a node this manager started itself (`local` provisioner); null otherwise. */
  pid: number | null;
  /** When the node joined the pool, ms since the epoch. */
  addedAtMs: number;
}

interface NodeRow {
  address: string;
  cache_index: number;
  status: string;
  pid: number | null;
  added_at_ms: number;
}

const nodeStatuses: ReadonlySet<string> = new Set(memberStatuses);

/** The `nodes` table's statements, prepared once. `StateDb` documents each method for callers. */
export class NodeRows {
  readonly #statements: ReturnType<typeof prepare>;

  constructor(db: Database.Database) {
    this.#statements = prepare(db);
  }

  /** Adds the node, or replaces the row of the same address; throws on an impossible row. */
  upsert(node: StoredNode): void {
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
  remove(address: string): boolean {
    return this.#statements.removeNode.run(address).changes > 0;
  }

  /** Changes a stored node's status; false when it is not stored. */
  setStatus(address: string, status: MemberStatus): boolean {
    if (!nodeStatuses.has(status))
      throw new OptionError('node status', 'must be up, down, starting or draining', status);
    return this.#statements.setNodeStatus.run(status, address).changes > 0;
  }

  /** Every stored node, by cache index then address; empty when none. */
  list(): StoredNode[] {
    return (this.#statements.listNodes.all() as NodeRow[]).map((row) => ({
      address: row.address,
      cacheIndex: row.cache_index,
      status: row.status as MemberStatus,
      pid: row.pid,
      addedAtMs: row.added_at_ms,
    }));
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
  };
}
