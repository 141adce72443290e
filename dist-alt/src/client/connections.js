/**
 * The client's connections: one keep-alive undici Pool per node address, created on first use.
 * `send` carries one request's bytes and headers and gives the whole answer back; `forwarder`
 * binds the headers of one call (token, table version) into the shape the moving-pair logic of
 * the gateway takes (src/pool/moving-pair.ts), so reads and writes of a moving partition follow
 * the gateway's orders. No routing decisions here.
 */
import { Pool } from 'undici';
import { defaults } from '../defaults.js';
import { errors } from '../errors.js';
import { nodeVersionOf } from '../pool/stale-routing.js';
/** Keep-alive pools to every node the client talks to. */
export class Connections {
    #pools = new Map();
    #options;
    #auth;
    constructor(options) {
        this.#options = options;
        this.#auth = options.token ? { authorization: `Bearer ${options.token}` } : {};
    }
    /**
     * Sends `method path` to `address` with `headers` and `body`, and reads the whole answer. A
     * transport failure or timeout throws OperationalError CP_ERR_NODE_UNREACHABLE.
     */
    async send(address, method, path, headers, body) {
        try {
            const answer = await this.#pool(address).request({
                method,
                path,
                headers: { ...this.#auth, ...headers },
                body: body === undefined || body.length === 0 ? null : body,
            });
            const bytes = Buffer.from(await answer.body.arrayBuffer());
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
            throw errors.nodeDidNotAnswer(address, `${method} ${path.split('?')[0]}`, error);
        }
    }
    /** A Forwarder that adds `headers` (e.g. the table version) to every request it sends. */
    forwarder(headers) {
        return {
            forward: (address, method, path, contentType, body, extra) => this.send(address, method, path, {
                ...headers,
                ...extra,
                ...(contentType === undefined ? {} : { 'content-type': contentType }),
            }, typeof body === 'string' ? Buffer.from(body) : body),
        };
    }
    /** Closes the pools of nodes not in `keep` (nodes that left the pool). */
    async prune(keep) {
        const gone = [...this.#pools].filter(([address]) => !keep.has(address));
        for (const [address] of gone)
            this.#pools.delete(address);
        await Promise.all(gone.map(([, pool]) => pool.close().catch(() => { })));
    }
    /** Closes every pool. */
    async close() {
        await this.prune(new Set());
    }
    #pool(address) {
        let pool = this.#pools.get(address);
        if (!pool) {
            const timeoutMs = this.#options.timeoutMs;
            pool = new Pool(`http://${address}`, {
                connections: this.#options.connectionsPerNode,
                pipelining: 1,
                keepAliveTimeout: defaults.keepAliveTimeoutMs,
                headersTimeout: timeoutMs,
                bodyTimeout: timeoutMs,
                connectTimeout: Math.min(timeoutMs, defaults.connectTimeoutMs),
            });
            this.#pools.set(address, pool);
        }
        return pool;
    }
}
//# sourceMappingURL=connections.js.map