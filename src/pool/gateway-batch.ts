/**
 * The gateway's batches: `POST /v1/batch/get` and `/v1/batch/put` for the whole pool, with the
 * node's wire format (node/routes-batch.ts). A batch is split by owner into one batch per node,
 * sent in parallel through batch-through.ts (moving partitions as the single-key routes handle
 * them). The gateway checks what it can before sending anything (count, empty keys or values,
 * TTL), so those bad batches change nothing; a node's refusal of its part is relayed as it came
 * (the other nodes' parts may be stored). A node that does not answer makes its keys misses on
 * a get and fails a put with 502. A standalone gateway tags its batches with its routing version;
 * the keys a node refuses for a stale routing are sent again after a table read
 * (stale-routing.ts, ROUTING_RETRIES times at most), and a refusal past that is relayed (421),
 * never acknowledged as stored.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { defaults } from '../defaults.js';
import { errors } from '../errors.js';
import { BATCH_CONTENT_TYPE, registerRawParsers, type TokenGuard } from '../http/index.js';
import { keyRoutes } from '../wire/index.js';
import {
  batchKeysOf,
  batchVersion,
  checkBatchCount,
  decodeBatch,
  encodeBatch,
} from '../node/batch.js';
import { ttlOfV1 } from '../node/ttl.js';
import {
  batchGetThrough,
  batchPutThrough,
  type BatchOutcome,
  type FoundValue,
} from './batch-through.js';
import type { Forwarder } from './moving-pair.js';
import { routingVersionOf } from '../partition/index.js';
import { routingTag, type RouteView, type Routing } from './routing.js';
import { ROUTING_RETRIES, StaleWatch } from './stale-routing.js';
import { relayedHeadersOf, type Upstreams } from './upstreams.js';

/** What the gateway's batch routes need from the gateway. */
export interface GatewayBatchOptions {
  routing: Routing;
  upstreams: Upstreams;
  dataGuard: TokenGuard;
  bodyLimitBytes: number;
  /** Send the routing version with every batch (routing.ts routingTag); default false. */
  tagsRequests?: boolean;
  /** Reads the table again after a refusal for a stale routing (gateway.ts); default none. */
  catchUp?: ((wanted: number | undefined) => Promise<void>) | undefined;
  /** After a node did not answer: whether the routing moved past `routedBy` (gateway.ts). */
  movedOnSince?: ((routedBy: number) => Promise<boolean>) | undefined;
}

const EMPTY = Buffer.alloc(0);

/** Registers the batch routes in their own scope (raw bodies). */
export async function registerGatewayBatchRoutes(
  app: FastifyInstance,
  options: GatewayBatchOptions,
): Promise<void> {
  const { routing, upstreams } = options;
  const limits = { maxKeys: defaults.batchMaxKeys, maxBytes: options.bodyLimitBytes / 2 };
  const { catchUp, movedOnSince } = options;

  /**
   * Runs a batch of `keys` on the current view with its routing tag; the keys a node refused for
   * a stale routing (stale-routing.ts) are sent again on the view the table read then gives
   * (ROUTING_RETRIES times at most). Resolves the last outcome (its staleKeys: refused each time).
   */
  const routed = async (
    keys: readonly string[],
    work: (view: RouteView, forwarder: Forwarder, keys: readonly string[]) => Promise<BatchOutcome>,
  ): Promise<BatchOutcome> => {
    let pending = keys;
    const unreachableKeys: string[] = [];
    for (let attempt = 0; ; attempt++) {
      const view = routing.view;
      const routedBy = routingVersionOf(view.table, view.moving);
      view.enter();
      let outcome: BatchOutcome;
      try {
        const tag = routingTag(options.tagsRequests ?? false, view);
        outcome = await work(view, new StaleWatch(upstreams, tag).forwarder, pending);
      } finally {
        view.leave();
      }
      // Keys a node refused for a stale routing go again after a table read; keys whose node did
      // not answer go again when the routing moved past the one used (their node left the
      // pool: stale-routing.ts, movedOnSince). Otherwise they stay refused or unreachable.
      const canRetry =
        attempt < ROUTING_RETRIES &&
        !outcome.failure &&
        (outcome.staleKeys.length === 0 || catchUp !== undefined);
      const left =
        canRetry &&
        outcome.unreachableKeys.length > 0 &&
        movedOnSince !== undefined &&
        (await movedOnSince(routedBy))
          ? outcome.unreachableKeys
          : [];
      if (left.length === 0) unreachableKeys.push(...outcome.unreachableKeys);
      if (!canRetry || (outcome.staleKeys.length === 0 && left.length === 0))
        return { ...outcome, unreachableKeys };
      if (outcome.staleKeys.length > 0) await catchUp!(outcome.staleAnswer?.nodeVersion);
      pending = [...outcome.staleKeys, ...left];
    }
  };

  await app.register(async (scope) => {
    registerRawParsers(scope);

    scope.post(
      '/v1/batch/get',
      { onRequest: options.dataGuard, schema: keyRoutes.batchGet },
      async (request, reply) => {
        const keys = keysOf(request.body);
        const found = new Map<string, FoundValue>();
        const outcome = await routed(keys, (view, forwarder, pending) =>
          batchGetThrough(forwarder, view, pending, found, limits),
        );
        if (refused(reply, outcome)) return reply;
        const records = keys.map((key) => {
          const hit = found.get(key);
          return hit ? { key, ...hit } : { key, type: '', value: EMPTY };
        });
        return reply.header('content-type', BATCH_CONTENT_TYPE).send(encodeBatch(records));
      },
    );

    scope.post(
      '/v1/batch/put',
      { onRequest: options.dataGuard, schema: keyRoutes.batchPut },
      async (request, reply) => {
        const type = String(request.headers['content-type'] ?? '');
        if (!type.toLowerCase().startsWith(BATCH_CONTENT_TYPE) || batchVersion(type) !== 1)
          throw errors.unsupportedMedia(type);
        const ttlS = ttlOfV1(request.query, request.headers['cache-control']);
        const records = decodeBatch(Buffer.isBuffer(request.body) ? request.body : EMPTY);
        checkBatchCount(records.length);
        for (const [i, record] of records.entries()) {
          if (record.key === '') throw errors.missingKey();
          if (record.value.length === 0)
            throw errors.invalid(`batch record ${i} (${JSON.stringify(record.key)}) has no value`);
        }
        const query = ttlS === undefined ? '' : `?ttl=${ttlS}`;
        const byKey = new Map(records.map((record) => [record.key, record]));
        const outcome = await routed([...byKey.keys()], (view, forwarder, pending) =>
          batchPutThrough(
            forwarder,
            view,
            pending.map((key) => byKey.get(key)!),
            query,
            limits,
            (address, key) =>
              forwarder.forward(address, 'DELETE', `/v1/keys/${encodeURIComponent(key)}`),
          ),
        );
        if (outcome.unreachableKeys.length > 0)
          throw errors.nodeUnreachable(
            `the owner of ${JSON.stringify(outcome.unreachableKeys[0])}`,
          );
        if (refused(reply, outcome)) return reply;
        return reply.code(200).send({ stored: records.length });
      },
    );
  });
}

/** Relays a node's refusal (or its 421 for a stale routing, twice); true when one was sent. */
function refused(reply: FastifyReply, outcome: BatchOutcome): boolean {
  const answer = outcome.failure?.answer ?? outcome.staleAnswer;
  if (answer) {
    reply.code(answer.statusCode).headers(relayedHeadersOf(answer)).send(answer.body);
    return true;
  }
  return false;
}

function keysOf(body: unknown): string[] {
  const keys = batchKeysOf(body);
  if (keys.includes('')) throw errors.missingKey();
  return [...new Set(keys)];
}
