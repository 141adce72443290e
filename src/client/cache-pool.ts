/**
 * CachePool, the application client (docs/client.md): routes every key to its owner by the
 * manager's partition table (or sends everything to a gateway), one keep-alive connection pool
 * per node, values as raw bytes over `/v1`. While a partition moves it reads and writes in the
 * gateway's orders (src/pool/moving-pair.ts, batch-through.ts). Every key and batch request
 * says which routing version it was routed by; a node that no longer serves the partition answers
 * 421, and the client reads the table again and retries once. An owner that does not answer
 * makes a read a miss and a write an error, and the table is read again.
 */
import { defaults } from '../defaults.js';
import { CachePoolError, errors } from '../errors.js';
import type { BatchRecord } from '../node/batch.js';
import { parseTtl } from '../node/ttl.js';
import { partitionOf } from '../partition/index.js';
import {
  batchGetThrough,
  batchPutThrough,
  type BatchOutcome,
  type FoundValue,
} from '../pool/batch-through.js';
import { readThrough, writeThrough } from '../pool/moving-pair.js';
import {
  catchUpTo,
  isStaleRouting,
  isUnreachable,
  movedOnSince,
  ROUTING_RETRIES,
  type TableReader,
} from '../pool/stale-routing.js';
import type { Upstream, UpstreamMethod } from '../pool/upstreams.js';
import { errorOfAnswer } from './answer-error.js';
import { Connections, type Answer } from './connections.js';
import { resolveOptions, type ConnectOptions, type ResolvedOptions } from './options.js';
import { fixedRoutes, readRoutes, type Routes } from './routes.js';

/** A value to store: bytes as they are, a string as UTF-8. */
export type CacheValue = Buffer | Uint8Array | string;

/** Options of one write. */
export interface SetOptions {
  /** Time to live in whole seconds (1 to 31536000); absent: the entry never expires. */
  ttl?: number;
  /**
   * The value's Content-Type; default `text/plain; charset=utf-8` for a string,
   * `application/octet-stream` for bytes.
   */
  contentType?: string;
  /**
   * Store only if the key holds no value (memcached's `add`; `If-None-Match: *`): `set`
   * resolves false, storing nothing, when it does.
   */
  ifAbsent?: boolean;
  /**
   * Store only if the key still holds the value of this ETag (memcached's `cas`; `If-Match`),
   * as `getWithEtag` gave it: `set` resolves false, storing nothing, when the key changed or is
   * gone. Not together with `ifAbsent`.
   */
  ifMatch?: string;
}

/** Options of `setMany`: a batch has no conditions. */
export type SetManyOptions = Pick<SetOptions, 'ttl' | 'contentType'>;

/** A value with its entity tag (`getWithEtag`), for a later `set(…, { ifMatch: etag })`. */
export interface TaggedValue {
  value: Buffer;
  /** The strong ETag of the value, quoted as the node sends it (`"…"`). */
  etag: string;
  /** The Content-Type the value was stored with. */
  contentType: string | undefined;
}

const TEXT_TYPE = 'text/plain; charset=utf-8';
const BYTES_TYPE = 'application/octet-stream';

/** The client of a pool. Create it with `CachePool.connect`, end it with `close`. */
export class CachePool {
  readonly #options: ResolvedOptions;
  readonly #connections: Connections;
  #routes: Routes;
  #refreshing: Promise<boolean> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(options: ResolvedOptions, connections: Connections, routes: Routes) {
    this.#options = options;
    this.#connections = connections;
    this.#routes = routes;
    if (options.source.kind === 'manager' && options.refreshIntervalMs > 0) {
      this.#timer = setInterval(() => void this.#refresh(), options.refreshIntervalMs);
      this.#timer.unref();
    }
  }

  /**
   * Validates `options` (OptionError naming the option) and, with `manager`, reads the partition
   * table (CP_ERR_NODE_UNREACHABLE when the manager does not answer).
   */
  static async connect(options: ConnectOptions): Promise<CachePool> {
    const resolved = resolveOptions(options);
    const connections = new Connections({
      token: resolved.token,
      timeoutMs: resolved.timeoutMs,
      connectionsPerNode: resolved.connectionsPerNode,
    });
    const { source } = resolved;
    try {
      const routes =
        source.kind === 'manager'
          ? await readRoutes(connections, source.address)
          : fixedRoutes(source.kind === 'gateway' ? [source.address] : source.addresses);
      return new CachePool(resolved, connections, routes);
    } catch (error) {
      await connections.close();
      throw error;
    }
  }

  /** The version of the partition table the client routes by (1 without a manager). */
  get tableVersion(): number {
    return this.#routes.view.table.version;
  }

  /**
   * The routing version the client routes by (`X-Cachepool-Table-Version`): twice the table
   * version, plus one while partitions move; 0 without a manager.
   */
  get routingVersion(): number {
    return this.#routes.routingVersion;
  }

  /** The owner of each of the 16 partitions, as the client routes now (`host:port`). */
  get owners(): readonly string[] {
    return this.#routes.view.owners;
  }

  /** The value of `key`, or undefined on a miss (or when its owner does not answer). */
  async get(key: string): Promise<Buffer | undefined> {
    const answer = await this.#read(key, 'GET');
    return answer?.statusCode === 200 ? answer.body : undefined;
  }

  /**
   * The value of `key` with its ETag and Content-Type, or undefined on a miss: read, change, then
   * write back with `set(key, value, { ifMatch: etag })` to store only if nobody wrote meanwhile.
   */
  async getWithEtag(key: string): Promise<TaggedValue | undefined> {
    const answer = await this.#read(key, 'GET');
    if (answer?.statusCode !== 200) return undefined;
    if (answer.etag === undefined)
      throw errors.remote('CP_ERR_NODE_UNREACHABLE', 502, 'a GET hit was answered without an ETag');
    return { value: answer.body, etag: answer.etag, contentType: answer.contentType };
  }

  /** The value of `key` as UTF-8 text, or undefined on a miss. */
  async getString(key: string): Promise<string | undefined> {
    return (await this.get(key))?.toString('utf8');
  }

  /** Whether `key` holds a value (a HEAD: nothing is transferred, no hit is counted). */
  async has(key: string): Promise<boolean> {
    return (await this.#read(key, 'HEAD'))?.statusCode === 200;
  }

  /**
   * Stores `value` under `key`; resolves true when stored, false when a condition (`ifAbsent`,
   * `ifMatch`) did not hold (nothing stored; an unconditional write always resolves true).
   * Throws a CachePoolError when the pool refuses it (its code says why: CP_ERR_VALUE_TOO_LARGE,
   * CP_ERR_KEY_TOO_LONG, CP_ERR_REQUEST_INVALID for bad options, …) or when the owner does not
   * answer (CP_ERR_NODE_UNREACHABLE: the write may or may not have happened).
   */
  async set(key: string, value: CacheValue, options: SetOptions = {}): Promise<boolean> {
    const record = toRecord(key, value, options.contentType);
    const conditions = conditionsOf(options);
    // While the key's partition moves, the new owner alone decides a condition, and a key not
    // yet handed off is not there: ask the pair first, as a read does (a write between this
    // check and the PUT can still slip in; a cache's add is no lock).
    const moving = this.#live().view.previous[partitionOf(key)] !== undefined;
    if (options.ifAbsent === true && moving && (await this.has(key))) return false;
    const answer = await this.#write(
      key,
      'PUT',
      `${keyPath(key)}${ttlQuery(options.ttl)}`,
      record.type,
      record.value,
      conditions,
    );
    return answer.statusCode !== 412;
  }

  /** Removes `key` (nothing happens when it is absent). Throws as `set` does. */
  async delete(key: string): Promise<void> {
    await this.#write(key, 'DELETE', keyPath(key), undefined, undefined);
  }

  /**
   * The values of `keys` in one batch per node, sent in parallel: a Map of the keys that hit,
   * in the order of `keys` (a key whose node does not answer is a miss).
   */
  async getMany(keys: Iterable<string>): Promise<Map<string, Buffer>> {
    const wanted = [...new Set(keys)];
    for (const key of wanted) checkKey(key);
    const found = new Map<string, FoundValue>();
    let pending = wanted;
    for (let attempt = 0; attempt <= ROUTING_RETRIES && pending.length > 0; attempt++) {
      const routes = this.#live();
      const outcome = await batchGetThrough(
        this.#connections.forwarder(routes.headers),
        routes.view,
        pending,
        found,
        this.#limits(),
      );
      this.#throwFailure(outcome);
      if (outcome.staleKeys.length > 0 && attempt === ROUTING_RETRIES) this.#throwStale(outcome);
      pending = [
        ...outcome.staleKeys,
        ...(await this.#leftKeys(outcome.unreachableKeys, routes, attempt)),
      ];
      if (outcome.staleKeys.length > 0) await this.#refreshTo(outcome.staleAnswer);
    }
    const result = new Map<string, Buffer>();
    for (const key of wanted) {
      const hit = found.get(key);
      if (hit) result.set(key, hit.value);
    }
    return result;
  }

  /**
   * Stores every entry in one batch per node, sent in parallel (a later entry of the same key
   * wins). Throws as `set` does; after a throw some entries may be stored and others not.
   */
  async setMany(
    entries: Iterable<readonly [string, CacheValue]>,
    options: SetManyOptions = {},
  ): Promise<void> {
    const given = options as SetOptions;
    if (given.ifAbsent !== undefined || given.ifMatch !== undefined)
      throw errors.invalid('setMany takes no ifAbsent or ifMatch: a batch put is unconditional');
    const records = [...entries].map(([key, value]) => toRecord(key, value, options.contentType));
    const query = ttlQuery(options.ttl);
    let pending = records;
    for (let attempt = 0; attempt <= ROUTING_RETRIES && pending.length > 0; attempt++) {
      const routes = this.#live();
      const { view } = routes;
      const forwarder = this.#connections.forwarder(routes.headers);
      const outcome = await batchPutThrough(
        forwarder,
        view,
        pending,
        query,
        this.#limits(),
        (address, key) => forwarder.forward(address, 'DELETE', keyPath(key)),
      );
      const left = await this.#leftKeys(outcome.unreachableKeys, routes, attempt);
      if (left.length < outcome.unreachableKeys.length)
        throw errors.nodeUnreachable(view.owners[partitionOf(outcome.unreachableKeys[0]!)]!);
      this.#throwFailure(outcome);
      if (outcome.staleKeys.length > 0 && attempt === ROUTING_RETRIES) this.#throwStale(outcome);
      const again = new Set([...outcome.staleKeys, ...left]);
      pending = pending.filter((record) => again.has(record.key));
      if (outcome.staleKeys.length > 0) await this.#refreshTo(outcome.staleAnswer);
    }
  }

  /** Stops the table refresh and closes every connection; later calls throw CP_ERR_CLIENT_CLOSED. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#refreshing;
    await this.#connections.close();
  }

  /** A read (GET or HEAD), sent again after a 421 (ROUTING_RETRIES); undefined when no node answered. */
  async #read(key: string, method: 'GET' | 'HEAD'): Promise<Upstream | undefined> {
    checkKey(key);
    const path = keyPath(key);
    for (let attempt = 0; ; attempt++) {
      const routes = this.#live();
      const { view, headers } = routes;
      let answer: Upstream;
      try {
        answer = await readThrough(this.#connections.forwarder(headers), view, key, method, path);
      } catch (error) {
        // No node that may hold the key answered (readThrough calls that a miss, KEY_UNKNOWN).
        if (
          !isUnreachable(error) &&
          !(error instanceof CachePoolError && error.code === 'CP_ERR_KEY_UNKNOWN')
        )
          throw error;
        // A node that left the pool while this table still named it: with a routing newer than
        // the one this read was routed by, the read is sent once more; otherwise it is a miss
        // (stale-routing.ts, movedOnSince).
        if (attempt === 0 && (await this.#movedOnSince(routes.routingVersion))) continue;
        return undefined;
      }
      if (answer.statusCode === 200 || answer.statusCode === 404) return answer;
      if (isStaleRouting(answer) && attempt < ROUTING_RETRIES) {
        await this.#refreshTo(answer);
        continue;
      }
      throw errorOfAnswer(view.owners[partitionOf(key)]!, `${method} ${path}`, answer);
    }
  }

  /**
   * A write (PUT or DELETE), sent again after a 421 or an old owner gone (ROUTING_RETRIES at
   * most); `conditions` (If-None-Match, If-Match)
   * go to the owner, and its 412 is answered, not thrown.
   */
  async #write(
    key: string,
    method: UpstreamMethod,
    path: string,
    type: string | undefined,
    body: Buffer | undefined,
    conditions?: Record<string, string>,
  ): Promise<Upstream> {
    checkKey(key);
    for (let attempt = 0; ; attempt++) {
      const routes = this.#live();
      const { view, headers } = routes;
      const forwarder = this.#connections.forwarder(headers);
      let answer: Upstream;
      try {
        answer = await writeThrough(
          forwarder,
          view,
          key,
          method,
          path,
          type,
          body,
          (address) => forwarder.forward(address, 'DELETE', keyPath(key)),
          conditions,
        );
      } catch (error) {
        // The old owner of a moving partition refused the invalidation for a newer routing
        // state (its 421 is the cause): read the table again and write once more.
        const cause = (error as { cause?: Answer }).cause;
        if (attempt < ROUTING_RETRIES && cause !== undefined && isStaleRouting(cause)) {
          await this.#refreshTo(cause);
          continue;
        }
        // A node that left the pool (a shrink stops it once its keys are handed off) while this
        // table still named it: with a newer routing than the one this write was routed by, the
        // write is sent once more (PUT and DELETE are idempotent); with the same one it fails.
        if (
          isUnreachable(error) &&
          attempt < ROUTING_RETRIES &&
          (await this.#movedOnSince(routes.routingVersion, defaults.client.catchUpReads))
        )
          continue;
        throw error;
      }
      if (answer.statusCode < 300 || (conditions && answer.statusCode === 412)) return answer;
      if (isStaleRouting(answer) && attempt < ROUTING_RETRIES) {
        await this.#refreshTo(answer);
        continue;
      }
      throw errorOfAnswer(
        view.owners[partitionOf(key)]!,
        `${method} ${path.split('?')[0]}`,
        answer,
      );
    }
  }

  /** The routes in force; throws once the client is closed. */
  #live(): Routes {
    if (this.#closed) throw errors.clientClosed();
    return this.#routes;
  }

  #limits() {
    return { maxKeys: defaults.batchMaxKeys, maxBytes: defaults.client.batchMaxBytes };
  }

  /**
   * Reads the table again from the manager (one read at a time; callers share it). A failed
   * read keeps the table in force (false); an older table than the one in force is ignored.
   */
  #refresh(): Promise<boolean> {
    const { source } = this.#options;
    if (source.kind !== 'manager' || this.#closed) return Promise.resolve(false);
    this.#refreshing ??= readRoutes(this.#connections, source.address)
      .then((routes) => {
        if (routes.routingVersion >= this.#routes.routingVersion) this.#routes = routes;
        return true;
      })
      .catch(() => false)
      .finally(() => {
        this.#refreshing = undefined;
      });
    return this.#refreshing;
  }

  /** After a refusal: catches up with the node's routing version (pool/stale-routing.ts). */
  async #refreshTo(answer: Answer | undefined): Promise<void> {
    if (this.#options.source.kind !== 'manager' || this.#closed) return;
    await catchUpTo(answer?.nodeVersion, this.#tableReader);
  }

  /**
   * The keys of a batch whose node did not answer that are to be sent again: all of them when
   * this was the first attempt and the routing moved past the one the batch used (their node
   * left the pool, movedOnSince), none otherwise (then they are misses, or the write fails).
   */
  async #leftKeys(
    unreachable: readonly string[],
    routes: Routes,
    attempt: number,
  ): Promise<readonly string[]> {
    if (unreachable.length === 0) return [];
    if (attempt === 0 && (await this.#movedOnSince(routes.routingVersion))) return unreachable;
    void this.#refresh();
    return [];
  }

  /** After a node did not answer: whether the routing moved past `routedBy` (stale-routing.ts). */
  async #movedOnSince(routedBy: number, reads?: number): Promise<boolean> {
    if (this.#options.source.kind !== 'manager' || this.#closed) return false;
    return movedOnSince(routedBy, this.#tableReader, reads);
  }

  readonly #tableReader: TableReader = {
    refresh: () => this.#refresh(),
    current: () => this.#routes.routingVersion,
  };

  #throwFailure(outcome: BatchOutcome): void {
    const failure = outcome.failure;
    if (failure) throw errorOfAnswer(failure.address, 'a batch', failure.answer);
  }

  #throwStale(outcome: BatchOutcome): never {
    throw errors.remote(
      'CP_ERR_NODE_UNREACHABLE',
      421,
      `${outcome.staleKeys.length} keys are not served by the owners the manager's table names; retry later`,
    );
  }
}

function keyPath(key: string): string {
  return `/v1/keys/${encodeURIComponent(key)}`;
}

function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key === '') throw errors.missingKey();
}

/** The If-None-Match / If-Match headers of a write's conditions; 400 for bad ones. */
function conditionsOf(options: SetOptions): Record<string, string> | undefined {
  const { ifAbsent, ifMatch } = options;
  if (ifAbsent !== undefined && typeof ifAbsent !== 'boolean')
    throw errors.invalid(`ifAbsent must be true or false, got ${JSON.stringify(ifAbsent)}`);
  if (ifMatch !== undefined && (typeof ifMatch !== 'string' || !/^[\x21-\x7e]+$/.test(ifMatch)))
    throw errors.invalid(
      `ifMatch must be an ETag as getWithEtag gives it (printable ASCII, no spaces), got ${JSON.stringify(ifMatch)}`,
    );
  if (ifAbsent === true && ifMatch !== undefined)
    throw errors.invalid('ifAbsent and ifMatch cannot be given together');
  if (ifAbsent === true) return { 'if-none-match': '*' };
  if (ifMatch !== undefined) return { 'if-match': ifMatch };
  return undefined;
}

function ttlQuery(ttl: number | undefined): string {
  return ttl === undefined ? '' : `?ttl=${parseTtl('ttl', ttl)}`;
}

function toRecord(key: string, value: CacheValue, contentType: string | undefined): BatchRecord {
  checkKey(key);
  if (typeof value === 'string')
    return { key, type: contentType ?? TEXT_TYPE, value: Buffer.from(value, 'utf8') };
  if (value instanceof Uint8Array) {
    const bytes = Buffer.isBuffer(value)
      ? value
      : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return { key, type: contentType ?? BYTES_TYPE, value: bytes };
  }
  throw errors.invalid('value must be a Buffer, a Uint8Array or a string');
}
