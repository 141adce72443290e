/**
 * The key of a legacy request (`POST /api/cache/key`, `POST /api/cache/content`, `DELETE
 * /api/cache/key`) read exactly as a node reads it — the body's `key` field, else the query
 * string's — for the gateway, which routes by it and forwards the original bytes. A node's
 * routes read their fields through readFields and withQuery (the same functions underneath), so
 * the key routed is the key stored.
 */
import { errors } from '../errors.js';
import { emptyFields, encodingOf, fieldText, formValuesOf, jsonFieldsOf, parseJsonBody, withQuery, } from './legacy-body.js';
import { readMultipart } from './multipart.js';
const KEY = ['key'];
/**
 * The body's fields as far as the key goes: a record holding `key` if the body has one. Throws
 * (or rejects, for multipart) the RequestError a node's body parser or readFields throws.
 */
function keyFieldsOf(contentType, body, limits) {
    const encoding = encodingOf(contentType);
    if (encoding === undefined) {
        // No content type: no body is no fields; a body of unknown kind is refused.
        if (body === undefined || body.length === 0)
            return emptyFields();
        throw errors.unsupportedMedia('');
    }
    const bytes = body ?? Buffer.alloc(0);
    switch (encoding) {
        case 'form': {
            const fields = emptyFields();
            const [key] = formValuesOf(bytes, KEY);
            if (key !== undefined)
                fields.key = key;
            return fields;
        }
        case 'json':
            return jsonFieldsOf(parseJsonBody(bytes));
        case 'multipart':
            return readMultipart(contentType, bytes, limits);
        default:
            throw errors.unsupportedMedia(contentType);
    }
}
/**
 * The key of a legacy request with `contentType`, `body` (undefined: none) and `url` (its query
 * string is read when the body has no key field), as text; undefined when there is none. Throws
 * or rejects with the RequestError a node answers for the same request before it looks the key
 * up (unreadable body, unsupported content type, a key that is not well-formed Unicode).
 */
export function legacyKeyOf(contentType, body, url, limits) {
    const fields = keyFieldsOf(contentType, body, limits);
    if (fields instanceof Promise)
        return fields.then((read) => fieldText(withQuery(read, url), 'key'));
    return fieldText(withQuery(fields, url), 'key');
}
//# sourceMappingURL=legacy-key.js.map