/**
 * The gateway: the node's legacy API (and /v1/keys) for the whole pool (SPEC §6). Each key is
 * routed by its partition through the current RouteView and its original body bytes are
 * forwarded to the owner; the answer is relayed as it came. While a partition moves from A (old)
 * to B (new), reads try B, then A, then B again; writes go to B and then invalidate A; deletes go
 * to B and then A (docs/pool.md explains why these orders never miss nor undo a write).
 * Pool-wide calls (clear, statistics, keys) fan out to every node. It owns no table: the manager
 * publishes into the Routing it is given. The three hot legacy routes are served by a pre-router
 * (fast-path.ts) that streams the node's answer back; Fastify handles everything else. A
 * standalone gateway tags each key request with its routing version and, when a node refuses it
 * for a stale routing, reads the table again and sends it again (stale-routing.ts,
 * ROUTING_RETRIES).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { errors } from '../errors.js';
import {
  checkText,
  createHttpApp,
  interpose,
  keyPathInDocument,
  legacyKeyOf,
  openapiOf,
  readFields,
  registerRawParsers,
  requireToken,
  sendSuccess,
  type OpenapiHead,
  type Fields,
} from '../http/index.js';
import { defaults } from '../defaults.js';
import { routingVersionOf } from '../partition/index.js';
import { gatewayRoutes, keyRoutes } from '../wire/index.js';
import { createFastPath } from './fast-path.js';
import { registerGatewayBatchRoutes } from './gateway-batch.js';
import { invalidateLegacy, readThrough, writeThrough, type Forwarder } from './moving-pair.js';
import { routingTag, type RouteView, type Routing } from './routing.js';
import { ROUTING_RETRIES, StaleWatch } from './stale-routing.js';
import { relayedHeadersOf, Upstreams, type Upstream, type UpstreamMethod } from './upstreams.js';

/** Options of buildGatewayApp. */
export interface GatewayOptions {
  routing: Routing;
  /**
   * Send the routing version with every key request (routingTag): for a standalone gateway,
   * which follows the manager's table without taking part in its drains. Default false.
   */
  tagsRequests?: boolean;
  /**
   * Reads the manager's table again after a node refused a request routed by an older view,
   * until the routing reaches `wanted` (TableFollower.catchUp); the request is then sent once
   * more on the fresh view. Without it a refusal is relayed as it came.
   */
  catchUp?: (wanted: number | undefined) => Promise<void>;
  /**
   * After a node did not answer a request routed by routing version `routedBy`: whether the
   * routing moved past it (TableFollower.movedOnSince; a shrink stops its leaving nodes once
   * the table without them is published), in which case the request is sent once more on the
   * fresh view. Without it, the read is a miss and the write fails at once.
   */
  movedOnSince?: (routedBy: number) => Promise<boolean>;
  /** The pool token: required on control calls here, and sent to the nodes. */
  token?: string | undefined;
  /**
   * Require the token on data calls too — get, put, invalidate, `/v1/keys/…` and `/keys` — as a
   * node's `--protect-data` does (the fast path takes only requests that carry it; the others
   * get Fastify's 401/403). Ignored without a token. Default false.
   */
  protectData?: boolean;
  logger?: Logger;
  /** Timeout of one forwarded request, in ms. */
  timeoutMs?: number;
  /**
   * Handles `POST /api/cache/config` for the pool (the manager applies it to every node and to
   * nodes started later). Without it the gateway sends the config to every node itself.
   */
  configure?: (fields: Fields) => Promise<void>;
  /**
   * Handles `DELETE /api/cache` for the pool: the manager clears every node between resizes
   * (Manager.clear). Resolves false when it could not (a standalone gateway's manager is away):
   * the gateway then clears every node itself, as it does without it.
   */
  clear?: () => Promise<boolean>;
}

type Method = UpstreamMethod;

/** The head of the gateway's OpenAPI document (`GET /v1/openapi.json`); paths from its routes. */
export const gatewayDocument: OpenapiHead = {
  title: 'cachepool gateway',
  description:
    "The node's API for the whole pool: each key goes to its partition's owner, so a client written for one " +
    'node uses the pool unchanged (/v1 raw bytes and the legacy envelope, as on a node). Statistics, /keys, ' +
    'clear and config are answered for every node. With --protect-data, key endpoints need ' +
    'Authorization: Bearer <token>; control endpoints need it whenever the pool has a token.',
  tags: [
    { name: 'v1', description: 'Raw bytes per key, routed to the owner.' },
    { name: 'legacy', description: 'The original API (SPEC §2), in the envelope, for the pool.' },
    { name: 'observability', description: 'Liveness and Prometheus figures.' },
  ],
};

/** Builds the gateway app (not listening). Closing the app closes its node connections. */
export async function buildGatewayApp(options: GatewayOptions): Promise<FastifyInstance> {
  const app = await createHttpApp({
    ...(options.logger ? { logger: options.logger } : {}),
    openapi: gatewayDocument,
  });
  const upstreams = new Upstreams({
    token: options.token,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  const { routing } = options;
  // A node the manager's health probe reached is reachable for this gateway too (same process).
  routing.onReachable((address) => upstreams.breaker.succeeded(address));
  const control = requireToken(options.token);
  const dataToken = options.protectData && options.token ? options.token : undefined;
  const data = requireToken(dataToken);
  app.addHook('onClose', async () => upstreams.close());

  /** Runs `work` on the current view, counted in it until done (a resize waits for it). */
  const inView = async <T>(work: (view: RouteView) => Promise<T>): Promise<T> => {
    const view = routing.view;
    view.enter();
    try {
      return await work(view);
    } finally {
      view.leave();
    }
  };

  const tagsRequests = options.tagsRequests ?? false;
  const { catchUp, movedOnSince } = options;

  /**
   * One key's request routed by the current view with its routing tag; when a node refused it
   * for a stale routing (stale-routing.ts) and the gateway can catch up, the table is read
   * again and the request sent again on the fresh view (ROUTING_RETRIES times at most, as the
   * client does). A read that hit is kept as it is.
   */
  const routed = async (
    read: boolean,
    work: (view: RouteView, forwarder: Forwarder) => Promise<Upstream>,
  ): Promise<Upstream> => {
    for (let attempt = 0; ; attempt++) {
      let watch: StaleWatch | undefined;
      let routedBy = 0;
      const retry = attempt < ROUTING_RETRIES && catchUp !== undefined;
      // A node the request went to did not answer: sent again only on a newer routing.
      const gone = async () =>
        retry &&
        watch?.unreachable === true &&
        movedOnSince !== undefined &&
        (await movedOnSince(routedBy));
      try {
        const answer = await inView((view) => {
          routedBy = routingVersionOf(view.table, view.moving);
          watch = new StaleWatch(upstreams, routingTag(tagsRequests, view));
          return work(view, watch.forwarder);
        });
        if (read && answer.statusCode === 200) return answer;
        if (!(retry && watch!.refused)) {
          if (await gone()) continue;
          return answer;
        }
      } catch (error) {
        // The old owner of a moving partition refused the invalidation that follows a write.
        if (!(retry && watch?.refused)) {
          if (await gone()) continue;
          throw error;
        }
      }
      await catchUp(watch!.version);
    }
  };

  // No part counts of its own: the owner applies its own limits (--max-fields, --max-parts) to
  // the bytes forwarded, so the gateway never refuses a body its node would take.
  const multipartLimits = { maxFields: Infinity, maxParts: Infinity, maxFiles: Infinity };

  // The hot legacy routes are served before Fastify sees them; the routes below stay as the
  // fallback for every case the fast path leaves alone (and for app.inject()).
  const fastPath = createFastPath({
    routing,
    upstreams,
    bodyLimitBytes: app.initialConfig.bodyLimit ?? defaults.bodyLimitBytes,
    logger: options.logger,
    token: dataToken,
    tagsRequests,
    catchUp,
    movedOnSince,
  });
  interpose(app.server, fastPath);

  await app.register(async (scope) => {
    registerRawParsers(scope);
    scope.addHook('onRequest', data);

    /**
     * A legacy key route: the key read from the body (or the query string) by the reader the
     * node uses, the original body and URL forwarded to the owner — a read through the moving
     * pair, or a write that then removes the key from the old owner.
     */
    const legacy =
      (method: 'POST' | 'DELETE', kind: 'read' | 'write') =>
      async (request: FastifyRequest, reply: FastifyReply) => {
        const type = request.headers['content-type'];
        const body = request.body as Buffer | undefined;
        const key = await legacyKeyOf(type, body, request.url, multipartLimits);
        if (key === undefined || key === '') throw errors.missingKey();
        const path = request.url;
        const answer = await routed(kind === 'read', (view, forwarder) =>
          kind === 'read'
            ? readThrough(forwarder, view, key, method, path, type, body)
            : writeThrough(
                forwarder,
                view,
                key,
                method,
                path,
                type,
                body,
                invalidateLegacy(forwarder, key),
              ),
        );
        return relay(reply, answer);
      };
    scope.post('/api/cache/key', { schema: keyRoutes.getValue }, legacy('POST', 'read'));
    scope.post('/api/cache/content', { schema: keyRoutes.putValue }, legacy('POST', 'write'));
    scope.delete('/api/cache/key', { schema: keyRoutes.invalidate }, legacy('DELETE', 'write'));

    const v1 = async (
      request: FastifyRequest<{ Params: { '*': string } }>,
      reply: FastifyReply,
    ) => {
      // Routed by the key as Fastify decodes it (the node's router does the same), refused here
      // if it is not well-formed Unicode; the node gets the URL exactly as the client sent it.
      const key = checkText(request.params['*'], 'key');
      if (key === '') throw errors.missingKey();
      const path = request.url;
      const method = request.method as Method;
      const type = request.headers['content-type'];
      const body = request.body as Buffer | undefined;
      const read = method === 'GET' || method === 'HEAD';
      const answer = await routed(read, (view, forwarder) =>
        read
          ? readThrough(forwarder, view, key, method, path, undefined, undefined)
          : writeThrough(
              conditional(forwarder, request.headers),
              view,
              key,
              method,
              path,
              type,
              body,
              (address) => forwarder.forward(address, 'DELETE', path.split('?')[0]!),
            ),
      );
      return relay(reply, answer);
    };
    // One handler, one route per method: each method has its own schema in the document.
    const config = keyPathInDocument;
    scope.get('/v1/keys/*', { exposeHeadRoute: false, config, schema: keyRoutes.getKey }, v1);
    scope.head(
      '/v1/keys/*',
      { config: { ...config, swagger: { exposeHeadRoute: true } }, schema: keyRoutes.headKey },
      v1,
    );
    scope.put('/v1/keys/*', { config, schema: keyRoutes.putKey }, v1);
    scope.delete('/v1/keys/*', { config, schema: keyRoutes.deleteKey }, v1);
  });

  app.get('/v1/openapi.json', { schema: keyRoutes.openapi }, async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(await openapiOf(app)),
  );

  await registerGatewayBatchRoutes(app, {
    routing,
    upstreams,
    dataGuard: data,
    bodyLimitBytes: app.initialConfig.bodyLimit ?? defaults.bodyLimitBytes,
    tagsRequests,
    catchUp,
    movedOnSince,
  });

  /**
   * Sends the same request to every node; throws the first failure. A read (`GET`) leaves out the
   * nodes that cannot be reached (a dead member's figures and keys are gone, a read must not fail
   * for it); a change must reach every node, so there an unreachable node is a failure.
   */
  const fanOut = async (method: Method, path: string): Promise<Upstream[]> => {
    const calls = routing.view.nodes().map((address) => upstreams.forward(address, method, path));
    const answers =
      method === 'GET'
        ? (await Promise.allSettled(calls)).flatMap((outcome) =>
            outcome.status === 'fulfilled' ? [outcome.value] : [],
          )
        : await Promise.all(calls);
    const failedAnswer = answers.find((answer) => answer.statusCode !== 200);
    if (failedAnswer)
      throw errors.fanOutRefused(
        method,
        path,
        failedAnswer.body.toString('utf8', 0, defaults.answerExcerptChars),
      );
    return answers;
  };

  app.delete(
    '/api/cache',
    { onRequest: control, schema: keyRoutes.clear },
    async (_request, reply) => {
      if (!(await options.clear?.())) await fanOut('DELETE', '/api/cache');
      return sendSuccess(reply, '');
    },
  );

  app.get('/api/cache/statistics', { schema: keyRoutes.statistics }, async (_request, reply) => {
    return sendSuccess(reply, JSON.stringify(await totals(fanOut)));
  });

  app.post(
    '/api/cache/statistics',
    { schema: keyRoutes.statisticsPage },
    async (_request, reply) => {
      const sum = await totals(fanOut);
      const rows = Object.entries(sum)
        .map(([name, value]) => `<tr><th>${name}</th><td>${value}</td></tr>`)
        .join('');
      return reply
        .type('text/html; charset=utf-8')
        .send(
          `<!doctype html><title>cachepool gateway</title><h1>Pool statistics (${routing.view.nodes().length} nodes)</h1><table>${rows}</table>`,
        );
    },
  );

  app.delete(
    '/api/cache/statistics',
    { onRequest: control, schema: keyRoutes.resetStatistics },
    async (_request, reply) => {
      await fanOut('DELETE', '/api/cache/statistics');
      return sendSuccess(reply, '');
    },
  );

  const keys = async (_request: FastifyRequest, reply: FastifyReply) => {
    const answers = await fanOut('GET', '/keys');
    const all = new Set<string>();
    for (const answer of answers) for (const key of parseKeys(answer.body)) all.add(key);
    return reply.type('application/json; charset=utf-8').send(JSON.stringify([...all]));
  };
  app.get('/keys', { onRequest: data, schema: keyRoutes.keys }, keys);
  app.post('/keys', { onRequest: data, schema: keyRoutes.keys }, keys);

  app.post(
    '/api/cache/config',
    { onRequest: control, schema: gatewayRoutes.configure },
    async (request, reply) => {
      const fields = readFields(request);
      if (options.configure) {
        await options.configure(fields);
      } else {
        const { cache_index: _ignored, ...rest } = fields;
        const json = Buffer.from(JSON.stringify(rest));
        const answers = await Promise.all(
          routing.view
            .nodes()
            .map((address) =>
              upstreams.forward(address, 'POST', '/api/cache/config', 'application/json', json),
            ),
        );
        const refused = answers.find((answer) => answer.statusCode !== 200);
        if (refused) return relay(reply, refused);
      }
      return sendSuccess(reply, '');
    },
  );

  app.get('/healthz', { schema: gatewayRoutes.healthz }, async (_request, reply) =>
    sendSuccess(reply, { status: 'ok', role: 'gateway', version: routing.view.table.version }),
  );

  return app;
}

function relay(reply: FastifyReply, answer: Upstream): FastifyReply {
  return reply.code(answer.statusCode).headers(relayedHeadersOf(answer)).send(answer.body);
}

/** `forwarder` sending a /v1 write's If-Match and If-None-Match on to the owner. */
function conditional(forwarder: Forwarder, headers: FastifyRequest['headers']): Forwarder {
  const extra: Record<string, string> = {};
  for (const name of ['if-match', 'if-none-match'] as const) {
    const value = headers[name];
    if (typeof value === 'string') extra[name] = value;
  }
  if (Object.keys(extra).length === 0) return forwarder;
  return {
    forward: (a, m, p, t, b, more) => forwarder.forward(a, m, p, t, b, { ...extra, ...more }),
    blocked: (address) => forwarder.blocked?.(address) === true,
  };
}

const statisticNames = [
  'used_size',
  'num_item_in_cache',
  'num_request_served',
  'num_GET_request_served',
  'num_hit',
] as const;

async function totals(
  fanOut: (method: Method, path: string) => Promise<Upstream[]>,
): Promise<Record<string, number>> {
  const sum: Record<string, number> = Object.fromEntries(statisticNames.map((name) => [name, 0]));
  for (const answer of await fanOut('GET', '/api/cache/statistics')) {
    const content = (JSON.parse(answer.body.toString('utf8')) as { content?: unknown }).content;
    const figures = (typeof content === 'string' ? JSON.parse(content) : content) as Record<
      string,
      unknown
    >;
    for (const name of statisticNames) sum[name]! += Number(figures?.[name] ?? 0) || 0;
  }
  return sum;
}

function parseKeys(body: Buffer): string[] {
  const parsed = JSON.parse(body.toString('utf8')) as unknown;
  const list = Array.isArray(parsed) ? parsed : (parsed as { content?: unknown }).content;
  return Array.isArray(list) ? (list as string[]) : [];
}
