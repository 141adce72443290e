/**
 * The pool's member list as a node with a manager sees it: `GET <manager>/api/manager/pool_node_list`
 * (content `{node_ip_list: ["host:port", …], node_id_list}`), fetched with the token, kept for a
 * short time and fetched again when an address is not in it (a node that just joined). Fetches
 * are single-flight and go through the internal client (bounded by a timeout); a failed fetch
 * is an error (move_keys then refuses: without the list, no destination can be proven to be a
 * member).
 */
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { defaults } from '../defaults.js';
import { errors } from '../errors.js';
import { InternalClient } from '../http/index.js';
import { sameAddress, type PeerAddress } from './peers.js';

/** Options of PoolMembers. */
export interface PoolMembersOptions {
  /** The manager (`--manager`). */
  manager: PeerAddress;
  token?: string | undefined;
  /** How long a fetched list is used, in ms; default defaults.membersTtlMs. */
  ttlMs?: number;
  timeoutMs?: number;
  clock?: Clock;
}

export class PoolMembers {
  readonly #options: PoolMembersOptions;
  readonly #clock: Clock;
  readonly #client: InternalClient;
  #list: string[] = [];
  #fetchedAtMs = -Infinity;
  #fetching: Promise<string[]> | undefined;

  constructor(options: PoolMembersOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#client = new InternalClient({
      origin: options.manager.baseUrl,
      token: options.token,
      timeoutMs: options.timeoutMs ?? defaults.peerTimeoutMs,
    });
  }

  /**
   * Whether `peer` is a member: answered from the kept list while it is fresh and holds the
   * peer; otherwise from a new fetch. Throws an OperationalError when the manager cannot say.
   */
  async has(peer: PeerAddress): Promise<boolean> {
    const fresh =
      this.#clock.now() - this.#fetchedAtMs < (this.#options.ttlMs ?? defaults.membersTtlMs);
    if (fresh && this.#list.some((m) => sameAddress(m, peer))) return true;
    const list = await this.refresh();
    return list.some((m) => sameAddress(m, peer));
  }

  /** Fetches the list now (joining a fetch already running). */
  refresh(): Promise<string[]> {
    this.#fetching ??= this.#fetch().finally(() => {
      this.#fetching = undefined;
    });
    return this.#fetching;
  }

  async #fetch(): Promise<string[]> {
    const { manager } = this.#options;
    let list: unknown;
    try {
      const content = (await this.#client.call({
        method: 'GET',
        path: '/api/manager/pool_node_list',
      })) as { node_ip_list?: unknown } | undefined;
      list = content?.node_ip_list;
    } catch (error) {
      throw errors.memberListUnreadable(manager.hostPort, error);
    }
    if (!Array.isArray(list) || !list.every((a) => typeof a === 'string')) {
      throw errors.memberListInvalid(manager.hostPort);
    }
    this.#list = list;
    this.#fetchedAtMs = this.#clock.now();
    return this.#list;
  }
}
