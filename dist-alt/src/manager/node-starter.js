import { errors } from '../errors.js';
/** Starts and configures new nodes. */
export class NodeStarter {
    #options;
    constructor(options) {
        this.#options = options;
    }
    /**
     * Starts `count` nodes, applies the config, waits until healthy. Resolves with
     * [address, cache_index] pairs. Nodes of a `command` provisioner register themselves: then it
     * waits for `count` registrations. When fewer come up or one does not answer, it stops them all
     * and throws (CP_ERR_POOL_RESIZE_FAILED, or the provisioner's error).
     */
    async start(count) {
        const { pool, provisioner, logger } = this.#options;
        const first = pool.members.nextIndex();
        const specs = Array.from({ length: count }, (_, i) => pool.spec(first + i));
        const addresses = await provisioner.startNodes(specs, pool.members.size);
        const pairs = addresses.map((address, i) => [address, first + i]);
        if (pairs.length < count && provisioner.awaitsRegistrations) {
            pairs.push(...(await this.#awaitRegistrations(count - pairs.length)));
        }
        try {
            if (pairs.length < count) {
                throw errors.resizeFailed(`only ${pairs.length} of ${count} new nodes are available from the ${provisioner.kind} provisioner`);
            }
            await Promise.all(pairs.map(([address, index]) => this.configure(address, index)));
        }
        catch (error) {
            for (const [address] of pairs)
                pool.members.dropPending(address);
            await Promise.all(pairs.map(([address]) => provisioner
                .stopNode(address, pool.members.size)
                .catch((error) => logger.warn({ address, err: error }, 'could not stop a node that failed to start'))));
            throw error;
        }
        return pairs;
    }
    /**
     * Checks that a new node answers and gives it the config and its cache_index; throws
     * CP_ERR_POOL_RESIZE_FAILED when it is not healthy, or the node's refusal.
     */
    async configure(address, index) {
        const { pool } = this.#options;
        const client = pool.client(address);
        if (!(await client.healthy()))
            throw errors.resizeFailed(`node ${address} is not healthy`);
        await client.setConfig({
            capacity: pool.config.capacityMb,
            replacement_policy: pool.config.policy,
            cache_index: index,
        });
    }
    /** Waits until `count` nodes registered and are pending; resolves with them (fewer on timeout). */
    async #awaitRegistrations(count) {
        const { pool, clock } = this.#options;
        const deadline = clock.now() + this.#options.registrationTimeoutMs;
        for (;;) {
            const pending = [...pool.members.pending()];
            if (pending.length >= count || clock.now() > deadline || this.#options.closed())
                return pending.slice(0, count);
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
    }
}
//# sourceMappingURL=node-starter.js.map