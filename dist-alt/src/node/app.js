import { defaults } from '../defaults.js';
import { createHttpApp, interpose, requireToken } from '../http/index.js';
import { createNodeRegistry } from '../metrics/node-prometheus.js';
import { CacheNode } from './cache-node.js';
import { createFastLegacy } from './fast-legacy.js';
import { PoolMembers } from './members.js';
import { PoolMovePolicy, StandaloneMovePolicy } from './move-policy.js';
import { parsePeer, PeerPolicy } from './peers.js';
import { Publisher } from './publisher.js';
import { registerBatchRoutes } from './routes-batch.js';
import { registerInternalRoutes } from './routes-internal.js';
import { registerLegacyRoutes } from './routes-legacy.js';
import { registerTableRoute } from './routes-table.js';
import { registerV1Routes } from './routes-v1.js';
/** Builds the node's app. */
export async function buildNodeApp(options = {}) {
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
    });
    const guard = requireToken(options.token);
    const dataGuard = requireToken(options.protectData ? options.token : undefined);
    const managerUrl = options.managerUrl
        ? parsePeer(options.managerUrl, defaults.managerPort)
        : undefined;
    const policy = managerUrl
        ? new PoolMovePolicy(new PoolMembers({
            manager: managerUrl,
            token: options.token,
            ...(options.membersTtlMs !== undefined ? { ttlMs: options.membersTtlMs } : {}),
            ...(options.peerTimeoutMs !== undefined ? { timeoutMs: options.peerTimeoutMs } : {}),
            ...(options.clock ? { clock: options.clock } : {}),
        }), managerUrl)
        : new StandaloneMovePolicy(new PeerPolicy(options.peers ?? [], host));
    registerLegacyRoutes(app, node, guard, dataGuard);
    // The hot legacy get and put skip Fastify's per-request cost; Fastify stays the fallback for
    // every case the fast path leaves alone (and for app.inject()).
    interpose(app.server, createFastLegacy({
        node,
        bodyLimitBytes: options.bodyLimitBytes ?? defaults.bodyLimitBytes,
        token: options.protectData && options.token ? options.token : undefined,
        logger: options.logger,
    }));
    registerInternalRoutes(app, node, guard, () => address, {
        policy,
        token: options.token,
        ...(options.moveMaxKeys !== undefined ? { maxKeys: options.moveMaxKeys } : {}),
        ...(options.moveBatchKeys !== undefined ? { batchKeys: options.moveBatchKeys } : {}),
        ...(options.moveBatchBytes !== undefined ? { batchBytes: options.moveBatchBytes } : {}),
        ...(options.peerTimeoutMs !== undefined ? { timeoutMs: options.peerTimeoutMs } : {}),
    }, options.moveConcurrency);
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
        setAddress: (hostPort) => {
            address = hostPort;
        },
        address: () => address,
    };
}
//# sourceMappingURL=app.js.map