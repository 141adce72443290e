/**
 * Reads the `key` field out of a raw legacy request body (form-urlencoded, multipart/form-data or
 * JSON, SPEC §1) without decoding the rest: the gateway forwards the original bytes, it only
 * needs the key to route. Values may be megabytes; only the key part is ever turned into text.
 */
import { errors } from '../errors.js';

/**
 * The `key` of `body` sent with `contentType`: a string, or undefined when the body has no key
 * field. A JSON number or boolean key is given in its JSON form (as the node reads it). A body
 * that cannot be read throws a RequestError (malformed / unsupported media).
 */
export function keyOfBody(
  contentType: string | undefined,
  body: Buffer | undefined,
): string | undefined {
  if (!body || body.length === 0) return undefined;
  const type = (contentType ?? '').toLowerCase();
  if (type.startsWith('application/x-www-form-urlencoded')) return keyOfForm(body);
  if (type.startsWith('application/json') || type.includes('+json')) return keyOfJson(body);
  if (type.startsWith('multipart/form-data')) return keyOfMultipart(contentType!, body);
  throw errors.unsupportedMedia(contentType ?? '');
}

function keyOfForm(body: Buffer): string | undefined {
  // Scan for `key=` at the start of a field; stop at the next `&`. The value is not decoded.
  let start = 0;
  while (start < body.length) {
    let end = body.indexOf(0x26 /* & */, start);
    if (end === -1) end = body.length;
    if (
      end - start >= 4 &&
      body[start] === 0x6b &&
      body[start + 1] === 0x65 &&
      body[start + 2] === 0x79 &&
      body[start + 3] === 0x3d
    ) {
      return decodeFormComponent(body.toString('latin1', start + 4, end));
    }
    if (
      end - start === 3 &&
      body[start] === 0x6b &&
      body[start + 1] === 0x65 &&
      body[start + 2] === 0x79
    )
      return '';
    start = end + 1;
  }
  return undefined;
}

function decodeFormComponent(text: string): string {
  const spaced = text.includes('+') ? text.replaceAll('+', ' ') : text;
  if (!spaced.includes('%')) return Buffer.from(spaced, 'latin1').toString('utf8');
  try {
    return decodeURIComponent(spaced);
  } catch {
    throw errors.malformedBody('the key is not valid percent-encoded UTF-8');
  }
}

function keyOfJson(body: Buffer): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw errors.malformedBody('invalid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw errors.malformedBody('expected an object of fields');
  }
  const key = (parsed as Record<string, unknown>).key;
  if (typeof key === 'string') return key;
  if (typeof key === 'number' || typeof key === 'boolean') return String(key);
  return undefined;
}

function keyOfMultipart(contentType: string, body: Buffer): string | undefined {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw errors.malformedBody('multipart body without a boundary');
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const headersStart = at + delimiter.length;
    if (body[headersStart] === 0x2d && body[headersStart + 1] === 0x2d) return undefined; // closing --
    const headersEnd = body.indexOf('\r\n\r\n', headersStart, 'latin1');
    if (headersEnd === -1) break;
    const next = body.indexOf(delimiter, headersEnd + 4);
    if (next === -1) break;
    const headers = body.toString('utf8', headersStart, headersEnd);
    if (/content-disposition:[^\r\n]*;\s*name="key"/i.test(headers)) {
      // The part's content ends with the CRLF that precedes the next delimiter.
      return body.toString('utf8', headersEnd + 4, next - 2);
    }
    at = next;
  }
  throw errors.malformedBody('unreadable multipart body');
}
