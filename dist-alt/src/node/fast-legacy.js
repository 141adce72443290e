import { errors } from '../errors.js';
import { bearerAuthorized, encodingOf, failure, legacyStatus, success, textFieldsOf, toCachePoolError, } from '../http/index.js';
import { routedByOf } from './routed-by.js';
import { legacyAnswer } from './entry.js';
import { parseTtl } from './ttl.js';
const JSON_TYPE = 'application/json; charset=utf-8';
/** The routes taken, by path (method POST), and the fields each reads. */
const ROUTES = {
    '/api/cache/key': ['key'],
    '/api/cache/content': ['key', 'value', 'ttl'],
};
/** The empty success answer of a put, as sendSuccess sends it. */
const PUT_DONE = Buffer.from(JSON.stringify(success('')), 'utf8');
/** Builds the pre-router (see the module header). */
export function createFastLegacy(options) {
    const { bodyLimitBytes, token } = options;
    return (request, response) => {
        const path = request.url;
        if (request.method !== 'POST' || (path !== '/api/cache/key' && path !== '/api/cache/content'))
            return false;
        const headers = request.headers;
        if (headers['transfer-encoding'] !== undefined)
            return false;
        const encoding = encodingOf(headers['content-type']);
        if (encoding !== 'form' && encoding !== 'json')
            return false;
        if (token !== undefined && !bearerAuthorized(token, headers.authorization))
            return false;
        const length = Number(headers['content-length']);
        if (!(length > 0 && length <= bodyLimitBytes))
            return false;
        readBody(request, length, (body) => answer(options, path, encoding, headers, body, response));
        return true;
    };
}
/**
 * Reads exactly `length` bytes, then calls `done`: one chunk is kept as it is, several are joined
 * at the end. Nothing is allocated ahead of the bytes that arrived (as Fastify's reader), so a
 * client announcing a large body and sending little costs only what it sent.
 */
function readBody(request, length, done) {
    const chunks = [];
    let received = 0;
    // A client that goes away mid-body gets no answer: nothing was read, nothing counted.
    request.on('error', ignore);
    request.on('data', (chunk) => {
        received += chunk.length;
        if (received > length)
            return void request.destroy(); // the HTTP parser never does this
        chunks.push(chunk);
    });
    request.on('end', () => {
        if (received !== length || chunks.length === 0)
            return void request.destroy();
        done(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length));
    });
}
function ignore() { }
/** What the Fastify route and its error handler do with the body, answered on the raw response. */
function answer(options, path, encoding, headers, body, response) {
    const { node } = options;
    const contentType = headers['content-type'];
    // As Fastify after a body its parser refused: the answer closes the connection.
    let parseFailed = false;
    try {
        const fields = textFieldsOf(encoding, body, ROUTES[path], () => {
            parseFailed = true;
        });
        const key = node.checkKey(fields.text(0));
        // A router that says its routing version (a standalone gateway) is checked against the
        // node's partitions, as on the Fastify route.
        const routedBy = routedByOf({ headers });
        if (path === '/api/cache/content') {
            const ttlS = parseTtl('ttl', fields.text(2));
            node.putText(key, fields.text(1), node.deadlineAfter(ttlS), routedBy);
            send(response, 200, PUT_DONE);
            return;
        }
        const entry = node.get(key, routedBy);
        if (entry === undefined)
            throw errors.unknownKey();
        send(response, 200, legacyAnswer(entry));
    }
    catch (error) {
        let known = toCachePoolError(error, options.bodyLimitBytes, contentType);
        if (known === undefined) {
            options.logger?.error({ err: error, method: 'POST', url: path }, 'internal error');
            known = errors.internal();
        }
        const status = legacyStatus(known);
        if (parseFailed)
            response.setHeader('connection', 'close');
        for (const [name, value] of Object.entries(known.headers))
            response.setHeader(name, value);
        send(response, status, JSON.stringify(failure(status, known.message)));
    }
}
function send(response, status, body) {
    if (response.destroyed)
        return;
    response.writeHead(status, {
        'content-type': JSON_TYPE,
        'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
    });
    response.end(body);
}
//# sourceMappingURL=fast-legacy.js.map