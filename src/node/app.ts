/**
 * buildNodeApp: one cache node as a Fastify app (not listening) with its CacheNode, its
 * statistics publisher and its Prometheus registry. The CLI listens it; tests inject into it.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { defaults } from '../defaults.js';
import { createHttpApp, interpose, requireToken, type MultipartLimits } from '../http/index.js';
import { keyRoutes } from '../wire/index.js';
import { nodeDocument } from './document.js';
import { createNodeRegistry } from '../metrics/node-prometheus.js';
import { CacheNode } from './cache-node.js';
import { createFastLegacy } from './fast-legacy.js';
import { PoolMembers } from './members.js';
import { PoolMovePolicy, StandaloneMovePolicy, type MovePolicy } from './move-policy.js';
import { parsePeer, PeerPolicy } from './peers.js';
import { Publisher } from './publisher.js';
import { registerBatchRoutes } from './routes-batch.js';
import { registerInternalRoutes } from './routes-internal.js';
import { BatchExports } from './batch-exports.js';
import { registerLegacyRoutes } from './routes-legacy.js';
import { registerTableRoute } from './routes-table.js';
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
  /** With a token, get/put/invalidate, /keys and /v1/keys need it too (`--protect-data`). */
  protectData?: boolean;
  /** Largest value in bytes (`--max-value-bytes`); default the body limit. */
  maxValueBytes?: number;
  /** Most keys one move_keys call may list (`--move-max-keys`); default defaults.moveMaxKeys. */
  moveMaxKeys?: number;
  /** move_keys calls run at once (`--move-concurrency`); default defaults.moveConcurrency. */
  moveConcurrency?: number;
  /** Multipart part counts (`--max-fields`, `--max-parts`); default defaults.multipart. */
  multipart?: MultipartLimits;
  /** How long the manager's member list is trusted, in ms; default defaults.membersTtlMs. */
  membersTtlMs?: number;
  /**
   * Allowed peers of a standalone node (`host` or `host:port`); default loopback while listening
   * on loopback. A node with a manager sends keys to pool members only, whatever this says.
   */
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
  setAddress: (hostPort: string) => void;
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
    maxValueBytes: options.maxValueBytes ?? options.bodyLimitBytes ?? defaults.bodyLimitBytes,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
  let address = `${host}:${defaults.nodePort}`;
  const app = await createHttpApp({
    ...(options.bodyLimitBytes !== undefined ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.multipart ? { multipart: options.multipart } : {}),
    ...(options.maxKeyBytes !== undefined ? { maxKeyBytes: options.maxKeyBytes } : {}),
    openapi: nodeDocument,
  });
  const guard = requireToken(options.token);
  const dataGuard = requireToken(options.protectData ? options.token : undefined);
  const managerUrl = options.managerUrl
    ? parsePeer(options.managerUrl, defaults.managerPort)
    : undefined;
  const policy: MovePolicy = managerUrl
    ? new PoolMovePolicy(
        new PoolMembers({
          manager: managerUrl,
          token: options.token,
          ...(options.membersTtlMs !== undefined ? { ttlMs: options.membersTtlMs } : {}),
          ...(options.peerTimeoutMs !== undefined ? { timeoutMs: options.peerTimeoutMs } : {}),
          ...(options.clock ? { clock: options.clock } : {}),
        }),
        managerUrl,
      )
    : new StandaloneMovePolicy(new PeerPolicy(options.peers ?? [], host));

  registerLegacyRoutes(app, node, guard, dataGuard);
  // The hot legacy get and put skip Fastify's per-request cost; Fastify stays the fallback for
  // every case the fast path leaves alone (and for app.inject()).
  interpose(
    app.server,
    createFastLegacy({
      node,
      bodyLimitBytes: options.bodyLimitBytes ?? defaults.bodyLimitBytes,
      token: options.protectData && options.token ? options.token : undefined,
      logger: options.logger,
    }),
  );
  const batchExports = new BatchExports();
  registerInternalRoutes(
    app,
    node,
    guard,
    () => address,
    {
      policy,
      exports: batchExports,
      token: options.token,
      ...(options.moveMaxKeys !== undefined ? { maxKeys: options.moveMaxKeys } : {}),
      ...(options.moveBatchKeys !== undefined ? { batchKeys: options.moveBatchKeys } : {}),
      ...(options.moveBatchBytes !== undefined ? { batchBytes: options.moveBatchBytes } : {}),
      ...(options.peerTimeoutMs !== undefined ? { timeoutMs: options.peerTimeoutMs } : {}),
    },
    options.moveConcurrency,
  );
  registerTableRoute(app, node, guard);
  await registerV1Routes(app, node, dataGuard);
  await registerBatchRoutes(app, node, dataGuard);

  const registry = createNodeRegistry({
    cacheIndex: () => node.cacheIndex,
    items: () => node.store.size,
    usedBytes: () => node.store.usedBytes,
    chargedBytes: () => node.store.chargedBytes,
    capacityBytes: () => node.store.capacityBytes,
    requestsTotal: () => node.stats.requestsTotal,
    getRequestsTotal: () => node.stats.getRequestsTotal,
    hitsTotal: () => node.stats.hitsTotal,
    missesTotal: () => node.stats.missesTotal,
    evictionsTotal: () => node.store.stats().evictionsTotal,
    expiredTotal: () => node.store.stats().expiredTotal,
    moveBatchesTotal: () => batchExports.handedOff,
  });
  app.get('/metrics', { schema: keyRoutes.metrics }, async (_request, reply) => {
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
