/**
 * The node's fast path for its two hottest routes, the legacy get (`POST /api/cache/key`) and put
 * (`POST /api/cache/content`): a pre-router in front of Fastify (as the gateway has,
 * src/pool/fast-path.ts) that reads a body of a known length, takes the fields out of it and
 * answers exactly as the Fastify routes do — the same checks and error envelopes, the same
 * statistics and recency, through the same CacheNode calls (`checkKey` and `get`, `putText`); a
 * hit sends the stored bytes in one write. It takes a form body (read as @fastify/formbody reads
 * it) or a JSON body (read by the app's own JSON parser, whose errors it maps as the error handler
 * does), with no charset but utf-8. Everything else — other paths or a query string, other content
 * types, chunked, empty or too large bodies, a missing or wrong token under `--protect-data` —
 * falls through to Fastify.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { errors } from '../errors.js';
import {
  bearerAuthorized,
  failure,
  fieldText,
  legacyStatus,
  success,
  toCachePoolError,
  type PreRouter,
} from '../http/index.js';
import type { CacheNode } from './cache-node.js';
import { legacyAnswer } from './entry.js';
import { parseTtl } from './ttl.js';

/** Options of createFastLegacy. */
export interface FastLegacyOptions {
  node: CacheNode;
  /** The app's body limit in bytes: a larger body falls through (Fastify answers 413). */
  bodyLimitBytes: number;
  /** When set (`--protect-data`), only requests carrying this bearer token are taken. */
  token?: string | undefined;
  /** Fastify's JSON parser of the app, so that a JSON body is read and refused exactly as there. */
  parseJson: JsonParser;
  /** Where an internal fault is logged (as the Fastify error handler does). */
  logger?: Logger | undefined;
}

const JSON_TYPE = 'application/json; charset=utf-8';
/** How a body is encoded; only these two are read here. */
type Encoding = 'form' | 'json';
/** The routes taken, by path (method POST), and the fields each reads. */
const ROUTES = {
  '/api/cache/key': ['key'],
  '/api/cache/content': ['key', 'value', 'ttl'],
} as const;
type Path = keyof typeof ROUTES;
/** The empty success answer of a put, as sendSuccess sends it. */
const PUT_DONE = Buffer.from(JSON.stringify(success('')), 'utf8');

/** Builds the pre-router (see the module header). */
export function createFastLegacy(options: FastLegacyOptions): PreRouter {
  const { bodyLimitBytes, token } = options;
  return (request, response) => {
    const path = request.url;
    if (request.method !== 'POST' || (path !== '/api/cache/key' && path !== '/api/cache/content'))
      return false;
    const headers = request.headers;
    if (headers['transfer-encoding'] !== undefined) return false;
    const encoding = encodingOf(headers['content-type']);
    if (encoding === undefined) return false;
    if (token !== undefined && !bearerAuthorized(token, headers.authorization)) return false;
    const length = Number(headers['content-length']);
    if (!(length > 0 && length <= bodyLimitBytes)) return false;
    readBody(request, length, (body) =>
      answer(options, path, encoding, headers['content-type']!, body, response),
    );
    return true;
  };
}

/** The encoding of a content type Fastify parses the same way we do; undefined for any other. */
function encodingOf(contentType: string | undefined): Encoding | undefined {
  if (contentType === undefined) return undefined;
  const semicolon = contentType.indexOf(';');
  const media = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim();
  if (semicolon !== -1 && !/^\s*charset=utf-8\s*$/i.test(contentType.slice(semicolon + 1)))
    return undefined;
  if (media === 'application/x-www-form-urlencoded') return 'form';
  if (media === 'application/json') return 'json';
  return undefined;
}

/**
 * Reads exactly `length` bytes, then calls `done`: one chunk is kept as it is, several are joined
 * at the end. Nothing is allocated ahead of the bytes that arrived (as Fastify's reader), so a
 * client announcing a large body and sending little costs only what it sent.
 */
function readBody(request: IncomingMessage, length: number, done: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  let received = 0;
  // A client that goes away mid-body gets no answer: nothing was read, nothing counted.
  request.on('error', ignore);
  request.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > length) return void request.destroy(); // the HTTP parser never does this
    chunks.push(chunk);
  });
  request.on('end', () => {
    if (received !== length || chunks.length === 0) return void request.destroy();
    done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length));
  });
}

function ignore(): void {}

/** Errors raised by the JSON parser (not by the field checks after it). */
const parserErrors = new WeakSet<object>();

/**
 * Fastify's default JSON parser (`app.getDefaultJsonParser('error', 'error')`): given the body's
 * text, it calls back at once with the parsed value or the error Fastify's route would see.
 */
export type JsonParser = (
  request: unknown,
  body: string,
  done: (error: Error | null, value?: unknown) => void,
) => void;

/**
 * The fields `names` as the Fastify route reads them (text, as fieldText gives it), or the error
 * its parser or body reader raises.
 */
function fieldsOf(
  options: FastLegacyOptions,
  encoding: Encoding,
  body: Buffer,
  names: readonly string[],
): (string | undefined)[] {
  if (encoding === 'form') return formFields(body, names);
  const text = body.toString('utf8');
  // As the node's JSON parser (src/http/body.ts): a blank body reads as no fields.
  if (text.trim() === '') return names.map(() => undefined);
  let parsed: unknown;
  let failed: Error | null = null;
  options.parseJson(undefined, text, (error, value) => {
    failed = error;
    parsed = value;
  });
  if (failed !== null) {
    parserErrors.add(failed);
    throw failed;
  }
  // As readFields: null is no fields; anything but an object of fields is malformed.
  if (parsed === undefined || parsed === null) return names.map(() => undefined);
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw errors.malformedBody('expected an object of fields');
  return names.map((name) => fieldText(parsed as Record<string, unknown>, name));
}

/**
 * The first value of each field `names` of a form body as @fastify/formbody (fast-querystring)
 * and readFields read it: fields split at `&`, the name at the first `=`, `+` as a space,
 * percent-decoding that keeps the raw text when it is not valid UTF-8; a name alone gives an
 * empty value. Only the wanted fields and the names are turned into text.
 */
function formFields(body: Buffer, names: readonly string[]): (string | undefined)[] {
  const values: (string | undefined)[] = names.map(() => undefined);
  let missing = names.length;
  let start = 0;
  while (start < body.length && missing > 0) {
    let end = body.indexOf(0x26 /* & */, start);
    if (end === -1) end = body.length;
    const segment = body.subarray(start, end);
    const equals = segment.indexOf(0x3d /* = */);
    const name = formDecode(segment.toString('utf8', 0, equals === -1 ? segment.length : equals));
    const at = names.indexOf(name);
    if (at !== -1 && values[at] === undefined) {
      values[at] = equals === -1 ? '' : formDecode(segment.toString('utf8', equals + 1));
      missing--;
    }
    start = end + 1;
  }
  return values;
}

function formDecode(text: string): string {
  const spaced = text.includes('+') ? text.replaceAll('+', ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** What the Fastify route and its error handler do with the body, answered on the raw response. */
function answer(
  options: FastLegacyOptions,
  path: Path,
  encoding: Encoding,
  contentType: string,
  body: Buffer,
  response: ServerResponse,
): void {
  const { node } = options;
  try {
    const [key, value, ttl] = fieldsOf(options, encoding, body, ROUTES[path]);
    if (path === '/api/cache/content') {
      node.putText(key, value, node.deadlineAfter(parseTtl('ttl', ttl)));
      send(response, 200, PUT_DONE);
      return;
    }
    const entry = node.get(node.checkKey(key));
    if (entry === undefined) throw errors.unknownKey();
    send(response, 200, legacyAnswer(entry));
  } catch (error) {
    let known = toCachePoolError(error, options.bodyLimitBytes, contentType);
    if (known === undefined) {
      options.logger?.error({ err: error, method: 'POST', url: path }, 'internal error');
      known = errors.internal();
    }
    const status = legacyStatus(known);
    // As Fastify after a body it could not parse: the answer closes the connection.
    if (parserErrors.has(error as object)) response.setHeader('connection', 'close');
    send(response, status, JSON.stringify(failure(status, known.message)));
  }
}

function send(response: ServerResponse, status: number, body: Buffer | string): void {
  if (response.destroyed) return;
  response.writeHead(status, {
    'content-type': JSON_TYPE,
    'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
  });
  response.end(body);
}
