/**
 * The gateway's fast path: a pre-router in front of Fastify for the three hot legacy routes —
 * `POST /api/cache/key`, `POST /api/cache/content`, `DELETE /api/cache/key` — with a body of a
 * known length in a form, JSON or multipart encoding. It reads the body into one Buffer, takes
 * only the key out of it, and forwards the same bytes to the key's owner, relaying the node's
 * answer as it streams in. A partition that is moving goes through the moving-pair orders
 * (moving-pair.ts) instead, answered whole. Anything else (other paths or methods, a chunked or
 * empty or too large body, another content type) falls through to the Fastify routes, which do
 * the same thing more slowly, so errors keep the exact envelope and status Fastify gives them.
 * Routing views are entered and left as in the Fastify routes: the drain on publish still waits
 * for every request routed by the older view.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { CachePoolError, errors, OperationalError } from '../errors.js';
import { failure, legacyStatus } from '../http/index.js';
import { partitionOf } from '../partition/index.js';
import { keyOfBody } from './body-key.js';
import { invalidateLegacy, readThrough, writeThrough } from './moving-pair.js';
import { ResponseRelay } from './relay.js';
import type { RouteView, Routing } from './routing.js';
import type { Upstream, Upstreams, UpstreamMethod } from './upstreams.js';

/** Options of createFastPath. */
export interface FastPathOptions {
  routing: Routing;
  upstreams: Upstreams;
  /** The app's body limit in bytes: a larger body falls through (Fastify answers 413). */
  bodyLimitBytes: number;
  /** Where an internal fault is logged (as the Fastify error handler does). */
  logger?: Logger | undefined;
}

/** Handles a request and returns true, or returns false (untouched) to let Fastify have it. */
export type FastPath = (request: IncomingMessage, response: ServerResponse) => boolean;

type Route = { method: UpstreamMethod; path: string; write: boolean };
const GET_KEY: Route = { method: 'POST', path: '/api/cache/key', write: false };
const PUT_CONTENT: Route = { method: 'POST', path: '/api/cache/content', write: true };
const DELETE_KEY: Route = { method: 'DELETE', path: '/api/cache/key', write: true };

/** Builds the pre-router (see the module header). */
export function createFastPath(options: FastPathOptions): FastPath {
  return (request, response) => {
    const route = routeOf(request.method, request.url);
    if (route === undefined) return false;
    const headers = request.headers;
    const type = headers['content-type'];
    if (type === undefined || !isKnownType(type) || headers['transfer-encoding'] !== undefined)
      return false;
    const length = Number(headers['content-length']);
    if (!(length > 0 && length <= options.bodyLimitBytes)) return false;
    new Exchange(options, route, type, length, request, response);
    return true;
  };
}

function routeOf(method: string | undefined, url: string | undefined): Route | undefined {
  if (url === '/api/cache/key')
    return method === 'POST' ? GET_KEY : method === 'DELETE' ? DELETE_KEY : undefined;
  if (url === '/api/cache/content') return method === 'POST' ? PUT_CONTENT : undefined;
  return undefined;
}

function isKnownType(type: string): boolean {
  const lower = type.toLowerCase();
  return (
    lower.startsWith('application/x-www-form-urlencoded') ||
    lower.startsWith('application/json') ||
    lower.startsWith('multipart/form-data')
  );
}

function ignore(): void {}

/** One request on the fast path: read the body, route the key, forward, relay. */
class Exchange {
  #options: FastPathOptions;
  #route: Route;
  #type: string;
  #body: Buffer;
  #received = 0;
  #response: ServerResponse;
  #view: RouteView | undefined;

  constructor(
    options: FastPathOptions,
    route: Route,
    type: string,
    length: number,
    request: IncomingMessage,
    response: ServerResponse,
  ) {
    this.#options = options;
    this.#route = route;
    this.#type = type;
    this.#body = Buffer.allocUnsafe(length);
    this.#response = response;
    // A client that goes away mid-body just ends the exchange (no view was entered yet).
    request.on('error', ignore);
    request.on('data', (chunk: Buffer) => this.#onData(request, chunk));
    request.on('end', () => this.#onEnd());
  }

  #onData(request: IncomingMessage, chunk: Buffer): void {
    // The HTTP parser never delivers more than content-length; guard anyway.
    if (this.#received + chunk.length > this.#body.length) {
      request.destroy();
      return;
    }
    chunk.copy(this.#body, this.#received);
    this.#received += chunk.length;
  }

  #onEnd(): void {
    if (this.#received !== this.#body.length)
      return this.#fail(errors.malformedBody('the body is shorter than its content-length'));
    let key: string | undefined;
    try {
      key = keyOfBody(this.#type, this.#body);
    } catch (error) {
      return this.#fail(error);
    }
    if (key === undefined) return this.#fail(errors.missingKey());
    const view = this.#options.routing.view;
    view.enter();
    this.#view = view;
    const partition = partitionOf(key);
    if (view.previous[partition] === undefined) {
      const owner = view.owners[partition]!;
      this.#options.upstreams.dispatch(
        owner,
        this.#route.method,
        this.#route.path,
        this.#type,
        this.#body,
        new ResponseRelay(this.#response, (error, headersSent) =>
          this.#relayed(owner, error, headersSent),
        ),
      );
    } else {
      this.#moving(view, key).then(
        (answer) => this.#finish(answer),
        (error: unknown) => this.#fail(error),
      );
    }
  }

  /** A moving partition: the orders of moving-pair.ts, answered whole. */
  #moving(view: RouteView, key: string): Promise<Upstream> {
    const { upstreams } = this.#options;
    const { method, path } = this.#route;
    return this.#route.write
      ? writeThrough(
          upstreams,
          view,
          key,
          method,
          path,
          this.#type,
          this.#body,
          invalidateLegacy(upstreams, key),
        )
      : readThrough(upstreams, view, key, method, path, this.#type, this.#body);
  }

  #relayed(owner: string, error: Error | undefined, headersSent: boolean): void {
    if (error === undefined) return this.#leave();
    if (headersSent) {
      // Part of the answer is out: the client can only see the connection cut.
      this.#response.destroy();
      return this.#leave();
    }
    const { method, path } = this.#route;
    this.#fail(
      new OperationalError(
        'CP_ERR_NODE_UNREACHABLE',
        `node ${owner} did not answer ${method} ${path}`,
        { cause: error },
      ),
    );
  }

  #finish(answer: Upstream): void {
    const response = this.#response;
    if (answer.contentType !== undefined) response.setHeader('content-type', answer.contentType);
    response.setHeader('content-length', answer.body.length);
    response.writeHead(answer.statusCode);
    response.end(answer.body);
    this.#leave();
  }

  /** Answers `error` in the legacy envelope, as the Fastify error handler would. */
  #fail(error: unknown): void {
    let known: CachePoolError;
    if (error instanceof CachePoolError) {
      known = error;
    } else {
      this.#options.logger?.error(
        { err: error, method: this.#route.method, url: this.#route.path },
        'internal error',
      );
      known = errors.internal();
    }
    const response = this.#response;
    if (!response.headersSent && !response.destroyed) {
      const status = legacyStatus(known);
      const body = JSON.stringify(failure(status, known.message));
      response.setHeader('content-type', 'application/json; charset=utf-8');
      response.setHeader('content-length', Buffer.byteLength(body));
      response.writeHead(status);
      response.end(body);
    }
    this.#leave();
  }

  #leave(): void {
    const view = this.#view;
    this.#view = undefined;
    view?.leave();
  }
}
