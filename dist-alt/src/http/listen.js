/**
 * Listening: binds an app to host:port and logs the line every cachepool server prints once it
 * is ready: `{"msg":"listening","role":<role>,"url":"http://host:port"}`. Binding a non-loopback
 * host without a token is refused unless `allowInsecure` is set: the control plane (config,
 * clear, move_keys, internal endpoints) would be open to the network.
 */
import { isIP } from 'node:net';
import { OptionError } from '../errors.js';
/** Whether `host` names the loopback interface (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host) {
    const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    if (bare === 'localhost' || bare === '::1' || bare === '::ffff:127.0.0.1')
        return true;
    return isIP(bare) === 4 && bare.startsWith('127.');
}
/** `http://host:port`, with brackets around an IPv6 host. */
export function urlOf(host, port) {
    return isIP(host) === 6 ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}
/**
 * Listens and logs the listening line; resolves with the base URL and the bound port.
 * Throws an OptionError for a non-loopback host without a token (unless allowInsecure).
 */
export async function listen(app, options) {
    const loopback = isLoopbackHost(options.host);
    if (!loopback && !options.token && !options.allowInsecure) {
        throw new OptionError('--host', 'may name a non-loopback address only with --token (or --allow-insecure)', options.host);
    }
    await app.listen({ host: options.host, port: options.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const url = urlOf(options.host, port);
    if (!options.token) {
        options.logger.warn({ role: options.role }, loopback
            ? 'no --token: the control endpoints are open to local processes'
            : 'no --token: the control endpoints are open to the network');
    }
    options.logger.info({ role: options.role, url }, 'listening');
    return { url, port };
}
//# sourceMappingURL=listen.js.map