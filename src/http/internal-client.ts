/**
 * The one client for the calls cachepool's processes make to each other's JSON endpoints
 * (manager → node, node → manager, node → node): every call carries the pool token; is bounded
 * by one timeout (for the headers, for the body, and for the whole call); reads the answer to its
 * end, whatever it is (undici keeps a connection busy until its body is consumed); and either
 * unwraps the legacy envelope or turns the failure into a catalogue error that says the status
 * and the code the other process answered (its X-Cachepool-Error header, or a /v1 body's code).
 * How a failure reads stays the caller's (a node, the manager, a peer): each caller passes its
 * wording, so its messages do not change.
 *
 * Not for the gateway's relay of its clients' requests (src/pool/upstreams.ts), which passes
 * bytes and headers through as they come and unwraps nothing.
 */
import { Readable } from 'node:stream';
import { Pool, request } from 'undici';
import { defaults } from '../defaults.js';
import {
  errorCodeOf,
  errors,
  isErrorCode,
  type CachePoolError,
  type ErrorCode,
  type PeerAnswer,
} from '../errors.js';
import { bearer } from './auth.js';

/** The methods of the internal endpoints. */
export type InternalMethod = 'GET' | 'POST' | 'DELETE';

/** A whole answer: its status, its body as text, and the catalogue code of a failure. */
export interface InternalAnswer extends PeerAnswer {
  readonly statusCode: number;
  readonly body: string;
  /** The code of a failure answer (status >= 400): the header's, else a /v1 body's. */
  readonly errorCode?: ErrorCode | undefined;
}

/** How a failed call reads: the caller names the other process in its own words. */
export interface FailureWording {
  /** No answer came (connection refused, reset, timeout); `what` is `METHOD /path`. */
  unreachable: (what: string, cause: unknown) => CachePoolError;
  /** A failure answer; `message` is its envelope's, undefined when it has none. */
  refused: (what: string, message: string | undefined, answer: InternalAnswer) => CachePoolError;
}

/**
 * The wording of a call to a peer: `unreachable` (errors.peerUnreachable) and `answered <status>:
 * <message>` (errors.peerRefused; `status <status>` stands for a missing message).
 */
export const peerWording: FailureWording = {
  unreachable: (_what, cause) => errors.peerUnreachable(cause),
  refused: (_what, message, answer) =>
    errors.peerRefused(message ?? `status ${answer.statusCode}`, answer),
};

/** Options of an InternalClient. */
export interface InternalClientOptions {
  /** The other process, `http://host:port`. */
  origin: string;
  /** The pool token, sent as `Authorization: Bearer <token>` when set. */
  token?: string | undefined;
  /** Timeout of one call, in ms; default defaults.peerTimeoutMs. */
  timeoutMs?: number;
  /**
   * Keep-alive connections of a pool of the client's own (close it with `close()`); without,
   * calls go through undici's shared agent.
   */
  connections?: number;
  /** How failures read; default peerWording. */
  wording?: FailureWording;
}

/** One call. */
export interface InternalRequest {
  method: InternalMethod;
  /** The path, with its query if any. */
  path: string;
  /** A body sent as `application/json`. */
  json?: unknown;
  /**
   * A body of type `contentType` instead of `json`: text, or buffers sent one after the other
   * with their total length declared (not chunked, not copied into one).
   */
  body?: string | readonly Buffer[];
  contentType?: string;
  /** Timeout of this call, in ms; default the client's. */
  timeoutMs?: number;
  /** How this call's failures read, where it differs from the client's wording. */
  wording?: Partial<FailureWording>;
}

/** A client of one other process (see the module header). */
export class InternalClient {
  /** `http://host:port`. */
  readonly origin: string;
  readonly #pool: Pool | undefined;
  readonly #auth: Readonly<Record<string, string>>;
  readonly #timeoutMs: number;
  readonly #wording: FailureWording;

  constructor(options: InternalClientOptions) {
    this.origin = options.origin;
    this.#timeoutMs = options.timeoutMs ?? defaults.peerTimeoutMs;
    this.#auth = options.token ? { authorization: bearer(options.token) } : {};
    this.#wording = options.wording ?? peerWording;
    this.#pool =
      options.connections === undefined
        ? undefined
        : new Pool(this.origin, {
            connections: options.connections,
            keepAliveTimeout: defaults.keepAliveTimeoutMs,
            headersTimeout: this.#timeoutMs,
            bodyTimeout: this.#timeoutMs,
            connectTimeout: Math.min(this.#timeoutMs, defaults.connectTimeoutMs),
          });
  }

  /**
   * Sends `call` and reads its whole answer, whatever its status. Throws the wording's
   * `unreachable` when no whole answer came within the timeout.
   */
  async send(call: InternalRequest): Promise<InternalAnswer> {
    const headers: Record<string, string> = { ...this.#auth };
    let body: string | Readable | undefined;
    if (call.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.json);
    } else if (call.body !== undefined) {
      if (call.contentType !== undefined) headers['content-type'] = call.contentType;
      if (typeof call.body === 'string') body = call.body;
      else {
        let length = 0;
        for (const chunk of call.body) length += chunk.length;
        headers['content-length'] = String(length);
        body = Readable.from(call.body);
      }
    }
    const timeoutMs = call.timeoutMs ?? this.#timeoutMs;
    const options = {
      method: call.method,
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    };
    try {
      const answer = this.#pool
        ? await this.#pool.request({ path: call.path, ...options })
        : await request(`${this.origin}${call.path}`, options);
      // Read to the end before anything else, so that the connection is free again.
      const text = await answer.body.text();
      const errorCode =
        answer.statusCode >= 400 ? (errorCodeOf(answer.headers) ?? v1CodeOf(text)) : undefined;
      return { statusCode: answer.statusCode, body: text, errorCode };
    } catch (error) {
      throw (call.wording?.unreachable ?? this.#wording.unreachable)(whatOf(call), error);
    }
  }

  /**
   * Sends `call` and returns the content of its success envelope (status 200, `success` "true").
   * Any other answer throws the wording's `refused` (a RefusedError by default, with the status
   * and the code), no answer its `unreachable`.
   */
  async call(call: InternalRequest): Promise<unknown> {
    return this.contentOf(call, await this.send(call));
  }

  /**
   * The content of `answer` to `call` when it is a success envelope (status 200, `success`
   * "true"); otherwise throws the call's refusal.
   */
  contentOf(call: InternalRequest, answer: InternalAnswer): unknown {
    if (answer.statusCode === 200) {
      const parsed = parse(answer.body) as { success?: unknown; content?: unknown } | undefined;
      if (parsed?.success === 'true') return parsed.content;
    }
    throw this.refusal(call, answer);
  }

  /** The error of an answer that `call` did not accept, in the call's wording. */
  refusal(call: InternalRequest, answer: InternalAnswer): CachePoolError {
    const refused = call.wording?.refused ?? this.#wording.refused;
    return refused(whatOf(call), failureMessageOf(answer.body), answer);
  }

  /** Closes the client's own keep-alive connections (nothing without `connections`). */
  async close(): Promise<void> {
    await this.#pool?.close().catch(() => {});
  }
}

/** The message of a failure envelope, legacy or /v1; undefined when the body is neither. */
export function failureMessageOf(body: string): string | undefined {
  const message = (parse(body) as { error?: { message?: unknown } } | undefined)?.error?.message;
  return typeof message === 'string' ? message : undefined;
}

/** `METHOD /path` of a call, without its query. */
function whatOf(call: InternalRequest): string {
  const query = call.path.indexOf('?');
  return `${call.method} ${query === -1 ? call.path : call.path.slice(0, query)}`;
}

/** The code of a /v1 error body (`{"error":{"code":"CP_ERR_…"}}`), if it is one. */
function v1CodeOf(body: string): ErrorCode | undefined {
  const code = (parse(body) as { error?: { code?: unknown } } | undefined)?.error?.code;
  return isErrorCode(code) ? code : undefined;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
