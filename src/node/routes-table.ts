/**
 * `POST /internal/table`: the manager tells the node which partitions it owns, receives and is
 * leaving under a routing version (src/partition/roles.ts); an older version than the one in force
 * is ignored. A control endpoint behind the token guard. docs/internal-api.md.
 */
import type { FastifyInstance } from 'fastify';
import { errors } from '../errors.js';
import { readFields, sendSuccess, type TokenGuard } from '../http/index.js';
import { nodeRoutes } from '../wire/index.js';
import { PARTITION_COUNT, type NodeRoles } from '../partition/index.js';
import type { CacheNode } from './cache-node.js';

/** Registers the route. */
export function registerTableRoute(app: FastifyInstance, node: CacheNode, guard: TokenGuard): void {
  app.post('/internal/table', { onRequest: guard, schema: nodeRoutes.table }, (request, reply) => {
    const roles = readRoles(readFields(request));
    const applied = node.ownership.update(roles);
    // A new table ends a hand-off: the values this node handed off go back to the system now,
    // not once it has been quiet for a while (a pool that grows again at once starts its next
    // node in the memory they held: docs/benchmarks.md, 2026-12-02).
    if (applied) node.store.collectHandedOff();
    sendSuccess(reply, { applied, version: node.ownership.version ?? null });
  });
}

function readRoles(fields: Record<string, unknown>): NodeRoles {
  const version = fields.version;
  if (!Number.isSafeInteger(version) || (version as number) < 0)
    throw errors.invalid(`version must be an integer >= 0, got ${JSON.stringify(version ?? null)}`);
  const seen = new Set<number>();
  const list = (name: 'owned' | 'receiving' | 'leaving'): number[] => {
    const value = fields[name] ?? [];
    if (
      !Array.isArray(value) ||
      !value.every(
        (p) => Number.isInteger(p) && (p as number) >= 0 && (p as number) < PARTITION_COUNT,
      )
    )
      throw errors.invalid(`${name} must be a list of integers from 0 to ${PARTITION_COUNT - 1}`);
    for (const partition of value as number[]) {
      if (seen.has(partition)) throw errors.invalid(`partition ${partition} is named twice`);
      seen.add(partition);
    }
    return value as number[];
  };
  return {
    version: version as number,
    owned: list('owned'),
    receiving: list('receiving'),
    leaving: list('leaving'),
  };
}
