/**
 * The routing version a router says it routed a /v1 request by (`X-Cachepool-Table-Version`,
 * docs/client.md). A pool node that does not serve the key for it answers CP_ERR_NOT_OWNER (421,
 * legacy 400) with its own routing version in the same header (errors.notOwner), so the router
 * knows it must read the table again.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { errors } from '../errors.js';
import { ROUTED_BY_HEADER } from '../partition/index.js';

export { ROUTED_BY_HEADER };

/**
 * The version the request was routed by; undefined without the header; 400 when malformed. Takes
 * a Fastify request or a raw one (the node's fast path).
 */
export function routedByOf(request: { headers: IncomingHttpHeaders }): number | undefined {
  const value = request.headers[ROUTED_BY_HEADER];
  if (value === undefined) return undefined;
  const version = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(version))
    throw errors.invalid(
      `${ROUTED_BY_HEADER} must be an integer >= 0, got ${JSON.stringify(value)}`,
    );
  return version;
}
