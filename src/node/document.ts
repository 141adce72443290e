/**
 * The head of a node's OpenAPI document (served at `GET /v1/openapi.json`); its paths come from
 * the schemas the node's routes declare (src/wire/node.ts).
 */
import type { OpenapiHead } from '../http/index.js';

/** Title, description and tags of the node's document. */
export const nodeDocument: OpenapiHead = {
  title: 'cachepool node',
  description:
    'One cache node. /v1: raw bytes per key, values keep their Content-Type, proper statuses and ' +
    '{"error": {"code", "status", "message"}} errors. legacy: the original API in its envelope ' +
    '{"success": "true", "content": ...} / {"success": "false", "error": {"code", "message"}}; bodies with ' +
    'fields may be JSON, form-urlencoded or multipart, numbers possibly as strings. ' +
    'An entry costs the UTF-8 bytes of its key plus the bytes of its value against the capacity. ' +
    'When a pool token is set, control and internal endpoints need Authorization: Bearer <token>; key ' +
    'endpoints need it only when the node runs with --protect-data (then: 401 without it, 403 with a wrong one).',
  tags: [
    { name: 'v1', description: 'Raw bytes per key.' },
    { name: 'legacy', description: 'The original API (SPEC §2), in the envelope.' },
    { name: 'internal', description: 'Called by the manager and other nodes during resizes.' },
    { name: 'observability', description: 'Liveness and Prometheus figures.' },
  ],
};
