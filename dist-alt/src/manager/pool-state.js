import { defaults } from '../defaults.js';
import { errors } from '../errors.js';
import { PartitionTable } from '../partition/index.js';
import { NodeClient } from '../pool/index.js';
import { Membership } from './membership.js';
import { NodeStatistics } from './node-statistics.js';
/** The pool's state, each change written through to the StateDb. */
export class PoolState {
    /** The durable state (the auto-scaler's settings and decisions live there too). */
    db;
    /** The members and the nodes waiting to join; change members through this class's methods. */
    members = new Membership();
    /** What the members last reported. */
    statistics = new NodeStatistics();
    /** True when the database held a pool when this state was made (it is a restart). */
    restored;
    #options;
    #table = null;
    #config;
    #clients = new Map();
    constructor(options) {
        this.#options = options;
        this.db = options.db;
        const stored = this.db.loadPartitionTable();
        if (stored) {
            // A pool that existed: its table, members and config are the truth, not the options.
            this.#table = new PartitionTable(stored.version, stored.strategy, stored.owners);
            this.#config = this.db.loadCacheConfig();
            for (const node of this.db.listNodes())
                this.members.add(node.address, node.cacheIndex, node.status, node.addedAtMs);
            this.restored = this.members.size > 0;
        }
        else {
            this.#config = {
                capacityMb: options.config?.capacityMb ?? defaults.capacityMb,
                policy: options.config?.policy ?? defaults.replacementPolicy,
            };
            this.restored = false;
        }
    }
    /** The table in force. Throws CP_ERR_INTERNAL before the first one is set (only by a bug). */
    get table() {
        // Only reachable by a bug (routes are served after start()): a generic 500, logged.
        if (!this.#table)
            throw errors.internal();
        return this.#table;
    }
    /** False until the pool's first table is set (a new pool before start()). */
    get hasTable() {
        return this.#table !== null;
    }
    /** The config in force (not a copy: do not change it, use saveConfig). */
    get config() {
        return this.#config;
    }
    /** Makes `config` (copied) the one in force and stores it. */
    saveConfig(config) {
        this.#config = { ...config };
        this.db.saveCacheConfig(this.#config);
    }
    /** Makes `table` the one in force and stores it. */
    setTable(table) {
        this.#table = table;
        this.db.savePartitionTable(table);
    }
    /** Adds a member joining now, with the process id the provisioner knows for it. */
    addMember(address, cacheIndex, status) {
        const addedAtMs = this.#options.clock.now();
        this.members.add(address, cacheIndex, status, addedAtMs);
        this.db.upsertNode({
            address,
            cacheIndex,
            status,
            pid: this.#options.provisioner.pidOf?.(address) ?? null,
            addedAtMs,
        });
    }
    /** Removes a member with its figures (its client stays open: see dropClient). */
    removeMember(address) {
        this.members.remove(address);
        this.db.removeNode(address);
        this.statistics.forget(address);
        this.#options.onRemove?.(address);
    }
    /** Sets a member's status (nothing when it is not a member). */
    setStatus(address, status) {
        this.members.setStatus(address, status);
        this.db.setNodeStatus(address, status);
    }
    /** What a node of `cacheIndex` is started with under the config in force. */
    spec(cacheIndex) {
        return { cacheIndex, capacityMb: this.#config.capacityMb, policy: this.#config.policy };
    }
    /** The client of the node at `address`, made on first use and kept until dropClient. */
    client(address) {
        let client = this.#clients.get(address);
        if (!client) {
            client = new NodeClient(address, { token: this.#options.token });
            this.#clients.set(address, client);
        }
        return client;
    }
    /** Closes the connections to a node that left (its address may later be another node's). */
    async dropClient(address) {
        const client = this.#clients.get(address);
        this.#clients.delete(address);
        await client?.close().catch(() => { });
    }
    /** Closes every client (the manager shuts down); rejects when one fails to close. */
    async closeClients() {
        await Promise.all([...this.#clients.values()].map((client) => client.close()));
        this.#clients.clear();
    }
}
//# sourceMappingURL=pool-state.js.map