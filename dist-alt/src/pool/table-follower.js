/**
 * Follows the manager's partition table for a gateway of its own (`cachepool gateway`): reads
 * `GET /api/manager/partitions` every `intervalMs` and publishes each new table (or new set of
 * moving partitions) into the gateway's Routing. When the manager does not answer, the last
 * table stays in force and the failure is counted; nothing else changes. `tick()` is one read,
 * what the timer calls and what tests call; `catchUp` reads at once after a node refused a request
 * routed by an older table. `parsePartitions` reads the manager's answer; the
 * client (src/client) uses it too.
 */
import { request } from 'undici';
import { systemClock } from '../clock.js';
import { defaults } from '../defaults.js';
import { errors } from '../errors.js';
import { PARTITION_COUNT, PartitionTable, routingVersionOf } from '../partition/index.js';
import { catchUpTo, movedOnSince } from './stale-routing.js';
/** Reads the content of the manager's answer; throws an Error when it is not a table. */
export function parsePartitions(content) {
    const table = PartitionTable.fromJSON(content);
    const { moving: value, routing_version: sent } = content;
    const moving = movingOf(value);
    if (sent !== undefined && (!Number.isSafeInteger(sent) || sent < 0))
        throw new Error('routing_version is not an integer >= 0');
    const routingVersion = sent ?? routingVersionOf(table, moving);
    return { table, moving, routingVersion };
}
function movingOf(value) {
    if (value === undefined)
        return [];
    if (!Array.isArray(value))
        throw new Error('moving is not a list');
    return value.map((move) => {
        const { partition, from, to } = (move ?? {});
        if (typeof partition !== 'number' ||
            !Number.isInteger(partition) ||
            partition < 0 ||
            partition >= PARTITION_COUNT ||
            typeof from !== 'string' ||
            typeof to !== 'string')
            throw new Error('a moving partition is not {partition, from, to}');
        return { partition, from, to };
    });
}
/** Reads the manager's table on a timer and publishes changes into a Routing. */
export class TableFollower {
    #options;
    #clock;
    #routing;
    #timer;
    #reading;
    #stats = { readsTotal: 0, failedReadsTotal: 0, lastReadAtMs: 0 };
    constructor(options) {
        this.#options = options;
        this.#clock = options.clock ?? systemClock;
    }
    /** One read of the manager's table; throws when the manager does not answer with a table. */
    async read() {
        this.#stats.readsTotal++;
        try {
            const answer = await request(`http://${this.#options.manager}/api/manager/partitions`, {
                headers: this.#options.token ? { authorization: `Bearer ${this.#options.token}` } : {},
                headersTimeout: this.#options.timeoutMs ?? defaults.peerTimeoutMs,
                bodyTimeout: this.#options.timeoutMs ?? defaults.peerTimeoutMs,
            });
            const text = await answer.body.text();
            if (answer.statusCode !== 200)
                throw new Error(`the manager answered ${answer.statusCode}`);
            const parsed = parsePartitions(JSON.parse(text).content);
            this.#stats.lastReadAtMs = this.#clock.now();
            return parsed;
        }
        catch (error) {
            this.#stats.failedReadsTotal++;
            throw error;
        }
    }
    /**
     * Asks the manager to clear the pool (`DELETE /api/manager/cache/clear`: between resizes).
     * True when it did; false when it did not answer (the caller clears the nodes itself); throws
     * an OperationalError (CP_ERR_NODE_UNREACHABLE, 502) when it answered with a refusal.
     */
    async clearPool() {
        let answer;
        try {
            answer = await request(`http://${this.#options.manager}/api/manager/cache/clear`, {
                method: 'DELETE',
                headers: this.#options.token ? { authorization: `Bearer ${this.#options.token}` } : {},
                headersTimeout: this.#options.timeoutMs ?? defaults.peerTimeoutMs,
                bodyTimeout: this.#options.timeoutMs ?? defaults.peerTimeoutMs,
            });
        }
        catch {
            return false;
        }
        const text = await answer.body.text();
        if (answer.statusCode === 200)
            return true;
        throw errors.fanOutRefused('DELETE', '/api/cache', `the manager ${this.#options.manager} answered ${answer.statusCode} ${text.slice(0, 200)}`);
    }
    /** Starts publishing into `routing`, one read every intervalMs (the first after intervalMs). */
    follow(routing) {
        this.#routing = routing;
        const schedule = () => {
            this.#timer = setTimeout(() => {
                void this.tick().finally(() => {
                    if (this.#timer !== undefined)
                        schedule();
                });
            }, this.#options.intervalMs ?? defaults.gatewayTableIntervalMs);
        };
        schedule();
    }
    /**
     * Reads the table once and publishes it when its version or its moving partitions differ
     * from the routing's (an older version is ignored); a failed read keeps the routing as it
     * is. Resolves true when a new view was published. Reads that overlap share one.
     */
    async tick() {
        return (await this.#readOnce()) === 'published';
    }
    /**
     * After a node refused a request routed by this gateway's view (pool/stale-routing.ts): reads
     * the table at once, and again until the routing reaches version `wanted`; stops at the first
     * failed read (the manager is away: the gateway keeps serving on its last table).
     */
    async catchUp(wanted) {
        const routing = this.#routing;
        if (!routing)
            return;
        await catchUpTo(wanted, {
            refresh: async () => (await this.#readOnce()) !== 'failed',
            current: () => routingVersionOf(routing.view.table, routing.view.moving),
        });
    }
    /**
     * After a node did not answer a request routed by routing version `routedBy`: whether the
     * routing moved past it, reading the table a few times if not yet (stale-routing.ts).
     */
    async movedOnSince(routedBy) {
        const routing = this.#routing;
        if (!routing)
            return false;
        return movedOnSince(routedBy, {
            refresh: async () => (await this.#readOnce()) !== 'failed',
            current: () => routingVersionOf(routing.view.table, routing.view.moving),
        });
    }
    #readOnce() {
        this.#reading ??= this.#readAndPublish().finally(() => {
            this.#reading = undefined;
        });
        return this.#reading;
    }
    async #readAndPublish() {
        const routing = this.#routing;
        if (!routing)
            return 'failed';
        let read;
        try {
            read = await this.read();
        }
        catch {
            return 'failed';
        }
        const view = routing.view;
        const current = routingVersionOf(view.table, view.moving);
        if (read.routingVersion < current)
            return 'same';
        if (read.routingVersion === current &&
            read.table.version === view.table.version &&
            JSON.stringify(read.moving) === JSON.stringify(view.moving))
            return 'same';
        // Not awaited: publish resolves once requests of the old view drained, which only matters
        // to a migration running in this process; the new view is in force at once.
        void routing.publish(read.table, read.moving);
        return 'published';
    }
    /** Counters for /metrics (a copy). */
    stats() {
        return { ...this.#stats };
    }
    /** Stops the timer; a read in flight finishes but publishes nothing more after it. */
    stop() {
        clearTimeout(this.#timer);
        this.#timer = undefined;
        this.#routing = undefined;
    }
}
//# sourceMappingURL=table-follower.js.map