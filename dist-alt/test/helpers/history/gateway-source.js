/**
 * An OperationSource over a gateway's (or a node's) legacy API: `POST /api/cache/key` (a hit is
 * 200, a miss 400 `Unknown key`), `POST /api/cache/content`, `DELETE /api/cache/key`, JSON bodies.
 * Any other answer is a failure carrying the status and the envelope's message.
 */
import { Pool } from 'undici';
/** The legacy API of `baseUrl` (`http://host:port`) as an OperationSource. */
export class LegacySource {
    #pool;
    #headers;
    constructor(baseUrl, options = {}) {
        this.#pool = new Pool(baseUrl, {
            connections: options.connections ?? 8,
            ...(options.socketPath ? { socketPath: options.socketPath } : {}),
        });
        this.#headers = {
            'content-type': 'application/json',
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        };
    }
    async get(key, signal) {
        const { status, json } = await this.#call('POST', '/api/cache/key', { key }, signal);
        if (status === 200 && typeof json?.content === 'string')
            return json.content;
        if (status === 400 && json?.error?.message === 'Unknown key')
            return undefined;
        throw failure('get', status, json);
    }
    async put(key, value, signal) {
        const { status, json } = await this.#call('POST', '/api/cache/content', { key, value }, signal);
        if (status !== 200)
            throw failure('put', status, json);
    }
    async delete(key, signal) {
        const { status, json } = await this.#call('DELETE', '/api/cache/key', { key }, signal);
        if (status !== 200)
            throw failure('delete', status, json);
    }
    close() {
        return this.#pool.close();
    }
    async #call(method, path, body, signal) {
        const answer = await this.#pool.request({
            method,
            path,
            headers: this.#headers,
            body: JSON.stringify(body),
            signal,
        });
        const text = await answer.body.text();
        let json;
        try {
            json = JSON.parse(text);
        }
        catch {
            json = undefined;
        }
        return { status: answer.statusCode, json };
    }
}
function failure(what, status, json) {
    const message = json?.error?.message ?? JSON.stringify(json)?.slice(0, 200) ?? '(no body)';
    return new Error(`${what} answered ${status}: ${message}`);
}
//# sourceMappingURL=gateway-source.js.map