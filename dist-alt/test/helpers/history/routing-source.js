/**
 * An OperationSource that routes each key itself, as a client library does (SPEC §6): it follows
 * the manager's partition table (`GET /api/manager/partitions`, fetched again every `refreshMs`)
 * and sends each operation to the owner's legacy API. When the manager does not answer it keeps
 * the last table it has, so it keeps working while the manager is away.
 */
import { partitionOf } from '../../../src/partition/index.js';
import { LegacySource } from './gateway-source.js';
/** Routes by the manager's partition table; `start()` fetches it first. */
export class RoutingSource {
    #owners = [];
    #nodes = new Map();
    #timer;
    #options;
    constructor(options) {
        this.#options = options;
    }
    /** Fetches the table (failing when the manager does not answer) and keeps it fresh. */
    async start() {
        this.#owners = await this.#options.fetchTable();
        this.#timer = setInterval(() => {
            this.#options.fetchTable().then((owners) => (this.#owners = owners), () => { });
        }, this.#options.refreshMs ?? 500);
    }
    get(key, signal) {
        return this.#ownerOf(key).get(key, signal);
    }
    put(key, value, signal) {
        return this.#ownerOf(key).put(key, value, signal);
    }
    delete(key, signal) {
        return this.#ownerOf(key).delete(key, signal);
    }
    async close() {
        clearInterval(this.#timer);
        await Promise.all([...this.#nodes.values()].map((node) => node.close()));
    }
    #ownerOf(key) {
        const address = this.#owners[partitionOf(key)];
        if (address === undefined)
            throw new Error(`no owner of partition ${partitionOf(key)} yet`);
        let node = this.#nodes.get(address);
        if (!node)
            this.#nodes.set(address, (node = new LegacySource(`http://${address}`, this.#options)));
        return node;
    }
}
//# sourceMappingURL=routing-source.js.map