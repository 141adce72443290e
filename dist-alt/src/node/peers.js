/**
 * Where a node may send keys and calls: node addresses as the legacy API writes them (`host`,
 * `host:port`, `http://host:port`; a bare host means port 5001) and the `--peers` allow-list.
 * Without `--peers`, a node listening on loopback may talk to loopback addresses only; a node on
 * another address may talk to none (move_keys needs `--peers` there).
 */
import { defaults } from '../defaults.js';
import { errors } from '../errors.js';
import { isLoopbackHost } from '../http/index.js';
/** Parses a node address; a RequestError for anything that is not http://host[:port]. */
export function parsePeer(address, defaultPort = defaults.nodePort) {
    const text = address.trim();
    let url;
    try {
        url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
    }
    catch {
        throw errors.invalid(`${JSON.stringify(address)} is not a node address (host, host:port or http://host:port)`);
    }
    if (url.protocol !== 'http:' ||
        url.username ||
        url.password ||
        (url.pathname !== '/' && url.pathname !== '') ||
        url.search ||
        url.hash ||
        url.hostname === '') {
        throw errors.invalid(`${JSON.stringify(address)} is not a node address (host, host:port or http://host:port)`);
    }
    const port = url.port === '' ? defaultPort : Number(url.port);
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const shown = host.includes(':') ? `[${host}]` : host;
    return { host, port, baseUrl: `http://${shown}:${port}`, hostPort: `${shown}:${port}` };
}
/** The allow-list of peers a node may contact. */
export class PeerPolicy {
    #entries;
    #allowLoopback;
    /**
     * `peers`: `host` or `host:port` entries (a host alone allows every port). With none given,
     * loopback peers are allowed when `listenHost` is loopback.
     */
    constructor(peers, listenHost) {
        this.#entries = peers.map((entry) => {
            const hasPort = /:\d+$/.test(entry) && !/^[^[]*:.*:/.test(entry);
            const parsed = parsePeer(entry);
            return { host: normalize(parsed.host), port: hasPort ? parsed.port : undefined };
        });
        this.#allowLoopback = peers.length === 0 && isLoopbackHost(listenHost);
    }
    /** Whether `peer` may be contacted. */
    allows(peer) {
        if (this.#allowLoopback && isLoopbackHost(peer.host))
            return true;
        const host = normalize(peer.host);
        return this.#entries.some((e) => e.host === host && (e.port === undefined || e.port === peer.port));
    }
}
function normalize(host) {
    const lower = host.toLowerCase();
    return lower === 'localhost' ? '127.0.0.1' : lower;
}
/**
 * Whether two node addresses name the same host and port (`localhost` = `127.0.0.1`, case
 * ignored). A text that is not a node address matches nothing.
 */
export function sameAddress(a, b) {
    let left;
    try {
        left = typeof a === 'string' ? parsePeer(a) : a;
    }
    catch {
        return false;
    }
    return left.port === b.port && normalize(left.host) === normalize(b.host);
}
//# sourceMappingURL=peers.js.map