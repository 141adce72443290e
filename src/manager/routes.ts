/**
 * The manager's HTTP API (docs/internal-api.md): pool size and mode, partitions, migration
 * progress, nodes, cache config, node registration and statistics. Every answer is in the legacy
 * envelope; the endpoints the original manager had answer in its shapes and accept the bodies its
 * UI sends (JSON with numbers as strings). `buildManagerApp` returns the app without listening.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { defaults } from '../defaults.js';
import { errors } from '../errors.js';
import {
  createHttpApp,
  fieldInteger,
  fieldText,
  openapiOf,
  readFields,
  requireToken,
  sendSuccess,
  type Fields,
  type OpenapiHead,
} from '../http/index.js';
import { checkSnapshot } from '../metrics/index.js';
import { isNodeId } from '../partition/index.js';
import { policyNames } from '../store/index.js';
import {
  managerRoutes as routes,
  type AutoscalerView,
  type CacheConfigView,
  type NodeSnapshot,
  type NodeRow,
  type PoolConfig,
  type PoolNodeList,
  type Thresholds,
} from '../wire/index.js';
import { autoscaleFieldNames, validateAutoscaleParams } from './autoscaler.js';
import type { CacheConfig, Manager } from './manager.js';
import type { Scaling } from './scaling.js';

/** Options of buildManagerApp. */
export interface ManagerAppOptions {
  manager: Manager;
  scaling: Scaling;
  token?: string | undefined;
  logger?: Logger;
}

/** The head of the manager's OpenAPI document; its paths come from the route schemas. */
export const managerDocument: OpenapiHead = {
  title: 'cachepool manager',
  description:
    'The manager of a cachepool pool (cachepool start: port 5004): pool size and resize mode, the auto-scaler, ' +
    'the cache configuration of every node, statistics, the partition table, and the calls nodes make ' +
    '(register, stats, leave, poolsize/change). Every answer is in the legacy envelope ' +
    '{"success": "true", "content": ...} / {"success": "false", "error": {"code", "message"}}. ' +
    'Bodies with fields may be JSON, form-urlencoded or multipart, numbers possibly as strings. ' +
    'When the pool has a token, control calls need Authorization: Bearer <token> (401 without it, 403 with a wrong one).',
  tags: [
    { name: 'manager', description: 'Pool size, modes, configuration, statistics.' },
    { name: 'dashboard', description: "The manager's web UI (cachepool start)." },
  ],
};

/** Builds the manager app (not listening). */
export async function buildManagerApp(options: ManagerAppOptions): Promise<FastifyInstance> {
  const { manager, scaling } = options;
  const app = await createHttpApp({
    ...(options.logger ? { logger: options.logger } : {}),
    openapi: managerDocument,
  });
  const guard = requireToken(options.token);
  // onRequest, not preHandler: an unauthenticated control call is refused (401/403) before its
  // body is read or parsed, so it never learns anything from a 400/415 about its body.
  const control = <S>(schema: S) => ({ schema, onRequest: guard });

  app.get('/healthz', { schema: routes.healthz }, async (_request, reply) =>
    sendSuccess(reply, { status: 'ok', role: 'manager', size: manager.size }),
  );

  app.get('/api/manager/openapi.json', { schema: routes.openapi }, async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(await openapiOf(app)),
  );

  app.get(
    '/api/manager/pool_node_list',
    { schema: routes.poolNodeList },
    async (_request, reply) => {
      const members = manager.members();
      const addresses = members.map((member) => member.address);
      // node_status_list is cachepool's own, parallel to the original's two lists.
      return sendSuccess<PoolNodeList>(reply, {
        node_ip_list: addresses,
        node_id_list: addresses,
        node_status_list: members.map((m) => m.status),
      });
    },
  );

  app.get('/api/manager/poolsize', { schema: routes.poolSize }, async (_request, reply) =>
    sendSuccess(reply, { size: manager.size }),
  );

  app.post(
    '/api/manager/poolsize/manual',
    control(routes.poolSizeManual),
    async (request, reply) => {
      const change = fieldText(readFields(request), 'change');
      if (change !== 'increase' && change !== 'decrease') throw errors.poolChangeInvalid();
      const target = manager.size + (change === 'increase' ? 1 : -1);
      if (target > manager.maxNodes) throw errors.poolMax();
      if (target < manager.minNodes) throw errors.poolMin();
      if (manager.busy) throw errors.poolBusy();
      scaling.mode = 'manual';
      await manager.resize(target, 'manual');
      scaling.noteResize();
      return sendSuccess(reply, { size: manager.size });
    },
  );

  app.post('/api/poolsize/change', control(routes.poolSizeChange), async (request, reply) => {
    const address = fieldText(readFields(request), 'cache_ip');
    if (!address)
      throw errors.invalid(
        'cache_ip is required: the host:port of the node that handed its keys off',
      );
    manager.handoffDone(address);
    return sendSuccess(reply, '');
  });

  app.post('/api/manager/leave', control(routes.leave), async (request, reply) => {
    const address = fieldText(readFields(request), 'address');
    if (!address)
      throw errors.invalid('address is required: the host:port of the node that is stopping');
    await manager.leave(address);
    return sendSuccess(reply, '');
  });

  app.get(
    '/api/manager/poolsize/config',
    { schema: routes.poolSizeConfig },
    async (_request, reply) =>
      sendSuccess<PoolConfig>(reply, {
        resize_pool_option: scaling.mode,
        resize_pool_parameters: wireThresholds(scaling),
      }),
  );

  app.post(
    '/api/manager/poolsize/automatic',
    control(routes.poolSizeAutomatic),
    async (request, reply) => {
      const fields = readFields(request);
      const validation = validateAutoscaleParams(fields, scaling.thresholds);
      if (!validation.ok) throw errors.invalid(validation.message);
      // cachepool's own: GET requests per period below which the auto-scaler does not decide.
      const minRequests = fieldInteger(fields, 'min_requests', 0);
      scaling.thresholds = validation.params;
      if (minRequests !== undefined) scaling.minRequests = minRequests;
      scaling.mode = 'automatic';
      return sendSuccess<PoolConfig>(reply, {
        resize_pool_option: scaling.mode,
        resize_pool_parameters: wireThresholds(scaling),
      });
    },
  );

  app.get('/api/manager/autoscaler', { schema: routes.autoscaler }, async (_request, reply) =>
    sendSuccess<AutoscalerView>(reply, {
      mode: scaling.mode,
      parameters: { ...wireThresholds(scaling), min_requests: scaling.minRequests },
      decisions: scaling.decisions().map((d) => ({
        time_ms: d.timeMs,
        miss_rate: d.missRate,
        requests: d.requests,
        old_size: d.oldSize,
        new_size: d.newSize,
        action: d.action,
        reason: d.reason,
      })),
    }),
  );

  app.get('/api/manager/events', { schema: routes.events }, async (request, reply) => {
    const minutes = fieldInteger(request.query as Record<string, unknown>, 'minutes', 1) ?? 30;
    return sendSuccess(reply, { events: manager.events(minutes) });
  });

  app.get('/api/manager/partitions', { schema: routes.partitions }, async (_request, reply) => {
    const { table, moving, version } = manager.routing();
    return sendSuccess(reply, {
      ...table.toJSON(),
      routing_version: version,
      ...(moving.length > 0 ? { moving } : {}),
    });
  });

  app.get('/api/manager/migration', { schema: routes.migration }, async (_request, reply) =>
    sendSuccess(reply, { migration: manager.migration() }),
  );

  app.get('/api/manager/nodes', { schema: routes.nodes }, async (_request, reply) =>
    sendSuccess(reply, {
      nodes: manager.members().map((member): NodeRow => {
        const s = manager.snapshotOf(member.address);
        // Over the last minute, not the last 5-second interval: an idle interval is no 0 %.
        const rates = manager.nodeRates(member.address, defaults.nodeRatesWindowMs);
        return {
          address: member.address,
          cache_index: member.cacheIndex,
          status: member.status,
          // The process id of a local node (from the provisioner); null for the other kinds.
          pid: manager.pidOf(member.address),
          items: s?.items ?? 0,
          used_bytes: s?.usedBytes ?? 0,
          capacity_bytes: s?.capacityBytes ?? 0,
          hit_rate: rates.hitRate,
          miss_rate: rates.missRate,
          requests_total: s?.requestsTotal ?? 0,
        };
      }),
    }),
  );

  app.get('/api/manager/cache/config', { schema: routes.cacheConfig }, async (_request, reply) => {
    const config = manager.config;
    return sendSuccess<CacheConfigView>(reply, {
      capacity: config.capacityMb,
      replacement_policy: config.policy,
      // The original's name for the same value: its UI reads `policy`.
      policy: config.policy,
      // cachepool's own: the policies every node of this build supports.
      policies: policyNames(),
    });
  });

  app.post('/api/manager/cache/config', control(routes.setCacheConfig), async (request, reply) => {
    await manager.setConfig(configFromFields(readFields(request), manager.config));
    return sendSuccess(reply, '');
  });

  app.delete('/api/manager/cache/clear', control(routes.cacheClear), async (_request, reply) => {
    await manager.clear();
    return sendSuccess(reply, '');
  });

  // The original's "delete all data" also removed its application's images and database rows;
  // cachepool holds no application data, so this empties every node as cache/clear does.
  app.delete('/api/manager/data/clear', control(routes.dataClear), async (_request, reply) => {
    await manager.clear();
    return sendSuccess(reply, '');
  });

  app.post('/api/manager/register', control(routes.register), async (request, reply) => {
    const fields = readFields(request);
    const address = fieldText(fields, 'address');
    if (!isNodeId(address))
      throw errors.invalid(`address must be "host:port", got ${JSON.stringify(address ?? null)}`);
    const wanted =
      fields.cache_index === null ? null : (fieldInteger(fields, 'cache_index', 0) ?? null);
    return sendSuccess(reply, manager.register(address, wanted));
  });

  app.post('/api/manager/stats', control(routes.stats), async (request, reply) => {
    const snapshot = readFields(request);
    const checked = checkSnapshot(snapshot);
    if (!checked.ok) throw errors.invalid(checked.message);
    return sendSuccess(reply, manager.acceptSnapshot(snapshot as unknown as NodeSnapshot));
  });

  return app;
}

/**
 * The cache config a `cache/config` body asks for: `capacity` (MB, integer >= 0) and
 * `replacement_policy` (or `policy`), a missing one keeping its `current` value. Throws a
 * RequestError naming the field for a bad value or when both are missing.
 */
export function configFromFields(fields: Fields, current: CacheConfig): CacheConfig {
  const capacity = fieldInteger(fields, 'capacity', 0);
  const policy = fieldText(fields, 'replacement_policy') ?? fieldText(fields, 'policy');
  if (capacity === undefined && policy === undefined)
    throw errors.invalid('capacity or replacement_policy is required');
  if (policy !== undefined && !policyNames().includes(policy)) {
    throw errors.invalid(
      `replacement_policy must be one of ${policyNames().join(', ')}, got ${JSON.stringify(policy)}`,
    );
  }
  return { capacityMb: capacity ?? current.capacityMb, policy: policy ?? current.policy };
}

/** The auto-scaler's thresholds as the wire names them, the ratios also by the original's names. */
function wireThresholds(scaling: Scaling): Thresholds {
  const t = scaling.thresholds;
  return {
    [autoscaleFieldNames.maxMissRateThreshold]: t.maxMissRateThreshold,
    [autoscaleFieldNames.minMissRateThreshold]: t.minMissRateThreshold,
    [autoscaleFieldNames.expandRatio]: t.expandRatio,
    [autoscaleFieldNames.shrinkRatio]: t.shrinkRatio,
    ratio_expand_pool: t.expandRatio,
    ratio_shrink_pool: t.shrinkRatio,
  };
}
