/**
 * The OpenAPI 3.1 document: the node's /v1 API and the manager's endpoints (openapi-manager.ts),
 * served by nodes and the gateway at `GET /v1/openapi.json` and by the manager at
 * `GET /api/manager/openapi.json`. docs/openapi.json is written from it
 * (`node scripts/write-openapi.mjs` after a build) and kept equal to it by a test.
 */
import { legacyErrorSchema, managerPaths } from './openapi-manager.js';
const errorResponse = (description) => ({
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});
/** Answers every key operation may give when the node runs with --protect-data. */
const tokenResponses = {
    '401': errorResponse('With --protect-data: no token (CP_ERR_AUTH_REQUIRED).'),
    '403': errorResponse('With --protect-data: a wrong token (CP_ERR_AUTH_FORBIDDEN).'),
};
const keyParameter = {
    name: 'key',
    in: 'path',
    required: true,
    description: 'The key (percent-encoded; may contain "/"). 1 to maxKeyBytes (default 1024) UTF-8 bytes.',
    schema: { type: 'string', minLength: 1 },
};
// ---- Batches, TTL and conditional writes (docs/client.md), kept in one block to ease merges ----
const ttlParameter = {
    name: 'ttl',
    in: 'query',
    required: false,
    description: 'Time to live in whole seconds, 1 to 31536000 (365 days); absent: never expires. Cache-Control: max-age=S says the same (?ttl= wins). Anything else is a 400 that stores nothing.',
    schema: { type: 'integer', minimum: 1, maximum: 31536000 },
};
/** What a /v1 PUT adds to the plain write: a TTL and the conditional headers. */
const putExtensions = {
    parameters: [
        ttlParameter,
        {
            name: 'If-None-Match',
            in: 'header',
            required: false,
            description: '"*": store only when the key is absent (no other value is accepted here).',
            schema: { type: 'string', const: '*' },
        },
        {
            name: 'If-Match',
            in: 'header',
            required: false,
            description: 'Store only when the current value has one of these ETags (as a GET answered them), or with "*" when the key exists: compare-and-set.',
            schema: { type: 'string' },
        },
    ],
    responses: {
        '412': errorResponse('The If-None-Match or If-Match condition does not hold (CP_ERR_PRECONDITION_FAILED); nothing is written.'),
    },
};
/** The ETag header of a GET or HEAD hit. */
const etagHeader = {
    ETag: {
        description: 'A strong tag of the value and its Content-Type, for If-Match.',
        schema: { type: 'string' },
    },
};
const batchBody = {
    'application/x-cachepool-batch': {
        schema: {
            type: 'string',
            format: 'binary',
            description: 'Records one after the other: u32be keyLength, key (UTF-8), u32be typeLength, type (UTF-8), u32be valueLength, value.',
        },
    },
};
const batchPaths = {
    '/v1/batch/get': {
        post: {
            summary: 'Read many keys in one request',
            description: 'Each key counts as a GET. At most 1000 keys. The answer holds one record per key, in order; a miss is a record with an empty type and an empty value.',
            requestBody: {
                required: true,
                content: {
                    'application/json': {
                        schema: {
                            type: 'object',
                            required: ['keys'],
                            properties: {
                                keys: { type: 'array', maxItems: 1000, items: { type: 'string', minLength: 1 } },
                            },
                        },
                    },
                },
            },
            responses: {
                '200': { description: 'One record per key.', content: batchBody },
                '400': errorResponse('Not {"keys": [strings]}, more than 1000 keys, an empty or too long key.'),
                ...tokenResponses,
            },
        },
    },
    '/v1/batch/put': {
        post: {
            summary: 'Store many values in one request',
            description: 'Every record is checked before any is stored. At most 1000 records; a record of an empty type is stored as application/octet-stream.',
            parameters: [ttlParameter],
            requestBody: { required: true, content: batchBody },
            responses: {
                '200': {
                    description: 'Every record was stored.',
                    content: {
                        'application/json': {
                            schema: {
                                type: 'object',
                                required: ['stored'],
                                properties: { stored: { type: 'integer' } },
                            },
                        },
                    },
                },
                '400': errorResponse('A cut record (CP_ERR_REQUEST_BODY_MALFORMED), more than 1000 records, an empty key or value, a bad TTL.'),
                '413': errorResponse('A value or the body over its limit; nothing is stored.'),
                '415': errorResponse('Not application/x-cachepool-batch.'),
                ...tokenResponses,
            },
        },
    },
};
// ---- end of the batches, TTL and conditional writes block ----
/** The document. */
export const openapi = {
    openapi: '3.1.0',
    info: {
        title: 'cachepool',
        version: '1.0.0',
        description: 'Raw-bytes access to one cache node (or, through the gateway, to the pool). Values keep their Content-Type. ' +
            'An entry costs the UTF-8 bytes of its key plus the bytes of its value against the capacity. ' +
            'When a pool token is set, control endpoints need Authorization: Bearer <token>; /v1 key endpoints need it only ' +
            'when the node runs with --protect-data (then: 401 without it, 403 with a wrong one). ' +
            'Paths tagged manager are served by the manager (cachepool start: port 5004), in the legacy envelope.',
    },
    tags: [
        { name: 'v1', description: 'Nodes and the gateway: raw bytes per key.' },
        { name: 'manager', description: 'The manager: pool size, modes, configuration, statistics.' },
    ],
    security: [{}, { bearerToken: [] }],
    paths: {
        '/v1/keys/{key}': {
            parameters: [keyParameter],
            get: {
                summary: 'Read a value',
                description: 'Counts one request, one GET, and a hit or a miss; a hit refreshes recency.',
                responses: {
                    '200': {
                        description: 'The value, with the Content-Type it was stored with.',
                        headers: etagHeader,
                        content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
                    },
                    '400': errorResponse('Empty or too long key (CP_ERR_REQUEST_MISSING_KEY, CP_ERR_KEY_TOO_LONG).'),
                    '404': errorResponse('No such key (CP_ERR_KEY_UNKNOWN).'),
                    ...tokenResponses,
                },
            },
            head: {
                summary: 'Whether a key is present, with its Content-Type and Content-Length',
                description: 'Does not count as a GET and does not refresh recency.',
                responses: {
                    '200': { description: 'Present.', headers: etagHeader },
                    '404': { description: 'Absent.' },
                    ...tokenResponses,
                },
            },
            put: {
                summary: 'Store a value',
                description: 'The body is the value (1 byte or more, up to --max-value-bytes, default the body limit of 32 MB); its Content-Type is kept (default application/octet-stream). ' +
                    'Evicts by the replacement policy until the entry fits.',
                parameters: putExtensions.parameters,
                requestBody: {
                    required: true,
                    content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
                },
                responses: {
                    ...putExtensions.responses,
                    '201': { description: 'Stored; the key was new.' },
                    '204': { description: 'Stored; an older value was replaced.' },
                    '400': errorResponse('Empty value, empty or too long key.'),
                    '413': errorResponse('Larger than the whole capacity or than --max-value-bytes (CP_ERR_VALUE_TOO_LARGE; nothing evicted, an older value stays) or than the body limit (CP_ERR_REQUEST_BODY_TOO_LARGE).'),
                    ...tokenResponses,
                },
            },
            delete: {
                summary: 'Invalidate a key',
                responses: {
                    '204': { description: 'The key is absent now (whether or not it was present).' },
                    '400': errorResponse('Empty or too long key.'),
                    ...tokenResponses,
                },
            },
        },
        ...batchPaths,
        '/v1/openapi.json': {
            get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1 JSON.' } } },
        },
        ...managerPaths,
    },
    components: {
        securitySchemes: {
            bearerToken: {
                type: 'http',
                scheme: 'bearer',
                description: 'The pool token; needed on /v1 keys only with --protect-data.',
            },
        },
        schemas: {
            LegacyError: legacyErrorSchema,
            Error: {
                type: 'object',
                required: ['error'],
                properties: {
                    error: {
                        type: 'object',
                        required: ['code', 'status', 'message'],
                        properties: {
                            code: {
                                type: 'string',
                                description: 'A stable code of the catalogue (docs/errors.md), e.g. CP_ERR_KEY_UNKNOWN.',
                            },
                            status: { type: 'integer', description: 'The HTTP status, repeated.' },
                            message: { type: 'string' },
                        },
                    },
                },
            },
        },
    },
};
//# sourceMappingURL=openapi.js.map