/**
 * The one rule by which a router — the client (src/client) or a standalone gateway — handles a
 * node's refusal of a request it routed by an older routing state (CP_ERR_NOT_OWNER: 421 on /v1
 * and batches, 400 on the legacy API, both with the node's routing version in
 * X-Cachepool-Table-Version): read the manager's table again until it reaches the node's
 * version, then send the request again on the fresh table (ROUTING_RETRIES times at most). `StaleWatch` notes such a
 * refusal among the answers of one request (a moving partition's read or write may ask two
 * nodes). No routing decisions and no I/O of its own.
 */
import { ROUTED_BY_HEADER } from '../partition/index.js';
import { defaults } from '../defaults.js';
import { CachePoolError } from '../errors.js';
import type { Forwarder } from './moving-pair.js';
import type { Upstream } from './upstreams.js';

/**
 * Whether `answer` refuses a request for a stale routing: any 421 (a node's, or a gateway's that
 * relays one), or an answer that names the node's routing version (only refusals do).
 */
export function isStaleRouting(answer: Upstream): boolean {
  return answer.statusCode === 421 || answer.nodeVersion !== undefined;
}

/** The routing version announced in an answer's X-Cachepool-Table-Version; undefined if none. */
export function nodeVersionOf(
  headers: Record<string, string | string[] | undefined>,
): number | undefined {
  const value = headers[ROUTED_BY_HEADER];
  const version = Number(Array.isArray(value) ? value[0] : value);
  return value !== undefined && Number.isSafeInteger(version) && version >= 0 ? version : undefined;
}

/** How a router reads its table during a catch-up. */
export interface TableReader {
  /** One read of the manager's table, in force once it resolves; false when the read failed. */
  refresh(): Promise<boolean>;
  /** The routing version the router routes by now. */
  current(): number;
}

/**
 * How many times a router (the client, a standalone gateway's routes, fast path and batches)
 * sends a request again, each time for a cause: a refusal for a stale routing, or a node that did
 * not answer while a newer routing was published (movedOnSince). A resize publishes its moving
 * state and then its new table, and a shrink stops the old owner, so a request routed just before
 * can be refused twice in a row: refused by the old owner for the moving state, then its removal
 * of the old copy refused for the new table (or the old owner gone). Every retry needs a newer
 * routing or a node's word, so this never loops on its own.
 */
export const ROUTING_RETRIES = 2;

/** Failed table reads in a row after which a catch-up gives up: the manager is away. */
const FAILED_READS_TO_GIVE_UP = 3;

/**
 * After a refusal: reads the table until it reaches routing version `wanted` (the manager tells
 * its nodes a new state just before it publishes it, so its table may lag the node by a moment),
 * at most `reads` reads `waitMs` apart (defaults.client.catchUpReads, catchUpWaitMs). Without an
 * announced version, one successful read. Three failed reads in a row end it: the manager is
 * away and the router keeps the table it has (one failure alone is often a keep-alive
 * connection the manager closed just as it was reused, and the next read succeeds).
 */
export async function catchUpTo(
  wanted: number | undefined,
  reader: TableReader,
  reads: number = defaults.client.catchUpReads,
  waitMs: number = defaults.client.catchUpWaitMs,
): Promise<void> {
  let failed = 0;
  for (let read = 0; read < reads; read++) {
    if (await reader.refresh()) {
      failed = 0;
      if (wanted === undefined || reader.current() >= wanted) return;
    } else if (++failed >= FAILED_READS_TO_GIVE_UP) return;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

/**
 * Table reads, 25 ms apart, a router makes after a node it routed a request to did not answer: a
 * read already in flight may have begun before the node left, and one read alone can fail on a
 * keep-alive connection the manager just closed. A node that is down, not gone, costs each
 * request that much before its read counts as a miss or its write as failed.
 */
export const UNREACHABLE_CATCH_UP_READS = 3;

/**
 * After a node a request was routed to (by routing version `routedBy`) did not answer: whether
 * the routing has moved past `routedBy`, reading the table a few times if it has not yet. The
 * manager publishes a shrink's table before it stops the leaving node, so a newer routing means
 * the key has another owner and the request may be sent once more (PUT and DELETE are
 * idempotent); the same routing means the node is down, and the request's failure stands.
 */
export async function movedOnSince(
  routedBy: number,
  reader: TableReader,
  reads: number = UNREACHABLE_CATCH_UP_READS,
): Promise<boolean> {
  if (reader.current() <= routedBy) await catchUpTo(routedBy + 1, reader, reads);
  return reader.current() > routedBy;
}

/**
 * Watches the answers of one routed request: `forwarder` adds the router's `headers` (its routing
 * version) to every call and notes the first stale-routing refusal it passes on, which the
 * caller then reads from `refused` (and `version`, the version the node announced).
 */
export class StaleWatch {
  refused = false;
  version: number | undefined;
  /** A node the request was sent to did not answer (or its breaker kept the request back). */
  unreachable = false;
  readonly forwarder: Forwarder;

  constructor(inner: Forwarder, headers: Record<string, string> | undefined) {
    this.forwarder = {
      forward: async (address, method, path, type, body, extra) => {
        let answer: Upstream;
        try {
          answer = await inner.forward(
            address,
            method,
            path,
            type,
            body,
            headers === undefined ? extra : { ...headers, ...extra },
          );
        } catch (error) {
          if (isUnreachable(error)) this.unreachable = true;
          throw error;
        }
        if (!this.refused && isStaleRouting(answer)) {
          this.refused = true;
          this.version = answer.nodeVersion;
        }
        return answer;
      },
      blocked: (address) => {
        const blocked = inner.blocked?.(address) === true;
        if (blocked) this.unreachable = true;
        return blocked;
      },
    };
  }
}

/** Whether `error` says a node could not be reached (CP_ERR_NODE_UNREACHABLE). */
export function isUnreachable(error: unknown): boolean {
  return error instanceof CachePoolError && error.code === 'CP_ERR_NODE_UNREACHABLE';
}
