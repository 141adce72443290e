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
import type { Forwarder } from '../pool/moving-pair.js';
import { upstreamOf, type Upstream, type UpstreamMethod } from '../pool/upstreams.js';
import { sendUntilVerified, VERIFYING_CODE } from '../pool/verifying.js';

/** An answer: status, bytes, ETag, and the routing version a refusing node announced. */
export type Answer = Upstream;

/** Options of Connections. */
export interface ConnectionsOptions {
  token: string | undefined;
  timeoutMs: number;
  connectionsPerNode: number;
}

/** Keep-alive pools to every node the client talks to. */
export class Connections {
  readonly #pools = new Map<string, Pool>();
  readonly #options: ConnectionsOptions;
  readonly #auth: Record<string, string>;

  constructor(options: ConnectionsOptions) {
    this.#options = options;
    this.#auth = options.token ? { authorization: `Bearer ${options.token}` } : {};
  }

  /**
   * Sends `method path` to `address` with `headers` and `body`, and reads the whole answer. A
   * transport failure or timeout throws OperationalError CP_ERR_NODE_UNREACHABLE. A node's
   * CP_ERR_NODE_VERIFYING is sent again (src/pool/verifying.ts).
   */
  async send(
    address: string,
    method: UpstreamMethod,
    path: string,
    headers: Record<string, string>,
    body?: Buffer,
  ): Promise<Answer> {
    const answer = await this.#once(address, method, path, headers, body);
    // A node checking with its manager after a pause changed nothing: asked again.
    return answer.errorCode === VERIFYING_CODE
      ? sendUntilVerified(answer, () => this.#once(address, method, path, headers, body))
      : answer;
  }

  /** One try of `send`. */
  async #once(
    address: string,
    method: UpstreamMethod,
    path: string,
    headers: Record<string, string>,
    body: Buffer | undefined,
  ): Promise<Answer> {
    try {
      const answer = await this.#pool(address).request({
        method,
        path,
        headers: { ...this.#auth, ...headers },
        body: body === undefined || body.length === 0 ? null : body,
      });
      const bytes = Buffer.from(await answer.body.arrayBuffer());
      return upstreamOf(answer.statusCode, answer.headers, bytes);
    } catch (error) {
      throw errors.nodeDidNotAnswer(address, `${method} ${path.split('?')[0]}`, error);
    }
  }

  /** A Forwarder that adds `headers` (e.g. the table version) to every request it sends. */
  forwarder(headers: Record<string, string>): Forwarder {
    return {
      forward: (address, method, path, contentType, body, extra) =>
        this.send(
          address,
          method,
          path,
          {
            ...headers,
            ...extra,
            ...(contentType === undefined ? {} : { 'content-type': contentType }),
          },
          typeof body === 'string' ? Buffer.from(body) : body,
        ),
    };
  }

  /** Closes the pools of nodes not in `keep` (nodes that left the pool). */
  async prune(keep: ReadonlySet<string>): Promise<void> {
    const gone = [...this.#pools].filter(([address]) => !keep.has(address));
    for (const [address] of gone) this.#pools.delete(address);
    await Promise.all(gone.map(([, pool]) => pool.close().catch(() => {})));
  }

  /** Closes every pool. */
  async close(): Promise<void> {
    await this.prune(new Set());
  }

  #pool(address: string): Pool {
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
