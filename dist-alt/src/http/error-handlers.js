import { CachePoolError, errors } from '../errors.js';
import { sendLegacyError, sendV1Error } from './envelope.js';
const defaultIsV1 = (url) => url === '/v1' || url.startsWith('/v1/');
/**
 * Installs the handlers on `app`. Call it before registering routes: it records every route's
 * path (through an onRoute hook) to tell a 405 from a 404.
 */
export function installErrorHandlers(app, options) {
    const isV1 = options.isV1 ?? defaultIsV1;
    const routes = [];
    const byPath = new Map();
    app.addHook('onRoute', (route) => {
        const methods = Array.isArray(route.method) ? route.method : [route.method];
        let known = byPath.get(route.url);
        if (!known) {
            known = new Set();
            byPath.set(route.url, known);
            routes.push({ pattern: patternOf(route.url), methods: known });
        }
        for (const method of methods)
            known.add(method.toUpperCase());
    });
    const send = (request, reply, error) => isV1(request.url) ? sendV1Error(reply, error) : sendLegacyError(reply, error);
    app.setNotFoundHandler((request, reply) => {
        const path = pathOf(request.url);
        const allowed = routes.some((route) => route.pattern.test(path));
        const error = allowed
            ? errors.methodNotAllowed(request.method, path)
            : errors.notFound(request.method, path);
        return send(request, reply, error);
    });
    app.setErrorHandler((error, request, reply) => {
        const known = toCachePoolError(error, options.bodyLimitBytes, String(request.headers['content-type'] ?? ''));
        if (!known) {
            request.log.error({ err: error, method: request.method, url: pathOf(request.url) }, 'internal error');
            return send(request, reply, errors.internal());
        }
        return send(request, reply, known);
    });
}
/**
 * Fastify's `frameworkErrors` option: errors raised before routing (a URL that is not valid
 * percent-encoding, a path segment over the router's length limit) in the API's shape.
 */
export function frameworkErrorHandler(isV1 = defaultIsV1) {
    return (error, request, reply) => {
        const known = error.code === 'FST_ERR_MAX_PARAM_LENGTH'
            ? errors.invalid('the path is too long (keys are limited in length, see docs/http-api.md)')
            : errors.invalid('the URL is not valid (bad percent-encoding, or percent-encoded bytes that are not UTF-8)');
        const url = request.raw.url ?? '';
        if (isV1(url))
            sendV1Error(reply, known);
        else
            sendLegacyError(reply, known);
    };
}
/** Maps an error to a catalogue error; undefined for an internal fault. */
export function toCachePoolError(error, bodyLimitBytes, contentType = '') {
    if (error instanceof CachePoolError)
        return error;
    const fastifyError = error;
    const code = fastifyError?.code ?? '';
    const status = fastifyError?.statusCode ?? 0;
    switch (code) {
        case 'FST_ERR_CTP_BODY_TOO_LARGE':
        case 'FST_REQ_FILE_TOO_LARGE':
            return errors.bodyTooLarge(bodyLimitBytes);
        case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        case 'FST_ERR_CTP_INVALID_TYPE':
        case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
            return errors.unsupportedMedia(contentType);
        case 'ERR_STREAM_PREMATURE_CLOSE':
            // The request stream ended inside a multipart file part (a cut body): busboy's file
            // stream reports it as a premature close, which carries no 4xx status of its own.
            return errors.malformedBody('the multipart body ended inside a part');
        case 'FST_PARTS_LIMIT':
        case 'FST_FILES_LIMIT':
        case 'FST_FIELDS_LIMIT':
            return errors.malformedBody('too many multipart parts (the limits are --max-fields and --max-parts)');
    }
    // Fastify and busboy mark the client's mistakes with a 4xx: malformed JSON, a truncated
    // multipart body, a bad content-length. Their messages describe the input, not our internals.
    if (status >= 400 && status < 500)
        return errors.malformedBody(String(fastifyError?.message ?? 'unreadable'));
    if (error instanceof Error &&
        /Unexpected end of (form|multipart)|Malformed part header|Multipart: Boundary not found/i.test(error.message)) {
        return errors.malformedBody(error.message);
    }
    return undefined;
}
function pathOf(url) {
    const query = url.indexOf('?');
    return query === -1 ? url : url.slice(0, query);
}
/** A route path (`/v1/keys/:key`, `/files/*`) as an anchored regular expression. */
function patternOf(routePath) {
    const source = routePath
        .split('/')
        .map((segment) => {
        if (segment === '*')
            return '.*';
        if (segment.startsWith(':'))
            return '[^/]+';
        return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
        .join('/');
    return new RegExp(`^${source}/?$`);
}
//# sourceMappingURL=error-handlers.js.map