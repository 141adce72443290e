/**
 * The node's legacy endpoints (SPEC §2), in the envelope. The get-hit route is the hot path: it
 * sends the entry's stored bytes (already the full answer for most values) with no copy and no
 * JSON.stringify.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors, MISS_HEADER } from '../errors.js';
import {
  fieldInteger,
  fieldText,
  readFields,
  sendLegacyError,
  sendSuccess,
  withQuery,
  type Fields,
  type TokenGuard,
} from '../http/index.js';
import { keyRoutes, nodeRoutes } from '../wire/index.js';
import type { CacheNode } from './cache-node.js';
import { legacyAnswer } from './entry.js';
import { homePage, statisticsPage } from './pages.js';
import { routedByOf } from './routed-by.js';
import { parseTtl } from './ttl.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const HTML_TYPE = 'text/html; charset=utf-8';
/** The miss of a get (built once; its answer is the same every time). */
const UNKNOWN_KEY = errors.unknownKey();

/**
 * Fields of the body, falling back to the query string (`?key=` on a DELETE without a body),
 * both read by the one legacy reader (the gateway reads them the same way to route).
 */
function fieldsOf(request: FastifyRequest): Fields {
  return withQuery(readFields(request), request.url);
}

/**
 * Registers the legacy routes; `guard` protects the control endpoints, `dataGuard` the data ones
 * (get, put, invalidate, /keys: open unless `--protect-data`).
 */
export function registerLegacyRoutes(
  app: FastifyInstance,
  node: CacheNode,
  guard: TokenGuard,
  dataGuard: TokenGuard,
): void {
  const data = { onRequest: dataGuard };
  const control = { onRequest: guard };
  app.post('/api/cache/key', { ...data, schema: keyRoutes.getValue }, (request, reply) => {
    const key = node.checkKey(fieldText(fieldsOf(request), 'key'));
    const entry = node.get(key, routedByOf(request));
    // A miss is an expected answer: sent as the error handler would send it, without a throw.
    if (entry === undefined) {
      if (node.missIsFinal(key)) reply.header(MISS_HEADER, 'final');
      return void sendLegacyError(reply, UNKNOWN_KEY);
    }
    reply.header('content-type', JSON_TYPE).send(legacyAnswer(entry));
  });

  app.delete('/api/cache/key', { ...data, schema: keyRoutes.invalidate }, (request, reply) => {
    const key = node.checkKey(fieldText(fieldsOf(request), 'key'));
    node.invalidate(key, routedByOf(request));
    sendSuccess(reply, '');
  });

  app.post('/api/cache/content', { ...data, schema: keyRoutes.putValue }, (request, reply) => {
    const fields = fieldsOf(request);
    // The key is read and checked before the value is read, as in the fast path: the gateway
    // reads only the key, and answers a missing or malformed one itself.
    const key = node.checkKey(fieldText(fields, 'key'));
    const expiresAtMs = node.deadlineAfter(parseTtl('ttl', fieldText(fields, 'ttl')));
    node.putText(key, fieldText(fields, 'value'), expiresAtMs, routedByOf(request));
    sendSuccess(reply, '');
  });

  app.post('/api/cache/config', { ...control, schema: nodeRoutes.configure }, (request, reply) => {
    const fields = fieldsOf(request);
    const policy = fieldText(fields, 'replacement_policy') ?? fieldText(fields, 'policy');
    node.configure({
      capacityMb: fieldInteger(fields, 'capacity'),
      policy: policy === '' ? undefined : policy,
      cacheIndex: fieldInteger(fields, 'cache_index'),
    });
    sendSuccess(reply, '');
  });

  app.delete('/api/cache', { ...control, schema: keyRoutes.clear }, (_request, reply) => {
    node.clear();
    sendSuccess(reply, '');
  });

  app.get('/api/cache/statistics', { schema: keyRoutes.statistics }, (_request, reply) => {
    sendSuccess(reply, JSON.stringify(node.legacyStatistics()));
  });

  app.delete(
    '/api/cache/statistics',
    { ...control, schema: keyRoutes.resetStatistics },
    (_request, reply) => {
      node.stats.resetLegacy();
      sendSuccess(reply, '');
    },
  );

  app.post('/api/cache/statistics', { schema: keyRoutes.statisticsPage }, (_request, reply) => {
    reply
      .header('content-type', HTML_TYPE)
      .send(statisticsPage(node, node.stats.total(), node.stats.window()));
  });

  app.post(
    '/api/cache/set_num_hit',
    { ...control, schema: nodeRoutes.setNumHit },
    (request, reply) => {
      const numHit = fieldInteger(fieldsOf(request), 'num_hit');
      if (numHit === undefined)
        throw errors.invalid('num_hit must be an integer >= 0, got nothing');
      node.stats.numHit = numHit;
      reply
        .header('content-type', 'text/plain; charset=utf-8')
        .send(`cache node ${node.cacheIndex} statistics.num_hit = ${numHit}`);
    },
  );

  app.get('/', { schema: nodeRoutes.home }, (_request, reply) => {
    reply.header('content-type', HTML_TYPE).send(homePage(node));
  });

  const keys = (_request: FastifyRequest, reply: FastifyReply) => {
    reply.header('content-type', JSON_TYPE).send(JSON.stringify(node.store.keys()));
  };
  app.get('/keys', { ...data, schema: keyRoutes.keys }, keys);
  app.post('/keys', { ...data, schema: keyRoutes.keys }, keys);

  app.get('/healthz', { schema: nodeRoutes.healthz }, (_request, reply) => {
    sendSuccess(reply, {
      status: 'ok',
      cache_index: node.cacheIndex,
      routing_version: node.ownership.version ?? null,
    });
  });
}
