/**
 * buildNodeApp: one cache node as a Fastify app (not listening) with its CacheNode, its
 * statistics publisher and its Prometheus registry. The CLI listens it; tests inject into it.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { defaults } from '../defaults.js';
import { createHttpApp, requireToken } from '../http/index.js';
import { createNodeRegistry } from '../metrics/node-prometheus.js';
import { CacheNode } from './cache-node.js';
import { parsePeer, PeerPolicy } from './peers.js';
import { Publisher } from './publisher.js';
import { registerInternalRoutes } from './routes-internal.js';
import { registerLegacyRoutes } from './routes-legacy.js';
import { registerV1Routes } from './routes-v1.js';

/** Options of buildNodeApp; every field has a default from src/defaults.ts. */
export interface NodeAppOptions {
  /** Address the node listens on; decides the default peers (loopback). Default 127.0.0.1. */
  host?: string;
  capacityMb?: number;
  policy?: string;
  cacheIndex?: number;
  maxKeyBytes?: number;
  bodyLimitBytes?: number;
  /** The pool token; control endpoints need it when set. */
  token?: string | undefined;
  /** Allowed peers (`host` or `host:port`); default loopback while listening on loopback. */
  peers?: readonly string[];
  /** Manager base URL (`http://host:port` or `host:port`) to register with and push to. */
  managerUrl?: string | undefined;
  statsIntervalS?: number;
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
  /** Batching of move_keys (tests use small batches). */
  moveBatchKeys?: number;
  moveBatchBytes?: number;
  peerTimeoutMs?: number;
}

/** What buildNodeApp returns. */
export interface NodeApp {
  app: FastifyInstance;
  node: CacheNode;
  publisher: Publisher;
  /** Sets this node's `host:port` (after listen); used in snapshots, registration and move_keys. */
  setAddress(hostPort: string): void;
  address(): string;
}

/** Builds the node's app. */
export async function buildNodeApp(options: NodeAppOptions = {}): Promise<NodeApp> {
  const host = options.host ?? defaults.host;
  const node = new CacheNode({
    ...(options.capacityMb !== undefined ? { capacityMb: options.capacityMb } : {}),
    ...(options.policy !== undefined ? { policy: options.policy } : {}),
    ...(options.cacheIndex !== undefined ? { cacheIndex: options.cacheIndex } : {}),
    ...(options.maxKeyBytes !== undefined ? { maxKeyBytes: options.maxKeyBytes } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
  let address = `${host}:${defaults.nodePort}`;
  const app = await createHttpApp({
    ...(options.bodyLimitBytes !== undefined ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const guard = requireToken(options.token);
  const managerUrl = options.managerUrl ? parsePeer(options.managerUrl, defaults.managerPort) : undefined;
  const peers = new PeerPolicy(options.peers ?? [], host);

  registerLegacyRoutes(app, node, guard);
  registerInternalRoutes(app, node, guard, () => address, {
    peers,
    token: options.token,
    configuredManager: managerUrl,
    ...(options.moveBatchKeys !== undefined ? { batchKeys: options.moveBatchKeys } : {}),
    ...(options.moveBatchBytes !== undefined ? { batchBytes: options.moveBatchBytes } : {}),
    ...(options.peerTimeoutMs !== undefined ? { timeoutMs: options.peerTimeoutMs } : {}),
  });
  await registerV1Routes(app, node);

  const registry = createNodeRegistry({
    cacheIndex: () => node.cacheIndex,
    items: () => node.store.size,
    usedBytes: () => node.store.usedBytes,
    capacityBytes: () => node.store.capacityBytes,
    requestsTotal: () => node.stats.requestsTotal,
    getRequestsTotal: () => node.stats.getRequestsTotal,
    hitsTotal: () => node.stats.hitsTotal,
    missesTotal: () => node.stats.missesTotal,
    evictionsTotal: () => node.store.stats().evictionsTotal,
  });
  app.get('/metrics', async (_request, reply) => {
    const text = await registry.metrics();
    return reply.header('content-type', registry.contentType).send(text);
  });

  const publisher = new Publisher({
    node,
    managerUrl: managerUrl?.baseUrl,
    address: () => address,
    ...(options.statsIntervalS !== undefined ? { intervalS: options.statsIntervalS } : {}),
    token: options.token,
    logger: options.logger,
  });
  app.addHook('onClose', async () => {
    await publisher.stop();
  });

  return {
    app,
    node,
    publisher,
    setAddress: (hostPort: string) => {
      address = hostPort;
    },
    address: () => address,
  };
}
