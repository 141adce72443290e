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

/** How a legacy body is encoded; only these three are read. */
export type BodyEncoding = 'form' | 'json' | 'multipart';

/**
 * The fields of a request body: a null-prototype record (so that no field name can reach
 * `Object.prototype`). Values are strings for form and multipart, any JSON for JSON, or
 * NOT_TEXT for a form or multipart field whose bytes are not UTF-8.
 */
export type Fields = Record<string, unknown>;

/**
 * The value of a field whose bytes are not UTF-8. Kept (not thrown at once) so that a bad field
 * that no route reads changes nothing, on every path alike: fieldText refuses it when read.
 */
export const NOT_TEXT: unique symbol = Symbol('not UTF-8 text');

const FORM_TYPE = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

/**
 * The encoding of a content type, or 'unsupported'; undefined when there is none. The media type
 * is compared case-insensitively; parameters are ignored except `charset`, which must be absent
 * or UTF-8 (`utf-8`, `utf8`, any case, quoted or not): a body in another charset would be read as
 * other text than the client meant, so it is refused rather than guessed.
 */
export function encodingOf(
  contentType: string | undefined,
): BodyEncoding | 'unsupported' | undefined {
  if (contentType === undefined) return undefined;
  // The types clients send, as they send them: no trimming, case folding or parameters to read.
  if (contentType === FORM_TYPE) return 'form';
  if (contentType === JSON_TYPE) return 'json';
  const semicolon = contentType.indexOf(';');
  const media = (semicolon === -1 ? contentType : contentType.slice(0, semicolon))
    .trim()
    .toLowerCase();
  const encoding: BodyEncoding | undefined =
    media === FORM_TYPE
      ? 'form'
      : media === JSON_TYPE
        ? 'json'
        : media === 'multipart/form-data'
          ? 'multipart'
          : undefined;
  if (encoding === undefined) return 'unsupported';
  if (semicolon !== -1 && !utf8Charset(contentType.slice(semicolon + 1))) return 'unsupported';
  return encoding;
}

/** True when the parameters (`a=b; charset=utf-8`) name no charset or UTF-8. */
function utf8Charset(parameters: string): boolean {
  for (const parameter of parameters.split(';')) {
    const equals = parameter.indexOf('=');
    if (equals === -1) continue;
    if (parameter.slice(0, equals).trim().toLowerCase() !== 'charset') continue;
    const value = parameter
      .slice(equals + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    if (value !== 'utf-8' && value !== 'utf8') return false;
  }
  return true;
}

/** A new empty record of fields. */
export function emptyFields(): Fields {
  return Object.create(null) as Fields;
}

/**
 * Every field of a form body (`application/x-www-form-urlencoded`, or a query string), as the
 * WHATWG form parser reads it but strict about UTF-8: fields split at `&`, the name at the first
 * `=` (a name alone has the value ""), `+` is a space, `%XX` with two hex digits is a byte and any
 * other `%` is itself, then the bytes are decoded as UTF-8. Names are decoded like values
 * (`k%65y` is `key`). A repeated name keeps its first value. A value that is not UTF-8 reads as
 * NOT_TEXT; a field whose name is not UTF-8 is ignored (it can match no name).
 */
export function formFieldsOf(body: Buffer): Fields {
  const fields = emptyFields();
  forEachFormField(body, (name, start, end) => {
    if (!Object.hasOwn(fields, name)) fields[name] = decodeComponent(body.subarray(start, end));
    return true;
  });
  return fields;
}

/**
 * The first value of each field `names` of a form body, read as formFieldsOf reads it, without
 * turning the other values into text (a hot path: a put's value is decoded once, the others
 * never). Undefined for a field that is absent.
 */
export function formValuesOf(
  body: Buffer,
  names: readonly string[],
): (string | typeof NOT_TEXT | undefined)[] {
  return formRawValuesOf(body, names).map((raw) =>
    raw === undefined ? undefined : decodeComponent(raw),
  );
}

/**
 * The first value of each field `names` of a form body as it was sent, still encoded: a view of
 * `body`, not a copy (formFieldText and formFieldBytes decode it). Undefined for a field that is
 * absent. The fields are found as formFieldsOf finds them.
 */
export function formRawValuesOf(body: Buffer, names: readonly string[]): (Buffer | undefined)[] {
  const ranges = formValueRanges(body, names);
  return names.map((_, at) => {
    const start = ranges[2 * at]!;
    return start === -1 ? undefined : body.subarray(start, ranges[2 * at + 1]);
  });
}

/**
 * Where the first value of each field `names` of a form body lies: its start and end offsets at
 * 2 × i and 2 × i + 1, or -1 for an absent field. Found as formFieldsOf finds them.
 */
function formValueRanges(body: Buffer, names: readonly string[]): number[] {
  const ranges: number[] = [];
  for (let at = 0; at < names.length; at++) ranges.push(-1, -1);
  let missing = names.length;
  forEachFormField(body, (name, start, end) => {
    const at = names.indexOf(name);
    if (at !== -1 && ranges[2 * at] === -1) {
      ranges[2 * at] = start;
      ranges[2 * at + 1] = end;
      missing--;
    }
    return missing > 0;
  });
  return ranges;
}

/**
 * A form value as sent (formRawValuesOf) as text, by fieldText's rule: undefined when absent; a
 * 400 naming `name` when its bytes are not UTF-8.
 */
export function formFieldText(raw: Buffer | undefined, name: string): string | undefined {
  return raw === undefined ? undefined : componentFieldText(decodeComponent(raw), name);
}

/** A decoded form value as a field's text: a 400 naming `name` when it is not UTF-8. */
function componentFieldText(value: string | typeof NOT_TEXT, name: string): string {
  if (value === NOT_TEXT) throw errors.notUnicode(name);
  return checkText(value, name);
}

/** A form value decoded to bytes (formFieldBytes). */
export interface FormBytes {
  /**
   * The decoded bytes, UTF-8: the text formFieldText reads, encoded. A view of a buffer that the
   * next call reuses (values up to 1 MiB): copy what is kept.
   */
  bytes: Buffer;
  /**
   * No byte is one that a JSON string must escape (a control character, `"`, `\`): the bytes
   * can be framed in JSON as they are. Found while decoding, so that a put's value is read once.
   */
  plain: boolean;
}

/** Values up to this size decode into one reused buffer; larger ones into their own. */
const SCRATCH_MAX_BYTES = 1024 * 1024;
let scratch = Buffer.alloc(0);

/**
 * A form value as sent (formRawValuesOf), decoded to bytes without making a string of it: for a
 * put, which stores the bytes. The same rule as formFieldText (which reads the same text): a
 * 400 naming `name` when the decoded bytes are not UTF-8. Text decoded from UTF-8 is always
 * well-formed (UTF-8 cannot encode a lone surrogate), so checkText has nothing to refuse here.
 */
export function formFieldBytes(raw: Buffer, name: string): FormBytes {
  let target = scratch;
  if (raw.length > target.length) {
    target = Buffer.allocUnsafeSlow(raw.length);
    if (raw.length <= SCRATCH_MAX_BYTES) scratch = target;
  }
  const written = decodeFormBytes(raw, target, 0, NEEDS_JSON_ESCAPE);
  const length = written < 0 ? -written - 1 : written;
  const bytes = target.subarray(0, length);
  if (!isUtf8(bytes)) throw errors.notUnicode(name);
  return { bytes, plain: written >= 0 };
}

/** Per byte, 1 when a JSON string must escape it (control characters, `"`, `\`). */
const NEEDS_JSON_ESCAPE = new Uint8Array(256);
NEEDS_JSON_ESCAPE.fill(1, 0, 0x20);
NEEDS_JSON_ESCAPE[0x22] = 1;
NEEDS_JSON_ESCAPE[0x5c] = 1;

/** Per byte, its value as a hex digit, or -1. */
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let digit = 0; digit < 16; digit++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(digit)] = digit;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(digit)] = digit;
}

/**
 * Decodes a form component's bytes by the form rule (`+` is a space, `%XX` with two hex digits
 * is a byte, any other byte is itself) into `target` from `at`, which must have room for
 * `raw.length` bytes; not checked as UTF-8. Returns the number of bytes written, or, when `mark`
 * (a table of 256 flags) flags any written byte, -(that number) - 1.
 */
function decodeFormBytes(raw: Buffer, target: Buffer, at: number, mark?: Uint8Array): number {
  const end = raw.length;
  let length = at;
  let marked = 0;
  for (let i = 0; i < end; i++) {
    let byte = raw[i]!;
    if (byte === 0x25 /* % */) {
      if (i + 2 < end) {
        const value = (HEX_VALUE[raw[i + 1]!]! << 4) | HEX_VALUE[raw[i + 2]!]!;
        if (value >= 0) {
          byte = value;
          i += 2;
        }
      }
    } else if (byte === 0x2b /* + */) {
      byte = 0x20;
    }
    if (mark !== undefined) marked |= mark[byte]!;
    target[length++] = byte;
  }
  return marked === 0 ? length - at : at - length - 1;
}

/**
 * Calls `visit(name, valueStart, valueEnd)` for each field of a form body, in order, until it
 * returns false. Fields whose name is not UTF-8 are skipped; an empty segment (`a=1&&b=2`) too.
 */
function forEachFormField(
  body: Buffer,
  visit: (name: string, valueStart: number, valueEnd: number) => boolean,
): void {
  let start = 0;
  // The next `=` at or after `start` (body.length: none): searched again only once passed, so
  // that a body of many fields without `=` is read in linear time.
  let nextEquals = -1;
  while (start < body.length) {
    let end = body.indexOf(0x26 /* & */, start);
    if (end === -1) end = body.length;
    if (end > start) {
      if (nextEquals < start) {
        nextEquals = body.indexOf(0x3d /* = */, start);
        if (nextEquals === -1) nextEquals = body.length;
      }
      const equals = nextEquals < end ? nextEquals : end;
      const name = componentText(body, start, equals);
      if (name !== NOT_TEXT && !visit(name, equals === end ? end : equals + 1, end)) return;
    }
    start = end + 1;
  }
}

/**
 * True when every byte of `bytes` from `start` to `end` is ASCII and none is `%` or `+`: those
 * bytes are their own text, the same read as Latin-1 as read as UTF-8.
 */
function isPlainAscii(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    if (byte >= 0x80 || byte === 0x25 /* % */ || byte === 0x2b /* + */) return false;
  }
  return true;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The longest form component that componentText reads byte by byte before anything else: a field
 * name or a key is short, and for those a loop costs less than a view of the body and the native
 * checks (each about 100-200 ns).
 */
const PLAIN_SCAN_BYTES = 256;

/**
 * The form component at `start`…`end` of `body` as text, or NOT_TEXT (see formFieldsOf): a short
 * one of plain ASCII is its own text, read without a view of the body; any other is decoded.
 */
function componentText(body: Buffer, start: number, end: number): string | typeof NOT_TEXT {
  if (end - start <= PLAIN_SCAN_BYTES && isPlainAscii(body, start, end))
    return body.toString('latin1', start, end);
  return decodeComponent(body.subarray(start, end));
}

/** One form component (a view of the body) as text, or NOT_TEXT (see formFieldsOf). */
function decodeComponent(raw: Buffer): string | typeof NOT_TEXT {
  const percent = raw.indexOf(0x25 /* % */);
  if (isUtf8(raw)) {
    const text = raw.toString('utf8');
    const spaced = text.includes('+') ? text.replaceAll('+', ' ') : text;
    if (percent === -1) return spaced;
    // The native decoder gives the same text whenever it accepts the input (every escape a
    // valid %XX and each escaped sequence whole UTF-8); anything else is decoded byte by byte.
    try {
      return decodeURIComponent(spaced);
    } catch {
      // fall through
    }
  }
  const bytes = Buffer.allocUnsafe(raw.length);
  const length = decodeFormBytes(raw, bytes, 0);
  try {
    return strictUtf8.decode(bytes.subarray(0, length));
  } catch {
    return NOT_TEXT;
  }
}

/**
 * A JSON body as a value: UTF-8 only (other bytes: 400), a leading byte-order mark skipped (as
 * Windows tools write it), a blank body is undefined (no fields), `__proto__` and `constructor`
 * keys refused. Throws a RequestError for anything that is not JSON; this is the parsing step,
 * which Fastify answers by closing the connection (the pre-routers do the same).
 */
export function parseJsonBody(body: Buffer): unknown {
  if (!isUtf8(body)) throw errors.malformedBody('the JSON body is not UTF-8');
  const text = body.toString('utf8');
  if (text.trim() === '' || (text.charCodeAt(0) === 0xfeff && text.slice(1).trim() === ''))
    return undefined;
  try {
    return secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    throw errors.malformedBody(
      error instanceof SyntaxError ? `invalid JSON (${error.message})` : 'invalid JSON',
    );
  }
}

/**
 * The fields of a parsed JSON body: an object's own members; null or a blank body is no fields;
 * any other value (an array, a string, a number) is a 400 `expected an object of fields`.
 */
export function jsonFieldsOf(parsed: unknown): Fields {
  if (parsed === undefined || parsed === null) return emptyFields();
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw errors.malformedBody('expected an object of fields');
  return parsed as Fields;
}

/**
 * `text` when it is well-formed Unicode (no lone UTF-16 surrogate), else a 400 naming `field`.
 * The one rule for every key and text value that enters a node (legacy fields, /v1 keys), so
 * that nothing stored can change when it is encoded as UTF-8 to move.
 */
export function checkText(text: string, field: string): string {
  if (!(text as unknown as WellFormed).isWellFormed()) throw errors.notUnicode(field);
  return text;
}

/** String.prototype.isWellFormed (Node 20; not in the ES2023 library typings). */
interface WellFormed {
  isWellFormed(): boolean;
}

/**
 * The bytes of a multipart part as text, or NOT_TEXT when they are not UTF-8 (see formFieldsOf).
 */
export function bytesText(bytes: Buffer): string | typeof NOT_TEXT {
  return isUtf8(bytes) ? bytes.toString('utf8') : NOT_TEXT;
}

/**
 * A field as text: strings as they are (checked by checkText), numbers and booleans in their JSON
 * form (a number out of range, `1e400`, is a 400 rather than "Infinity"); anything else
 * (missing, null, objects, arrays) is undefined. A form or multipart field that is not UTF-8 is
 * a 400 naming the field.
 */
export function fieldText(fields: Fields, name: string): string | undefined {
  const value = Object.hasOwn(fields, name) ? fields[name] : undefined;
  if (typeof value === 'string') return checkText(value, name);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw errors.numberOutOfRange(name);
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (value === NOT_TEXT) throw errors.notUnicode(name);
  return undefined;
}

/** The fields a pre-router asked for; each is turned into text (fieldText) when it is read. */
export interface TextFields {
  /** Field `names[index]` as text, or undefined; throws a RequestError as fieldText does. */
  text(index: number): string | undefined;
}

/**
 * The fields `names` of a form or JSON body, read as the Fastify path reads them: what both
 * pre-routers call. The JSON parsing step throws at once (see parseJsonBody; `parseFailed` is
 * called before its error is thrown), then the shape of the body; each field is refused only
 * when it is read, so that a route checks its fields in its own order (the key first).
 */
export function textFieldsOf(
  encoding: 'form' | 'json',
  body: Buffer,
  names: readonly string[],
  parseFailed?: () => void,
): TextFields {
  if (encoding === 'form') {
    const ranges = formValueRanges(body, names);
    return {
      text: (index) => {
        const start = ranges[2 * index]!;
        if (start === -1) return undefined;
        return componentFieldText(
          componentText(body, start, ranges[2 * index + 1]!),
          names[index]!,
        );
      },
    };
  }
  let parsed: unknown;
  try {
    parsed = parseJsonBody(body);
  } catch (error) {
    parseFailed?.();
    throw error;
  }
  const fields = jsonFieldsOf(parsed);
  return { text: (index) => fieldText(fields, names[index]!) };
}

/**
 * The query string of `url` as form fields (`?key=x` on a `DELETE` without a body), read by the
 * same rule as a form body; no query gives no fields.
 */
export function queryFieldsOf(url: string | undefined): Fields {
  const question = url === undefined ? -1 : url.indexOf('?');
  if (question === -1) return emptyFields();
  return formFieldsOf(Buffer.from(url!.slice(question + 1), 'latin1'));
}

/**
 * The fields of a legacy request: the body's, then the query string's for each name the body
 * does not have (the node's rule: a body field wins over a query field of the same name).
 */
export function withQuery(fields: Fields, url: string | undefined): Fields {
  const question = url === undefined ? -1 : url.indexOf('?');
  if (question === -1) return fields;
  const query = queryFieldsOf(url);
  for (const name of Object.keys(query))
    if (!Object.hasOwn(fields, name)) fields[name] = query[name];
  return fields;
}
