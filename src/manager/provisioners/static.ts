/**
 * The `static` provisioner: a fixed list of node addresses (`--nodes-list host:port,…`) run and
 * managed by hand or by another system. It hands out listed nodes that are not members yet and
 * "stops" a node by forgetting it: the node keeps running, empty, after its keys were handed off.
 * It starts and stops no process itself.
 */
import type { Logger } from 'pino';
import { pino } from 'pino';
import { defaults } from '../../defaults.js';
import { OptionError } from '../../errors.js';
import { InternalClient } from '../../http/index.js';
import { isNodeId } from '../../partition/index.js';
import type { NodeSpec, Provisioner, ProvisionerEvent } from '../provisioner.js';

/** Options of the static provisioner. */
export interface StaticProvisionerOptions {
  /** The node addresses, `host:port` each, at least one, none twice (`--nodes-list`). */
  nodes: readonly string[];
  /**
   * Whether `address` is a pool member already (the manager's membership, which survives a
   * restart). Nodes handed out by this provisioner count as members until `stopNode` either way.
   */
  isMember?: (address: string) => boolean;
  /**
   * Whether the node at `address` serves and may join. Default: `GET /api/cache/statistics`
   * answers 200 within `probeTimeoutMs`. A node that fails it is skipped this time (logged).
   */
  probe?: (address: string) => Promise<boolean>;
  /** Timeout of the default probe, in ms; default `defaults.peerTimeoutMs`. */
  probeTimeoutMs?: number;
  /** Pool token sent by the default probe, when the pool has one. */
  token?: string;
  /** Where hand-offs and skipped nodes are logged; silent by default. */
  logger?: Logger;
}

/** Hands out nodes from a fixed list. */
export class StaticProvisioner implements Provisioner {
  readonly kind = 'static' as const;
  readonly awaitsRegistrations = false;
  readonly replacesFailed = true;
  readonly #nodes: readonly string[];
  readonly #handedOut = new Set<string>();
  readonly #isMember: (address: string) => boolean;
  readonly #probe: (address: string) => Promise<boolean>;
  readonly #logger: Logger;

  /** Throws an OptionError naming `--nodes-list` when the list is empty, malformed or repeats. */
  constructor(options: StaticProvisionerOptions) {
    this.#nodes = parseNodesList(options.nodes);
    this.#isMember = options.isMember ?? (() => false);
    const timeoutMs = options.probeTimeoutMs ?? defaults.peerTimeoutMs;
    this.#probe = options.probe ?? ((address) => probeNode(address, timeoutMs, options.token));
    this.#logger = options.logger ?? pino({ level: 'silent' });
  }

  /**
   * Resolves with up to `specs.length` listed addresses that are neither members nor handed out
   * and pass the probe, in list order. Fewer (down to none) when the list has no more: the
   * manager then reports that the pool cannot grow. The specs cannot be applied here: the nodes
   * take their index and configuration from the manager when it adds them.
   */
  async startNodes(specs: NodeSpec[], _currentCount: number): Promise<string[]> {
    const started: string[] = [];
    for (const address of this.#nodes) {
      if (started.length >= specs.length) break;
      if (this.#handedOut.has(address) || this.#isMember(address)) continue;
      if (!(await this.#probe(address))) {
        this.#logger.warn({ address }, 'listed node does not answer; skipped');
        continue;
      }
      this.#handedOut.add(address);
      started.push(address);
    }
    if (started.length < specs.length) {
      this.#logger.warn(
        { asked: specs.length, found: started.length },
        'the static node list has no more free nodes',
      );
    }
    return started;
  }

  /** Forgets the node: it keeps running, and may be handed out again later. */
  async stopNode(address: string, newCount: number): Promise<void> {
    this.#handedOut.delete(address);
    this.#logger.info(
      { address, newCount },
      'node handed off and left the pool; it keeps running (static provisioner)',
    );
  }

  /** The whole list, members or not. */
  /** Nothing to stop: the operator's node, if it answers again, registers as a new member. */
  async forgetFailed(_address: string, _newCount: number): Promise<void> {}

  addresses(): string[] {
    return [...this.#nodes];
  }

  /** A static pool reports no events: nothing here watches the nodes. */
  onEvent(_listener: (event: ProvisionerEvent) => void): void {}

  async close(): Promise<void> {}
}

/** Checks a `--nodes-list`: non-empty, each `host:port`, no address twice. */
export function parseNodesList(nodes: readonly string[]): string[] {
  if (!Array.isArray(nodes as unknown) || nodes.length === 0) {
    throw new OptionError('--nodes-list', 'must list at least one host:port', nodes);
  }
  const seen = new Set<string>();
  for (const address of nodes) {
    if (!isNodeId(address))
      throw new OptionError('--nodes-list', 'must hold host:port addresses', address);
    if (seen.has(address))
      throw new OptionError('--nodes-list', 'must not name a node twice', address);
    seen.add(address);
  }
  return [...nodes];
}

/** True when `GET http://address/api/cache/statistics` answers 200 within `timeoutMs`. */
async function probeNode(address: string, timeoutMs: number, token?: string): Promise<boolean> {
  const client = new InternalClient({ origin: `http://${address}`, token, timeoutMs });
  try {
    const answer = await client.send({ method: 'GET', path: '/api/cache/statistics' });
    return answer.statusCode === 200;
  } catch {
    return false;
  }
}
