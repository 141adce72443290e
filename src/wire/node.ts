/**
 * The wire shapes of a cache node (SPEC §2 and §6, docs/http-api.md, docs/internal-api.md), as
 * route schemas: the legacy endpoints in the envelope, the /v1 API on raw bytes, the internal
 * calls of resizes, and what the node serves besides. The gateway speaks the same legacy and /v1
 * API for the whole pool, so it declares the same schemas on its routes. As for the manager,
 * the schemas document and type the wire; the legacy reader and the routes' checks (shared with
 * the pre-routers) check requests.
 */
import type { FromSchema } from 'json-schema-to-ts';
import {
  emptyContent,
  envelopeOf,
  legacyConsumes,
  numberOrText,
  refusalOf,
  tokenRefusals,
  v1ErrorOf,
  v1TokenRefusals,
} from './envelope.js';

const integer = { type: 'integer' } as const;
const text = { type: 'string' } as const;
const texts = { type: 'array', items: text } as const;
const binary = { type: 'string', format: 'binary' } as const;
const partitionList = {
  type: 'array',
  items: { type: 'integer', minimum: 0, maximum: 15 },
} as const;

/** Content type of a batch of records (`/v1/batch/*`, `/internal/import`). */
export const BATCH_CONTENT_TYPE = 'application/x-cachepool-batch';

/** The refusals of a legacy data endpoint when the node runs with --protect-data. */
const dataRefusals = {
  401: refusalOf('With --protect-data: no token (CP_ERR_AUTH_REQUIRED).'),
  403: refusalOf('With --protect-data: a wrong token (CP_ERR_AUTH_FORBIDDEN).'),
} as const;

/** A pool node refusing a key it does not serve for the router's routing version. */
const notOwner = v1ErrorOf(
  'A pool node that does not serve this key for the routing version the router said (CP_ERR_NOT_OWNER); the router reads the table again.',
);

/** The `{key}` path parameter of /v1/keys (the route is a wildcard: keys may contain "/"). */
const keyParams = {
  type: 'object',
  required: ['key'],
  properties: {
    key: {
      type: 'string',
      minLength: 1,
      description:
        'The key (percent-encoded; may contain "/"). 1 to maxKeyBytes (default 1024) UTF-8 bytes.',
    },
  },
} as const;

/** `?ttl=`: time to live in whole seconds (Cache-Control: max-age=S says the same). */
const ttlQuery = {
  type: 'object',
  properties: {
    ttl: {
      type: 'integer',
      minimum: 1,
      maximum: 31536000,
      description:
        'Time to live in whole seconds, 1 to 31536000 (365 days); absent: never expires. Cache-Control: max-age=S says the same (?ttl= wins). Anything else is a 400 that stores nothing.',
    },
  },
} as const;

const etagHeader = {
  etag: {
    type: 'string',
    description: 'A strong tag of the value and its Content-Type, for If-Match.',
  },
} as const;

/** The figures of `GET /api/cache/statistics`, JSON-encoded in the content (SPEC §2). */
export const legacyStatisticsSchema = {
  type: 'object',
  required: [
    'used_size',
    'num_item_in_cache',
    'num_request_served',
    'num_GET_request_served',
    'num_hit',
  ],
  additionalProperties: false,
  properties: {
    used_size: { ...integer, description: 'Bytes.' },
    num_item_in_cache: integer,
    num_request_served: integer,
    num_GET_request_served: integer,
    num_hit: integer,
  },
} as const;
export type LegacyStatistics = FromSchema<typeof legacyStatisticsSchema>;

/** What an import did with its records. */
export const importOutcomeSchema = {
  type: 'object',
  required: ['accepted', 'skipped', 'rejected'],
  additionalProperties: false,
  properties: {
    accepted: integer,
    skipped: { ...texts, description: 'Keys this node holds a newer write of, or fenced.' },
    rejected: { ...texts, description: 'Keys that do not fit the capacity.' },
  },
} as const;
export type ImportOutcome = FromSchema<typeof importOutcomeSchema>;

/** What a move_keys did. */
export const moveResultSchema = {
  type: 'object',
  required: ['moved', 'skipped', 'rejected', 'missing', 'bytes'],
  additionalProperties: false,
  properties: {
    moved: integer,
    skipped: integer,
    rejected: texts,
    missing: { ...texts, description: 'Listed keys this node does not hold (not fatal).' },
    bytes: integer,
  },
} as const;
export type MoveResult = FromSchema<typeof moveResultSchema>;

/** What a migration fence recorded, answered by `/internal/migration/end` (src/node/fences.ts). */
export interface FenceRecord {
  /** Keys of its partitions written or invalidated on the node since it began. */
  touched: string[];
  /** A clear happened meanwhile: every key of its partitions counts as touched. */
  cleared: boolean;
}

/** Fields of a legacy body (JSON, form-urlencoded or multipart) with these properties. */
function fields<const P, const R extends readonly string[] = []>(properties: P, required?: R) {
  return {
    type: 'object',
    properties,
    ...(required ? { required } : {}),
  } as const;
}

/** The schemas of the routes node and gateway share (the node's API, SPEC §2 and §6). */
export const keyRoutes = {
  getKey: {
    tags: ['v1'],
    summary: 'Read a value',
    description: 'Counts one request, one GET, and a hit or a miss; a hit refreshes recency.',
    params: keyParams,
    response: {
      200: {
        description: 'The value, with the Content-Type it was stored with.',
        headers: etagHeader,
        content: { '*/*': { schema: binary } },
      },
      400: v1ErrorOf('Empty or too long key (CP_ERR_REQUEST_MISSING_KEY, CP_ERR_KEY_TOO_LONG).'),
      404: v1ErrorOf('No such key (CP_ERR_KEY_UNKNOWN).'),
      421: notOwner,
      ...v1TokenRefusals,
    },
  },
  headKey: {
    tags: ['v1'],
    summary: 'Whether a key is present, with its Content-Type and Content-Length',
    description: 'Does not count as a GET and does not refresh recency.',
    params: keyParams,
    response: {
      200: { description: 'Present.', headers: etagHeader, type: 'null' },
      404: { description: 'Absent.', type: 'null' },
      ...v1TokenRefusals,
    },
  },
  putKey: {
    tags: ['v1'],
    summary: 'Store a value',
    description:
      'The body is the value (1 byte or more, up to --max-value-bytes, default the body limit of 32 MB); its Content-Type is kept (default application/octet-stream). Evicts by the replacement policy until the entry fits.',
    params: keyParams,
    querystring: ttlQuery,
    headers: {
      type: 'object',
      properties: {
        'if-none-match': {
          type: 'string',
          const: '*',
          description: '"*": store only when the key is absent (no other value is accepted here).',
        },
        'if-match': {
          type: 'string',
          description:
            'Store only when the current value has one of these ETags (as a GET answered them), or with "*" when the key exists: compare-and-set.',
        },
      },
    },
    consumes: ['*/*'],
    body: binary,
    response: {
      201: { description: 'Stored; the key was new.', type: 'null' },
      204: { description: 'Stored; an older value was replaced.', type: 'null' },
      400: v1ErrorOf('Empty value, empty or too long key, a bad TTL.'),
      412: v1ErrorOf(
        'The If-None-Match or If-Match condition does not hold (CP_ERR_PRECONDITION_FAILED); nothing is written.',
      ),
      413: v1ErrorOf(
        'Larger than the whole capacity or than --max-value-bytes (CP_ERR_VALUE_TOO_LARGE; nothing evicted, an older value stays) or than the body limit (CP_ERR_REQUEST_BODY_TOO_LARGE).',
      ),
      421: notOwner,
      ...v1TokenRefusals,
    },
  },
  deleteKey: {
    tags: ['v1'],
    summary: 'Invalidate a key',
    params: keyParams,
    response: {
      204: { description: 'The key is absent now (whether or not it was present).', type: 'null' },
      400: v1ErrorOf('Empty or too long key.'),
      421: notOwner,
      ...v1TokenRefusals,
    },
  },
  batchGet: {
    tags: ['v1'],
    summary: 'Read many keys in one request',
    description:
      'Each key counts as a GET. At most 1000 keys. The answer holds one record per key, in order; a miss is a record with an empty type and an empty value.',
    body: {
      type: 'object',
      required: ['keys'],
      properties: {
        keys: { type: 'array', maxItems: 1000, items: { type: 'string', minLength: 1 } },
      },
    },
    response: {
      200: {
        description: 'One record per key.',
        content: {
          [BATCH_CONTENT_TYPE]: {
            schema: {
              ...binary,
              description:
                'Records one after the other: u32be keyLength, key (UTF-8), u32be typeLength, type (UTF-8), u32be valueLength, value.',
            },
          },
        },
      },
      400: v1ErrorOf('Not {"keys": [strings]}, more than 1000 keys, an empty or too long key.'),
      421: notOwner,
      ...v1TokenRefusals,
    },
  },
  batchPut: {
    tags: ['v1'],
    summary: 'Store many values in one request',
    description:
      'Every record is checked before any is stored. At most 1000 records; a record of an empty type is stored as application/octet-stream.',
    querystring: ttlQuery,
    consumes: [BATCH_CONTENT_TYPE],
    body: {
      ...binary,
      description:
        'Records one after the other: u32be keyLength, key (UTF-8), u32be typeLength, type (UTF-8), u32be valueLength, value.',
    },
    response: {
      200: {
        description: 'Every record was stored.',
        type: 'object',
        required: ['stored'],
        additionalProperties: false,
        properties: { stored: integer },
      },
      400: v1ErrorOf(
        'A cut record (CP_ERR_REQUEST_BODY_MALFORMED), more than 1000 records, an empty key or value, a bad TTL.',
      ),
      413: v1ErrorOf('A value or the body over its limit; nothing is stored.'),
      415: v1ErrorOf('Not application/x-cachepool-batch.'),
      421: notOwner,
      ...v1TokenRefusals,
    },
  },
  openapi: {
    tags: ['v1'],
    summary: 'This document',
    response: { 200: { description: 'OpenAPI 3.1 JSON.', type: 'object' } },
  },
  getValue: {
    tags: ['legacy'],
    summary: 'Read a value (the original API)',
    description:
      'Counts one request served, one GET request, and a hit on a hit; refreshes recency.',
    consumes: legacyConsumes,
    body: fields({ key: text }, ['key']),
    response: {
      200: envelopeOf('The stored value.', text),
      400: refusalOf('"Unknown key" on a miss; "Missing key"; a key too long.'),
      ...dataRefusals,
    },
  },
  invalidate: {
    tags: ['legacy'],
    summary: 'Invalidate a key, whether or not it is present',
    description: 'The key comes in the body, or as ?key= on a DELETE without a body.',
    consumes: legacyConsumes,
    querystring: { type: 'object', properties: { key: text } },
    response: {
      200: envelopeOf('The key is absent now.', emptyContent),
      400: refusalOf('"Missing key"; a key too long.'),
      ...dataRefusals,
    },
  },
  putValue: {
    tags: ['legacy'],
    summary: 'Store a value (the original API)',
    description:
      'Checked in this order, each a 400 that changes nothing: "Missing key", "Missing value", a value larger than the capacity (a value exactly as large is accepted). Replaces an existing key; evicts by the policy until the new entry fits.',
    consumes: legacyConsumes,
    body: fields(
      {
        key: text,
        value: { ...text, description: 'Any non-empty text; a data URL is the common case.' },
        ttl: numberOrText('Optional: time to live in whole seconds, 1 to 31536000.'),
      },
      ['key', 'value'],
    ),
    response: {
      200: envelopeOf('Stored.', emptyContent),
      400: refusalOf('"Missing key", "Missing value", too large, a bad ttl; nothing changes.'),
      ...dataRefusals,
    },
  },
  clear: {
    tags: ['legacy'],
    summary: 'Remove every key',
    response: { 200: envelopeOf('Every key is removed.', emptyContent), ...tokenRefusals },
  },
  statistics: {
    tags: ['legacy'],
    summary: 'The legacy figures, as a JSON-encoded string (clients call json.loads(content))',
    response: {
      200: envelopeOf('The figures.', {
        type: 'string',
        contentMediaType: 'application/json',
        contentSchema: legacyStatisticsSchema,
      }),
    },
  },
  resetStatistics: {
    tags: ['legacy'],
    summary: 'Reset num_GET_request_served and num_hit (after a pool resize)',
    response: { 200: envelopeOf('Reset.', emptyContent), ...tokenRefusals },
  },
  statisticsPage: {
    tags: ['legacy'],
    summary: 'An HTML page of the figures, in total and over the last 10 minutes',
    produces: ['text/html'],
    response: { 200: { description: 'The page.', type: 'string' } },
  },
  keys: {
    tags: ['legacy'],
    summary: 'The cached keys (for lru: least recently used first)',
    response: {
      200: { description: 'A JSON array of the keys (not in the envelope).', ...texts },
      ...dataRefusals,
    },
  },
  metrics: {
    tags: ['observability'],
    summary: 'Figures in Prometheus text format',
    produces: ['text/plain'],
    response: { 200: { description: 'Prometheus text exposition.', type: 'string' } },
  },
} as const;

/** The schemas of the routes only a node has. */
export const nodeRoutes = {
  configure: {
    tags: ['legacy'],
    summary: "Set this node's capacity, policy and index",
    description:
      'Any invalid field is a 400 and nothing changes (no partial update). Lowering the capacity evicts down to it by the policy.',
    consumes: legacyConsumes,
    body: fields({
      capacity: numberOrText('MB, integer >= 0'),
      replacement_policy: text,
      policy: { ...text, description: 'The original name of replacement_policy.' },
      cache_index: numberOrText('integer >= 0'),
    }),
    response: {
      200: envelopeOf('Applied.', emptyContent),
      400: refusalOf('A bad field, named; nothing changes.'),
      ...tokenRefusals,
    },
  },
  setNumHit: {
    tags: ['legacy'],
    summary: 'Set the hit counter (the original API)',
    consumes: legacyConsumes,
    body: fields({ num_hit: numberOrText('integer >= 0') }, ['num_hit']),
    produces: ['text/plain'],
    response: {
      200: { description: 'cache node <index> statistics.num_hit = <n>', type: 'string' },
      400: refusalOf('No num_hit, or not an integer >= 0.'),
      ...tokenRefusals,
    },
  },
  home: {
    tags: ['legacy'],
    summary: "The node's home page",
    produces: ['text/html'],
    response: { 200: { description: 'The page.', type: 'string' } },
  },
  healthz: {
    tags: ['observability'],
    summary: 'Liveness, with the index and the routing version this node serves',
    response: {
      200: envelopeOf('Alive.', {
        type: 'object',
        required: ['status', 'cache_index', 'routing_version'],
        additionalProperties: false,
        properties: {
          status: { type: 'string', const: 'ok' },
          cache_index: integer,
          routing_version: { type: ['integer', 'null'] },
        },
      }),
    },
  },
  moveKeys: {
    tags: ['internal'],
    summary: 'Hand the listed keys this node holds to their destinations (a resize)',
    description:
      'Body {"manager": "host:port" | "", "dest": {"<node>": ["key", ...]}, "cache_ip": "<this node>"} (or the older {"port": <manager port> | -1, "dest": ...}). Keys are sent in batches and removed here only once their destination took them; then, when a manager is named, the node asks it to be removed (POST /api/poolsize/change).',
    body: {
      type: 'object',
      required: ['dest'],
      properties: {
        manager: text,
        port: integer,
        cache_ip: text,
        dest: { type: 'object', additionalProperties: texts },
      },
    },
    response: {
      200: envelopeOf(
        'Every listed key this node holds reached its destination.',
        moveResultSchema,
      ),
      400: refusalOf(
        'A bad body, a destination not allowed, or one that failed (named; its keys stay).',
      ),
      ...tokenRefusals,
    },
  },
  import: {
    tags: ['internal'],
    summary: 'Take a batch of records handed off by another node',
    querystring: {
      type: 'object',
      properties: { migration: { ...text, description: 'The migration the records belong to.' } },
    },
    consumes: [BATCH_CONTENT_TYPE],
    body: binary,
    response: {
      200: envelopeOf('What became of the records.', importOutcomeSchema),
      400: refusalOf('A cut batch, a bad key or migration id.'),
      415: refusalOf('Not application/x-cachepool-batch.'),
      ...tokenRefusals,
    },
  },
  pull: {
    tags: ['internal'],
    summary: 'Read a batch another node offers, and take it as an import',
    description:
      'Body {"from": "<host:port of the source>", "batch": "<id>", "migration": "<id>"}. The node reads GET /internal/export/<id> from the source (an allowed peer only, as a move_keys destination) over a connection of its own and takes the records as /internal/import does.',
    body: {
      type: 'object',
      required: ['from', 'batch'],
      properties: { from: text, batch: text, migration: text },
    },
    response: {
      200: envelopeOf('What became of the records.', importOutcomeSchema),
      400: refusalOf(
        'A bad body, a source not allowed or one whose batch could not be read, a cut batch, a bad key.',
      ),
      ...tokenRefusals,
    },
  },
  export: {
    tags: ['internal'],
    summary: 'A batch this node offers to a destination that pulls it (read once)',
    params: { type: 'object', required: ['id'], properties: { id: text } },
    produces: [BATCH_CONTENT_TYPE],
    response: {
      400: refusalOf('No such batch is offered (it was read, or its move ended).'),
      ...tokenRefusals,
    },
  },
  migrationBegin: {
    tags: ['internal'],
    summary: 'Fence writes to partitions that are about to move',
    body: {
      type: 'object',
      required: ['id', 'partitions'],
      properties: {
        id: text,
        partitions: partitionList,
        keep: { type: 'boolean' },
        early: { type: 'boolean' },
        drop: texts,
        drop_all: { type: 'boolean' },
      },
    },
    response: {
      200: envelopeOf('Fenced.', {
        type: 'object',
        required: ['id', 'dropped'],
        properties: { id: text, dropped: integer },
      }),
      400: refusalOf('A bad id, partitions, keep, early, drop or drop_all.'),
      ...tokenRefusals,
    },
  },
  migrationEnd: {
    tags: ['internal'],
    summary: "Lift a migration's fences",
    body: { type: 'object', required: ['id'], properties: { id: text } },
    response: {
      200: envelopeOf('Lifted.', {
        type: 'object',
        required: ['id', 'ended', 'touched', 'cleared'],
        properties: {
          id: text,
          ended: { type: 'boolean' },
          touched: texts,
          cleared: { type: 'boolean' },
        },
      }),
      400: refusalOf('A bad id.'),
      ...tokenRefusals,
    },
  },
  table: {
    tags: ['internal'],
    summary: 'The partitions this node owns, receives and hands off, for a routing version',
    body: {
      type: 'object',
      required: ['version'],
      properties: {
        version: { ...integer, minimum: 0 },
        owned: partitionList,
        receiving: partitionList,
        leaving: partitionList,
      },
    },
    response: {
      200: envelopeOf('Applied unless older than the one held.', {
        type: 'object',
        required: ['applied', 'version'],
        properties: { applied: { type: 'boolean' }, version: { type: ['integer', 'null'] } },
      }),
      400: refusalOf('A bad version or partition list, a partition named twice.'),
      ...tokenRefusals,
    },
  },
} as const;

/** The schemas of the routes only a gateway has. */
export const gatewayRoutes = {
  configure: {
    ...nodeRoutes.configure,
    summary: 'Set the capacity and policy of every node of the pool',
    description:
      'Sent to the manager when the gateway follows one (it applies it to every node and to nodes started later), else to every node.',
  },
  healthz: {
    tags: ['observability'],
    summary: 'Liveness, with the version of the partition table the gateway routes by',
    response: {
      200: envelopeOf('Alive.', {
        type: 'object',
        required: ['status', 'role', 'version'],
        additionalProperties: false,
        properties: {
          status: { type: 'string', const: 'ok' },
          role: { type: 'string', const: 'gateway' },
          version: integer,
        },
      }),
    },
  },
} as const;
