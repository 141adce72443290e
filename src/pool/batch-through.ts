/**
 * Batches through the routing (docs/client.md, "Batches"): a batch of keys split by owner into
 * one `POST /v1/batch/get` or `/v1/batch/put` per node (at most `maxKeys` keys and about
 * `maxBytes` bytes of values each), sent in parallel. A moving partition is handled as the
 * single-key paths do (moving-pair.ts): reads ask the new owner, then the old one (not for a
 * miss the new owner says is final), then the new one again for what is still missing; a write
 * goes to the new owner, then the key is removed from the old one. Used by the client and by the
 * gateway; it holds no state.
 *
 * Wire format: a get sends `{"keys":[…]}` (JSON) and receives a batch (node/batch.ts, v1) with
 * one record per key in order, a miss being a record with an empty value (no stored value is
 * empty); a put sends a batch and receives `{"stored":n}`.
 */
import { BATCH_CONTENT_TYPE } from '../http/body.js';
import { decodeBatch, encodeBatch, FINAL_MISS_TYPE, type BatchRecord } from '../node/batch.js';
import { partitionOf } from '../partition/index.js';
import type { Forwarder } from './moving-pair.js';
import type { RouteView } from './routing.js';
import type { Upstream } from './upstreams.js';

/** One value found by a batch get. */
export interface FoundValue {
  type: string;
  value: Buffer;
}

/** A node's failure answer to a batch (not 200, not 421). */
export interface BatchFailure {
  address: string;
  answer: Upstream;
}

/** What a batch through the routing did. */
export interface BatchOutcome {
  /** Some node answered 421: the caller's table is stale (these keys were not served). */
  staleKeys: string[];
  /** The first 421 answer, if any. */
  staleAnswer?: Upstream | undefined;
  /** Keys whose node did not answer (reads: misses; writes: not stored). */
  unreachableKeys: string[];
  /** The first failure answer of a node, if any. */
  failure: BatchFailure | undefined;
}

/** Limits of one batch request. */
export interface BatchLimits {
  maxKeys: number;
  maxBytes: number;
}

/**
 * Reads `keys` through `view` into `found` (key → type and value); keys missing from `found`
 * afterwards are misses, or are listed in the outcome.
 */
export async function batchGetThrough(
  forwarder: Forwarder,
  view: RouteView,
  keys: readonly string[],
  found: Map<string, FoundValue>,
  limits: BatchLimits,
): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { staleKeys: [], unreachableKeys: [], failure: undefined };
  /** Keys whose new owner's miss was final (FINAL_MISS_TYPE): the old owner is not asked. */
  const final = new Set<string>();
  const ask = (wanted: readonly string[], addressOf: (key: string) => string) =>
    Promise.all(
      chunksByNode(wanted, addressOf, () => 0, limits).map(([address, chunk]) =>
        getChunk(forwarder, address, chunk, found, outcome, final),
      ),
    );
  await ask(keys, (key) => view.owners[partitionOf(key)]!);
  const moving = keys.filter(
    (key) =>
      !found.has(key) &&
      !final.has(key) &&
      view.previous[partitionOf(key)] !== undefined &&
      !outcome.staleKeys.includes(key),
  );
  if (moving.length > 0) {
    // New owner, old owner, new owner again: a key handed off between the first and the second
    // read is on the new owner by the third (the handoff writes there before it deletes).
    await ask(moving, (key) => view.previous[partitionOf(key)]!);
    const still = moving.filter((key) => !found.has(key));
    if (still.length > 0) await ask(still, (key) => view.owners[partitionOf(key)]!);
  }
  return outcome;
}

/**
 * Writes `records` through `view` (`query` is appended to the path, e.g. `?ttl=60`); a record of
 * a moving partition is then removed from its old owner. Records of the outcome's lists were not
 * stored.
 */
export async function batchPutThrough(
  forwarder: Forwarder,
  view: RouteView,
  records: readonly BatchRecord[],
  query: string,
  limits: BatchLimits,
  removeFromOld: (address: string, key: string) => Promise<Upstream>,
): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { staleKeys: [], unreachableKeys: [], failure: undefined };
  const byKey = new Map(records.map((record) => [record.key, record]));
  for (const partition of new Set([...byKey.keys()].map(partitionOf))) {
    const gate = view.writeGate(partition);
    if (gate) await gate;
  }
  // As writeThrough: a record whose old owner is known not to answer is not stored at all.
  for (const key of [...byKey.keys()]) {
    const previous = view.previous[partitionOf(key)];
    if (previous !== undefined && forwarder.blocked?.(previous) === true) {
      byKey.delete(key);
      outcome.unreachableKeys.push(key);
    }
  }
  const chunks = chunksByNode(
    [...byKey.keys()],
    (key) => view.owners[partitionOf(key)]!,
    (key) => byKey.get(key)!.value.length,
    limits,
  );
  await Promise.all(
    chunks.map(async ([address, chunk]) => {
      const body = encodeBatch(chunk.map((key) => byKey.get(key)!));
      const answer = await send(
        forwarder,
        address,
        `/v1/batch/put${query}`,
        BATCH_CONTENT_TYPE,
        body,
      );
      if (!record(outcome, address, chunk, answer)) return;
      // As writeThrough: a record is stored only once its old owner let go of its older copy; one
      // whose removal failed is reported with the refusal (it may or may not have taken effect).
      await Promise.all(
        chunk
          .filter((key) => view.previous[partitionOf(key)] !== undefined)
          .map(async (key) => {
            const previous = view.previous[partitionOf(key)]!;
            const removed = await removeFromOld(previous, key).catch(() => undefined);
            if (removed === undefined) outcome.unreachableKeys.push(key);
            else if (removed.statusCode === 421) {
              outcome.staleKeys.push(key);
              outcome.staleAnswer ??= removed;
            } else if (removed.statusCode >= 300 && removed.statusCode !== 404)
              outcome.failure ??= { address: previous, answer: removed };
          }),
      );
    }),
  );
  return outcome;
}

async function getChunk(
  forwarder: Forwarder,
  address: string,
  chunk: string[],
  found: Map<string, FoundValue>,
  outcome: BatchOutcome,
  final: Set<string>,
): Promise<void> {
  const body = Buffer.from(JSON.stringify({ keys: chunk }));
  const answer = await send(forwarder, address, '/v1/batch/get', 'application/json', body);
  if (!record(outcome, address, chunk, answer)) return;
  let records: BatchRecord[];
  try {
    records = decodeBatch(answer.body);
  } catch {
    outcome.failure ??= { address, answer };
    return;
  }
  for (const { key, type, value } of records) {
    if (value.length > 0) found.set(key, { type, value });
    else if (type === FINAL_MISS_TYPE) final.add(key);
  }
}

async function send(
  forwarder: Forwarder,
  address: string,
  path: string,
  type: string,
  body: Buffer,
): Promise<Upstream | undefined> {
  try {
    return await forwarder.forward(address, 'POST', path, type, body);
  } catch {
    return undefined;
  }
}

/** Files a chunk's answer into `outcome`; true when the node accepted it (200). */
function record(
  outcome: BatchOutcome,
  address: string,
  chunk: readonly string[],
  answer: Upstream | undefined,
): answer is Upstream {
  if (answer === undefined) outcome.unreachableKeys.push(...chunk);
  else if (answer.statusCode === 421) {
    outcome.staleKeys.push(...chunk);
    outcome.staleAnswer ??= answer;
  } else if (answer.statusCode !== 200) outcome.failure ??= { address, answer };
  else return true;
  return false;
}

/** Groups keys by node, then cuts each group at `maxKeys` keys or `maxBytes` bytes. */
function chunksByNode(
  keys: readonly string[],
  addressOf: (key: string) => string,
  bytesOf: (key: string) => number,
  limits: BatchLimits,
): [string, string[]][] {
  const byNode = new Map<string, string[]>();
  for (const key of keys) {
    const address = addressOf(key);
    const group = byNode.get(address);
    if (group) group.push(key);
    else byNode.set(address, [key]);
  }
  const chunks: [string, string[]][] = [];
  for (const [address, group] of byNode) {
    let chunk: string[] = [];
    let bytes = 0;
    for (const key of group) {
      const size = bytesOf(key);
      if (chunk.length > 0 && (chunk.length >= limits.maxKeys || bytes + size > limits.maxBytes)) {
        chunks.push([address, chunk]);
        chunk = [];
        bytes = 0;
      }
      chunk.push(key);
      bytes += size;
    }
    if (chunk.length > 0) chunks.push([address, chunk]);
  }
  return chunks;
}
