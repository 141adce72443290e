/**
 * Pieces of a pre-router: a function that sees each request before Fastify and either answers it
 * itself (a hot route, served without Fastify's per-request cost) or leaves it untouched for the
 * Fastify routes, which stay the reference behaviour.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { tokenMatches } from './auth.js';

/** Handles a request and returns true, or returns false (untouched) to let Fastify have it. */
export type PreRouter = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * Puts `preRouter` in front of the server's request listeners (Fastify's): a request it does not
 * take goes to them unchanged. `app.inject()` does not pass through here.
 */
export function interpose(server: Server, preRouter: PreRouter): void {
  const fallbacks = server.listeners('request') as ((
    request: IncomingMessage,
    response: ServerResponse,
  ) => void)[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (preRouter(request, response)) return;
    for (const fallback of fallbacks) fallback.call(server, request, response);
  });
}

/** True when an Authorization header carries `Bearer <token>` (compared in constant time). */
export function bearerAuthorized(token: string, header: string | undefined): boolean {
  if (header === undefined) return false;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match !== null && tokenMatches(token, match[1]!);
}
