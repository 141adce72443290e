/**
 * The gateway's fast path: a pre-router in front of Fastify for the three hot legacy routes —
 * `POST /api/cache/key`, `POST /api/cache/content`, `DELETE /api/cache/key` — with a body of a
 * known length in a form or JSON encoding. It reads the body into one Buffer, takes only the key
 * out of it with the one legacy reader the nodes use (src/http/legacy-body.ts, as the node's own
 * pre-router does), and forwards the same bytes to the key's owner, relaying the node's answer
 * as it streams in. A partition that is moving goes through the moving-pair orders
 * (moving-pair.ts) instead, answered whole. Anything else (other paths or methods, a query
 * string, a chunked or empty or too large body, multipart or another content type) falls
 * through to the Fastify routes, which do the same thing more slowly with the same reader, so
 * errors keep the exact envelope and status Fastify gives them.
 * Routing views are entered and left as in the Fastify routes: the drain on publish still waits
 * for every request routed by the older view. A standalone gateway tags each request with its
 * routing version; a node's refusal for a stale routing is held back, the table read again and
 * the request sent again on the fresh view (stale-routing.ts, ROUTING_RETRIES), as the Fastify
 * routes do.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { CachePoolError, errors } from '../errors.js';
import {
  bearerAuthorized,
  encodingOf,
  legacyFailureOf,
  textFieldsOf,
  type PreRouter,
} from '../http/index.js';
import { partitionOf, routingVersionOf } from '../partition/index.js';
import { invalidateLegacy, readThrough, writeThrough } from './moving-pair.js';
import { ResponseRelay, type RelayTarget } from './relay.js';
import { routingTag, type RouteView, type Routing } from './routing.js';
import { ROUTING_RETRIES, StaleWatch } from './stale-routing.js';
import { VERIFYING_RETRIES, VERIFYING_WAIT_MS } from './verifying.js';
import {
  relayedHeadersOf,
  type Upstream,
  type Upstreams,
  type UpstreamMethod,
} from './upstreams.js';

/** Options of createFastPath. */
export interface FastPathOptions {
  /** Send the routing version with every key request (routing.ts routingTag); default false. */
  tagsRequests?: boolean;
  /**
   * Reads the table again after a node refused a request for a stale routing (gateway.ts); the
   * request is then sent once more on the fresh view. Without it a refusal is relayed.
   */
  catchUp?: ((wanted: number | undefined) => Promise<void>) | undefined;
  /**
   * After a node did not answer: whether the routing moved past the version the request was
   * routed by (gateway.ts); the request is then sent once more on the fresh view.
   */
  movedOnSince?: ((routedBy: number) => Promise<boolean>) | undefined;
  routing: Routing;
  upstreams: Upstreams;
  /** The app's body limit in bytes: a larger body falls through (Fastify answers 413). */
  bodyLimitBytes: number;
  /** Where an internal fault is logged (as the Fastify error handler does). */
  logger?: Logger | undefined;
  /**
   * When set, only requests carrying `Authorization: Bearer <token>` are taken; the others fall
   * through to Fastify, whose guard answers 401/403.
   */
  token?: string | undefined;
}

/** Handles a request and returns true, or returns false (untouched) to let Fastify have it. */
export type FastPath = PreRouter;

type Route = { method: UpstreamMethod; path: string; write: boolean };
const GET_KEY: Route = { method: 'POST', path: '/api/cache/key', write: false };
const PUT_CONTENT: Route = { method: 'POST', path: '/api/cache/content', write: true };
const DELETE_KEY: Route = { method: 'DELETE', path: '/api/cache/key', write: true };
const ROUTING_KEY = ['key'] as const;

/** Builds the pre-router (see the module header). */
export function createFastPath(options: FastPathOptions): FastPath {
  return (request, response) => {
    const route = routeOf(request.method, request.url);
    if (route === undefined) return false;
    const headers = request.headers;
    const type = headers['content-type'];
    const encoding = encodingOf(type);
    if ((encoding !== 'form' && encoding !== 'json') || headers['transfer-encoding'] !== undefined)
      return false;
    if (options.token !== undefined && !bearerAuthorized(options.token, headers.authorization))
      return false;
    const length = Number(headers['content-length']);
    if (!(length > 0 && length <= options.bodyLimitBytes)) return false;
    new Exchange(options, route, type!, encoding, length, request, response);
    return true;
  };
}

function routeOf(method: string | undefined, url: string | undefined): Route | undefined {
  if (url === '/api/cache/key')
    return method === 'POST' ? GET_KEY : method === 'DELETE' ? DELETE_KEY : undefined;
  if (url === '/api/cache/content') return method === 'POST' ? PUT_CONTENT : undefined;
  return undefined;
}

function ignore(): void {}

/** One request on the fast path: read the body, route the key, forward, relay. */
class Exchange implements RelayTarget {
  #options: FastPathOptions;
  #route: Route;
  #type: string;
  #encoding: 'form' | 'json';
  #length: number;
  /** The body's chunks as they came (nothing is allocated ahead of the bytes that arrived). */
  #chunks: Buffer[] = [];
  #received = 0;
  #response: ServerResponse;
  #view: RouteView | undefined;
  #owner = '';
  #key = '';
  #body: Buffer = Buffer.alloc(0);
  /** How many times the request was sent again (after a refusal, or its node gone). */
  #attempt = 0;
  /** How many times a verifying owner's refusal was sent again (verifying.ts). */
  #verifyingTries = 0;
  /** The routing version the request was last routed by. */
  #routedBy = 0;

  constructor(
    options: FastPathOptions,
    route: Route,
    type: string,
    encoding: 'form' | 'json',
    length: number,
    request: IncomingMessage,
    response: ServerResponse,
  ) {
    this.#options = options;
    this.#route = route;
    this.#type = type;
    this.#encoding = encoding;
    this.#length = length;
    this.#response = response;
    // A client that goes away mid-body just ends the exchange (no view was entered yet).
    request.on('error', ignore);
    request.on('data', (chunk: Buffer) => this.#onData(request, chunk));
    request.on('end', () => this.#onEnd());
  }

  #onData(request: IncomingMessage, chunk: Buffer): void {
    // The HTTP parser never delivers more than content-length; guard anyway.
    const received = this.#received + chunk.length;
    if (received > this.#length) {
      request.destroy();
      return;
    }
    this.#chunks.push(chunk);
    this.#received = received;
  }

  #onEnd(): void {
    const chunks = this.#chunks;
    // A body shorter than announced gets no answer, as on a node: nothing was read or routed.
    if (chunks.length === 0 || this.#received !== this.#length)
      return void this.#response.destroy();
    // The usual case: the whole body in one chunk, kept without a copy.
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.#length);
    this.#chunks = [];
    let key: string | undefined;
    try {
      key = textFieldsOf(this.#encoding, body, ROUTING_KEY).text(0);
    } catch (error) {
      return this.#fail(error);
    }
    if (key === undefined || key === '') return this.#fail(errors.missingKey());
    this.#key = key;
    this.#body = body;
    this.#send();
  }

  /** Routes the key by the current view and sends the request (again, after a refusal). */
  #send(): void {
    const key = this.#key;
    const body = this.#body;
    const view = this.#options.routing.view;
    view.enter();
    this.#view = view;
    this.#routedBy = routingVersionOf(view.table, view.moving);
    const partition = partitionOf(key);
    const tag = routingTag(this.#options.tagsRequests ?? false, view);
    // A write that must wait for older requests first (RouteView.writeGate) goes the long way.
    if (
      view.previous[partition] === undefined &&
      !(this.#route.write && view.writeGate(partition) !== undefined)
    ) {
      this.#owner = view.owners[partition]!;
      const { method, path } = this.#route;
      // A node that failed lately is not called again until its breaker lets a trial through.
      if (!this.#options.upstreams.breaker.allows(this.#owner))
        return this.#unreachable(errors.nodeUnreachable(this.#owner));
      try {
        this.#options.upstreams.dispatch(
          this.#owner,
          method,
          path,
          this.#type,
          body,
          new ResponseRelay(
            this.#response,
            this,
            this.#retries(),
            this.#verifyingTries < VERIFYING_RETRIES,
          ),
          tag,
        );
      } catch (error) {
        // A closed or invalid pool throws at once (the gateway is closing): answer, never crash.
        this.relayed(error instanceof Error ? error : new Error(String(error)), false);
      }
    } else {
      this.#owner = '';
      const watch = new StaleWatch(this.#options.upstreams, tag);
      this.#moving(view, key, body, watch).then(
        (answer) => {
          const hit = !this.#route.write && answer.statusCode === 200;
          if (watch.refused && !hit && this.#retries()) return this.refused(watch.version);
          if (watch.unreachable && !hit) return this.#unlessMoved(() => this.#finish(answer));
          this.#finish(answer);
        },
        (error: unknown) => {
          if (watch.refused && this.#retries()) return this.refused(watch.version);
          if (watch.unreachable) return this.#unlessMoved(() => this.#fail(error));
          this.#fail(error);
        },
      );
    }
  }

  /** Whether the request may still be sent again (ROUTING_RETRIES, as the client does). */
  #retries(): boolean {
    return this.#attempt < ROUTING_RETRIES && this.#options.catchUp !== undefined;
  }

  /**
   * A node refused the request for a stale routing (RelayTarget; or seen by a StaleWatch): the
   * view is left, the table read again, and the request sent once more on the fresh view.
   */
  refused(nodeVersion: number | undefined): void {
    if (this.#owner !== '') this.#options.upstreams.breaker.succeeded(this.#owner);
    this.#leave();
    this.#attempt++;
    this.#options.catchUp!(nodeVersion).then(
      () => this.#send(),
      (error: unknown) => this.#fail(error),
    );
  }

  /** A moving (or write-gated) partition: the orders of moving-pair.ts, answered whole. */
  #moving(view: RouteView, key: string, body: Buffer, watch: StaleWatch): Promise<Upstream> {
    const forwarder = watch.forwarder;
    const { method, path } = this.#route;
    return this.#route.write
      ? writeThrough(
          forwarder,
          view,
          key,
          method,
          path,
          this.#type,
          body,
          invalidateLegacy(forwarder, key),
        )
      : readThrough(forwarder, view, key, method, path, this.#type, body);
  }

  /**
   * The owner is checking with its manager after a pause and changed nothing (RelayTarget,
   * verifying.ts): the request is sent again after a short wait.
   */
  verifying(): void {
    this.#options.upstreams.breaker.succeeded(this.#owner);
    this.#leave();
    this.#verifyingTries++;
    setTimeout(() => this.#send(), VERIFYING_WAIT_MS);
  }

  /** The relay's report (RelayTarget): the node's answer was relayed, or it failed. */
  relayed(error: Error | undefined, headersSent: boolean): void {
    const owner = this.#owner;
    const breaker = this.#options.upstreams.breaker;
    if (error === undefined) {
      breaker.succeeded(owner);
      return this.#leave();
    }
    breaker.failed(owner);
    if (headersSent) {
      // Part of the answer is out: the client can only see the connection cut.
      this.#response.destroy();
      return this.#leave();
    }
    const { method, path } = this.#route;
    this.#unreachable(errors.nodeDidNotAnswer(owner, `${method} ${path}`, error));
  }

  /**
   * The owner cannot be reached: a read is a miss (what the dead node held is lost, a read never
   * fails because of it), a write or an invalidation is a clear failure.
   */
  #unreachable(error: CachePoolError): void {
    this.#unlessMoved(() => this.#fail(this.#route.write ? error : errors.unknownKey()));
  }

  /**
   * A node the request went to did not answer: when the routing has moved past the version the
   * request was routed by (a shrink stopped the node after publishing the table without it), the
   * request is sent once more on the fresh view; otherwise `answer` runs.
   */
  #unlessMoved(answer: () => void): void {
    const movedOnSince = this.#options.movedOnSince;
    if (!this.#retries() || movedOnSince === undefined) return answer();
    this.#leave();
    this.#attempt++;
    movedOnSince(this.#routedBy).then(
      (moved) => (moved ? this.#send() : answer()),
      (error: unknown) => this.#fail(error),
    );
  }

  #finish(answer: Upstream): void {
    const response = this.#response;
    for (const [name, value] of Object.entries(relayedHeadersOf(answer)))
      response.setHeader(name, value);
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
      const answer = legacyFailureOf(known);
      for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value);
      response.setHeader('content-type', 'application/json; charset=utf-8');
      response.setHeader('content-length', Buffer.byteLength(answer.body));
      response.writeHead(answer.status);
      response.end(answer.body);
    }
    this.#leave();
  }

  #leave(): void {
    const view = this.#view;
    this.#view = undefined;
    view?.leave();
  }
}
