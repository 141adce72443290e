/**
 * The pool's member list as a node with a manager sees it: `GET <manager>/api/manager/pool_node_list`
 * (content `{node_ip_list: ["host:port", …], node_id_list}`), fetched with the token, kept for a
 * short time and fetched again when an address is not in it (a node that just joined). Fetches
 * are single-flight and bounded by a timeout; a failed fetch is an error (move_keys then refuses:
 * without the list, no destination can be proven to be a member).
 */
import { request } from 'undici';
import { systemClock } from '../clock.js';
import { defaults } from '../defaults.js';
import { errors } from '../errors.js';
import { bearer } from '../http/index.js';
import { sameAddress } from './peers.js';
export class PoolMembers {
    #options;
    #clock;
    #list = [];
    #fetchedAtMs = -Infinity;
    #fetching;
    constructor(options) {
        this.#options = options;
        this.#clock = options.clock ?? systemClock;
    }
    /**
     * Whether `peer` is a member: answered from the kept list while it is fresh and holds the
     * peer; otherwise from a new fetch. Throws an OperationalError when the manager cannot say.
     */
    async has(peer) {
        const fresh = this.#clock.now() - this.#fetchedAtMs < (this.#options.ttlMs ?? defaults.membersTtlMs);
        if (fresh && this.#list.some((m) => sameAddress(m, peer)))
            return true;
        const list = await this.refresh();
        return list.some((m) => sameAddress(m, peer));
    }
    /** Fetches the list now (joining a fetch already running). */
    refresh() {
        this.#fetching ??= this.#fetch().finally(() => {
            this.#fetching = undefined;
        });
        return this.#fetching;
    }
    async #fetch() {
        const { manager, token } = this.#options;
        const timeoutMs = this.#options.timeoutMs ?? defaults.peerTimeoutMs;
        let list;
        try {
            const response = await request(`${manager.baseUrl}/api/manager/pool_node_list`, {
                method: 'GET',
                headers: token ? { authorization: bearer(token) } : {},
                signal: AbortSignal.timeout(timeoutMs),
                headersTimeout: timeoutMs,
                bodyTimeout: timeoutMs,
            });
            const text = await response.body.text();
            const parsed = JSON.parse(text);
            if (response.statusCode !== 200 || parsed.success !== 'true')
                throw new Error(`status ${response.statusCode}`);
            list = parsed.content?.node_ip_list;
        }
        catch (error) {
            throw errors.memberListUnreadable(manager.hostPort, error);
        }
        if (!Array.isArray(list) || !list.every((a) => typeof a === 'string')) {
            throw errors.memberListInvalid(manager.hostPort);
        }
        this.#list = list;
        this.#fetchedAtMs = this.#clock.now();
        return this.#list;
    }
}
//# sourceMappingURL=members.js.map