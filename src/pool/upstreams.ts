/**
 * The gateway's connections to the nodes: one keep-alive undici Pool per node address, created on
 * first use; `forward` sends raw bytes and gives the answer back as bytes, `dispatch` hands the
 * answer to a streaming handler (the fast path relays it without buffering). A node that failed
 * at the transport level is skipped at once for a while (Breaker) instead of costing every call its
 * timeout. No routing decisions here.
 */
import { Pool, type Dispatcher } from 'undici';
import { defaults } from '../defaults.js';
import { ERROR_CODE_HEADER, errorCodeOf, errors, MISS_HEADER, type ErrorCode } from '../errors.js';
import { sendUntilVerified, VERIFYING_CODE } from './verifying.js';
import { Breaker } from './breaker.js';
import { nodeVersionOf } from './stale-routing.js';

/** The methods the gateway forwards. */
export type UpstreamMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';

/** A node's answer, relayed as it came. */
export interface Upstream {
  statusCode: number;
  contentType: string | undefined;
  body: Buffer;
  /** The node's ETag header (a /v1 GET or HEAD hit), relayed to the client. */
  etag?: string | undefined;
  /**
   * The routing version a node announced when it refused the request for an older one
   * (CP_ERR_NOT_OWNER, header X-Cachepool-Table-Version; stale-routing.ts); absent otherwise.
   */
  nodeVersion?: number;
  /** The catalogue code of a failure answer (X-Cachepool-Error), relayed to the client. */
  errorCode?: ErrorCode;
  /** A miss a reader of a moving partition must not look past (MISS_HEADER: final). */
  finalMiss?: boolean;
}

/** A node's whole answer as an Upstream: its status, type, bytes, ETag, version and code. */
export function upstreamOf(
  statusCode: number,
  headers: Record<string, string | string[] | undefined>,
  body: Buffer,
): Upstream {
  const type = headers['content-type'];
  const etag = headers.etag;
  const nodeVersion = nodeVersionOf(headers);
  const errorCode = statusCode >= 400 ? errorCodeOf(headers) : undefined;
  return {
    statusCode,
    contentType: Array.isArray(type) ? type[0] : type,
    body,
    ...(etag !== undefined ? { etag: Array.isArray(etag) ? etag[0] : etag } : {}),
    ...(nodeVersion !== undefined ? { nodeVersion } : {}),
    ...(errorCode !== undefined ? { errorCode } : {}),
    ...(statusCode >= 400 && headers[MISS_HEADER] === 'final' ? { finalMiss: true } : {}),
  };
}

/**
 * The headers a router sends with a node's whole answer relayed to its own client: the content
 * type, the ETag and the error code, as the node sent them (the body goes as it came).
 */
export function relayedHeadersOf(answer: Upstream): Record<string, string> {
  const headers: Record<string, string> = {};
  if (answer.contentType !== undefined) headers['content-type'] = answer.contentType;
  if (answer.etag !== undefined) headers.etag = answer.etag;
  if (answer.errorCode !== undefined) headers[ERROR_CODE_HEADER] = answer.errorCode;
  return headers;
}

/** Options of Upstreams. */
export interface UpstreamsOptions {
  token?: string | undefined;
  /** Timeout of one forwarded request, in ms; default defaults.nodeCallTimeoutMs. */
  timeoutMs?: number;
  /** The breaker shared by every call; default a new one with the default open time. */
  breaker?: Breaker;
  /** Keep-alive connections per node; default defaults.gatewayConnections (64). */
  connections?: number;
}

/** Keep-alive pools to every node the gateway talks to. */
export class Upstreams {
  #pools = new Map<string, Pool>();
  #timeoutMs: number;
  #connections: number;
  #token: string | undefined;
  /** Which nodes failed lately; callers consult it before a call and report what happened. */
  readonly breaker: Breaker;

  constructor(options: UpstreamsOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? defaults.nodeCallTimeoutMs;
    this.breaker = options.breaker ?? new Breaker();
    this.#connections = options.connections ?? defaults.gatewayConnections;
    this.#token = options.token;
  }

  /**
   * Sends `method path` with `body` (raw bytes, `contentType`) to `address` and reads the whole
   * answer; `extra` headers (a /v1 PUT's If-Match, If-None-Match) are sent as given. A transport
   * failure or timeout throws OperationalError CP_ERR_NODE_UNREACHABLE, and so does a call to a
   * node whose breaker is open, at once. A node's CP_ERR_NODE_VERIFYING is sent again
   * (verifying.ts).
   */
  async forward(
    address: string,
    method: UpstreamMethod,
    path: string,
    contentType?: string,
    body?: Buffer | string,
    extra?: Record<string, string>,
  ): Promise<Upstream> {
    const headers = extra
      ? { ...extra, ...this.#headers(contentType) }
      : this.#headers(contentType);
    const answer = await this.#once(address, method, path, headers, body);
    // A node checking with its manager after a pause changed nothing: asked again (verifying.ts).
    return answer.errorCode === VERIFYING_CODE
      ? sendUntilVerified(answer, () => this.#once(address, method, path, headers, body))
      : answer;
  }

  /** One try of `forward`, reporting its outcome to the breaker. */
  async #once(
    address: string,
    method: UpstreamMethod,
    path: string,
    headers: Record<string, string>,
    body: Buffer | string | undefined,
  ): Promise<Upstream> {
    if (!this.breaker.allows(address)) throw errors.nodeUnreachable(address);
    try {
      const answer = await this.#pool(address).request({
        method,
        path,
        headers,
        body: body === undefined || body.length === 0 ? null : body,
      });
      const bytes = Buffer.from(await answer.body.arrayBuffer());
      this.breaker.succeeded(address);
      return upstreamOf(answer.statusCode, answer.headers, bytes);
    } catch (error) {
      this.breaker.failed(address);
      throw errors.nodeDidNotAnswer(address, `${method} ${path.split('?')[0]}`, error);
    }
  }

  /**
   * Whether calls to `address` fail at once now (its breaker is open): a write of a moving
   * partition checks its old owner with this before it stores anything (moving-pair.ts).
   */
  blocked(address: string): boolean {
    return this.breaker.isOpen(address);
  }

  /**
   * Sends `method path` with `body` to `address` and gives the answer to `handler` as it streams
   * in (undici's dispatch handler: start, data, end or error). Bounded by the same timeouts as
   * `forward`; a transport failure reaches `handler.onResponseError`. The caller checks the
   * breaker first and reports the outcome to it (the relay knows when the answer is complete).
   */
  dispatch(
    address: string,
    method: UpstreamMethod,
    path: string,
    contentType: string | undefined,
    body: Buffer,
    handler: Dispatcher.DispatchHandler,
    extra?: Record<string, string>,
  ): void {
    const headers = extra
      ? { ...extra, ...this.#headers(contentType) }
      : this.#headers(contentType);
    this.#pool(address).dispatch(
      { method, path, headers, body: body.length === 0 ? null : body },
      handler,
    );
  }

  /** Closes every pool. */
  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((pool) => pool.close().catch(() => {})));
  }

  #headers(contentType: string | undefined): Record<string, string> {
    const headers: Record<string, string> = {};
    if (contentType !== undefined) headers['content-type'] = contentType;
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    return headers;
  }

  #pool(address: string): Pool {
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
