import { defaults } from '../defaults.js';
import { errors } from '../errors.js';
import { NOT_TEXT, encodingOf, fieldText, formFieldsOf, jsonFieldsOf, parseJsonBody, } from './legacy-body.js';
import { readMultipart } from './multipart.js';
export { fieldText };
/** Content type of a batch of records sent to `/internal/import` (docs/internal-api.md). */
export const BATCH_CONTENT_TYPE = 'application/x-cachepool-batch';
/**
 * Registers the legacy body parser on `app` (root scope), for every content type: a form,
 * JSON or multipart body (encodingOf) becomes its fields (a JSON body its value; blank: no
 * body); a JSON body that does not parse, or a multipart body that cannot be read or has more
 * parts than `limits` allow (default defaults.multipart), is a 400 and closes the connection
 * (as Fastify does after any parser error). Any other body is kept as a Buffer: raw for the
 * routes that want bytes (batch imports), refused by readFields as an unsupported content type.
 */
export async function registerLegacyParsers(app, _bodyLimitBytes, limits = defaults.multipart) {
    const multipartLimits = {
        ...limits,
        maxFiles: Math.min(defaults.multipart.maxFiles, limits.maxParts),
    };
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, raw, done) => {
        const body = raw;
        const type = request.headers['content-type'];
        try {
            switch (encodingOf(type)) {
                case 'form':
                    return done(null, formFieldsOf(body));
                case 'json':
                    return done(null, parseJsonBody(body));
                case 'multipart':
                    readMultipart(type, body, multipartLimits).then((fields) => done(null, fields), (error) => done(error));
                    return;
                default:
                    return done(null, body);
            }
        }
        catch (error) {
            done(error);
        }
    });
}
/**
 * Makes `scope` (an encapsulated plugin context) read every body as raw bytes, whatever its
 * content type: for /v1 values, whose JSON or form bodies are values, not fields.
 */
export function registerRawParsers(scope) {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
        done(null, body);
    });
}
/**
 * The request's fields as one record, whatever the encoding (see legacy-body.ts for how each is
 * read). No body gives no fields. A body of another content type (text/plain too) is a 400/415
 * `unsupported content type`; a JSON body that is not an object of fields a 400.
 */
export function readFields(request) {
    const body = request.body;
    if (Buffer.isBuffer(body))
        throw errors.unsupportedMedia(String(request.headers['content-type'] ?? ''));
    return jsonFieldsOf(body);
}
/**
 * A field as an integer >= `min`, accepting numbers and decimal strings (`"100"`); undefined when
 * the field is absent; a RequestError naming the field, the rule and the value otherwise.
 */
export function fieldInteger(fields, name, min = 0) {
    if (!Object.hasOwn(fields, name))
        return undefined;
    const value = fields[name];
    if (value === undefined || value === null || value === '')
        return undefined;
    if (value === NOT_TEXT)
        throw errors.notUnicode(name);
    if (typeof value === 'number' && !Number.isFinite(value))
        throw errors.numberOutOfRange(name);
    const number = typeof value === 'number'
        ? value
        : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)
            ? Number(value)
            : NaN;
    if (!Number.isSafeInteger(number) || number < min) {
        throw errors.invalid(`${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
    }
    return number;
}
//# sourceMappingURL=body.js.map