/**
 * Not-found and error handlers shared by node, gateway and manager. A CachePoolError becomes the
 * legacy envelope (or the /v1 error shape under /v1/); Fastify's own client errors (bad JSON,
 * body too large, wrong content type, multipart limits) become the matching catalogue error; any
 * other error is an internal fault: logged, answered with a generic 500 `internal error`.
 * An unknown path answers 404, a known path with another method 405, both in the envelope.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CachePoolError, errors } from '../errors.js';
import { sendLegacyError, sendV1Error } from './envelope.js';

/** Options of `installErrorHandlers`. */
export interface ErrorHandlerOptions {
  /** Whether a URL belongs to the /v1 API (proper statuses); default: its path starts with `/v1/`. */
  isV1?: (url: string) => boolean;
  /** The body limit in bytes, for the 413 message. */
  bodyLimitBytes: number;
}

const defaultIsV1 = (url: string) => url === '/v1' || url.startsWith('/v1/');

/**
 * Installs the handlers on `app`. Call it before registering routes: it records every route's
 * path (through an onRoute hook) to tell a 405 from a 404.
 */
export function installErrorHandlers(app: FastifyInstance, options: ErrorHandlerOptions): void {
  const isV1 = options.isV1 ?? defaultIsV1;
  const routes: { pattern: RegExp; methods: Set<string> }[] = [];
  const byPath = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    let known = byPath.get(route.url);
    if (!known) {
      known = new Set();
      byPath.set(route.url, known);
      routes.push({ pattern: patternOf(route.url), methods: known });
    }
    for (const method of methods) known.add(method.toUpperCase());
  });

  const send = (request: FastifyRequest, reply: FastifyReply, error: CachePoolError) =>
    isV1(request.url) ? sendV1Error(reply, error) : sendLegacyError(reply, error);

  app.setNotFoundHandler((request, reply) => {
    const path = pathOf(request.url);
    const allowed = routes.some((route) => route.pattern.test(path));
    const error = allowed
      ? errors.methodNotAllowed(request.method, path)
      : errors.notFound(request.method, path);
    return send(request, reply, error);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = toCachePoolError(
      error,
      options.bodyLimitBytes,
      String(request.headers['content-type'] ?? ''),
    );
    if (!known) {
      request.log.error(
        { err: error, method: request.method, url: pathOf(request.url) },
        'internal error',
      );
      return send(request, reply, errors.internal());
    }
    return send(request, reply, known);
  });
}

/**
 * Fastify's `frameworkErrors` option: errors raised before routing (a URL that is not valid
 * percent-encoding, a path segment over the router's length limit) in the API's shape.
 */
export function frameworkErrorHandler(isV1: (url: string) => boolean = defaultIsV1) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const known =
      error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? errors.invalid('the path is too long (keys are limited in length, see docs/http-api.md)')
        : errors.invalid(
            'the URL is not valid (bad percent-encoding, or percent-encoded bytes that are not UTF-8)',
          );
    const url = request.raw.url ?? '';
    if (isV1(url)) sendV1Error(reply, known);
    else sendLegacyError(reply, known);
  };
}

/** Maps an error to a catalogue error; undefined for an internal fault. */
export function toCachePoolError(
  error: unknown,
  bodyLimitBytes: number,
  contentType = '',
): CachePoolError | undefined {
  if (error instanceof CachePoolError) return error;
  const fastifyError = error as Partial<FastifyError> | undefined;
  const code = fastifyError?.code ?? '';
  const status = fastifyError?.statusCode ?? 0;
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
      return errors.bodyTooLarge(bodyLimitBytes);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return errors.unsupportedMedia(contentType);
    case 'ERR_STREAM_PREMATURE_CLOSE':
      // The request stream ended inside a multipart file part (a cut body): busboy's file
      // stream reports it as a premature close, which carries no 4xx status of its own.
      return errors.malformedBody('the multipart body ended inside a part');
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return errors.malformedBody(
        'too many multipart parts (the limits are --max-fields and --max-parts)',
      );
  }
  // Fastify and busboy mark the client's mistakes with a 4xx: malformed JSON, a truncated
  // multipart body, a bad content-length. Their messages describe the input, not our internals.
  if (status >= 400 && status < 500)
    return errors.malformedBody(String(fastifyError?.message ?? 'unreadable'));
  if (
    error instanceof Error &&
    /Unexpected end of (form|multipart)|Malformed part header|Multipart: Boundary not found/i.test(
      error.message,
    )
  ) {
    return errors.malformedBody(error.message);
  }
  return undefined;
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** A route path (`/v1/keys/:key`, `/files/*`) as an anchored regular expression. */
function patternOf(routePath: string): RegExp {
  const source = routePath
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      if (segment.startsWith(':')) return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}/?$`);
}
