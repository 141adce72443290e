/** Public surface of dashboard/: the Fastify plugin that serves the manager's web UI. */
export { dashboardPlugin, DEFAULT_BUNDLE_DIR, type DashboardPluginOptions } from './plugin.js';
