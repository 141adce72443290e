/**
 * The three OpenAPI documents, as the apps generate them from their route schemas: a node's, a
 * standalone gateway's (`cachepool gateway`: the gateway of `cachepool start` serves the same
 * routes but /metrics) and the manager's (with the dashboard and the statistics routes
 * `cachepool start` adds). `npm run openapi` writes them to docs/ (scripts/write-openapi.mjs), and a test checks
 * that docs/ holds exactly these. Builds the apps without listening, then closes them.
 */
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { dashboardPlugin } from '../dashboard/index.js';
import { defaults } from '../defaults.js';
import { openapiOf } from '../http/index.js';
import {
  buildManagerApp,
  LocalProvisioner,
  Manager,
  registerObservability,
  Scaling,
} from '../manager/index.js';
import { MetricsStore } from '../metrics/metrics-store.js';
import { buildNodeApp } from '../node/index.js';
import { PartitionTable } from '../partition/index.js';
import { buildStandaloneGatewayApp, Routing, TableFollower } from '../pool/index.js';

/** The documents by the file name docs/ keeps each under. */
export interface OpenapiDocuments {
  'openapi.json': Record<string, unknown>;
  'openapi-gateway.json': Record<string, unknown>;
  'openapi-manager.json': Record<string, unknown>;
}

/** The apps whose documents these are, built in memory (not listening). */
export interface DocumentApps {
  node: FastifyInstance;
  gateway: FastifyInstance;
  manager: FastifyInstance;
}

/**
 * Builds a node, a standalone gateway and a manager app (with what `cachepool start` adds) in
 * memory, runs `work` on them once they are ready, then closes them. The gateway's follower is
 * never started: it reads no table.
 */
export async function withDocumentApps<T>(work: (apps: DocumentApps) => Promise<T>): Promise<T> {
  const logger = pino({ level: 'silent' });
  const node = await buildNodeApp({ logger });
  const gateway = await buildStandaloneGatewayApp({
    routing: new Routing(PartitionTable.initial(['127.0.0.1:5001'])),
    follower: new TableFollower({ manager: `127.0.0.1:${defaults.managerPort}` }),
    logger,
  });
  const manager = new Manager({
    provisioner: new LocalProvisioner({ statsIntervalS: defaults.statsIntervalS, logger }),
    logger,
  });
  const scaling = new Scaling({ manager, logger });
  const store = new MetricsStore({ path: ':memory:' });
  const managerApp = await buildManagerApp({ manager, scaling, logger });
  await managerApp.register(dashboardPlugin);
  await registerObservability(managerApp, { manager, scaling, store });
  try {
    await Promise.all([node.app.ready(), gateway.ready(), managerApp.ready()]);
    return await work({ node: node.app, gateway, manager: managerApp });
  } finally {
    await Promise.all([node.app.close(), gateway.close(), managerApp.close()]);
    await scaling.stop();
    await manager.close();
    store.close();
  }
}

/** Builds a node, a gateway and a manager app in memory and reads their documents. */
export function openapiDocuments(): Promise<OpenapiDocuments> {
  return withDocumentApps(async (apps) => ({
    'openapi.json': await openapiOf(apps.node),
    'openapi-gateway.json': await openapiOf(apps.gateway),
    'openapi-manager.json': await openapiOf(apps.manager),
  }));
}
