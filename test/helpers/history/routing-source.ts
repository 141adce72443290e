/**
 * An OperationSource that routes each key itself, as a client library does (SPEC §6): it follows
 * the manager's partition table (`GET /api/manager/partitions`, fetched again every `refreshMs`)
 * and sends each operation to the owner's legacy API. When the manager does not answer it keeps
 * the last table it has, so it keeps working while the manager is away.
 */
import { partitionOf } from '../../../src/partition/index.js';
import { LegacySource, type LegacySourceOptions } from './gateway-source.js';
import type { OperationSource } from './recorder.js';

export interface RoutingSourceOptions extends LegacySourceOptions {
  /** Fetches the table: `{ partitions: string[] }` as the manager's endpoint answers it. */
  fetchTable: () => Promise<readonly string[]>;
  /** How often the table is fetched again, in ms (default 500). */
  refreshMs?: number;
}

/** Routes by the manager's partition table; `start()` fetches it first. */
export class RoutingSource implements OperationSource {
  #owners: readonly string[] = [];
  #nodes = new Map<string, LegacySource>();
  #timer: NodeJS.Timeout | undefined;
  readonly #options: RoutingSourceOptions;

  constructor(options: RoutingSourceOptions) {
    this.#options = options;
  }

  /** Fetches the table (failing when the manager does not answer) and keeps it fresh. */
  async start(): Promise<void> {
    this.#owners = await this.#options.fetchTable();
    this.#timer = setInterval(() => {
      this.#options.fetchTable().then(
        (owners) => (this.#owners = owners),
        () => {}, // the manager is away: keep the last table
      );
    }, this.#options.refreshMs ?? 500);
  }

  get(key: string, signal: AbortSignal): Promise<string | undefined> {
    return this.#ownerOf(key).get(key, signal);
  }

  put(key: string, value: string, signal: AbortSignal): Promise<void> {
    return this.#ownerOf(key).put(key, value, signal);
  }

  delete(key: string, signal: AbortSignal): Promise<void> {
    return this.#ownerOf(key).delete(key, signal);
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.all([...this.#nodes.values()].map((node) => node.close()));
  }

  #ownerOf(key: string): LegacySource {
    const address = this.#owners[partitionOf(key)];
    if (address === undefined) throw new Error(`no owner of partition ${partitionOf(key)} yet`);
    let node = this.#nodes.get(address);
    if (!node)
      this.#nodes.set(address, (node = new LegacySource(`http://${address}`, this.#options)));
    return node;
  }
}
