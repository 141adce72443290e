import { errors } from '../errors.js';
import { checkText, registerRawParsers } from '../http/index.js';
import { rawEntry, valueOf } from './entry.js';
import { etagOf, ifMatchHolds } from './etag.js';
import { openapi } from './openapi.js';
import { routedByOf } from './routed-by.js';
import { ttlOfV1 } from './ttl.js';
const DEFAULT_TYPE = 'application/octet-stream';
function keyOf(node, request) {
    const key = request.params['*'];
    // The router refuses a URL that is not UTF-8; the text rule is checked here as for legacy keys.
    return node.checkKey(key === undefined ? undefined : checkText(key, 'key'));
}
/** Registers /v1 in its own scope (raw body parsers); `dataGuard` protects the key routes. */
export async function registerV1Routes(app, node, dataGuard) {
    const data = { onRequest: dataGuard };
    await app.register(async (scope) => {
        registerRawParsers(scope);
        scope.get('/v1/openapi.json', (_request, reply) => {
            reply.header('content-type', 'application/json; charset=utf-8').send(openapi);
        });
        scope.get('/v1/keys/*', { exposeHeadRoute: false, ...data }, (request, reply) => {
            const entry = node.get(keyOf(node, request), routedByOf(request));
            if (entry === undefined)
                throw errors.unknownKey();
            reply.header('content-type', entry.type).header('etag', etagOf(entry)).send(valueOf(entry));
        });
        scope.head('/v1/keys/*', data, (request, reply) => {
            const key = keyOf(node, request);
            const entry = node.serves('read', key, routedByOf(request))
                ? node.store.peek(key)
                : undefined;
            if (entry === undefined) {
                reply.code(404).send();
                return;
            }
            reply
                .header('content-type', entry.type)
                .header('content-length', entry.valueBytes)
                .header('etag', etagOf(entry))
                .send();
        });
        scope.put('/v1/keys/*', data, (request, reply) => {
            const key = keyOf(node, request);
            const body = request.body;
            if (!Buffer.isBuffer(body) || body.length === 0)
                throw errors.missingValue();
            node.checkValueBytes(body.length);
            const type = request.headers['content-type'] ?? DEFAULT_TYPE;
            const expiresAtMs = node.deadlineAfter(ttlOfV1(request.query, request.headers['cache-control']));
            const routedBy = routedByOf(request);
            // Not the owner: 421 before any precondition is looked at.
            node.serves('write', key, routedBy);
            checkPrecondition(request, node.store.peek(key));
            const outcome = node.put(key, rawEntry(body, type), expiresAtMs, routedBy);
            if (outcome.kind === 'rejected')
                throw errors.valueTooLarge(outcome.entryBytes, outcome.capacityBytes);
            reply.code(outcome.kind === 'added' ? 201 : 204).send();
        });
        scope.delete('/v1/keys/*', data, (request, reply) => {
            node.invalidate(keyOf(node, request), routedByOf(request));
            reply.code(204).send();
        });
    });
}
/**
 * Throws 412 when the PUT's precondition does not hold for the entry the key holds now:
 * `If-None-Match: *` needs no entry, `If-Match` needs an entry whose tag it lists (or `*`).
 * Other `If-None-Match` values are refused: a tag list there means nothing for a write.
 */
function checkPrecondition(request, current) {
    const noneMatch = request.headers['if-none-match'];
    const match = request.headers['if-match'];
    if (noneMatch !== undefined) {
        if (noneMatch.trim() !== '*')
            throw errors.invalid(`If-None-Match on a PUT must be "*", got ${JSON.stringify(noneMatch)}`);
        if (current !== undefined)
            throw errors.preconditionFailed('the key already exists (If-None-Match: *)');
    }
    if (match !== undefined && !ifMatchHolds(match, current)) {
        throw errors.preconditionFailed(current === undefined
            ? 'the key does not exist (If-Match)'
            : 'the value changed since the ETag was read (If-Match)');
    }
}
//# sourceMappingURL=routes-v1.js.map