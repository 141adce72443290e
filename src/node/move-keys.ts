/**
 * move_keys (SPEC §2, docs/internal-api.md): hands listed keys to other nodes in batches, removing
 * each key here only after its destination took it and only if it still holds the value that was
 * sent; then, after a complete handoff, tells the manager that this node may be removed. A
 * failing destination keeps its keys here and makes the answer a 400 naming them.
 *
 * A batch of PULL_MIN_BYTES or more is offered, and its destination pulls it (`POST
 * /internal/pull`, which reads `GET /internal/export/<id>` from here into a buffer it uses again
 * for every read: batch-pull.ts). A smaller batch goes in the request (`POST /internal/import`),
 * where a connection and a round trip more would cost more than the reads save. So does a batch
 * that its destination could not pull (it cannot reach this node's address, or refuses it), and
 * every later batch of the call to that destination.
 */
import { defaults } from '../defaults.js';
import { CachePoolError, errors, RefusedError } from '../errors.js';
import { InternalClient } from '../http/index.js';
import {
  BATCH_V2_CONTENT_TYPE,
  encodeBatchChunks,
  recordBytes,
  type BatchRecord,
} from './batch.js';
import type { BatchExports } from './batch-exports.js';
import type { CacheNode } from './cache-node.js';
import { valueOf, type Entry } from './entry.js';
import type { MovePolicy } from './move-policy.js';
import { parsePeer, type PeerAddress } from './peers.js';
import type { MoveResult } from '../wire/index.js';

/** A validated move_keys request. */
export interface MovePlan {
  destinations: { peer: PeerAddress; keys: string[] }[];
  /** The manager to tell after a complete handoff, if any. */
  manager: PeerAddress | undefined;
  /** This node's address as the manager knows it. */
  cacheIp: string;
  migration: string | undefined;
}

/** The answer's content. */
export type { MoveResult };

/** How move_keys talks to other processes. */
export interface MoveOptions {
  /** Which destinations and managers this node may contact (src/node/move-policy.ts). */
  policy: MovePolicy;
  token?: string | undefined;
  timeoutMs?: number;
  batchKeys?: number;
  batchBytes?: number;
  /** Batches in flight per destination. */
  inFlight?: number;
  /** Most keys one call may list over all destinations; default defaults.moveMaxKeys. */
  maxKeys?: number;
  /** Where batches are offered to be pulled; without, every batch goes in its request. */
  exports?: BatchExports;
}

/**
 * Validates a move_keys body (both forms) into a plan: shapes, addresses and the key count.
 * `callerIp` and `selfAddress` complete the older form. Whether the addresses may be contacted
 * is `checkMove`'s business.
 */
export function planMove(
  body: Record<string, unknown>,
  callerIp: string,
  selfAddress: string,
  options: Pick<MoveOptions, 'maxKeys'>,
): MovePlan {
  let dest = body.dest;
  if (typeof dest === 'string') {
    // A form or multipart body carries dest as JSON text.
    try {
      dest = JSON.parse(dest) as unknown;
    } catch {
      throw errors.invalid('dest must be an object of node address → list of keys');
    }
  }
  if (dest === null || typeof dest !== 'object' || Array.isArray(dest)) {
    throw errors.invalid('dest must be an object of node address → list of keys');
  }
  const destinations: MovePlan['destinations'] = [];
  let total = 0;
  for (const [address, keys] of Object.entries(dest as Record<string, unknown>)) {
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) {
      throw errors.invalid(`dest[${JSON.stringify(address)}] must be a list of keys`);
    }
    const peer = parsePeer(address);
    total += keys.length;
    destinations.push({ peer, keys: keys });
  }
  const maxKeys = options.maxKeys ?? defaults.moveMaxKeys;
  if (total > maxKeys) throw errors.moveTooManyKeys(total, maxKeys);

  let manager: PeerAddress | undefined;
  if (typeof body.manager === 'string' && body.manager !== '') {
    manager = parsePeer(body.manager, defaults.managerPort);
  } else if (body.manager === undefined && body.port !== undefined) {
    const port = typeof body.port === 'number' ? body.port : Number(body.port);
    if (!Number.isSafeInteger(port) || port < -1 || port > 65535)
      throw errors.invalid(`port must be -1 or a port number, got ${JSON.stringify(body.port)}`);
    if (port !== -1) manager = parsePeer(`${callerHost(callerIp)}:${port}`);
  } else if (body.manager !== undefined && body.manager !== '') {
    throw errors.invalid('manager must be "host:port" or ""');
  }
  const cacheIp =
    typeof body.cache_ip === 'string' && body.cache_ip !== '' ? body.cache_ip : selfAddress;
  const migration =
    typeof body.migration === 'string' && body.migration !== '' ? body.migration : undefined;
  return { destinations, manager, cacheIp, migration };
}

/**
 * Checks that every destination and the manager of `plan` may be contacted under `policy`;
 * throws CP_ERR_MOVE_DEST_REFUSED (400) otherwise, before anything is sent.
 */
export async function checkMove(plan: MovePlan, policy: MovePolicy): Promise<void> {
  if (plan.manager) policy.checkManager(plan.manager);
  await policy.checkDestinations(plan.destinations.map((d) => d.peer));
}

function callerHost(ip: string): string {
  const bare = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  return bare.includes(':') ? `[${bare}]` : bare;
}

/** The smallest batch a destination is asked to pull. */
const PULL_MIN_BYTES = 256 * 1024;

interface Sent {
  key: string;
  entry: Entry;
  /** The entry's absolute deadline when the batch was formed; 0 = never expires. */
  expiresAtMs: number;
}

/** Performs a plan. Throws a CachePoolError (rendered as a 400) when a destination failed. */
export async function runMove(
  node: CacheNode,
  plan: MovePlan,
  options: MoveOptions,
): Promise<MoveResult> {
  const result: MoveResult = { moved: 0, skipped: 0, rejected: [], missing: [], bytes: 0 };
  const failures: { peer: string; reason: string; keys: string[] }[] = [];
  await Promise.all(
    plan.destinations.map(async ({ peer, keys }) => {
      const failed = await moveTo(node, peer, keys, plan, options, result);
      if (failed) failures.push({ peer: peer.hostPort, ...failed });
    }),
  );
  if (failures.length > 0) {
    const parts = failures.map((f) => `${f.peer} (${f.reason}): ${listKeys(f.keys)}`);
    throw errors.moveFailed(parts.join('; '));
  }
  if (plan.manager) await tellManager(plan.manager, plan.cacheIp, options);
  return result;
}

function listKeys(keys: string[]): string {
  const shown = keys
    .slice(0, 50)
    .map((k) => JSON.stringify(k))
    .join(', ');
  return keys.length > 50 ? `${shown} and ${keys.length - 50} more` : shown;
}

/** Sends `keys` to one destination; returns the failure, if any. */
async function moveTo(
  node: CacheNode,
  peer: PeerAddress,
  keys: string[],
  plan: MovePlan,
  options: MoveOptions,
  result: MoveResult,
): Promise<{ reason: string; keys: string[] } | undefined> {
  const batchKeys = options.batchKeys ?? defaults.moveBatchKeys;
  const batchBytes = options.batchBytes ?? defaults.moveBatchBytes;
  const batches: Sent[][] = [];
  let current: Sent[] = [];
  let currentBytes = 0;
  for (const key of keys) {
    const entry = node.store.peek(key);
    if (!entry) {
      result.missing.push(key);
      continue;
    }
    const expiresAtMs = node.store.expiresAt(key) ?? 0;
    const size = recordBytes(key, entry.type, entry.valueBytes) + 9;
    if (current.length > 0 && (current.length >= batchKeys || currentBytes + size > batchBytes)) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push({ key, entry, expiresAtMs });
    currentBytes += size;
  }
  if (current.length > 0) batches.push(current);

  const failedKeys: string[] = [];
  let reason = '';
  let next = 0;
  const route: Route = { peer, plan, pull: options.exports !== undefined };
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      try {
        await sendBatch(node, route, batch, options, result);
      } catch (error) {
        reason ||= error instanceof CachePoolError ? error.message : 'unreachable';
        for (const { key } of batch) failedKeys.push(key);
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(options.inFlight ?? 3, batches.length) }, worker),
  );
  return failedKeys.length > 0 ? { reason, keys: failedKeys } : undefined;
}

/** Where one destination's batches go, and whether it still pulls them. */
interface Route {
  peer: PeerAddress;
  plan: MovePlan;
  pull: boolean;
}

async function sendBatch(
  node: CacheNode,
  route: Route,
  batch: Sent[],
  options: MoveOptions,
  result: MoveResult,
): Promise<void> {
  // v2: a framed entry is JSON-safe text, stored as it is on the other side; values are sent
  // from the store's own buffers, not copied into one body (entries are immutable).
  // A key keeps its absolute deadline on the destination (the pool's clocks are assumed close).
  const records: BatchRecord[] = batch.map(({ key, entry, expiresAtMs }) => ({
    key,
    type: entry.type,
    value: valueOf(entry),
    jsonText: entry.framed,
    expiresAtMs,
  }));
  const { chunks, bytes } = encodeBatchChunks(records);
  const { peer, plan } = route;
  let content =
    route.pull && bytes >= PULL_MIN_BYTES
      ? await offerBatch(route, { chunks, bytes }, options)
      : undefined;
  if (content !== undefined) {
    if (options.exports) options.exports.handedOff.pulled++;
  } else {
    const query = plan.migration ? `?migration=${encodeURIComponent(plan.migration)}` : '';
    // A list of buffers goes out one after the other, with its length declared (not chunked).
    content = await postEnvelope(
      peer,
      `/internal/import${query}`,
      chunks,
      BATCH_V2_CONTENT_TYPE,
      options,
    );
    if (options.exports) options.exports.handedOff.sent++;
  }
  const answer = content as { accepted?: unknown; skipped?: unknown; rejected?: unknown };
  if (
    typeof answer?.accepted !== 'number' ||
    !Array.isArray(answer.skipped) ||
    !Array.isArray(answer.rejected)
  ) {
    throw errors.moveBadAnswer();
  }
  const rejected = new Set(answer.rejected as string[]);
  // The destination holds (or deliberately declined) every key of the batch now: drop ours,
  // unless a newer local write replaced the entry while the batch was in flight.
  for (const { key, entry } of batch) {
    node.removeIfSame(key, entry);
    if (rejected.has(key)) result.rejected.push(key);
    else result.bytes += entry.valueBytes;
  }
  result.moved += answer.accepted;
  result.skipped += answer.skipped.length;
}

/**
 * Offers a batch and asks the destination to pull it; returns its answer, or undefined when it
 * could not pull (then it pulls no more batches of this call: `route.pull` turns false).
 */
async function offerBatch(
  route: Route,
  batch: { chunks: Buffer[]; bytes: number },
  options: MoveOptions,
): Promise<unknown> {
  const exports = options.exports!;
  const id = exports.offer(batch);
  try {
    const body = {
      from: route.plan.cacheIp,
      batch: id,
      ...(route.plan.migration ? { migration: route.plan.migration } : {}),
    };
    return await postEnvelope(
      route.peer,
      '/internal/pull',
      JSON.stringify(body),
      'application/json',
      options,
    );
  } catch (error) {
    if (!couldNotPull(error)) throw error;
    route.pull = false;
    return undefined;
  } finally {
    exports.withdraw(id);
  }
}

/**
 * Whether a pull's failure leaves the batch to be sent in a request: the destination could not
 * read it (CP_ERR_MOVE_FAILED), may not contact this node (CP_ERR_MOVE_DEST_REFUSED), or has no
 * pull route (404). Any other answer (a bad key, a full body) would refuse the batch either way.
 */
function couldNotPull(error: unknown): boolean {
  if (!(error instanceof RefusedError)) return false;
  return (
    error.peerCode === 'CP_ERR_MOVE_FAILED' ||
    error.peerCode === 'CP_ERR_MOVE_DEST_REFUSED' ||
    error.peerCode === 'CP_ERR_ROUTE_NOT_FOUND'
  );
}

/**
 * POSTs `body` of type `type` to `path` on `peer` through the internal client and returns the
 * envelope's content; throws errors.peerRefused (`answered <status>: <message>`, with the peer's
 * status and code) or errors.peerUnreachable (`unreachable`).
 */
async function postEnvelope(
  peer: PeerAddress,
  path: string,
  body: string | readonly Buffer[],
  type: string,
  options: MoveOptions,
): Promise<unknown> {
  const client = new InternalClient({
    origin: peer.baseUrl,
    token: options.token,
    timeoutMs: options.timeoutMs ?? defaults.peerTimeoutMs,
  });
  return client.call({ method: 'POST', path, body, contentType: type });
}

async function tellManager(
  manager: PeerAddress,
  cacheIp: string,
  options: MoveOptions,
): Promise<void> {
  try {
    await postEnvelope(
      manager,
      '/api/poolsize/change',
      JSON.stringify({ cache_ip: cacheIp }),
      'application/json',
      options,
    );
  } catch (error) {
    const reason = error instanceof CachePoolError ? error.message : 'unreachable';
    throw errors.managerNotTold(manager.hostPort, reason, error);
  }
}
