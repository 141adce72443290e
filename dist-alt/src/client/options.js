/**
 * The client's options (`CachePool.connect`), validated once: exactly one way in (`manager`,
 * `gateway` or `nodes`), addresses as `host:port` or `http://host:port`, positive integers for
 * the limits. A bad option throws OptionError naming the option, the rule and the value.
 */
import { defaults } from '../defaults.js';
import { OptionError } from '../errors.js';
import { isNodeId } from '../partition/index.js';
/** Validates `options`; throws OptionError naming the first bad option. */
export function resolveOptions(options) {
    if (typeof options !== 'object' || options === null)
        throw new OptionError('options', 'must be an object', options);
    const given = ['manager', 'gateway', 'nodes'].filter((name) => options[name] !== undefined);
    if (given.length !== 1) {
        throw new OptionError('manager, gateway or nodes', 'exactly one must be given', given.length === 0 ? undefined : given.join(' and '));
    }
    const source = options.manager !== undefined
        ? { kind: 'manager', address: addressOf('manager', options.manager) }
        : options.gateway !== undefined
            ? { kind: 'gateway', address: addressOf('gateway', options.gateway) }
            : { kind: 'nodes', addresses: nodesOf(options.nodes) };
    if (options.token !== undefined && (typeof options.token !== 'string' || options.token === ''))
        throw new OptionError('token', 'must be a non-empty string', options.token);
    return {
        source,
        token: options.token,
        timeoutMs: integer('timeoutMs', options.timeoutMs, defaults.client.timeoutMs, 1),
        connectionsPerNode: integer('connectionsPerNode', options.connectionsPerNode, defaults.client.connectionsPerNode, 1),
        refreshIntervalMs: integer('refreshIntervalMs', options.refreshIntervalMs, defaults.client.refreshIntervalMs, 0),
    };
}
/** `host:port` from `host:port` or `http://host:port[/]`. */
function addressOf(option, value) {
    const rule = 'must be host:port or http://host:port';
    if (typeof value !== 'string')
        throw new OptionError(option, rule, value);
    let address = value;
    if (/^[a-z]+:\/\//i.test(value)) {
        let url;
        try {
            url = new URL(value);
        }
        catch {
            throw new OptionError(option, rule, value);
        }
        if (url.protocol !== 'http:' || (url.pathname !== '/' && url.pathname !== '') || url.search)
            throw new OptionError(option, rule, value);
        address = url.host;
    }
    if (!isNodeId(address))
        throw new OptionError(option, rule, value);
    return address;
}
function nodesOf(value) {
    if (!Array.isArray(value) || value.length === 0)
        throw new OptionError('nodes', 'must be a non-empty list of host:port', value);
    const addresses = value.map((node) => addressOf('nodes', node));
    if (new Set(addresses).size !== addresses.length)
        throw new OptionError('nodes', 'must not repeat a node', value);
    return addresses;
}
function integer(option, value, fallback, min) {
    if (value === undefined)
        return fallback;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
        throw new OptionError(option, `must be an integer >= ${min}`, value);
    return value;
}
//# sourceMappingURL=options.js.map