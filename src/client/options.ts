/**
 * The client's options (`CachePool.connect`), validated once: exactly one way in (`manager`,
 * `gateway` or `nodes`), addresses as `host:port` or `http://host:port`, positive integers for
 * the limits. A bad option throws OptionError naming the option, the rule and the value.
 */
import { defaults } from '../defaults.js';
import { OptionError } from '../errors.js';
import { isNodeId } from '../partition/index.js';

/** Options of `CachePool.connect`. */
export interface ConnectOptions {
  /**
   * The manager (`http://host:port` or `host:port`): the client reads the partition table from it
   * and routes each key to its owner itself.
   */
  manager?: string;
  /** A gateway: every request goes to it and it routes (no partition table in the client). */
  gateway?: string;
  /**
   * Standalone nodes without a manager (`host:port` each): partition i belongs to
   * nodes[i mod N], as a pool of these nodes in that order would start.
   */
  nodes?: readonly string[];
  /** The pool token, sent as `Authorization: Bearer` (needed with `--protect-data`). */
  token?: string;
  /** Timeout of one request, in ms; default 5000. */
  timeoutMs?: number;
  /** Keep-alive connections to one node (or the gateway); default 32. */
  connectionsPerNode?: number;
  /**
   * How often the table is read again from the manager, in ms; default 1000; 0 reads it only
   * when a node says the client's table is stale (421) or a node does not answer.
   */
  refreshIntervalMs?: number;
}

/** The validated options. */
export interface ResolvedOptions {
  source:
    | { kind: 'manager'; address: string }
    | { kind: 'gateway'; address: string }
    | { kind: 'nodes'; addresses: string[] };
  token: string | undefined;
  timeoutMs: number;
  connectionsPerNode: number;
  refreshIntervalMs: number;
}

/** Validates `options`; throws OptionError naming the first bad option. */
export function resolveOptions(options: ConnectOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null)
    throw new OptionError('options', 'must be an object', options);
  const given = (['manager', 'gateway', 'nodes'] as const).filter(
    (name) => options[name] !== undefined,
  );
  if (given.length !== 1) {
    throw new OptionError(
      'manager, gateway or nodes',
      'exactly one must be given',
      given.length === 0 ? undefined : given.join(' and '),
    );
  }
  const source: ResolvedOptions['source'] =
    options.manager !== undefined
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
    connectionsPerNode: integer(
      'connectionsPerNode',
      options.connectionsPerNode,
      defaults.client.connectionsPerNode,
      1,
    ),
    refreshIntervalMs: integer(
      'refreshIntervalMs',
      options.refreshIntervalMs,
      defaults.client.refreshIntervalMs,
      0,
    ),
  };
}

/** `host:port` from `host:port` or `http://host:port[/]`. */
function addressOf(option: string, value: unknown): string {
  const rule = 'must be host:port or http://host:port';
  if (typeof value !== 'string') throw new OptionError(option, rule, value);
  let address = value;
  if (/^[a-z]+:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new OptionError(option, rule, value);
    }
    if (url.protocol !== 'http:' || (url.pathname !== '/' && url.pathname !== '') || url.search)
      throw new OptionError(option, rule, value);
    address = url.host;
  }
  if (!isNodeId(address)) throw new OptionError(option, rule, value);
  return address;
}

function nodesOf(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new OptionError('nodes', 'must be a non-empty list of host:port', value);
  const addresses = value.map((node) => addressOf('nodes', node));
  if (new Set(addresses).size !== addresses.length)
    throw new OptionError('nodes', 'must not repeat a node', value);
  return addresses;
}

function integer(option: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
    throw new OptionError(option, `must be an integer >= ${min}`, value);
  return value;
}
