/** Public surface of dashboard/: the Fastify plugin that serves the manager's web UI. */
export { dashboardPlugin, DEFAULT_BUNDLE_DIR } from './plugin.js';
//# sourceMappingURL=index.js.map