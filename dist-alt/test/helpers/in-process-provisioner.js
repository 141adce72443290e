/**
 * A provisioner whose nodes are real cache nodes in the test's own process (buildNodeApp on
 * 127.0.0.1:0), for tests of the manager's resize engine, node starter and node lifecycle without
 * child processes. It behaves as the local provisioner does towards the manager: the manager
 * chooses which node leaves, startNodes resolves with nodes that listen, stopNode closes one, and
 * `crash` / `restart` play a process that dies and the supervisor that starts it again, empty, on
 * the same port (the `exited` and `restarted` events).
 */
import { pino } from 'pino';
import { buildNodeApp } from '../../src/node/index.js';
export class InProcessProvisioner {
    kind = 'local';
    awaitsRegistrations = false;
    replacesFailed = false;
    #logger = pino({ level: 'silent' });
    #nodes = new Map();
    #listeners = [];
    /** Every node ever started, by address (a stopped one stays here). */
    started = [];
    /** Addresses stopped by the manager (stopNode or forgetFailed), in order. */
    stopped = [];
    async startNodes(specs, _currentCount) {
        return Promise.all(specs.map((spec) => this.#start(spec, 0)));
    }
    async stopNode(address, _newCount) {
        this.stopped.push(address);
        await this.#close(address);
    }
    async forgetFailed(address, _newCount) {
        this.stopped.push(address);
        await this.#close(address);
    }
    addresses() {
        return [...this.#nodes.keys()];
    }
    onEvent(listener) {
        this.#listeners.push(listener);
    }
    async close() {
        await Promise.all([...this.#nodes.keys()].map((address) => this.#close(address)));
    }
    /** The node app at `address` (throws when none runs there). */
    node(address) {
        const entry = this.#nodes.get(address);
        if (!entry)
            throw new Error(`no node runs at ${address}`);
        return entry.app;
    }
    /** The node at `address` dies: it stops answering, and the manager hears `exited`. */
    async crash(address) {
        await this.#close(address);
        this.#emit({ kind: 'exited', address, code: null, signal: 'SIGKILL' });
    }
    /** Its supervisor starts it again, empty, on the same port; the manager hears `restarted`. */
    async restart(address, spec) {
        const port = Number(address.slice(address.lastIndexOf(':') + 1));
        await this.#start(spec, port);
        this.#emit({ kind: 'restarted', address });
    }
    async #start(spec, port) {
        const app = await buildNodeApp({
            logger: this.#logger,
            capacityMb: spec.capacityMb,
            policy: spec.policy,
            cacheIndex: spec.cacheIndex,
        });
        await app.app.listen({ host: '127.0.0.1', port });
        const address = `127.0.0.1:${app.app.server.address().port}`;
        app.setAddress(address);
        this.#nodes.set(address, { app, spec });
        this.started.push(address);
        return address;
    }
    async #close(address) {
        const entry = this.#nodes.get(address);
        if (!entry)
            return;
        this.#nodes.delete(address);
        await entry.app.app.close();
    }
    #emit(event) {
        for (const listener of this.#listeners)
            listener(event);
    }
}
//# sourceMappingURL=in-process-provisioner.js.map