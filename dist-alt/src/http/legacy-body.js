/**
 * The one reader of legacy request bodies (SPEC §1), shared by the node's Fastify parsers, the
 * node's pre-router (src/node/fast-legacy.ts) and the gateway (src/pool/fast-path.ts, its Fastify
 * routes): which content types are read, how a form or JSON body becomes fields, and which text
 * a field may hold. Whatever reads a legacy body calls these functions, so the gateway routes by
 * exactly the key the node stores. Multipart bodies are read by multipart.ts with the same text
 * rule. docs/http-api.md ("Reading rules") states the rules in prose.
 *
 * What it does not own: the body limit (Fastify's, and the pre-routers' checks of the announced
 * length), the key's length and emptiness (CacheNode.checkKey), the order of a route's checks.
 */
import { isUtf8 } from 'node:buffer';
import secureJson from 'secure-json-parse';
import { errors } from '../errors.js';
/**
 * The value of a field whose bytes are not UTF-8. Kept (not thrown at once) so that a bad field
 * that no route reads changes nothing, on every path alike: fieldText refuses it when read.
 */
export const NOT_TEXT = Symbol('not UTF-8 text');
/**
 * The encoding of a content type, or 'unsupported'; undefined when there is none. The media type
 * is compared case-insensitively; parameters are ignored except `charset`, which must be absent
 * or UTF-8 (`utf-8`, `utf8`, any case, quoted or not): a body in another charset would be read as
 * other text than the client meant, so it is refused rather than guessed.
 */
export function encodingOf(contentType) {
    if (contentType === undefined)
        return undefined;
    const semicolon = contentType.indexOf(';');
    const media = (semicolon === -1 ? contentType : contentType.slice(0, semicolon))
        .trim()
        .toLowerCase();
    const encoding = media === 'application/x-www-form-urlencoded'
        ? 'form'
        : media === 'application/json'
            ? 'json'
            : media === 'multipart/form-data'
                ? 'multipart'
                : undefined;
    if (encoding === undefined)
        return 'unsupported';
    if (semicolon !== -1 && !utf8Charset(contentType.slice(semicolon + 1)))
        return 'unsupported';
    return encoding;
}
/** True when the parameters (`a=b; charset=utf-8`) name no charset or UTF-8. */
function utf8Charset(parameters) {
    for (const parameter of parameters.split(';')) {
        const equals = parameter.indexOf('=');
        if (equals === -1)
            continue;
        if (parameter.slice(0, equals).trim().toLowerCase() !== 'charset')
            continue;
        const value = parameter
            .slice(equals + 1)
            .trim()
            .replace(/^"(.*)"$/, '$1')
            .toLowerCase();
        if (value !== 'utf-8' && value !== 'utf8')
            return false;
    }
    return true;
}
/** A new empty record of fields. */
export function emptyFields() {
    return Object.create(null);
}
/**
 * Every field of a form body (`application/x-www-form-urlencoded`, or a query string), as the
 * WHATWG form parser reads it but strict about UTF-8: fields split at `&`, the name at the first
 * `=` (a name alone has the value ""), `+` is a space, `%XX` with two hex digits is a byte and any
 * other `%` is itself, then the bytes are decoded as UTF-8. Names are decoded like values
 * (`k%65y` is `key`). A repeated name keeps its first value. A value that is not UTF-8 reads as
 * NOT_TEXT; a field whose name is not UTF-8 is ignored (it can match no name).
 */
export function formFieldsOf(body) {
    const fields = emptyFields();
    forEachFormField(body, (name, start, end) => {
        if (!Object.hasOwn(fields, name))
            fields[name] = decodeComponent(body, start, end);
        return true;
    });
    return fields;
}
/**
 * The first value of each field `names` of a form body, read as formFieldsOf reads it, without
 * turning the other values into text (a hot path: a put's value is decoded once, the others
 * never). Undefined for a field that is absent.
 */
export function formValuesOf(body, names) {
    const values = names.map(() => undefined);
    let missing = names.length;
    forEachFormField(body, (name, start, end) => {
        const at = names.indexOf(name);
        if (at !== -1 && values[at] === undefined) {
            values[at] = decodeComponent(body, start, end);
            missing--;
        }
        return missing > 0;
    });
    return values;
}
/**
 * Calls `visit(name, valueStart, valueEnd)` for each field of a form body, in order, until it
 * returns false. Fields whose name is not UTF-8 are skipped; an empty segment (`a=1&&b=2`) too.
 */
function forEachFormField(body, visit) {
    let start = 0;
    // The next `=` at or after `start` (body.length: none): searched again only once passed, so
    // that a body of many fields without `=` is read in linear time.
    let nextEquals = -1;
    while (start < body.length) {
        let end = body.indexOf(0x26 /* & */, start);
        if (end === -1)
            end = body.length;
        if (end > start) {
            if (nextEquals < start) {
                nextEquals = body.indexOf(0x3d /* = */, start);
                if (nextEquals === -1)
                    nextEquals = body.length;
            }
            const equals = nextEquals < end ? nextEquals : end;
            const name = decodeComponent(body, start, equals);
            if (name !== NOT_TEXT && !visit(name, equals === end ? end : equals + 1, end))
                return;
        }
        start = end + 1;
    }
}
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** One form component (bytes `start`..`end` of `body`) as text, or NOT_TEXT (see formFieldsOf). */
function decodeComponent(body, start, end) {
    const raw = body.subarray(start, end);
    const percent = raw.indexOf(0x25 /* % */);
    if (isUtf8(raw)) {
        const text = raw.toString('utf8');
        const spaced = text.includes('+') ? text.replaceAll('+', ' ') : text;
        if (percent === -1)
            return spaced;
        // The native decoder gives the same text whenever it accepts the input (every escape a
        // valid %XX and each escaped sequence whole UTF-8); anything else is decoded byte by byte.
        try {
            return decodeURIComponent(spaced);
        }
        catch {
            // fall through
        }
    }
    const bytes = Buffer.allocUnsafe(raw.length);
    let length = 0;
    for (let i = 0; i < raw.length; i++) {
        const byte = raw[i];
        if (byte === 0x2b /* + */) {
            bytes[length++] = 0x20;
        }
        else if (byte === 0x25 && i + 2 < raw.length && isHex(raw[i + 1]) && isHex(raw[i + 2])) {
            bytes[length++] = (hexValue(raw[i + 1]) << 4) | hexValue(raw[i + 2]);
            i += 2;
        }
        else {
            bytes[length++] = byte;
        }
    }
    try {
        return strictUtf8.decode(bytes.subarray(0, length));
    }
    catch {
        return NOT_TEXT;
    }
}
function isHex(byte) {
    return ((byte >= 0x30 && byte <= 0x39) ||
        (byte >= 0x41 && byte <= 0x46) ||
        (byte >= 0x61 && byte <= 0x66));
}
function hexValue(byte) {
    return byte <= 0x39 ? byte - 0x30 : (byte | 0x20) - 0x57;
}
/**
 * A JSON body as a value: UTF-8 only (other bytes: 400), a leading byte-order mark skipped (as
 * Windows tools write it), a blank body is undefined (no fields), `__proto__` and `constructor`
 * keys refused. Throws a RequestError for anything that is not JSON; this is the parsing step,
 * which Fastify answers by closing the connection (the pre-routers do the same).
 */
export function parseJsonBody(body) {
    if (!isUtf8(body))
        throw errors.malformedBody('the JSON body is not UTF-8');
    const text = body.toString('utf8');
    if (text.trim() === '' || (text.charCodeAt(0) === 0xfeff && text.slice(1).trim() === ''))
        return undefined;
    try {
        return secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
    }
    catch (error) {
        throw errors.malformedBody(error instanceof SyntaxError ? `invalid JSON (${error.message})` : 'invalid JSON');
    }
}
/**
 * The fields of a parsed JSON body: an object's own members; null or a blank body is no fields;
 * any other value (an array, a string, a number) is a 400 `expected an object of fields`.
 */
export function jsonFieldsOf(parsed) {
    if (parsed === undefined || parsed === null)
        return emptyFields();
    if (typeof parsed !== 'object' || Array.isArray(parsed))
        throw errors.malformedBody('expected an object of fields');
    return parsed;
}
/**
 * `text` when it is well-formed Unicode (no lone UTF-16 surrogate), else a 400 naming `field`.
 * The one rule for every key and text value that enters a node (legacy fields, /v1 keys), so
 * that nothing stored can change when it is encoded as UTF-8 to move.
 */
export function checkText(text, field) {
    if (!text.isWellFormed())
        throw errors.notUnicode(field);
    return text;
}
/**
 * The bytes of a multipart part as text, or NOT_TEXT when they are not UTF-8 (see formFieldsOf).
 */
export function bytesText(bytes) {
    return isUtf8(bytes) ? bytes.toString('utf8') : NOT_TEXT;
}
/**
 * A field as text: strings as they are (checked by checkText), numbers and booleans in their JSON
 * form (a number out of range, `1e400`, is a 400 rather than "Infinity"); anything else
 * (missing, null, objects, arrays) is undefined. A form or multipart field that is not UTF-8 is
 * a 400 naming the field.
 */
export function fieldText(fields, name) {
    const value = Object.hasOwn(fields, name) ? fields[name] : undefined;
    if (typeof value === 'string')
        return checkText(value, name);
    if (typeof value === 'number') {
        if (!Number.isFinite(value))
            throw errors.numberOutOfRange(name);
        return String(value);
    }
    if (typeof value === 'boolean')
        return String(value);
    if (value === NOT_TEXT)
        throw errors.notUnicode(name);
    return undefined;
}
/**
 * The fields `names` of a form or JSON body, read as the Fastify path reads them: what both
 * pre-routers call. The JSON parsing step throws at once (see parseJsonBody; `parseFailed` is
 * called before its error is thrown), then the shape of the body; each field is refused only
 * when it is read, so that a route checks its fields in its own order (the key first).
 */
export function textFieldsOf(encoding, body, names, parseFailed) {
    if (encoding === 'form') {
        const values = formValuesOf(body, names);
        return {
            text: (index) => {
                const value = values[index];
                if (value === NOT_TEXT)
                    throw errors.notUnicode(names[index]);
                return value === undefined ? undefined : checkText(value, names[index]);
            },
        };
    }
    let parsed;
    try {
        parsed = parseJsonBody(body);
    }
    catch (error) {
        parseFailed?.();
        throw error;
    }
    const fields = jsonFieldsOf(parsed);
    return { text: (index) => fieldText(fields, names[index]) };
}
/**
 * The query string of `url` as form fields (`?key=x` on a `DELETE` without a body), read by the
 * same rule as a form body; no query gives no fields.
 */
export function queryFieldsOf(url) {
    const question = url === undefined ? -1 : url.indexOf('?');
    if (question === -1)
        return emptyFields();
    return formFieldsOf(Buffer.from(url.slice(question + 1), 'latin1'));
}
/**
 * The fields of a legacy request: the body's, then the query string's for each name the body
 * does not have (the node's rule: a body field wins over a query field of the same name).
 */
export function withQuery(fields, url) {
    const question = url === undefined ? -1 : url.indexOf('?');
    if (question === -1)
        return fields;
    const query = queryFieldsOf(url);
    for (const name of Object.keys(query))
        if (!Object.hasOwn(fields, name))
            fields[name] = query[name];
    return fields;
}
//# sourceMappingURL=legacy-body.js.map