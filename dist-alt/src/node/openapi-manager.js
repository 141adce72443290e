/**
 * The manager's endpoints in the OpenAPI document (openapi.ts merges them in): the ones kept from
 * the original manager, in its shapes, and cachepool's own. Every answer is in the legacy
 * envelope. docs/internal-api.md says the same in prose.
 */
const tags = ['manager'];
/** A 200 answer in the envelope whose `content` is `schema`. */
const ok = (description, schema = { const: '' }) => ({
    description,
    content: {
        'application/json': {
            schema: {
                type: 'object',
                required: ['success', 'content'],
                properties: { success: { const: 'true' }, content: schema },
            },
        },
    },
});
/** A refusal in the envelope (status 400 unless said otherwise). */
const refused = (description) => ({
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/LegacyError' } } },
});
const tokenRefusals = {
    '401': refused('With a pool token: no token (CP_ERR_AUTH_REQUIRED).'),
    '403': refused('With a pool token: a wrong token (CP_ERR_AUTH_FORBIDDEN).'),
};
/** A request body given as JSON, form-urlencoded or multipart, numbers possibly as strings. */
const fields = (properties, required = []) => ({
    required: true,
    content: Object.fromEntries(['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'].map((type) => [
        type,
        { schema: { type: 'object', properties, ...(required.length ? { required } : {}) } },
    ])),
});
const numberOrString = (description) => ({
    description,
    oneOf: [{ type: 'number' }, { type: 'string' }],
});
const list = { type: 'array', items: { type: 'number' } };
const timed = {
    type: 'array',
    items: {
        type: 'array',
        prefixItems: [{ type: 'integer' }, { type: ['number', 'null'] }],
        minItems: 2,
        maxItems: 2,
    },
};
const statsNames = [
    'miss_rate',
    'hit_rate',
    'number_of_items_in_cache',
    'total_size_of_items_in_cache',
    'number_of_requests_served_per_minute',
    'number_of_nodes',
];
const thresholds = {
    type: 'object',
    properties: {
        max_miss_rate_threshold: { type: 'number', minimum: 0, maximum: 1 },
        min_miss_rate_threshold: { type: 'number', minimum: 0, maximum: 1 },
        expand_ratio: { type: 'number', exclusiveMinimum: 1 },
        shrink_ratio: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
        ratio_expand_pool: { type: 'number', description: 'The original name of expand_ratio.' },
        ratio_shrink_pool: { type: 'number', description: 'The original name of shrink_ratio.' },
    },
};
const poolConfig = {
    type: 'object',
    properties: {
        resize_pool_option: { enum: ['manual', 'automatic'] },
        resize_pool_parameters: thresholds,
    },
};
/** The manager's paths. */
export const managerPaths = {
    '/api/manager/poolsize': {
        get: {
            tags,
            summary: 'Pool size',
            responses: {
                '200': ok('The size.', { type: 'object', properties: { size: { type: 'integer' } } }),
            },
        },
    },
    '/api/manager/pool_node_list': {
        get: {
            tags,
            summary: 'The members',
            responses: {
                '200': ok('Addresses (host:port), twice as in the original, and their statuses.', {
                    type: 'object',
                    properties: {
                        node_ip_list: { type: 'array', items: { type: 'string' } },
                        node_id_list: { type: 'array', items: { type: 'string' } },
                        node_status_list: {
                            type: 'array',
                            items: { enum: ['up', 'down', 'starting', 'draining'] },
                        },
                    },
                }),
            },
        },
    },
    '/api/manager/poolsize/manual': {
        post: {
            tags,
            summary: 'Grow or shrink by one node; switches to manual mode',
            requestBody: fields({ change: { enum: ['increase', 'decrease'] } }, ['change']),
            responses: {
                '200': ok('The new size.', { type: 'object', properties: { size: { type: 'integer' } } }),
                '400': refused('At the bounds: "The size of memcache pool has been reached to maximum" / "minimum"; another change: "Parameter change can only be increase or decrease"; a failed resize (rolled back).'),
                '409': refused('Another resize is running (CP_ERR_POOL_BUSY).'),
                ...tokenRefusals,
            },
        },
    },
    '/api/manager/poolsize/config': {
        get: {
            tags,
            summary: 'Resize mode and auto-scaler parameters',
            responses: { '200': ok('The mode and parameters.', poolConfig) },
        },
    },
    '/api/manager/poolsize/automatic': {
        post: {
            tags,
            summary: 'Switch to automatic mode with these parameters',
            description: 'A missing field keeps its value; unknown fields (the original UI sends "change": "") are ignored.',
            requestBody: fields({
                max_miss_rate_threshold: numberOrString('0..1'),
                min_miss_rate_threshold: numberOrString('0..1, below the max'),
                expand_ratio: numberOrString('> 1'),
                shrink_ratio: numberOrString('between 0 and 1, exclusive'),
                min_requests: numberOrString('cachepool: GET requests per period below which it does not decide'),
            }),
            responses: {
                '200': ok('As poolsize/config.', poolConfig),
                '400': refused('A bad field, named; nothing changes.'),
                ...tokenRefusals,
            },
        },
    },
    '/api/manager/cache/config': {
        get: {
            tags,
            summary: 'The cache configuration of every node',
            responses: {
                '200': ok('Capacity in MB and the policy (under both names), and the policies the nodes support.', {
                    type: 'object',
                    properties: {
                        capacity: { type: 'integer' },
                        replacement_policy: { type: 'string' },
                        policy: { type: 'string' },
                        policies: { type: 'array', items: { type: 'string' } },
                    },
                }),
            },
        },
        post: {
            tags,
            summary: 'Apply a cache configuration to every node, and to nodes started later',
            requestBody: fields({
                capacity: numberOrString('MB, integer >= 0'),
                replacement_policy: { type: 'string' },
                policy: { type: 'string', description: 'The original name of replacement_policy.' },
            }),
            responses: {
                '200': ok('Applied.'),
                '400': refused('A bad field, named; nothing changes.'),
                ...tokenRefusals,
            },
        },
    },
    '/api/manager/cache/clear': {
        delete: {
            tags,
            summary: 'Empty every node',
            responses: { '200': ok('Cleared.'), ...tokenRefusals },
        },
    },
    '/api/manager/data/clear': {
        delete: {
            tags,
            summary: 'The original\'s "delete all data": cachepool holds no application data, so it empties every node',
            responses: { '200': ok('Cleared.'), ...tokenRefusals },
        },
    },
    '/api/manager/aggregate_stats': {
        get: {
            tags,
            summary: 'The pool over the last minutes, one point per minute',
            parameters: [
                {
                    name: 'minutes',
                    in: 'query',
                    required: false,
                    description: 'Without it: the original shape over 30 minutes. With it (1..10080): timestamped series over that many minutes.',
                    schema: { type: 'integer', minimum: 1, maximum: 10080 },
                },
            ],
            responses: {
                '200': ok('Without ?minutes: six flat lists of 30 numbers, oldest first, rates in percent, sizes in MB. With ?minutes: six lists of [minute start in ms, value], rates 0..1 (null without GETs), sizes in bytes.', {
                    oneOf: [
                        { type: 'object', properties: Object.fromEntries(statsNames.map((n) => [n, list])) },
                        { type: 'object', properties: Object.fromEntries(statsNames.map((n) => [n, timed])) },
                    ],
                }),
                '400': refused('A bad minutes.'),
            },
        },
    },
    '/api/manager/partitions': {
        get: {
            tags,
            summary: 'The partition table, for clients that route by themselves',
            responses: {
                '200': ok('Version, strategy, and the owner of each of the 16 partitions (plus, during a resize, what moves).', {
                    type: 'object',
                    properties: {
                        version: { type: 'integer' },
                        strategy: { enum: ['minimal', 'round-robin'] },
                        partitions: { type: 'array', items: { type: 'string' }, minItems: 16, maxItems: 16 },
                    },
                }),
            },
        },
    },
    '/api/manager/nodes': {
        get: {
            tags,
            summary: "Each member's figures (docs/internal-api.md)",
            responses: { '200': ok('The nodes.', { type: 'object' }) },
        },
    },
    '/api/manager/migration': {
        get: {
            tags,
            summary: 'The running migration, or the last one',
            responses: { '200': ok('The migration, or null.', { type: 'object' }) },
        },
    },
    '/api/manager/autoscaler': {
        get: {
            tags,
            summary: 'Mode, parameters and the last decisions',
            responses: { '200': ok('The auto-scaler.', { type: 'object' }) },
        },
    },
    '/api/manager/events': {
        get: {
            tags,
            summary: 'Resizes of the last minutes, for the charts',
            parameters: [
                { name: 'minutes', in: 'query', required: false, schema: { type: 'integer', minimum: 1 } },
            ],
            responses: { '200': ok('The events.', { type: 'object' }) },
        },
    },
    '/api/poolsize/change': {
        post: {
            tags,
            summary: 'Kept from the original: a node that finished its handoff asks to be removed',
            description: 'Sent by a node at the end of move_keys when the call named a manager (docs/http-api.md); the manager then stops that node.',
            requestBody: fields({ cache_ip: { type: 'string', description: 'host:port' } }, ['cache_ip']),
            responses: {
                '200': ok('Noted.'),
                '400': refused('No cache_ip.'),
                ...tokenRefusals,
            },
        },
    },
    '/api/manager/register': {
        post: {
            tags,
            summary: 'A node announces itself (at start, retried until accepted)',
            requestBody: fields({
                address: { type: 'string', description: 'host:port' },
                cache_index: numberOrString('the index it wants, integer >= 0, or null'),
            }, ['address']),
            responses: {
                '200': ok('The index, capacity (MB) and policy the node is to use.', {
                    type: 'object',
                    properties: {
                        cache_index: { type: 'integer' },
                        capacity: { type: 'integer' },
                        replacement_policy: { type: 'string' },
                        down_after_ms: { type: 'integer' },
                    },
                }),
                '400': refused('An address that is not "host:port", or a bad cache_index.'),
                ...tokenRefusals,
            },
        },
    },
    '/api/manager/stats': {
        post: {
            tags,
            summary: "A node's statistics snapshot (every --stats-interval seconds)",
            description: 'A NodeSnapshot (src/metrics/snapshot.ts); every field is checked (docs/http-api.md, Statistics publication).',
            requestBody: {
                required: true,
                content: { 'application/json': { schema: { type: 'object' } } },
            },
            responses: {
                '200': ok('Kept; rejoin is true for a node failed over while it was away.', {
                    type: 'object',
                    properties: { rejoin: { type: 'boolean' } },
                }),
                '400': refused('A field out of range, named; nothing of the snapshot is kept.'),
                ...tokenRefusals,
            },
        },
    },
    '/api/manager/leave': {
        post: {
            tags,
            summary: 'A node stopping on SIGTERM hands its keys off first (docs/internal-api.md)',
            requestBody: fields({ address: { type: 'string', description: 'host:port' } }, ['address']),
            responses: {
                '200': ok('Its keys are handed off and it is out of the pool.'),
                '400': refused('No address, not a member, the manager stopping, the last node of the pool (nowhere to hand off to), or a failed handoff (CP_ERR_POOL_RESIZE_FAILED).'),
                ...tokenRefusals,
            },
        },
    },
    '/api/manager/openapi.json': {
        get: {
            tags,
            summary: 'This document, from the manager',
            responses: { '200': { description: 'OpenAPI 3.1 JSON.' } },
        },
    },
};
/** The envelope of a refusal on the legacy and manager endpoints. */
export const legacyErrorSchema = {
    type: 'object',
    required: ['success', 'error'],
    properties: {
        success: { const: 'false' },
        error: {
            type: 'object',
            required: ['code', 'message'],
            properties: { code: { type: 'integer' }, message: { type: 'string' } },
        },
    },
};
//# sourceMappingURL=openapi-manager.js.map