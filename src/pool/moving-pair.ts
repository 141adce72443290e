/**
 * One key's request while its partition may be moving from A (old owner) to B (new owner): reads
 * try B, then A, then B again; writes go to B and then remove the key from A (docs/pool.md says
 * why these orders never miss nor undo a write). Answers are read whole (Upstream) so that a miss
 * on one node can be followed by a try on the other. Used by the gateway's Fastify routes and by
 * its fast path for moving partitions; a partition that is not moving is simply forwarded.
 */
import { errors } from '../errors.js';
import { partitionOf } from '../partition/index.js';
import type { RouteView } from './routing.js';
import type { Upstream, Upstreams, UpstreamMethod } from './upstreams.js';

/**
 * What sends one request to a node: the gateway's Upstreams, or the client's connections with
 * the headers of one call (src/client). `blocked`, where the sender keeps a breaker, says that a
 * node is known not to answer now.
 */
export type Forwarder = Pick<Upstreams, 'forward'> & Partial<Pick<Upstreams, 'blocked'>>;

/** Removes a key from the old owner at `address` after the new owner accepted a write. */
export type RemoveFromOld = (address: string) => Promise<Upstream>;

/** Sends one request, or reports a miss (undefined) when the node cannot be reached. */
async function tryForward(
  upstreams: Forwarder,
  address: string,
  method: UpstreamMethod,
  path: string,
  type?: string,
  body?: Buffer,
): Promise<Upstream | undefined> {
  try {
    return await upstreams.forward(address, method, path, type, body);
  } catch {
    return undefined;
  }
}

/**
 * Reads `key` through `view`: its owner alone when its partition does not move; else new owner,
 * old owner, new owner again, until an answer with status `hit`. A key handed off from A to B
 * between the first and the second read is on B by the third (the handoff writes B before it
 * deletes A). When no node that may hold the key answers (dead, hung, its breaker open), the read
 * is a miss (CP_ERR_KEY_UNKNOWN): a cache may lose what a dead member held, it must not fail.
 */
export async function readThrough(
  upstreams: Forwarder,
  view: RouteView,
  key: string,
  method: UpstreamMethod,
  path: string,
  type?: string,
  body?: Buffer,
  hit = 200,
): Promise<Upstream> {
  const partition = partitionOf(key);
  const owner = view.owners[partition]!;
  const previous = view.previous[partition];
  if (previous === undefined)
    return (await tryForward(upstreams, owner, method, path, type, body)) ?? unavailable();
  const first = await tryForward(upstreams, owner, method, path, type, body);
  if (first?.statusCode === hit) return first;
  // The new owner was written this key (or had it invalidated) during the move and lost it since
  // (evicted, expired): the old owner's copy is older, maybe one whose invalidation failed.
  if (first?.finalMiss === true) return first;
  const second = await tryForward(upstreams, previous, method, path, type, body);
  if (second?.statusCode === hit) return second;
  return (
    (await tryForward(upstreams, owner, method, path, type, body)) ??
    first ??
    second ??
    unavailable()
  );
}

/**
 * Writes to the new owner, then removes the key from the old one so that the handoff cannot
 * bring an older value back: the destination's fence skips a key written on it since the
 * migration began. A delete removes the key from the old owner first, then from the new one. A
 * failure to remove from the old owner fails the write (see below), so an acknowledged write
 * never leaves an older copy behind.
 */
export async function writeThrough(
  upstreams: Forwarder,
  view: RouteView,
  key: string,
  method: UpstreamMethod,
  path: string,
  type: string | undefined,
  body: Buffer | undefined,
  removeFromOld: RemoveFromOld,
  extra?: Record<string, string>,
): Promise<Upstream> {
  const partition = partitionOf(key);
  const gate = view.writeGate(partition);
  if (gate) await gate;
  const previous = view.previous[partition];
  // An old owner known not to answer could not let go of its older copy: the write fails before
  // the new owner stores (and readers see) a value that the old copy could later replace, when
  // the old owner answers again and the move is rolled back or read from it.
  if (previous !== undefined && upstreams.blocked?.(previous) === true)
    throw errors.nodeUnreachable(previous);
  // A removal goes to the old owner first. The other way round, one whose second half failed
  // took the new owner's newer value and left the old owner's older copy, which reads then fall
  // back to, and which a rolled-back move keeps as current: an older value read after a newer
  // one. This way a failed removal leaves the newer value in place, or only the new owner's.
  if (previous !== undefined && method === 'DELETE') {
    await removeFromOldOwner(removeFromOld, previous);
    return upstreams.forward(view.owners[partition]!, method, path, type, body, extra);
  }
  const answer = await upstreams.forward(view.owners[partition]!, method, path, type, body, extra);
  // The old owner must let go of its older copy before the write is acknowledged: if it kept it,
  // a rollback or the loss of the new owner could bring it back. When it cannot be reached the
  // write is answered as failed (it may or may not have taken effect), never as a success.
  if (previous !== undefined && answer.statusCode < 300)
    await removeFromOldOwner(removeFromOld, previous);
  return answer;
}

/** Removes the key from the old owner at `previous`; throws when it did not. */
async function removeFromOldOwner(removeFromOld: RemoveFromOld, previous: string): Promise<void> {
  const removed = await removeFromOld(previous);
  if (removed.statusCode >= 300)
    throw errors.nodeRefused(
      previous,
      'the invalidation of a moving key',
      removed.body.toString('utf8', 0, 200),
      removed,
    );
}

/**
 * The legacy invalidation of `key` on a node (`DELETE /api/cache/key` with a JSON body), with the
 * router's `extra` headers (its routing version, for a standalone gateway).
 */
export function invalidateLegacy(
  upstreams: Forwarder,
  key: string,
  extra?: Record<string, string>,
): RemoveFromOld {
  return (address) =>
    upstreams.forward(
      address,
      'DELETE',
      '/api/cache/key',
      'application/json',
      Buffer.from(JSON.stringify({ key })),
      extra,
    );
}

/** A read that no node could answer: the key is as good as gone, so it is a miss. */
function unavailable(): never {
  throw errors.unknownKey();
}
