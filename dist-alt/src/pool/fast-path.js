import { CachePoolError, errors } from '../errors.js';
import { bearerAuthorized, encodingOf, failure, legacyStatus, textFieldsOf, } from '../http/index.js';
import { partitionOf, routingVersionOf } from '../partition/index.js';
import { invalidateLegacy, readThrough, writeThrough } from './moving-pair.js';
import { ResponseRelay } from './relay.js';
import { routingTag } from './routing.js';
import { StaleWatch } from './stale-routing.js';
const GET_KEY = { method: 'POST', path: '/api/cache/key', write: false };
const PUT_CONTENT = { method: 'POST', path: '/api/cache/content', write: true };
const DELETE_KEY = { method: 'DELETE', path: '/api/cache/key', write: true };
const ROUTING_KEY = ['key'];
/** Builds the pre-router (see the module header). */
export function createFastPath(options) {
    return (request, response) => {
        const route = routeOf(request.method, request.url);
        if (route === undefined)
            return false;
        const headers = request.headers;
        const type = headers['content-type'];
        const encoding = encodingOf(type);
        if ((encoding !== 'form' && encoding !== 'json') || headers['transfer-encoding'] !== undefined)
            return false;
        if (options.token !== undefined && !bearerAuthorized(options.token, headers.authorization))
            return false;
        const length = Number(headers['content-length']);
        if (!(length > 0 && length <= options.bodyLimitBytes))
            return false;
        new Exchange(options, route, type, encoding, length, request, response);
        return true;
    };
}
function routeOf(method, url) {
    if (url === '/api/cache/key')
        return method === 'POST' ? GET_KEY : method === 'DELETE' ? DELETE_KEY : undefined;
    if (url === '/api/cache/content')
        return method === 'POST' ? PUT_CONTENT : undefined;
    return undefined;
}
function ignore() { }
/** One request on the fast path: read the body, route the key, forward, relay. */
class Exchange {
    #options;
    #route;
    #type;
    #encoding;
    #length;
    /** The body's chunks as they came (nothing is allocated ahead of the bytes that arrived). */
    #chunks = [];
    #received = 0;
    #response;
    #view;
    #owner = '';
    #key = '';
    #body = Buffer.alloc(0);
    /** 0, then 1 once the request is sent again after a refusal for a stale routing. */
    #attempt = 0;
    /** The routing version the request was last routed by. */
    #routedBy = 0;
    constructor(options, route, type, encoding, length, request, response) {
        this.#options = options;
        this.#route = route;
        this.#type = type;
        this.#encoding = encoding;
        this.#length = length;
        this.#response = response;
        // A client that goes away mid-body just ends the exchange (no view was entered yet).
        request.on('error', ignore);
        request.on('data', (chunk) => this.#onData(request, chunk));
        request.on('end', () => this.#onEnd());
    }
    #onData(request, chunk) {
        // The HTTP parser never delivers more than content-length; guard anyway.
        const received = this.#received + chunk.length;
        if (received > this.#length) {
            request.destroy();
            return;
        }
        this.#chunks.push(chunk);
        this.#received = received;
    }
    #onEnd() {
        const chunks = this.#chunks;
        // A body shorter than announced gets no answer, as on a node: nothing was read or routed.
        if (chunks.length === 0 || this.#received !== this.#length)
            return void this.#response.destroy();
        // The usual case: the whole body in one chunk, kept without a copy.
        const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, this.#length);
        this.#chunks = [];
        let key;
        try {
            key = textFieldsOf(this.#encoding, body, ROUTING_KEY).text(0);
        }
        catch (error) {
            return this.#fail(error);
        }
        if (key === undefined || key === '')
            return this.#fail(errors.missingKey());
        this.#key = key;
        this.#body = body;
        this.#send();
    }
    /** Routes the key by the current view and sends the request (again, after a refusal). */
    #send() {
        const key = this.#key;
        const body = this.#body;
        const view = this.#options.routing.view;
        view.enter();
        this.#view = view;
        this.#routedBy = routingVersionOf(view.table, view.moving);
        const partition = partitionOf(key);
        const tag = routingTag(this.#options.tagsRequests ?? false, view);
        // A write that must wait for older requests first (RouteView.writeGate) goes the long way.
        if (view.previous[partition] === undefined &&
            !(this.#route.write && view.writeGate(partition) !== undefined)) {
            this.#owner = view.owners[partition];
            const { method, path } = this.#route;
            // A node that failed lately is not called again until its breaker lets a trial through.
            if (!this.#options.upstreams.breaker.allows(this.#owner))
                return this.#unreachable(errors.nodeUnreachable(this.#owner));
            try {
                this.#options.upstreams.dispatch(this.#owner, method, path, this.#type, body, new ResponseRelay(this.#response, this, this.#retries()), tag);
            }
            catch (error) {
                // A closed or invalid pool throws at once (the gateway is closing): answer, never crash.
                this.relayed(error instanceof Error ? error : new Error(String(error)), false);
            }
        }
        else {
            this.#owner = '';
            const watch = new StaleWatch(this.#options.upstreams, tag);
            this.#moving(view, key, body, watch).then((answer) => {
                const hit = !this.#route.write && answer.statusCode === 200;
                if (watch.refused && !hit && this.#retries())
                    return this.refused(watch.version);
                if (watch.unreachable && !hit)
                    return this.#unlessMoved(() => this.#finish(answer));
                this.#finish(answer);
            }, (error) => {
                if (watch.refused && this.#retries())
                    return this.refused(watch.version);
                if (watch.unreachable)
                    return this.#unlessMoved(() => this.#fail(error));
                this.#fail(error);
            });
        }
    }
    /** Whether a refusal for a stale routing may still be retried. */
    #retries() {
        return this.#attempt === 0 && this.#options.catchUp !== undefined;
    }
    /**
     * A node refused the request for a stale routing (RelayTarget; or seen by a StaleWatch): the
     * view is left, the table read again, and the request sent once more on the fresh view.
     */
    refused(nodeVersion) {
        if (this.#owner !== '')
            this.#options.upstreams.breaker.succeeded(this.#owner);
        this.#leave();
        this.#attempt++;
        this.#options.catchUp(nodeVersion).then(() => this.#send(), (error) => this.#fail(error));
    }
    /** A moving (or write-gated) partition: the orders of moving-pair.ts, answered whole. */
    #moving(view, key, body, watch) {
        const forwarder = watch.forwarder;
        const { method, path } = this.#route;
        return this.#route.write
            ? writeThrough(forwarder, view, key, method, path, this.#type, body, invalidateLegacy(forwarder, key))
            : readThrough(forwarder, view, key, method, path, this.#type, body);
    }
    /** The relay's report (RelayTarget): the node's answer was relayed, or it failed. */
    relayed(error, headersSent) {
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
    #unreachable(error) {
        this.#unlessMoved(() => this.#fail(this.#route.write ? error : errors.unknownKey()));
    }
    /**
     * A node the request went to did not answer: when the routing has moved past the version the
     * request was routed by (a shrink stopped the node after publishing the table without it), the
     * request is sent once more on the fresh view; otherwise `answer` runs.
     */
    #unlessMoved(answer) {
        const movedOnSince = this.#options.movedOnSince;
        if (!this.#retries() || movedOnSince === undefined)
            return answer();
        this.#leave();
        this.#attempt++;
        movedOnSince(this.#routedBy).then((moved) => (moved ? this.#send() : answer()), (error) => this.#fail(error));
    }
    #finish(answer) {
        const response = this.#response;
        if (answer.contentType !== undefined)
            response.setHeader('content-type', answer.contentType);
        response.setHeader('content-length', answer.body.length);
        response.writeHead(answer.statusCode);
        response.end(answer.body);
        this.#leave();
    }
    /** Answers `error` in the legacy envelope, as the Fastify error handler would. */
    #fail(error) {
        let known;
        if (error instanceof CachePoolError) {
            known = error;
        }
        else {
            this.#options.logger?.error({ err: error, method: this.#route.method, url: this.#route.path }, 'internal error');
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
    #leave() {
        const view = this.#view;
        this.#view = undefined;
        view?.leave();
    }
}
//# sourceMappingURL=fast-path.js.map