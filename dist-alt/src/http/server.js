/**
 * The Fastify instance every cachepool server starts from: no per-request logging, keep-alive,
 * the body limit, the legacy body parsers and the shared error handlers. Routes are added by the
 * caller (node, gateway, manager).
 */
import Fastify, { LogController } from 'fastify';
import { defaults } from '../defaults.js';
import { registerLegacyParsers } from './body.js';
import { frameworkErrorHandler, installErrorHandlers } from './error-handlers.js';
/** Creates the base app (not listening). Register routes on it, then `listen()` it. */
export async function createHttpApp(options = {}) {
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
    });
    installErrorHandlers(app, { bodyLimitBytes, ...(options.isV1 ? { isV1: options.isV1 } : {}) });
    await registerLegacyParsers(app, bodyLimitBytes, options.multipart ?? defaults.multipart);
    return app;
}
//# sourceMappingURL=server.js.map