/**
 * The app of a standalone gateway (`cachepool gateway`): the gateway app (gateway.ts) wired to a
 * TableFollower that keeps its routing on the manager's table, plus `GET /metrics` of that table
 * and of the follower's reads. src/cli/gateway.ts serves it; the gateway's OpenAPI document in
 * docs/ is generated from it (src/cli/openapi-documents.ts), so the document lists what the
 * command serves. Builds only: it neither starts the follower nor listens.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createGatewayRegistry } from '../metrics/gateway-prometheus.js';
import { keyRoutes } from '../wire/index.js';
import { buildGatewayApp } from './gateway.js';
import type { Routing } from './routing.js';
import type { TableFollower } from './table-follower.js';

/** Options of buildStandaloneGatewayApp. */
export interface StandaloneGatewayOptions {
  /** The routing the follower publishes into. */
  routing: Routing;
  follower: TableFollower;
  /** The pool token: required on control calls here, and sent to the nodes and the manager. */
  token?: string | undefined;
  /** Require the token on data calls too (see GatewayOptions.protectData). Default false. */
  protectData?: boolean;
  logger?: Logger;
}

/** Builds the app of `cachepool gateway` (not listening; the caller starts the follower). */
export async function buildStandaloneGatewayApp(
  options: StandaloneGatewayOptions,
): Promise<FastifyInstance> {
  const { routing, follower } = options;
  const app = await buildGatewayApp({
    routing,
    // It follows the manager's table without taking part in its drains: nodes must be able to
    // refuse a request it routed by an older table, and it then reads the table at once and
    // sends the request again.
    tagsRequests: true,
    catchUp: (wanted) => follower.catchUp(wanted),
    movedOnSince: (routedBy) => follower.movedOnSince(routedBy),
    // A clear goes through the manager, which runs it between resizes.
    clear: () => follower.clearPool(),
    token: options.token,
    protectData: options.protectData ?? false,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const registry = createGatewayRegistry({
    tableVersion: () => routing.view.table.version,
    movingPartitions: () => routing.view.moving.length,
    nodes: () => routing.view.nodes().length,
    tableReadsTotal: () => follower.stats().readsTotal,
    tableReadsFailedTotal: () => follower.stats().failedReadsTotal,
    tableAgeSeconds: () => follower.tableAgeSeconds(),
  });
  app.get('/metrics', { schema: keyRoutes.metrics }, async (_request, reply) =>
    reply.header('content-type', registry.contentType).send(await registry.metrics()),
  );
  return app;
}
