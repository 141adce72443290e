/**
 * Serves the dashboard from the manager: `GET /` is the page, `GET /assets/<file>` its script and
 * styles, read from the bundle that `scripts/build-dashboard.mjs` writes to `dist/dashboard/`.
 * Owns serving only; the page reads the manager's API like any other client. When the bundle
 * was not built, `/` answers 503 with a page that says how to build it (never a 500).
 */
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { errors } from '../errors.js';
import { sendLegacyError } from '../http/envelope.js';
import { dashboardRoutes } from '../wire/index.js';

/** Where the build script writes the bundle: `dist/dashboard`, next to the compiled `dist/src`. */
export const DEFAULT_BUNDLE_DIR = fileURLToPath(new URL('../../dashboard/', import.meta.url));

export interface DashboardPluginOptions {
  /** Directory holding `index.html` and `assets/`; default `DEFAULT_BUNDLE_DIR`. */
  bundleDir?: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** A safe asset file name: no directories, no dot files. */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>cachepool — dashboard not built</title></head>
<body><h1>The dashboard is not built</h1><p>The manager is running, but the dashboard bundle was not found
(<code>dist/dashboard/index.html</code>). Build it with <code>npm run build</code>
(or <code>node scripts/build-dashboard.mjs</code>) and reload this page. The API under
<code>/api/manager/</code> works without it.</p></body></html>`;

async function readOrNull(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null;
    throw error;
  }
}

function sendFile(reply: FastifyReply, name: string, body: Buffer): FastifyReply {
  return reply
    .code(200)
    .type(TYPES[extname(name)] ?? 'application/octet-stream')
    .header('cache-control', 'no-cache')
    .header('x-content-type-options', 'nosniff')
    .send(body);
}

/** The Fastify plugin: register it on the manager app (`app.register(dashboardPlugin)`). */
export const dashboardPlugin: FastifyPluginAsync<DashboardPluginOptions> = async (app, options) => {
  const bundleDir = options.bundleDir ?? DEFAULT_BUNDLE_DIR;

  app.get('/', { schema: dashboardRoutes.page }, async (_request, reply) => {
    const page = await readOrNull(join(bundleDir, 'index.html'));
    if (!page)
      return reply
        .code(503)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(NOT_BUILT);
    return sendFile(reply, 'index.html', page);
  });

  app.get<{ Params: { name: string } }>(
    '/assets/:name',
    { schema: dashboardRoutes.asset },
    async (request, reply) => {
      const { name } = request.params;
      const body = ASSET_NAME.test(name) ? await readOrNull(join(bundleDir, 'assets', name)) : null;
      if (!body) return sendLegacyError(reply, errors.notFound(request.method, request.url));
      return sendFile(reply, name, body);
    },
  );
};
