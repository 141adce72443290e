/**
 * The Fastify instance every cachepool server starts from: no per-request logging, keep-alive,
 * the body limit, the legacy body parsers, the shared error handlers and the OpenAPI document
 * generated from the route schemas (openapi.ts). Routes are added by the caller (node, gateway,
 * manager).
 */
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { defaults } from '../defaults.js';
import { registerLegacyParsers } from './body.js';
import { frameworkErrorHandler, installErrorHandlers } from './error-handlers.js';
import type { MultipartLimits } from './limits.js';
import { registerOpenapi, type OpenapiHead } from './openapi.js';

/** Options of `createHttpApp`. */
export interface HttpAppOptions {
  /** Largest request body in bytes; default defaults.bodyLimitBytes. */
  bodyLimitBytes?: number;
  /** A pino logger; default a silent one. */
  logger?: Logger;
  /** See ErrorHandlerOptions.isV1. */
  isV1?: (url: string) => boolean;
  /** Multipart part counts; default defaults.multipart (100 fields, 110 parts). */
  multipart?: MultipartLimits;
  /** Longest key in UTF-8 bytes (a node's --max-key-bytes); bounds path parameters; default defaults.maxKeyBytes. */
  maxKeyBytes?: number;
  /** Title, description and tags of the app's OpenAPI document; default a bare head. */
  openapi?: OpenapiHead;
}

/** Creates the base app (not listening). Register routes on it, then `listen()` it. */
export async function createHttpApp(options: HttpAppOptions = {}): Promise<FastifyInstance> {
  const bodyLimitBytes = options.bodyLimitBytes ?? defaults.bodyLimitBytes;
  const maxKeyBytes = options.maxKeyBytes ?? defaults.maxKeyBytes;
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // No per-request log lines: they would cost more than serving a hit.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: bodyLimitBytes,
    keepAliveTimeout: 65_000,
    // Keys may be long URLs; the default 100-character parameter limit would 404 them. A byte
    // takes up to 3 characters percent-encoded.
    routerOptions: { maxParamLength: maxKeyBytes * 3 + 64, ignoreTrailingSlash: true },
    return503OnClosing: false,
    frameworkErrors: frameworkErrorHandler(options.isV1),
  }) as unknown as FastifyInstance;
  registerOpenapi(
    app,
    options.openapi ?? { title: 'cachepool', description: 'A cachepool server.', tags: [] },
  );
  installErrorHandlers(app, { bodyLimitBytes, ...(options.isV1 ? { isV1: options.isV1 } : {}) });
  await registerLegacyParsers(app, bodyLimitBytes, options.multipart ?? defaults.multipart);
  return app;
}
