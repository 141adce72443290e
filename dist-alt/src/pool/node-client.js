/**
 * A client of one cache node: the legacy endpoints the manager drives (get/put/invalidate,
 * config, clear, statistics, keys, move_keys) and the internal ones (migration fences, healthz).
 * One keep-alive undici Pool per node; every call is bounded by a timeout. A node's failure
 * envelope, a transport error or a timeout becomes an OperationalError carrying the cause. It
 * does not decide anything: which node to call is the caller's business.
 */
import { Pool } from 'undici';
import { defaults } from '../defaults.js';
import { errors } from '../errors.js';
/** A client of the node at `address` (`host:port`). */
export class NodeClient {
    /** The node's `host:port`. */
    address;
    #pool;
    #auth;
    #timeoutMs;
    constructor(address, options = {}) {
        this.address = address;
        this.#timeoutMs = options.timeoutMs ?? defaults.peerTimeoutMs;
        this.#auth = options.token ? { authorization: `Bearer ${options.token}` } : {};
        this.#pool = new Pool(`http://${address}`, {
            connections: options.connections ?? defaults.nodeClientConnections,
            keepAliveTimeout: defaults.keepAliveTimeoutMs,
            headersTimeout: this.#timeoutMs,
            bodyTimeout: this.#timeoutMs,
            connectTimeout: Math.min(this.#timeoutMs, defaults.connectTimeoutMs),
        });
    }
    /** The value of `key`, or undefined on a miss. */
    async get(key) {
        const answer = await this.request('POST', '/api/cache/key', { key });
        if (answer.statusCode === 200)
            return envelopeContent(answer, this.address);
        if (answer.statusCode === 400 || answer.statusCode === 404) {
            const parsed = tryParse(answer.body);
            if (parsed?.error?.message === 'Unknown key')
                return undefined;
        }
        throw failed(this.address, 'POST /api/cache/key', answer);
    }
    /** Stores `value` under `key`. */
    async put(key, value) {
        await this.call('POST', '/api/cache/content', { key, value });
    }
    /** Removes `key` (whether or not present). */
    async invalidate(key) {
        await this.call('DELETE', '/api/cache/key', { key });
    }
    /** Applies a cache config (capacity in MB, policy name, optional cache_index). */
    async setConfig(config) {
        await this.call('POST', '/api/cache/config', config);
    }
    /** Removes every key. */
    async clear() {
        await this.call('DELETE', '/api/cache');
    }
    /** The legacy statistics (decoded from the JSON-encoded string content). */
    async statistics() {
        const content = await this.call('GET', '/api/cache/statistics');
        return (typeof content === 'string' ? JSON.parse(content) : content);
    }
    /** Resets the GET and hit counters (after a resize). */
    async resetStatistics() {
        await this.call('DELETE', '/api/cache/statistics');
    }
    /** Every key the node holds. */
    async keys() {
        const answer = await this.request('GET', '/keys');
        if (answer.statusCode !== 200)
            throw failed(this.address, 'GET /keys', answer);
        const parsed = tryParse(answer.body);
        // /keys answers a bare JSON array; accept the envelope too.
        const list = Array.isArray(parsed)
            ? parsed
            : parsed?.content;
        if (!Array.isArray(list))
            throw failed(this.address, 'GET /keys', answer);
        return list;
    }
    /** Hands keys off to other nodes; a destination failure throws (its keys stay here). */
    async moveKeys(request) {
        const body = { manager: '', ...request };
        const answer = await this.request('POST', '/api/cache/move_keys', body);
        if (answer.statusCode !== 200)
            throw refusedMove(this.address, answer);
        const content = envelopeContent(answer, this.address);
        return {
            moved: content?.moved ?? 0,
            skipped: content?.skipped ?? 0,
            rejected: content?.rejected ?? [],
            missing: content?.missing ?? [],
            bytes: content?.bytes ?? 0,
        };
    }
    /**
     * Opens the migration fence for `partitions` (purges stale keys of them, unless `keep`: a
     * rollback handing partitions back to the old owner keeps what it holds).
     */
    async beginMigration(id, partitions, keep = false) {
        await this.call('POST', '/internal/migration/begin', {
            id,
            partitions,
            ...(keep ? { keep: true } : {}),
        });
    }
    /** Closes the migration fence `id`. */
    async endMigration(id) {
        await this.call('POST', '/internal/migration/end', { id });
    }
    /**
     * True when the node answers `GET /healthz` with 200 within `timeoutMs` (default: the
     * client's timeout; the manager's periodic probes pass defaults.healthProbeTimeoutMs, so that a
     * hung node is found out quickly).
     */
    async healthy(timeoutMs = this.#timeoutMs) {
        try {
            const answer = await this.request('GET', '/healthz', undefined, timeoutMs);
            return answer.statusCode === 200;
        }
        catch {
            return false;
        }
    }
    /**
     * The node's answer to `GET /healthz` within `timeoutMs`: the routing version it serves by
     * (null: no manager has told it its partitions yet), or undefined when it does not answer.
     */
    async health(timeoutMs = this.#timeoutMs) {
        try {
            const answer = await this.request('GET', '/healthz', undefined, timeoutMs);
            if (answer.statusCode !== 200)
                return undefined;
            const content = tryParse(answer.body)
                ?.content;
            const version = content?.routing_version;
            return { routingVersion: typeof version === 'number' ? version : null };
        }
        catch {
            return undefined;
        }
    }
    /** Tells the node its partitions under a routing state (`POST /internal/table`). */
    async setRoles(roles, timeoutMs = this.#timeoutMs) {
        const answer = await this.request('POST', '/internal/table', roles, timeoutMs);
        if (answer.statusCode !== 200)
            throw failed(this.address, 'POST /internal/table', answer);
    }
    /**
     * Sends one request and returns the raw answer; a transport failure or timeout throws an
     * OperationalError (CP_ERR_NODE_UNREACHABLE).
     */
    async request(method, path, json, timeoutMs = this.#timeoutMs) {
        try {
            const answer = await this.#pool.request({
                method,
                path,
                headers: json === undefined ? this.#auth : { ...this.#auth, 'content-type': 'application/json' },
                ...(json === undefined ? {} : { body: JSON.stringify(json) }),
                signal: AbortSignal.timeout(timeoutMs),
            });
            const body = await answer.body.text();
            return { statusCode: answer.statusCode, body };
        }
        catch (error) {
            throw errors.nodeDidNotAnswer(this.address, `${method} ${path}`, error);
        }
    }
    /** Closes the keep-alive connections. */
    async close() {
        await this.#pool.close().catch(() => { });
    }
    /**
     * Sends one request and returns the content of its success envelope; a failure answer throws
     * errors.nodeRefused (the raw answer as its cause), a transport failure as `request` does.
     */
    async call(method, path, json) {
        const answer = await this.request(method, path, json);
        if (answer.statusCode !== 200)
            throw failed(this.address, `${method} ${path}`, answer);
        return envelopeContent(answer, this.address);
    }
}
function tryParse(text) {
    try {
        return JSON.parse(text);
    }
    catch {
        return undefined;
    }
}
function envelopeContent(answer, address) {
    const parsed = tryParse(answer.body);
    if (parsed?.success !== 'true')
        throw failed(address, 'a call', answer);
    return parsed.content;
}
/** The message of a failure answer: the envelope's, or the start of the body. */
function messageOf(answer) {
    const parsed = tryParse(answer.body);
    return parsed?.error?.message ?? answer.body.slice(0, defaults.answerExcerptChars);
}
function failed(address, what, answer) {
    return errors.nodeRefused(address, what, answer.statusCode, messageOf(answer), answer);
}
function refusedMove(address, answer) {
    return errors.nodeRefusedMove(address, answer.statusCode, messageOf(answer), answer);
}
//# sourceMappingURL=node-client.js.map