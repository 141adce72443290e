/**
 * The gateway's connections to the nodes: one keep-alive undici Pool per node address, created on
 * first use; `forward` sends raw bytes and gives the answer back as bytes, `dispatch` hands the
 * answer to a streaming handler (the fast path relays it without buffering). A node that failed
 * at the transport level is skipped at once for a while (Breaker) instead of costing every call its
 * timeout. No routing decisions here.
 */
import { Pool } from 'undici';
import { defaults } from '../defaults.js';
import { errors } from '../errors.js';
import { Breaker } from './breaker.js';
import { nodeVersionOf } from './stale-routing.js';
/** Keep-alive pools to every node the gateway talks to. */
export class Upstreams {
    #pools = new Map();
    #timeoutMs;
    #connections;
    #token;
    /** Which nodes failed lately; callers consult it before a call and report what happened. */
    breaker;
    constructor(options = {}) {
        this.#timeoutMs = options.timeoutMs ?? defaults.nodeCallTimeoutMs;
        this.breaker = options.breaker ?? new Breaker();
        this.#connections = options.connections ?? defaults.gatewayConnections;
        this.#token = options.token;
    }
    /**
     * Sends `method path` with `body` (raw bytes, `contentType`) to `address` and reads the whole
     * answer; `extra` headers (a /v1 PUT's If-Match, If-None-Match) are sent as given. A transport
     * failure or timeout throws OperationalError CP_ERR_NODE_UNREACHABLE, and so does a call to a
     * node whose breaker is open, at once.
     */
    async forward(address, method, path, contentType, body, extra) {
        const headers = extra
            ? { ...extra, ...this.#headers(contentType) }
            : this.#headers(contentType);
        if (!this.breaker.allows(address))
            throw errors.nodeUnreachable(address);
        try {
            const answer = await this.#pool(address).request({
                method,
                path,
                headers,
                body: body === undefined || body.length === 0 ? null : body,
            });
            const bytes = Buffer.from(await answer.body.arrayBuffer());
            this.breaker.succeeded(address);
            const type = answer.headers['content-type'];
            const etag = answer.headers.etag;
            const nodeVersion = nodeVersionOf(answer.headers);
            return {
                statusCode: answer.statusCode,
                contentType: Array.isArray(type) ? type[0] : type,
                body: bytes,
                ...(etag !== undefined ? { etag: Array.isArray(etag) ? etag[0] : etag } : {}),
                ...(nodeVersion !== undefined ? { nodeVersion } : {}),
            };
        }
        catch (error) {
            this.breaker.failed(address);
            throw errors.nodeDidNotAnswer(address, `${method} ${path.split('?')[0]}`, error);
        }
    }
    /**
     * Sends `method path` with `body` to `address` and gives the answer to `handler` as it streams
     * in (undici's dispatch handler: start, data, end or error). Bounded by the same timeouts as
     * `forward`; a transport failure reaches `handler.onResponseError`. The caller checks the
     * breaker first and reports the outcome to it (the relay knows when the answer is complete).
     */
    dispatch(address, method, path, contentType, body, handler, extra) {
        const headers = extra
            ? { ...extra, ...this.#headers(contentType) }
            : this.#headers(contentType);
        this.#pool(address).dispatch({ method, path, headers, body: body.length === 0 ? null : body }, handler);
    }
    /** Closes every pool. */
    async close() {
        const pools = [...this.#pools.values()];
        this.#pools.clear();
        await Promise.all(pools.map((pool) => pool.close().catch(() => { })));
    }
    #headers(contentType) {
        const headers = {};
        if (contentType !== undefined)
            headers['content-type'] = contentType;
        if (this.#token)
            headers.authorization = `Bearer ${this.#token}`;
        return headers;
    }
    #pool(address) {
        let pool = this.#pools.get(address);
        if (!pool) {
            pool = new Pool(`http://${address}`, {
                connections: this.#connections,
                pipelining: 1,
                keepAliveTimeout: defaults.keepAliveTimeoutMs,
                headersTimeout: this.#timeoutMs,
                bodyTimeout: this.#timeoutMs,
                connectTimeout: Math.min(this.#timeoutMs, defaults.connectTimeoutMs),
            });
            this.#pools.set(address, pool);
        }
        return pool;
    }
}
//# sourceMappingURL=upstreams.js.map