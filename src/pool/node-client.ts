/**
 * A client of one cache node: the legacy endpoints the manager drives (get/put/invalidate,
 * config, clear, statistics, keys, move_keys) and the internal ones (migration fences, healthz).
 * Its calls go through the internal client (src/http/internal-client.ts) with a keep-alive pool
 * of their own, bounded by a timeout: a node's failure answer becomes errors.nodeRefused (its
 * status and code travel with it), no answer errors.nodeDidNotAnswer. It does not decide
 * anything: which node to call is the caller's business.
 */
import { defaults } from '../defaults.js';
import { errors } from '../errors.js';
import {
  InternalClient,
  type InternalAnswer,
  type InternalMethod,
  type InternalRequest,
} from '../http/index.js';
import type { NodeRoles } from '../partition/index.js';
import type { FenceRecord } from '../wire/index.js';

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

/** An HTTP answer as received (the status, the body, the code of a failure). */
export type RawAnswer = InternalAnswer;

/** A client of the node at `address` (`host:port`). */
export class NodeClient {
  /** The node's `host:port`. */
  readonly address: string;
  #client: InternalClient;
  #timeoutMs: number;

  constructor(address: string, options: NodeClientOptions = {}) {
    this.address = address;
    this.#timeoutMs = options.timeoutMs ?? defaults.peerTimeoutMs;
    this.#client = new InternalClient({
      origin: `http://${address}`,
      token: options.token,
      timeoutMs: this.#timeoutMs,
      connections: options.connections ?? defaults.nodeClientConnections,
      wording: {
        unreachable: (what, cause) => errors.nodeDidNotAnswer(address, what, cause),
        refused: (what, message, answer) =>
          errors.nodeRefused(address, what, message ?? excerptOf(answer), answer),
      },
    });
  }

  /** The value of `key`, or undefined on a miss. */
  async get(key: string): Promise<string | undefined> {
    const call: InternalRequest = { method: 'POST', path: '/api/cache/key', json: { key } };
    const answer = await this.#client.send(call);
    if (answer.errorCode === 'CP_ERR_KEY_UNKNOWN') return undefined;
    return this.#client.contentOf(call, answer) as string;
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
    const call: InternalRequest = { method: 'GET', path: '/keys' };
    const answer = await this.#client.send(call);
    if (answer.statusCode !== 200) throw this.#client.refusal(call, answer);
    const parsed = tryParse(answer.body);
    // /keys answers a bare JSON array; accept the envelope too.
    const list = Array.isArray(parsed)
      ? parsed
      : (parsed as { content?: unknown } | undefined)?.content;
    if (!Array.isArray(list)) throw this.#client.refusal(call, answer);
    return list as string[];
  }

  /**
   * Hands keys off to other nodes; a destination failure throws errors.nodeRefusedMove (its keys
   * stay here; a busy node's refusal has peerCode CP_ERR_MOVE_BUSY).
   */
  async moveKeys(request: MoveKeysRequest): Promise<MoveKeysResult> {
    const content = (await this.#client.call({
      method: 'POST',
      path: '/api/cache/move_keys',
      json: { manager: '', ...request },
      wording: {
        refused: (_what, message, answer) =>
          errors.nodeRefusedMove(this.address, message ?? excerptOf(answer), answer),
      },
    })) as Partial<MoveKeysResult> | undefined;
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
   * rollback handing partitions back to the old owner keeps what it holds, but for `drop`, or
   * every key with `dropAll`; `early` opens it before writes are routed there, recording writes
   * only). Answers the keys dropped.
   */
  async beginMigration(
    id: string,
    partitions: number[],
    keep = false,
    options: { early?: boolean; drop?: readonly string[]; dropAll?: boolean } = {},
  ): Promise<number> {
    const content = (await this.call('POST', '/internal/migration/begin', {
      id,
      partitions,
      ...(keep ? { keep: true } : {}),
      ...(options.early === true ? { early: true } : {}),
      ...(options.drop !== undefined && options.drop.length > 0 ? { drop: options.drop } : {}),
      ...(options.dropAll === true ? { drop_all: true } : {}),
    })) as { dropped?: number } | undefined;
    return content?.dropped ?? 0;
  }

  /**
   * Closes the migration fence `id`; answers what it recorded (keys of its partitions written
   * or invalidated on the node meanwhile, and whether it was cleared), empty when it was not open.
   */
  async endMigration(id: string): Promise<FenceRecord> {
    const content = (await this.call('POST', '/internal/migration/end', { id })) as
      Partial<FenceRecord> | undefined;
    return { touched: content?.touched ?? [], cleared: content?.cleared ?? false };
  }

  /**
   * True when the node answers `GET /healthz` with 200 within `timeoutMs` (default: the
   * client's timeout; the manager's periodic probes pass defaults.healthProbeTimeoutMs, so that a
   * hung node is found out quickly).
   */
  async healthy(timeoutMs: number = this.#timeoutMs): Promise<boolean> {
    try {
      const answer = await this.#client.send({ method: 'GET', path: '/healthz', timeoutMs });
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
      const answer = await this.#client.send({ method: 'GET', path: '/healthz', timeoutMs });
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
    const call: InternalRequest = {
      method: 'POST',
      path: '/internal/table',
      json: roles,
      timeoutMs,
    };
    const answer = await this.#client.send(call);
    if (answer.statusCode !== 200) throw this.#client.refusal(call, answer);
  }

  /** Closes the keep-alive connections. */
  async close(): Promise<void> {
    await this.#client.close();
  }

  /**
   * Sends one request and returns the content of its success envelope; a failure answer throws
   * errors.nodeRefused (a RefusedError: the node's status and code), no answer within the
   * timeout errors.nodeDidNotAnswer.
   */
  async call(method: InternalMethod, path: string, json?: unknown): Promise<unknown> {
    return this.#client.call({ method, path, ...(json === undefined ? {} : { json }) });
  }
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The start of a failure answer that has no envelope message, for the error's text. */
function excerptOf(answer: RawAnswer): string {
  return answer.body.slice(0, defaults.answerExcerptChars);
}
