/**
 * The node's /v1 REST API: `GET|HEAD|PUT|DELETE /v1/keys/{key}` with raw bytes and the value's
 * Content-Type kept, proper statuses and `{"error":{"code","status","message"}}` errors, and the
 * OpenAPI document at `GET /v1/openapi.json`. Bodies in this scope are raw bytes whatever their
 * content type. GET and HEAD answer the value's ETag (etag.ts); a PUT with `If-None-Match: *`
 * (add only if absent) or `If-Match: <etag>` (compare-and-set) is checked and applied in one
 * synchronous step, so no other write can come between, and answers 412 when it does not hold.
 * A PUT's time to live comes from `?ttl=` or `Cache-Control: max-age` (ttl.ts). A pool node
 * takes only the keys it serves for the routing version the router says (routed-by.ts): 421
 * CP_ERR_NOT_OWNER otherwise.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors, MISS_HEADER } from '../errors.js';
import {
  checkText,
  keyPathInDocument,
  openapiOf,
  registerRawParsers,
  type TokenGuard,
} from '../http/index.js';
import { keyRoutes } from '../wire/index.js';
import type { CacheNode } from './cache-node.js';
import { rawEntry, valueOf, type Entry } from './entry.js';
import { etagOf, ifMatchHolds } from './etag.js';
import { routedByOf } from './routed-by.js';
import { ttlOfV1 } from './ttl.js';

const DEFAULT_TYPE = 'application/octet-stream';

function keyOf(node: CacheNode, request: FastifyRequest): string {
  const key = (request.params as Record<string, string | undefined>)['*'];
  // The router refuses a URL that is not UTF-8; the text rule is checked here as for legacy keys.
  return node.checkKey(key === undefined ? undefined : checkText(key, 'key'));
}

/** Registers /v1 in its own scope (raw body parsers); `dataGuard` protects the key routes. */
export async function registerV1Routes(
  app: FastifyInstance,
  node: CacheNode,
  dataGuard: TokenGuard,
): Promise<void> {
  const data = { onRequest: dataGuard, config: keyPathInDocument };
  await app.register(async (scope) => {
    registerRawParsers(scope);

    scope.get('/v1/openapi.json', { schema: keyRoutes.openapi }, async (_request, reply) =>
      reply.type('application/json; charset=utf-8').send(await openapiOf(app)),
    );

    scope.get(
      '/v1/keys/*',
      { exposeHeadRoute: false, ...data, schema: keyRoutes.getKey },
      (request, reply) => {
        const key = keyOf(node, request);
        const entry = node.get(key, routedByOf(request));
        if (entry === undefined) {
          if (node.missIsFinal(key)) reply.header(MISS_HEADER, 'final');
          throw errors.unknownKey();
        }
        reply.header('content-type', entry.type).header('etag', etagOf(entry)).send(valueOf(entry));
      },
    );

    const headData = {
      ...data,
      config: { ...keyPathInDocument, swagger: { exposeHeadRoute: true } },
      schema: keyRoutes.headKey,
    };
    scope.head('/v1/keys/*', headData, (request, reply) => {
      const key = keyOf(node, request);
      const entry = node.serves('read', key, routedByOf(request))
        ? node.store.peek(key)
        : undefined;
      if (entry === undefined) {
        if (node.missIsFinal(key)) reply.header(MISS_HEADER, 'final');
        reply.code(404).send();
        return;
      }
      reply
        .header('content-type', entry.type)
        .header('content-length', entry.valueBytes)
        .header('etag', etagOf(entry))
        .send();
    });

    scope.put('/v1/keys/*', { ...data, schema: keyRoutes.putKey }, (request, reply) => {
      const key = keyOf(node, request);
      const body = request.body;
      if (!Buffer.isBuffer(body) || body.length === 0) throw errors.missingValue();
      node.checkValueBytes(body.length);
      const type = request.headers['content-type'] ?? DEFAULT_TYPE;
      const expiresAtMs = node.deadlineAfter(
        ttlOfV1(request.query, request.headers['cache-control']),
      );
      const routedBy = routedByOf(request);
      // Not the owner: 421 before any precondition is looked at.
      node.serves('write', key, routedBy);
      checkPrecondition(request, node.store.peek(key));
      const outcome = node.put(key, rawEntry(body, type), expiresAtMs, routedBy);
      if (outcome.kind === 'rejected')
        throw errors.valueTooLarge(outcome.entryBytes, outcome.capacityBytes);
      reply.code(outcome.kind === 'added' ? 201 : 204).send();
    });

    scope.delete('/v1/keys/*', { ...data, schema: keyRoutes.deleteKey }, (request, reply) => {
      node.invalidate(keyOf(node, request), routedByOf(request));
      reply.code(204).send();
    });
  });
}

/**
 * Throws 412 when the PUT's precondition does not hold for the entry the key holds now:
 * `If-None-Match: *` needs no entry, `If-Match` needs an entry whose tag it lists (or `*`).
 * Other `If-None-Match` values are refused: a tag list there means nothing for a write.
 */
function checkPrecondition(request: FastifyRequest, current: Entry | undefined): void {
  const noneMatch = request.headers['if-none-match'];
  const match = request.headers['if-match'];
  if (noneMatch !== undefined) {
    if (noneMatch.trim() !== '*')
      throw errors.invalid(`If-None-Match on a PUT must be "*", got ${JSON.stringify(noneMatch)}`);
    if (current !== undefined)
      throw errors.preconditionFailed('the key already exists (If-None-Match: *)');
  }
  if (match !== undefined && !ifMatchHolds(match, current)) {
    throw errors.preconditionFailed(
      current === undefined
        ? 'the key does not exist (If-Match)'
        : 'the value changed since the ETag was read (If-Match)',
    );
  }
}
