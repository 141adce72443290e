import { OptionError } from '../../errors.js';
const nodeStatuses = new Set(['up', 'down', 'starting', 'draining']);
/** The `nodes` table's statements, prepared once. `StateDb` documents each method for callers. */
export class NodeRows {
    #statements;
    constructor(db) {
        this.#statements = prepare(db);
    }
    /** Adds the node, or replaces the row of the same address; throws on an impossible row. */
    upsert(node) {
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
    remove(address) {
        return this.#statements.removeNode.run(address).changes > 0;
    }
    /** Changes a stored node's status; false when it is not stored. */
    setStatus(address, status) {
        if (!nodeStatuses.has(status))
            throw new OptionError('node status', 'must be up, down, starting or draining', status);
        return this.#statements.setNodeStatus.run(status, address).changes > 0;
    }
    /** Every stored node, by cache index then address; empty when none. */
    list() {
        return this.#statements.listNodes.all().map((row) => ({
            address: row.address,
            cacheIndex: row.cache_index,
            status: row.status,
            pid: row.pid,
            addedAtMs: row.added_at_ms,
        }));
    }
}
function prepare(db) {
    return {
        upsertNode: db.prepare(`INSERT INTO nodes (address, cache_index, status, pid, added_at_ms) VALUES (@address, @cacheIndex, @status, @pid, @addedAtMs)
       ON CONFLICT (address) DO UPDATE SET cache_index = excluded.cache_index, status = excluded.status,
         pid = excluded.pid, added_at_ms = excluded.added_at_ms`),
        removeNode: db.prepare('DELETE FROM nodes WHERE address = ?'),
        setNodeStatus: db.prepare('UPDATE nodes SET status = ? WHERE address = ?'),
        listNodes: db.prepare('SELECT address, cache_index, status, pid, added_at_ms FROM nodes ORDER BY cache_index, address'),
    };
}
//# sourceMappingURL=node-rows.js.map