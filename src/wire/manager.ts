/**
 * The manager's wire shapes (SPEC §4 and §6, docs/internal-api.md): the content of each answer
 * and the fields of each request, as JSON Schemas, and the types derived from them. The manager's
 * routes declare these schemas (and so the manager's OpenAPI document); the manager's code and
 * the dashboard read the types. Request fields are checked by the legacy reader and the
 * manager's own checks, whose messages the contract pins; the body schemas document them.
 */
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import {
  emptyContent,
  envelopeOf,
  legacyConsumes,
  numberOrText,
  refusalOf,
  tokenRefusals,
} from './envelope.js';
import { nodeSnapshotSchema } from './snapshot.js';
import {
  memberStatusSchema,
  partitionStrategySchema,
  poolChangeSchema,
  resizeCauseSchema,
  scaleActionSchema,
  scaleModeSchema,
} from './unions.js';

const tags = ['manager'];
const integer = { type: 'integer' } as const;
const text = { type: 'string' } as const;
const rate = { type: ['number', 'null'], minimum: 0, maximum: 1 } as const;
const texts = { type: 'array', items: text } as const;

/** `pool_node_list`: the original's two lists of addresses, and cachepool's statuses beside them. */
export const poolNodeListSchema = {
  type: 'object',
  required: ['node_ip_list', 'node_id_list', 'node_status_list'],
  additionalProperties: false,
  properties: {
    node_ip_list: texts,
    node_id_list: texts,
    node_status_list: { type: 'array', items: memberStatusSchema },
  },
} as const;
export type PoolNodeList = FromSchema<typeof poolNodeListSchema>;

/** `poolsize` and `poolsize/manual`. */
export const poolSizeSchema = {
  type: 'object',
  required: ['size'],
  additionalProperties: false,
  properties: { size: integer },
} as const;

/** The auto-scaler's thresholds, the ratios also under the original's names. */
export const thresholdsSchema = {
  type: 'object',
  required: [
    'max_miss_rate_threshold',
    'min_miss_rate_threshold',
    'expand_ratio',
    'shrink_ratio',
    'ratio_expand_pool',
    'ratio_shrink_pool',
  ],
  additionalProperties: false,
  properties: {
    max_miss_rate_threshold: { type: 'number', minimum: 0, maximum: 1 },
    min_miss_rate_threshold: { type: 'number', minimum: 0, maximum: 1 },
    expand_ratio: { type: 'number', exclusiveMinimum: 1 },
    shrink_ratio: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
    ratio_expand_pool: { type: 'number', description: 'The original name of expand_ratio.' },
    ratio_shrink_pool: { type: 'number', description: 'The original name of shrink_ratio.' },
  },
} as const;
export type Thresholds = FromSchema<typeof thresholdsSchema>;

/** `poolsize/config` and `poolsize/automatic`. */
export const poolConfigSchema = {
  type: 'object',
  required: ['resize_pool_option', 'resize_pool_parameters'],
  additionalProperties: false,
  properties: { resize_pool_option: scaleModeSchema, resize_pool_parameters: thresholdsSchema },
} as const;
export type PoolConfig = FromSchema<typeof poolConfigSchema>;

/** One auto-scaler decision. */
export const decisionSchema = {
  type: 'object',
  required: ['time_ms', 'miss_rate', 'requests', 'old_size', 'new_size', 'action', 'reason'],
  additionalProperties: false,
  properties: {
    time_ms: integer,
    miss_rate: { ...rate, description: 'Of the period; null without requests to measure.' },
    requests: integer,
    old_size: integer,
    new_size: { ...integer, description: 'The size asked for; old_size when action is none.' },
    action: scaleActionSchema,
    reason: { ...text, description: 'One sentence for operators: why this action.' },
  },
} as const;
export type DecisionRow = FromSchema<typeof decisionSchema>;

/** `autoscaler`: mode, parameters and the newest decisions first. */
export const autoscalerSchema = {
  type: 'object',
  required: ['mode', 'parameters', 'decisions'],
  additionalProperties: false,
  properties: {
    mode: scaleModeSchema,
    parameters: {
      type: 'object',
      required: [...thresholdsSchema.required, 'min_requests'],
      additionalProperties: false,
      properties: {
        ...thresholdsSchema.properties,
        min_requests: {
          ...integer,
          description: 'GET requests per period below which it does not decide.',
        },
      },
    },
    decisions: { type: 'array', items: decisionSchema },
  },
} as const;
export type AutoscalerView = FromSchema<typeof autoscalerSchema>;

/** One resize, for the dashboard's charts. */
export const resizeEventSchema = {
  type: 'object',
  required: ['time_ms', 'old_size', 'new_size', 'cause'],
  additionalProperties: false,
  properties: {
    time_ms: integer,
    old_size: integer,
    new_size: { ...integer, description: 'For rolled-back, the size the resize aimed at.' },
    cause: resizeCauseSchema,
  },
} as const;
export type ResizeEvent = FromSchema<typeof resizeEventSchema>;

/** The partition table (SPEC §6), as `partitions` answers it and nodes receive it. */
export const partitionTableSchema = {
  type: 'object',
  required: ['version', 'strategy', 'partitions'],
  properties: {
    version: { ...integer, description: 'Grows on every change.' },
    strategy: partitionStrategySchema,
    partitions: {
      type: 'array',
      items: text,
      minItems: 16,
      maxItems: 16,
      description: "Entry i is the host:port of partition i's owner.",
    },
  },
} as const;
export type PartitionTableJSON = FromSchema<typeof partitionTableSchema>;

/** A partition handed from one node to another during a resize. */
export const partitionMoveSchema = {
  type: 'object',
  required: ['partition', 'from', 'to'],
  additionalProperties: false,
  properties: { partition: integer, from: text, to: text },
} as const;
export type PartitionMove = FromSchema<typeof partitionMoveSchema>;

/** `partitions`: the table, the routing version, and while a resize runs what moves. */
export const partitionsSchema = {
  ...partitionTableSchema,
  properties: {
    ...partitionTableSchema.properties,
    routing_version: {
      ...integer,
      description: 'Grows on every change of the table or of what moves.',
    },
    moving: { type: 'array', items: partitionMoveSchema, description: 'Only during a resize.' },
  },
} as const;

/** A migration (a resize or a failover): its progress, counters only grow. */
export const migrationSchema = {
  type: 'object',
  required: [
    'id',
    'running',
    'from_size',
    'to_size',
    'started_at_ms',
    'finished_at_ms',
    'partitions_total',
    'partitions_done',
    'keys_total',
    'keys_done',
    'bytes_done',
    'keys_lost',
    'failed_node',
    'error',
  ],
  additionalProperties: false,
  properties: {
    id: text,
    running: { type: 'boolean' },
    from_size: integer,
    to_size: integer,
    started_at_ms: integer,
    finished_at_ms: { type: ['integer', 'null'] },
    partitions_total: integer,
    partitions_done: integer,
    keys_total: integer,
    keys_done: integer,
    bytes_done: integer,
    keys_lost: {
      ...integer,
      description:
        'Keys that died with a member that failed (its last reported item count); 0 for a resize.',
    },
    failed_node: {
      type: ['string', 'null'],
      description: 'The member whose failure this migration answered, else null.',
    },
    error: { type: ['string', 'null'] },
  },
} as const;
export type MigrationJSON = FromSchema<typeof migrationSchema>;

/** One member's figures, as `nodes` lists them. */
export const nodeRowSchema = {
  type: 'object',
  required: [
    'address',
    'cache_index',
    'status',
    'pid',
    'items',
    'used_bytes',
    'capacity_bytes',
    'hit_rate',
    'miss_rate',
    'requests_total',
  ],
  additionalProperties: false,
  properties: {
    address: { ...text, description: 'host:port' },
    cache_index: integer,
    status: memberStatusSchema,
    pid: { type: ['integer', 'null'], description: 'Of a local node; null for the other kinds.' },
    items: integer,
    used_bytes: integer,
    capacity_bytes: integer,
    hit_rate: { ...rate, description: 'Over the last minute; null without GETs in it.' },
    miss_rate: { ...rate, description: 'Over the last minute; null without GETs in it.' },
    requests_total: integer,
  },
} as const;
export type NodeRow = FromSchema<typeof nodeRowSchema>;

/** `GET cache/config`: capacity in MB, the policy under both names, the policies nodes support. */
export const cacheConfigViewSchema = {
  type: 'object',
  required: ['capacity', 'replacement_policy', 'policy', 'policies'],
  additionalProperties: false,
  properties: {
    capacity: { ...integer, description: 'MB.' },
    replacement_policy: text,
    policy: { ...text, description: 'The original name of replacement_policy.' },
    policies: { ...texts, description: 'The policies every node of this build supports.' },
  },
} as const;
export type CacheConfigView = FromSchema<typeof cacheConfigViewSchema>;

/** What a registering node is told to use. */
export const registrationSchema = {
  type: 'object',
  required: ['cache_index', 'capacity', 'replacement_policy', 'down_after_ms'],
  additionalProperties: false,
  properties: {
    cache_index: integer,
    capacity: { ...integer, description: 'MB.' },
    replacement_policy: text,
    down_after_ms: {
      ...integer,
      description: 'Silence after which the manager counts the node down.',
    },
  },
} as const;
export type Registration = FromSchema<typeof registrationSchema>;

const statsNames = [
  'miss_rate',
  'hit_rate',
  'number_of_items_in_cache',
  'total_size_of_items_in_cache',
  'number_of_requests_served_per_minute',
  'number_of_nodes',
] as const;

/** `[minute start in ms, value]`; the value is null where there is none (no GET that minute). */
export const seriesPointSchema = {
  type: 'array',
  prefixItems: [integer, { type: ['number', 'null'] }],
  minItems: 2,
  maxItems: 2,
} as const;
/**
 * `[number, number | null]`. json-schema-to-ts reads tuples in the draft-07 spelling (`items` as
 * a list); these are the same items, given that way.
 */
export type SeriesPoint = FromSchema<{
  type: 'array';
  items: typeof seriesPointSchema.prefixItems;
  additionalItems: false;
  minItems: 2;
}>;

/** The timestamped `aggregate_stats` (`?minutes=N`): rates 0..1, sizes in bytes. */
export const aggregateStatsSchema = {
  type: 'object',
  required: statsNames,
  additionalProperties: false,
  properties: {
    miss_rate: { type: 'array', items: seriesPointSchema },
    hit_rate: { type: 'array', items: seriesPointSchema },
    number_of_items_in_cache: { type: 'array', items: seriesPointSchema },
    total_size_of_items_in_cache: { type: 'array', items: seriesPointSchema },
    number_of_requests_served_per_minute: { type: 'array', items: seriesPointSchema },
    number_of_nodes: { type: 'array', items: seriesPointSchema },
  },
} as const;

/** The timestamped `aggregate_stats`: one series per figure (see SeriesPoint for why not FromSchema). */
export type AggregateStats = { [N in (typeof statsNames)[number]]: SeriesPoint[] };

const numbers = { type: 'array', items: { type: 'number' } } as const;

/** The original's `aggregate_stats` (no query): one number per minute, percent and MB. */
export const legacyAggregateStatsSchema = {
  type: 'object',
  required: statsNames,
  additionalProperties: false,
  properties: {
    miss_rate: { ...numbers, description: 'Percent; hit + miss = 100 in a minute with GETs.' },
    hit_rate: numbers,
    number_of_items_in_cache: numbers,
    total_size_of_items_in_cache: { ...numbers, description: 'MB (bytes / 2^20).' },
    number_of_requests_served_per_minute: numbers,
    number_of_nodes: numbers,
  },
} as const;
export type LegacyAggregateStats = FromSchema<typeof legacyAggregateStatsSchema>;

/** The manager's `/healthz`. */
const healthSchema = {
  type: 'object',
  required: ['status', 'role', 'size'],
  additionalProperties: false,
  properties: {
    status: { type: 'string', const: 'ok' },
    role: { type: 'string', const: 'manager' },
    size: { ...integer, description: 'Members of the pool.' },
  },
} as const;

const minutesQuery = (description: string, maximum?: number) =>
  ({
    type: 'object',
    properties: {
      minutes: { type: 'integer', minimum: 1, ...(maximum ? { maximum } : {}), description },
    },
  }) as const;

const control = { ...tokenRefusals } as const;

/** The route schemas of the manager app, by route. */
export const managerRoutes = {
  healthz: {
    tags,
    summary: 'Liveness, with the pool size',
    response: { 200: envelopeOf('Alive.', healthSchema) },
  },
  openapi: {
    tags,
    summary: "The manager's OpenAPI document (this document)",
    response: { 200: { description: 'OpenAPI 3.1 JSON.', type: 'object' } },
  },
  poolNodeList: {
    tags,
    summary: 'The members',
    response: {
      200: envelopeOf(
        'Addresses (host:port), twice as in the original, and their statuses.',
        poolNodeListSchema,
      ),
    },
  },
  poolSize: {
    tags,
    summary: 'Pool size',
    response: { 200: envelopeOf('The size.', poolSizeSchema) },
  },
  poolSizeManual: {
    tags,
    summary: 'Grow or shrink by one node; switches to manual mode',
    consumes: legacyConsumes,
    body: {
      type: 'object',
      required: ['change'],
      properties: { change: poolChangeSchema },
    },
    response: {
      200: envelopeOf('The new size.', poolSizeSchema),
      400: refusalOf(
        'At the bounds: "The size of memcache pool has been reached to maximum" / "minimum"; another change: "Parameter change can only be increase or decrease"; a failed resize (rolled back).',
      ),
      409: refusalOf('Another resize is running (CP_ERR_POOL_BUSY).'),
      ...control,
    },
  },
  poolSizeChange: {
    tags,
    summary: 'Kept from the original: a node that finished its handoff asks to be removed',
    description:
      'Sent by a node at the end of move_keys when the call named a manager (docs/http-api.md); the manager then stops that node.',
    consumes: legacyConsumes,
    body: {
      type: 'object',
      required: ['cache_ip'],
      properties: { cache_ip: { ...text, description: 'host:port' } },
    },
    response: {
      200: envelopeOf('Noted.', emptyContent),
      400: refusalOf('No cache_ip.'),
      ...control,
    },
  },
  leave: {
    tags,
    summary: 'A node stopping on SIGTERM hands its keys off first (docs/internal-api.md)',
    consumes: legacyConsumes,
    body: {
      type: 'object',
      required: ['address'],
      properties: { address: { ...text, description: 'host:port' } },
    },
    response: {
      200: envelopeOf('Its keys are handed off and it is out of the pool.', emptyContent),
      400: refusalOf(
        'No address, not a member, the manager stopping, the last node of the pool (nowhere to hand off to), or a failed handoff (CP_ERR_POOL_RESIZE_FAILED).',
      ),
      ...control,
    },
  },
  poolSizeConfig: {
    tags,
    summary: 'Resize mode and auto-scaler parameters',
    response: { 200: envelopeOf('The mode and parameters.', poolConfigSchema) },
  },
  poolSizeAutomatic: {
    tags,
    summary: 'Switch to automatic mode with these parameters',
    description:
      'A missing field keeps its value; unknown fields (the original UI sends "change": "") are ignored.',
    consumes: legacyConsumes,
    body: {
      type: 'object',
      properties: {
        max_miss_rate_threshold: numberOrText('0..1'),
        min_miss_rate_threshold: numberOrText('0..1, below the max'),
        expand_ratio: numberOrText('> 1'),
        shrink_ratio: numberOrText('between 0 and 1, exclusive'),
        min_requests: numberOrText(
          'cachepool: GET requests per period below which it does not decide',
        ),
      },
    },
    response: {
      200: envelopeOf('As poolsize/config.', poolConfigSchema),
      400: refusalOf('A bad field, named; nothing changes.'),
      ...control,
    },
  },
  autoscaler: {
    tags,
    summary: 'Mode, parameters and the last decisions',
    response: { 200: envelopeOf('The auto-scaler.', autoscalerSchema) },
  },
  events: {
    tags,
    summary: 'Resizes of the last minutes, for the charts',
    querystring: minutesQuery('The window; default 30.'),
    response: {
      200: envelopeOf('The events, oldest first.', {
        type: 'object',
        required: ['events'],
        additionalProperties: false,
        properties: { events: { type: 'array', items: resizeEventSchema } },
      }),
    },
  },
  partitions: {
    tags,
    summary: 'The partition table, for clients that route by themselves',
    response: {
      200: envelopeOf(
        'Version, strategy, and the owner of each of the 16 partitions (plus, during a resize, what moves).',
        partitionsSchema,
      ),
    },
  },
  migration: {
    tags,
    summary: 'The running migration, or the last one',
    response: {
      200: envelopeOf('The migration, or null before the first.', {
        type: 'object',
        required: ['migration'],
        additionalProperties: false,
        properties: { migration: { anyOf: [migrationSchema, { type: 'null' }] } },
      }),
    },
  },
  nodes: {
    tags,
    summary: "Each member's figures",
    response: {
      200: envelopeOf('The members, by cache_index.', {
        type: 'object',
        required: ['nodes'],
        additionalProperties: false,
        properties: { nodes: { type: 'array', items: nodeRowSchema } },
      }),
    },
  },
  cacheConfig: {
    tags,
    summary: 'The cache configuration of every node',
    response: {
      200: envelopeOf(
        'Capacity in MB and the policy (under both names), and the policies the nodes support.',
        cacheConfigViewSchema,
      ),
    },
  },
  setCacheConfig: {
    tags,
    summary: 'Apply a cache configuration to every node, and to nodes started later',
    consumes: legacyConsumes,
    body: {
      type: 'object',
      properties: {
        capacity: numberOrText('MB, integer >= 0'),
        replacement_policy: text,
        policy: { ...text, description: 'The original name of replacement_policy.' },
      },
    },
    response: {
      200: envelopeOf('Applied.', emptyContent),
      400: refusalOf('A bad field, named; nothing changes.'),
      ...control,
    },
  },
  cacheClear: {
    tags,
    summary: 'Empty every node',
    response: { 200: envelopeOf('Cleared.', emptyContent), ...control },
  },
  dataClear: {
    tags,
    summary:
      'The original\'s "delete all data": cachepool holds no application data, so it empties every node',
    response: { 200: envelopeOf('Cleared.', emptyContent), ...control },
  },
  register: {
    tags,
    summary: 'A node announces itself (at start, retried until accepted)',
    consumes: legacyConsumes,
    body: {
      type: 'object',
      required: ['address'],
      properties: {
        address: { ...text, description: 'host:port' },
        cache_index: {
          type: ['integer', 'string', 'null'],
          description: 'The index it wants, integer >= 0, or null.',
        },
      },
    },
    response: {
      200: envelopeOf('The index, capacity and policy the node is to use.', registrationSchema),
      400: refusalOf('An address that is not "host:port", or a bad cache_index.'),
      ...control,
    },
  },
  stats: {
    tags,
    summary: "A node's statistics snapshot (every --stats-interval seconds)",
    description:
      'Every field but expiredTotal is checked against its range (docs/http-api.md, Statistics publication); a field the manager does not read is not refused.',
    body: nodeSnapshotSchema,
    response: {
      200: envelopeOf(
        "Kept; rejoin is true for a node failed over while it was away; status is the node's standing as a member (null: not a member) and routing_version the routing version in force (null before the pool has a table), which a node whose process stood still reads before it serves again.",
        {
          type: 'object',
          required: ['rejoin', 'status', 'routing_version'],
          additionalProperties: false,
          properties: {
            rejoin: { type: 'boolean' },
            status: { anyOf: [memberStatusSchema, { type: 'null' }] },
            routing_version: { type: ['integer', 'null'] },
          },
        },
      ),
      400: refusalOf('A field out of range, named; nothing of the snapshot is kept.'),
      ...control,
    },
  },
  aggregateStats: {
    tags,
    summary: 'The pool over the last minutes, one point per minute',
    querystring: minutesQuery(
      'Without it: the original shape over 30 minutes. With it (1..10080): timestamped series over that many minutes.',
      10080,
    ),
    response: {
      200: envelopeOf(
        'Without ?minutes: six flat lists of 30 numbers, oldest first, rates in percent, sizes in MB. With ?minutes: six lists of [minute start in ms, value], rates 0..1 (null without GETs), sizes in bytes.',
        { oneOf: [legacyAggregateStatsSchema, aggregateStatsSchema] },
      ),
      400: refusalOf('A bad minutes.'),
    },
  },
  metrics: {
    tags,
    summary: "The pool's figures in Prometheus text format",
    produces: ['text/plain'],
    response: { 200: { description: 'Prometheus text exposition.', type: 'string' } },
  },
} as const;

/** The names of the manager's routes (keys of managerRoutes). */
export type ManagerRoute = keyof typeof managerRoutes;

/** The `content` of a manager route's 200 answer, from its schema (what a client reads). */
export type ManagerContent<R extends ManagerRoute> =
  (typeof managerRoutes)[R]['response'][200] extends {
    properties: { content: infer S extends JSONSchema };
  }
    ? FromSchema<S>
    : never;

/** The route schemas of the dashboard, served by the manager app (cachepool start). */
export const dashboardRoutes = {
  page: {
    tags: ['dashboard'],
    summary: 'The dashboard page',
    produces: ['text/html'],
    response: {
      200: { description: 'The page.', type: 'string' },
      503: { description: 'The dashboard was not built (npm run build).', type: 'string' },
    },
  },
  asset: {
    tags: ['dashboard'],
    summary: "The page's script, style sheets and source map",
    params: {
      type: 'object',
      required: ['name'],
      properties: { name: { type: 'string', description: 'A file name under assets/.' } },
    },
    produces: ['application/javascript', 'text/css', 'application/json'],
    response: {
      200: { description: 'The file.', type: 'string' },
      404: refusalOf('No such asset (CP_ERR_ROUTE_NOT_FOUND).'),
    },
  },
} as const;
