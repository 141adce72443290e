/**
 * The node's fast path for its hottest route, the legacy get (`POST /api/cache/key`): a
 * pre-router in front of Fastify (as the gateway has, src/pool/fast-path.ts) that reads a body of
 * a known length, takes the key out of it and answers exactly as the Fastify route does — the
 * same key checks and error envelopes, the same statistics and recency (CacheNode.checkKey and
 * CacheNode.get), the stored hit bytes in one write. It takes a form body (read as @fastify/formbody
 * reads it) or a JSON body (read by the app's own JSON parser, whose errors it maps as the error
 * handler does), with no charset but utf-8. Everything else — other paths or a query string, other content types, chunked, empty or too
 * large bodies, a missing or wrong token under `--protect-data` — falls through to Fastify.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { errors } from '../errors.js';
import {
  bearerAuthorized,
  failure,
  fieldText,
  legacyStatus,
  toCachePoolError,
  type PreRouter,
} from '../http/index.js';
import type { CacheNode } from './cache-node.js';
import { legacyAnswer } from './entry.js';

/** Options of createFastGet. */
export interface FastGetOptions {
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

/** Builds the pre-router (see the module header). */
export function createFastGet(options: FastGetOptions): PreRouter {
  const { bodyLimitBytes, token } = options;
  return (request, response) => {
    if (request.url !== '/api/cache/key' || request.method !== 'POST') return false;
    const headers = request.headers;
    if (headers['transfer-encoding'] !== undefined) return false;
    const encoding = encodingOf(headers['content-type']);
    if (encoding === undefined) return false;
    if (token !== undefined && !bearerAuthorized(token, headers.authorization)) return false;
    const length = Number(headers['content-length']);
    if (!(length > 0 && length <= bodyLimitBytes)) return false;
    readBody(request, length, (body) =>
      answer(options, encoding, headers['content-type']!, body, response),
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

/** Reads exactly `length` bytes (one chunk kept as it is, else copied), then calls `done`. */
function readBody(request: IncomingMessage, length: number, done: (body: Buffer) => void): void {
  let body: Buffer | undefined;
  let received = 0;
  // A client that goes away mid-body gets no answer: nothing was read, nothing counted.
  request.on('error', ignore);
  request.on('data', (chunk: Buffer) => {
    const next = received + chunk.length;
    if (next > length) return void request.destroy(); // the HTTP parser never does this
    if (received === 0 && next === length) body = chunk;
    else {
      body ??= Buffer.allocUnsafe(length);
      chunk.copy(body, received);
    }
    received = next;
  });
  request.on('end', () => {
    if (body !== undefined && received === length) done(body);
    else request.destroy();
  });
}

function ignore(): void {}

/**
 * Fastify's default JSON parser (`app.getDefaultJsonParser('error', 'error')`): given the body's
 * text, it calls back at once with the parsed value or the error Fastify's route would see.
 */
export type JsonParser = (
  request: unknown,
  body: string,
  done: (error: Error | null, value?: unknown) => void,
) => void;

/** The key as the Fastify route reads it, or the error its parser or body reader raises. */
function keyOf(options: FastGetOptions, encoding: Encoding, body: Buffer): string | undefined {
  if (encoding === 'form') return keyOfForm(body);
  const text = body.toString('utf8');
  // As the node's JSON parser (src/http/body.ts): a blank body reads as no fields.
  if (text.trim() === '') return undefined;
  let parsed: unknown;
  let failed: Error | null = null;
  options.parseJson(undefined, text, (error, value) => {
    failed = error;
    parsed = value;
  });
  if (failed !== null) throw failed;
  // As readFields: null is no fields; anything but an object of fields is malformed.
  if (parsed === undefined || parsed === null) return undefined;
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw errors.malformedBody('expected an object of fields');
  return fieldText(parsed as Record<string, unknown>, 'key');
}

/**
 * The first `key` field of a form body as @fastify/formbody (fast-querystring) reads it: fields
 * split at `&`, the name at the first `=`, `+` as a space, percent-decoding that keeps the raw
 * text when it is not valid UTF-8; a name alone gives an empty value. Only the key's field and the
 * names before it are turned into text.
 */
function keyOfForm(body: Buffer): string | undefined {
  let start = 0;
  while (start < body.length) {
    let end = body.indexOf(0x26 /* & */, start);
    if (end === -1) end = body.length;
    const segment = body.subarray(start, end);
    const equals = segment.indexOf(0x3d /* = */);
    const name = formDecode(segment.toString('utf8', 0, equals === -1 ? segment.length : equals));
    if (name === 'key')
      return equals === -1 ? '' : formDecode(segment.toString('utf8', equals + 1));
    start = end + 1;
  }
  return undefined;
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
  options: FastGetOptions,
  encoding: Encoding,
  contentType: string,
  body: Buffer,
  response: ServerResponse,
): void {
  const { node } = options;
  try {
    const key = node.checkKey(keyOf(options, encoding, body));
    const entry = node.get(key);
    if (entry === undefined) throw errors.unknownKey();
    send(response, 200, legacyAnswer(entry));
  } catch (error) {
    let known = toCachePoolError(error, options.bodyLimitBytes, contentType);
    if (known === undefined) {
      options.logger?.error(
        { err: error, method: 'POST', url: '/api/cache/key' },
        'internal error',
      );
      known = errors.internal();
    }
    const status = legacyStatus(known);
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
