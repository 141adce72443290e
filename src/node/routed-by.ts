/**
 * The routing version a router says it routed a /v1 request by (`X-Cachepool-Table-Version`,
 * docs/client.md), and the answer a pool node gives when it does not serve the key for it: 421
 * CP_ERR_NOT_OWNER with the node's own routing version in the same header, so the router knows
 * it must read the table again.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors } from '../errors.js';
import { ROUTED_BY_HEADER } from '../partition/index.js';
import type { CacheNode } from './cache-node.js';

export { ROUTED_BY_HEADER };

/** The version the request was routed by; undefined without the header; 400 when malformed. */
export function routedByOf(request: FastifyRequest): number | undefined {
  const value = request.headers[ROUTED_BY_HEADER];
  if (value === undefined) return undefined;
  const version = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(version))
    throw errors.invalid(
      `${ROUTED_BY_HEADER} must be an integer >= 0, got ${JSON.stringify(value)}`,
    );
  return version;
}

/** Adds the node's routing version to every 421 answer of `scope`. */
export function announceVersionOn421(scope: FastifyInstance, node: CacheNode): void {
  scope.addHook('onSend', async (_request, reply, payload) => {
    const version = node.ownership.version;
    if (reply.statusCode === 421 && version !== undefined)
      reply.header(ROUTED_BY_HEADER, String(version));
    return payload;
  });
}
