/**
 * The statistics snapshot a node takes every `statsIntervalS` seconds and pushes to its manager
 * (`POST /api/manager/stats`, JSON body = one NodeSnapshot): its schema, which the manager's
 * stats route declares (and so the manager's OpenAPI document shows), and the type derived from
 * it. The ranges here are the ones the manager's check (src/metrics/check-snapshot.ts) reads;
 * its refusal messages are its own. Counters are monotonic so that the manager can compute rates
 * across the resets of the legacy figures.
 */
import type { FromSchema } from 'json-schema-to-ts';

/** A count or a monotonic counter: a non-negative safe integer. */
export const snapshotCountSchema = {
  type: 'integer',
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
} as const;

/** A time in ms since the epoch, within the range of a Date. */
export const snapshotTimeSchema = { type: 'number', minimum: 0, maximum: 8.64e15 } as const;

/** A rate or the utilization: a fraction in [0, 1]. */
export const snapshotFractionSchema = { type: 'number', minimum: 0, maximum: 1 } as const;

const count = snapshotCountSchema;

/** One node's figures at one moment (see the module header). */
export const nodeSnapshotSchema = {
  description:
    "One node's figures at one moment. Counters ending in Total are monotonic since the node process started (never reset by DELETE /api/cache/statistics); a new startedAtMs means the process restarted.",
  type: 'object',
  required: [
    'cacheIndex',
    'address',
    'timeMs',
    'startedAtMs',
    'items',
    'usedBytes',
    'capacityBytes',
    'utilization',
    'policy',
    'requestsTotal',
    'getRequestsTotal',
    'hitsTotal',
    'missesTotal',
    'evictionsTotal',
    'legacy',
    'hitRate',
    'missRate',
  ],
  additionalProperties: false,
  properties: {
    cacheIndex: { ...count, description: "The node's cache_index (SPEC §2)." },
    address: { type: 'string', description: 'host:port the node serves on.' },
    timeMs: {
      ...snapshotTimeSchema,
      description: 'When the snapshot was taken, ms since the epoch.',
    },
    startedAtMs: {
      ...snapshotTimeSchema,
      description: 'When the node process started, ms since the epoch.',
    },
    items: count,
    usedBytes: count,
    capacityBytes: count,
    utilization: {
      ...snapshotFractionSchema,
      description: 'usedBytes / capacityBytes, 0 when the capacity is 0.',
    },
    policy: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: 'The replacement policy (lru, rr, ...).',
    },
    requestsTotal: count,
    getRequestsTotal: count,
    hitsTotal: count,
    missesTotal: count,
    evictionsTotal: count,
    expiredTotal: {
      ...count,
      description:
        'Entries removed because their deadline passed (absent from nodes that predate expiry).',
    },
    legacy: {
      description: 'The legacy, resettable figures of GET /api/cache/statistics at this moment.',
      type: 'object',
      required: ['num_request_served', 'num_GET_request_served', 'num_hit'],
      additionalProperties: false,
      properties: { num_request_served: count, num_GET_request_served: count, num_hit: count },
    },
    hitRate: {
      ...snapshotFractionSchema,
      description: 'Over the last interval, 0..1 (0 when there was no GET).',
    },
    missRate: {
      ...snapshotFractionSchema,
      description: 'Over the last interval, 0..1 (0 when there was no GET).',
    },
  },
} as const;
/** One node's figures at one moment, as it pushes them to the manager. */
export type NodeSnapshot = FromSchema<typeof nodeSnapshotSchema>;
