import { tokenMatches } from './auth.js';
/**
 * Puts `preRouter` in front of the server's request listeners (Fastify's): a request it does not
 * take goes to them unchanged. `app.inject()` does not pass through here.
 */
export function interpose(server, preRouter) {
    const fallbacks = server.listeners('request');
    server.removeAllListeners('request');
    server.on('request', (request, response) => {
        if (preRouter(request, response))
            return;
        for (const fallback of fallbacks)
            fallback.call(server, request, response);
    });
}
/** True when an Authorization header carries `Bearer <token>` (compared in constant time). */
export function bearerAuthorized(token, header) {
    if (header === undefined)
        return false;
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    return match !== null && tokenMatches(token, match[1]);
}
//# sourceMappingURL=pre-router.js.map