/**
 * The pool as the manager holds it, owned here and nowhere else: the membership, the partition
 * table in force, the cache config, the nodes' statistics, one NodeClient per node spoken to, and
 * the StateDb every change of membership, table and config is written through to as it happens.
 * A database that already holds a pool is read back on construction (a restart). The resize
 * engine, the node lifecycle and the start path all change the pool through this object; it
 * speaks to no node itself (the clients are handed out, not used here).
 */
import type { Clock } from '../clock.js';
import { defaults } from '../defaults.js';
import { errors } from '../errors.js';
import { PartitionTable } from '../partition/index.js';
import { NodeClient } from '../pool/index.js';
import { Membership, type MemberStatus } from './membership.js';
import { NodeStatistics } from './node-statistics.js';
import type { NodeSpec, Provisioner } from './provisioner.js';
import type { CacheConfig, StateDb } from './state-db.js';

export type { CacheConfig };

/** Options of PoolState. */
export interface PoolStateOptions {
  /** Where the state is written through to (and read back from, when it holds a pool). */
  db: StateDb;
  /** Asked for the process id of a node that joins (local kind), for the database. */
  provisioner: Provisioner;
  clock: Clock;
  /** The bearer token the NodeClients send, if any. */
  token: string | undefined;
  /** The config of a new pool (defaults fill the gaps); a restored pool keeps the stored one. */
  config?: Partial<CacheConfig> | undefined;
  /** Called after a member was removed (the health monitor forgets it). */
  onRemove?: (address: string) => void;
}

/** The pool's state, each change written through to the StateDb. */
export class PoolState {
  /** The durable state (the auto-scaler's settings and decisions live there too). */
  readonly db: StateDb;
  /** The members and the nodes waiting to join; change members through this class's methods. */
  readonly members = new Membership();
  /** What the members last reported. */
  readonly statistics = new NodeStatistics();
  /** True when the database held a pool when this state was made (it is a restart). */
  readonly restored: boolean;
  #options: PoolStateOptions;
  #table: PartitionTable | null = null;
  #config: CacheConfig;
  #clients = new Map<string, NodeClient>();

  constructor(options: PoolStateOptions) {
    this.#options = options;
    this.db = options.db;
    const stored = this.db.loadPartitionTable();
    if (stored) {
      // A pool that existed: its table, members and config are the truth, not the options.
      this.#table = new PartitionTable(stored.version, stored.strategy, stored.owners);
      this.#config = this.db.loadCacheConfig();
      for (const node of this.db.listNodes())
        this.members.add(node.address, node.cacheIndex, node.status, node.addedAtMs);
      this.restored = this.members.size > 0;
    } else {
      this.#config = {
        capacityMb: options.config?.capacityMb ?? defaults.capacityMb,
        policy: options.config?.policy ?? defaults.replacementPolicy,
      };
      this.restored = false;
    }
  }

  /** The table in force. Throws CP_ERR_INTERNAL before the first one is set (only by a bug). */
  get table(): PartitionTable {
    // Only reachable by a bug (routes are served after start()): a generic 500, logged.
    if (!this.#table) throw errors.internal();
    return this.#table;
  }

  /** False until the pool's first table is set (a new pool before start()). */
  get hasTable(): boolean {
    return this.#table !== null;
  }

  /** The config in force (not a copy: do not change it, use saveConfig). */
  get config(): Readonly<CacheConfig> {
    return this.#config;
  }

  /** Makes `config` (copied) the one in force and stores it. */
  saveConfig(config: CacheConfig): void {
    this.#config = { ...config };
    this.db.saveCacheConfig(this.#config);
  }

  /** Makes `table` the one in force and stores it. */
  setTable(table: PartitionTable): void {
    this.#table = table;
    this.db.savePartitionTable(table);
  }

  /** Adds a member joining now, with the process id the provisioner knows for it. */
  addMember(address: string, cacheIndex: number, status: MemberStatus): void {
    const addedAtMs = this.#options.clock.now();
    this.members.add(address, cacheIndex, status, addedAtMs);
    this.db.upsertNode({
      address,
      cacheIndex,
      status,
      pid: this.#options.provisioner.pidOf?.(address) ?? null,
      addedAtMs,
    });
  }

  /** Removes a member with its figures (its client stays open: see dropClient). */
  removeMember(address: string): void {
    this.members.remove(address);
    this.db.removeNode(address);
    this.statistics.forget(address);
    this.#options.onRemove?.(address);
  }

  /** Sets a member's status (nothing when it is not a member). */
  setStatus(address: string, status: MemberStatus): void {
    this.members.setStatus(address, status);
    this.db.setNodeStatus(address, status);
  }

  /** What a node of `cacheIndex` is started with under the config in force. */
  spec(cacheIndex: number): NodeSpec {
    return { cacheIndex, capacityMb: this.#config.capacityMb, policy: this.#config.policy };
  }

  /** The client of the node at `address`, made on first use and kept until dropClient. */
  client(address: string): NodeClient {
    let client = this.#clients.get(address);
    if (!client) {
      client = new NodeClient(address, { token: this.#options.token });
      this.#clients.set(address, client);
    }
    return client;
  }

  /** Closes the connections to a node that left (its address may later be another node's). */
  async dropClient(address: string): Promise<void> {
    const client = this.#clients.get(address);
    this.#clients.delete(address);
    await client?.close().catch(() => {});
  }

  /** Closes every client (the manager shuts down); rejects when one fails to close. */
  async closeClients(): Promise<void> {
    await Promise.all([...this.#clients.values()].map((client) => client.close()));
    this.#clients.clear();
  }
}
