/**
 * The node's /v1 REST API: `GET|HEAD|PUT|DELETE /v1/keys/{key}` with raw bytes and the value's
 * Content-Type kept, proper statuses and `{"error":{"code","status","message"}}` errors, and the
 * OpenAPI document at `GET /v1/openapi.json`. Bodies in this scope are raw bytes whatever their
 * content type.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors } from '../errors.js';
import { checkText, registerRawParsers, type TokenGuard } from '../http/index.js';
import type { CacheNode } from './cache-node.js';
import { rawEntry, valueOf } from './entry.js';
import { openapi } from './openapi.js';

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
  const data = { onRequest: dataGuard };
  await app.register(async (scope) => {
    registerRawParsers(scope);

    scope.get('/v1/openapi.json', (_request, reply) => {
      reply.header('content-type', 'application/json; charset=utf-8').send(openapi);
    });

    scope.get('/v1/keys/*', { exposeHeadRoute: false, ...data }, (request, reply) => {
      const entry = node.get(keyOf(node, request));
      if (entry === undefined) throw errors.unknownKey();
      reply.header('content-type', entry.type).send(valueOf(entry));
    });

    scope.head('/v1/keys/*', data, (request, reply) => {
      const entry = node.store.peek(keyOf(node, request));
      if (entry === undefined) {
        reply.code(404).send();
        return;
      }
      reply.header('content-type', entry.type).header('content-length', entry.valueBytes).send();
    });

    scope.put('/v1/keys/*', data, (request, reply) => {
      const key = keyOf(node, request);
      const body = request.body;
      if (!Buffer.isBuffer(body) || body.length === 0) throw errors.missingValue();
      node.checkValueBytes(body.length);
      const type = request.headers['content-type'] ?? DEFAULT_TYPE;
      const outcome = node.put(key, rawEntry(body, type));
      if (outcome.kind === 'rejected')
        throw errors.valueTooLarge(outcome.entryBytes, outcome.capacityBytes);
      reply.code(outcome.kind === 'added' ? 201 : 204).send();
    });

    scope.delete('/v1/keys/*', data, (request, reply) => {
      node.invalidate(keyOf(node, request));
      reply.code(204).send();
    });
  });
}
