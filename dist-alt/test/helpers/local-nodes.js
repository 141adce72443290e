/**
 * Cache nodes in the test's own process (buildNodeApp on 127.0.0.1:0, silent logs) and one
 * NodeClient per address to reach them; `close()` closes both. For tests of the manager's parts
 * against real nodes without child processes.
 */
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { buildNodeApp } from '../../src/node/index.js';
import { NodeClient } from '../../src/pool/index.js';
/** The nodes a test file started; the methods are bound, so they can be passed on as they are. */
export class LocalNodes {
    #logger = pino({ level: 'silent' });
    #running = [];
    #clients = new Map();
    /** Starts a node listening on 127.0.0.1 at a free port, its address set. */
    start = async () => {
        const node = await buildNodeApp({ logger: this.#logger });
        await node.app.listen({ host: '127.0.0.1', port: 0 });
        const address = `127.0.0.1:${node.app.server.address().port}`;
        node.setAddress(address);
        this.#running.push(node);
        return { node, address };
    };
    /** The client of the node at `address` (one per address, 3 s timeout). */
    client = (address) => {
        let client = this.#clients.get(address);
        if (!client)
            this.#clients.set(address, (client = new NodeClient(address, { timeoutMs: 3_000 })));
        return client;
    };
    /**
     * Asserts that the nodes at `addresses` hold exactly `keys` between them, each on the owner
     * `table` names, with the value `v-<key>`.
     */
    assertPlaced = async (table, addresses, keys) => {
        const all = [];
        for (const address of addresses) {
            const held = await this.client(address).keys();
            assert.deepEqual(held.filter((key) => table.ownerOfKey(key) !== address), [], `misplaced keys on ${address}`);
            all.push(...held);
        }
        assert.equal(all.length, keys.length);
        for (const key of keys)
            assert.equal(await this.client(table.ownerOfKey(key)).get(key), `v-${key}`);
    };
    /** Closes every client, then every node (a node already closed is fine). */
    close = async () => {
        await Promise.all([...this.#clients.values()].map((client) => client.close()));
        await Promise.all(this.#running.map((node) => node.app.close()));
    };
}
//# sourceMappingURL=local-nodes.js.map