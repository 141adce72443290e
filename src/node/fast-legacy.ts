/**
 * The node's fast path for its two hottest routes, the legacy get (`POST /api/cache/key`) and put
 * (`POST /api/cache/content`): a pre-router in front of Fastify (as the gateway has,
 * src/pool/fast-path.ts) that reads a body of a known length, takes the fields out of it and
 * answers exactly as the Fastify routes do — the same checks and error envelopes, the same
 * statistics and recency, through the same CacheNode calls (`checkKey` and `get`, `putText`; a
 * form put makes its entry from the decoded bytes and calls `put` with putText's checks); a hit
 * sends the stored bytes in one write, a miss a prebuilt answer. It takes a form or JSON body, read by the one legacy
 * reader (src/http/legacy-body.ts) that the Fastify parser and the gateway use too; its errors
 * are mapped as the error handler maps them. Everything else — other paths or a query string,
 * multipart and other content types, chunked, empty or too large bodies, a missing or wrong
 * token under `--protect-data` — falls through to Fastify. A router that says its routing version
 * (a standalone gateway) is taken too: the version is checked as on the Fastify routes.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { errors, MISS_HEADER } from '../errors.js';
import {
  bearerAuthorized,
  encodingOf,
  formFieldBytes,
  formFieldText,
  formRawValuesOf,
  legacyFailureOf,
  success,
  type LegacyFailure,
  textFieldsOf,
  toCachePoolError,
  type PreRouter,
} from '../http/index.js';
import { routedByOf } from './routed-by.js';
import type { CacheNode } from './cache-node.js';
import { legacyAnswer, utf8TextEntry, type Entry } from './entry.js';
import { parseTtl } from './ttl.js';

/** Options of createFastLegacy. */
export interface FastLegacyOptions {
  node: CacheNode;
  /** The app's body limit in bytes: a larger body falls through (Fastify answers 413). */
  bodyLimitBytes: number;
  /** When set (`--protect-data`), only requests carrying this bearer token are taken. */
  token?: string | undefined;
  /** Where an internal fault is logged (as the Fastify error handler does). */
  logger?: Logger | undefined;
}

const JSON_TYPE = 'application/json; charset=utf-8';
/** How a body is encoded; only these two are read here (multipart goes to Fastify). */
type Encoding = 'form' | 'json';
/** The routes taken, by path (method POST), and the fields each reads. */
const ROUTES = {
  '/api/cache/key': ['key'],
  '/api/cache/content': ['key', 'value', 'ttl'],
} as const;
type Path = keyof typeof ROUTES;
/** The empty success answer of a put, as sendSuccess sends it. */
const PUT_DONE = Buffer.from(JSON.stringify(success('')), 'utf8');
/** A legacy failure answer, its body as text or already as bytes. */
type FailureAnswer = Omit<LegacyFailure, 'body'> & { body: string | Buffer };
/**
 * The answer to a miss, built once: a miss is an expected outcome, answered without constructing
 * and throwing an error (its stack trace) and mapping it back, with the same bytes and headers.
 */
const MISS: FailureAnswer & { body: Buffer } = (() => {
  const answer = legacyFailureOf(errors.unknownKey());
  return { ...answer, body: Buffer.from(answer.body, 'utf8') };
})();
/** The headers of the answer to a miss, as sendFailure puts them together, built once too. */
const MISS_HEADERS = failureHeaders(MISS, MISS.body.length, false);
/** The same for a miss a reader must not look past (CacheNode.missIsFinal). */
const FINAL_MISS_HEADERS = { ...MISS_HEADERS, [MISS_HEADER]: 'final' };

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
    if (encoding !== 'form' && encoding !== 'json') return false;
    if (token !== undefined && !bearerAuthorized(token, headers.authorization)) return false;
    const length = Number(headers['content-length']);
    if (!(length > 0 && length <= bodyLimitBytes)) return false;
    readBody(request, length, (body) => answer(options, path, encoding, headers, body, response));
    return true;
  };
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

/** What the Fastify route and its error handler do with the body, answered on the raw response. */
function answer(
  options: FastLegacyOptions,
  path: Path,
  encoding: Encoding,
  headers: IncomingHttpHeaders,
  body: Buffer,
  response: ServerResponse,
): void {
  const { node } = options;
  const contentType = headers['content-type']!;
  // As Fastify after a body its parser refused: the answer closes the connection.
  let parseFailed = false;
  try {
    if (path === '/api/cache/content' && encoding === 'form')
      return void putForm(node, body, headers, response);
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
    // A hit borrows the slab's bytes when the answer goes straight out on its connection (not
    // queued behind another answer on it, as a pipelined request's is).
    const lend = response.socket !== null && !response.socket.destroyed && !response.destroyed;
    const entry = node.get(key, routedBy, lend);
    if (entry === undefined) {
      const headers = node.missIsFinal(key) ? FINAL_MISS_HEADERS : MISS_HEADERS;
      return void writeAnswer(response, MISS.status, headers, MISS.body);
    }
    if (entry.lent === true) releaseWhenWritten(node, entry, response);
    send(response, 200, legacyAnswer(entry));
  } catch (error) {
    let known = toCachePoolError(error, options.bodyLimitBytes, contentType);
    if (known === undefined) {
      options.logger?.error({ err: error, method: 'POST', url: path }, 'internal error');
      known = errors.internal();
    }
    sendFailure(response, legacyFailureOf(known), parseFailed);
  }
}

/**
 * A put with a form body: its value is decoded straight into bytes and copied into its entry,
 * never made a string (a 100 KB value was decoded, checked and encoded again in four passes and
 * as many copies). The checks and their order are those of the JSON path above and of
 * CacheNode.putText, which the Fastify route calls: the key, the routing version, the TTL, the
 * value's text, a missing or empty value, its size, then CacheNode.storeText (the node's
 * ownership, the capacity).
 */
function putForm(
  node: CacheNode,
  body: Buffer,
  headers: IncomingHttpHeaders,
  response: ServerResponse,
): void {
  const [rawKey, rawValue, rawTtl] = formRawValuesOf(body, ROUTES['/api/cache/content']);
  const key = node.checkKey(formFieldText(rawKey, 'key'));
  const routedBy = routedByOf({ headers });
  const ttlS = parseTtl('ttl', formFieldText(rawTtl, 'ttl'));
  const value =
    rawValue === undefined || rawValue.length === 0 ? undefined : formFieldBytes(rawValue, 'value');
  if (value === undefined) throw errors.missingValue();
  node.checkValueBytes(value.bytes.length);
  node.storeText(key, utf8TextEntry(value.bytes, value.plain), node.deadlineAfter(ttlS), routedBy);
  send(response, 200, PUT_DONE);
}

/**
 * Gives the store back the slab bytes a hit borrowed once nothing reads them any more: at the
 * response's 'close', which Node.js (20 and later) emits exactly once for a response that has its
 * connection — after 'finish', itself emitted once the connection's write of the last bytes
 * completed (they are the system's then), or when the connection closes under it. A response
 * queued behind another on its connection is not lent anything (createFastLegacy).
 */
function releaseWhenWritten(node: CacheNode, entry: Entry, response: ServerResponse): void {
  response.on('close', () => node.store.release(entry));
}

function send(response: ServerResponse, status: number, body: Buffer): void {
  writeAnswer(response, status, { 'content-type': JSON_TYPE, 'content-length': body.length }, body);
}

/**
 * Sends a failure answer with its headers in the order the error handler's reply has them
 * (`connection: close` after a body the parser refused, the error's own, then the content's), in
 * one writeHead.
 */
function sendFailure(response: ServerResponse, answer: FailureAnswer, close: boolean): void {
  if (response.destroyed) return;
  const body = typeof answer.body === 'string' ? Buffer.from(answer.body, 'utf8') : answer.body;
  writeAnswer(response, answer.status, failureHeaders(answer, body.length, close), body);
}

/** Sends a whole answer whose headers are ready, in one writeHead. */
function writeAnswer(
  response: ServerResponse,
  status: number,
  headers: Record<string, string | number>,
  body: Buffer,
): void {
  if (response.destroyed) return;
  response.writeHead(status, headers);
  response.end(body);
}

/** The headers of a failure answer with a body of `bodyBytes` bytes (see sendFailure). */
function failureHeaders(
  answer: FailureAnswer,
  bodyBytes: number,
  close: boolean,
): Record<string, string | number> {
  return {
    ...(close ? { connection: 'close' } : {}),
    ...answer.headers,
    'content-type': JSON_TYPE,
    'content-length': bodyBytes,
  };
}
