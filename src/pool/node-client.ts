/**
 * A client of one cache node: the legacy endpoints the manager drives (get/put/invalidate,
 * config, clear, statistics, keys, move_keys) and the internal ones (migration fences, healthz).
 * One keep-alive undici Pool per node; every call is bounded by a timeout. A node's failure
 * envelope, a transport error or a timeout becomes an OperationalError carrying the cause. It
 * does not decide anything: which node to call is the caller's business.
 */
import { Pool } from 'undici';
import { defaults } from '../defaults.js';
import { errorCodeOf, errors, type ErrorCode, type RefusedError } from '../errors.js';
import type { NodeRoles } from '../partition/index.js';

/** Options of a NodeClient. */
export interface NodeClientOptions {
  /** The pool token, sent as `Authorization: Bearer <token>` when set. */
  token?: string | undefined;
  /** Timeout of one call, in ms; default defaults.peerTimeoutMs. */
  timeoutMs?: number;
  /** Keep-alive connections to the node; default defaults.nodeClientConnections (16). */
  connections?: number;
}

/** The legacy statistics of a node (SPEC §2). */
export interface NodeStatistics {
  used_size: number;
  num_item_in_cache: number;
  num_request_served: number;
  num_GET_request_served: number;
  num_hit: number;
}

/** What a move_keys call reports (docs/internal-api.md). */
export interface MoveKeysResult {
  moved: number;
  skipped: number;
  rejected: string[];
  missing: string[];
  bytes: number;
}

/** The body of a move_keys call. */
export interface MoveKeysRequest {
  /** destination `host:port` → keys to hand to it. */
  dest: Record<string, string[]>;
  /** The pool migration id, passed on to the destinations' imports. */
  migration?: string;
  /** host:port of the manager to tell once every key is handed off; "" for none. */
  manager?: string;
  /** This node's own address, sent back to the manager. */
  cache_ip?: string;
}

/** An HTTP answer as received. */
export interface RawAnswer {
  statusCode: number;
  body: string;
  /** The catalogue code a failure answer carried (X-Cachepool-Error). */
  errorCode?: ErrorCode | undefined;
}

/** A client of the node at `address` (`host:port`). */
export class NodeClient {
  /** The node's `host:port`. */
  readonly address: string;
  #pool: Pool;
  #auth: Record<string, string>;
  #timeoutMs: number;

  constructor(address: string, options: NodeClientOptions = {}) {
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
  async get(key: string): Promise<string | undefined> {
    const answer = await this.request('POST', '/api/cache/key', { key });
    if (answer.statusCode === 200) return envelopeContent(answer, this.address) as string;
    if (answer.errorCode === 'CP_ERR_KEY_UNKNOWN') return undefined;
    throw failed(this.address, 'POST /api/cache/key', answer);
  }

  /** Stores `value` under `key`. */
  async put(key: string, value: string): Promise<void> {
    await this.call('POST', '/api/cache/content', { key, value });
  }

  /** Removes `key` (whether or not present). */
  async invalidate(key: string): Promise<void> {
    await this.call('DELETE', '/api/cache/key', { key });
  }

  /** Applies a cache config (capacity in MB, policy name, optional cache_index). */
  async setConfig(config: {
    capacity: number;
    replacement_policy: string;
    cache_index?: number;
  }): Promise<void> {
    await this.call('POST', '/api/cache/config', config);
  }

  /** Removes every key. */
  async clear(): Promise<void> {
    await this.call('DELETE', '/api/cache');
  }

  /** The legacy statistics (decoded from the JSON-encoded string content). */
  async statistics(): Promise<NodeStatistics> {
    const content = await this.call('GET', '/api/cache/statistics');
    return (typeof content === 'string' ? JSON.parse(content) : content) as NodeStatistics;
  }

  /** Resets the GET and hit counters (after a resize). */
  async resetStatistics(): Promise<void> {
    await this.call('DELETE', '/api/cache/statistics');
  }

  /** Every key the node holds. */
  async keys(): Promise<string[]> {
    const answer = await this.request('GET', '/keys');
    if (answer.statusCode !== 200) throw failed(this.address, 'GET /keys', answer);
    const parsed = tryParse(answer.body);
    // /keys answers a bare JSON array; accept the envelope too.
    const list = Array.isArray(parsed)
      ? parsed
      : (parsed as { content?: unknown } | undefined)?.content;
    if (!Array.isArray(list)) throw failed(this.address, 'GET /keys', answer);
    return list as string[];
  }

  /** Hands keys off to other nodes; a destination failure throws (its keys stay here). */
  async moveKeys(request: MoveKeysRequest): Promise<MoveKeysResult> {
    const body = { manager: '', ...request };
    const answer = await this.request('POST', '/api/cache/move_keys', body);
    if (answer.statusCode !== 200) throw refusedMove(this.address, answer);
    const content = envelopeContent(answer, this.address) as Partial<MoveKeysResult> | undefined;
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
  async beginMigration(id: string, partitions: number[], keep = false): Promise<void> {
    await this.call('POST', '/internal/migration/begin', {
      id,
      partitions,
      ...(keep ? { keep: true } : {}),
    });
  }

  /** Closes the migration fence `id`. */
  async endMigration(id: string): Promise<void> {
    await this.call('POST', '/internal/migration/end', { id });
  }

  /**
   * True when the node answers `GET /healthz` with 200 within `timeoutMs` (default: the
   * client's timeout; the manager's periodic probes pass defaults.healthProbeTimeoutMs, so that a
   * hung node is found out quickly).
   */
  async healthy(timeoutMs: number = this.#timeoutMs): Promise<boolean> {
    try {
      const answer = await this.request('GET', '/healthz', undefined, timeoutMs);
      return answer.statusCode === 200;
    } catch {
      return false;
    }
  }

  /**
   * The node's answer to `GET /healthz` within `timeoutMs`: the routing version it serves by
   * (null: no manager has told it its partitions yet), or undefined when it does not answer.
   */
  async health(
    timeoutMs: number = this.#timeoutMs,
  ): Promise<{ routingVersion: number | null } | undefined> {
    try {
      const answer = await this.request('GET', '/healthz', undefined, timeoutMs);
      if (answer.statusCode !== 200) return undefined;
      const content = (tryParse(answer.body) as { content?: { routing_version?: unknown } })
        ?.content;
      const version = content?.routing_version;
      return { routingVersion: typeof version === 'number' ? version : null };
    } catch {
      return undefined;
    }
  }

  /** Tells the node its partitions under a routing state (`POST /internal/table`). */
  async setRoles(roles: NodeRoles, timeoutMs: number = this.#timeoutMs): Promise<void> {
    const answer = await this.request('POST', '/internal/table', roles, timeoutMs);
    if (answer.statusCode !== 200) throw failed(this.address, 'POST /internal/table', answer);
  }

  /**
   * Sends one request and returns the raw answer; a transport failure or timeout throws an
   * OperationalError (CP_ERR_NODE_UNREACHABLE).
   */
  async request(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    json?: unknown,
    timeoutMs: number = this.#timeoutMs,
  ): Promise<RawAnswer> {
    try {
      const answer = await this.#pool.request({
        method,
        path,
        headers:
          json === undefined ? this.#auth : { ...this.#auth, 'content-type': 'application/json' },
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = await answer.body.text();
      const errorCode = answer.statusCode >= 400 ? errorCodeOf(answer.headers) : undefined;
      return { statusCode: answer.statusCode, body, errorCode };
    } catch (error) {
      throw errors.nodeDidNotAnswer(this.address, `${method} ${path}`, error);
    }
  }

  /** Closes the keep-alive connections. */
  async close(): Promise<void> {
    await this.#pool.close().catch(() => {});
  }

  /**
   * Sends one request and returns the content of its success envelope; a failure answer throws
   * errors.nodeRefused (the raw answer as its cause), a transport failure as `request` does.
   */
  async call(method: 'GET' | 'POST' | 'DELETE', path: string, json?: unknown): Promise<unknown> {
    const answer = await this.request(method, path, json);
    if (answer.statusCode !== 200) throw failed(this.address, `${method} ${path}`, answer);
    return envelopeContent(answer, this.address);
  }
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function envelopeContent(answer: RawAnswer, address: string): unknown {
  const parsed = tryParse(answer.body) as { success?: string; content?: unknown } | undefined;
  if (parsed?.success !== 'true') throw failed(address, 'a call', answer);
  return parsed.content;
}

/** The message of a failure answer: the envelope's, or the start of the body. */
function messageOf(answer: RawAnswer): string {
  const parsed = tryParse(answer.body) as { error?: { message?: string } } | undefined;
  return parsed?.error?.message ?? answer.body.slice(0, defaults.answerExcerptChars);
}

function failed(address: string, what: string, answer: RawAnswer): RefusedError {
  return errors.nodeRefused(address, what, messageOf(answer), answer);
}

function refusedMove(address: string, answer: RawAnswer): RefusedError {
  return errors.nodeRefusedMove(address, messageOf(answer), answer);
}
