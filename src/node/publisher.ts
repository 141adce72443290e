/**
 * The node's background work toward its manager: registration (`POST /api/manager/register`,
 * retried until it succeeds; the answer's index, capacity and policy are applied) and the
 * statistics loop (a sample every interval, pushed as a NodeSnapshot to `/api/manager/stats`).
 * `tick()` is the step the timer runs and tests call; failures are logged and retried next tick.
 * Calls go through the internal client (src/http/internal-client.ts).
 *
 * A node of a pool must never serve values the pool has given up on. The manager answering a
 * push with `rejoin` (it failed this node's partitions over while the node was unreachable) makes
 * it drop every key and register again as a new, empty member. Its own process standing still for
 * `stallMs` or more (long enough for the manager to have declared it dead) suspends it
 * (stall-guard.ts: reads miss, writes are refused) while it asks the manager at once: still a
 * member that is not down, it serves again, with its keys if the routing did not change meanwhile
 * (else writes of its partitions may have gone elsewhere without removing its copies, and it
 * drops them); `rejoin`, or no such answer within the manager's down-after, and it drops every key
 * and registers again. A pause of the collector or of a busy machine thus costs a round trip to
 * the manager, not the node's keys.
 */
import type { Logger } from 'pino';
import { defaults } from '../defaults.js';
import { InternalClient } from '../http/index.js';
import type { CacheNode } from './cache-node.js';

/** Options of Publisher. */
export interface PublisherOptions {
  node: CacheNode;
  /** Manager base URL (`http://host:port`), or undefined: sample only. */
  managerUrl?: string | undefined;
  /** This node's `host:port`, known once it listens. */
  address: () => string;
  /** Seconds between ticks; default defaults.statsIntervalS. */
  intervalS?: number;
  token?: string | undefined;
  logger?: Logger | undefined;
  timeoutMs?: number;
  /**
   * A pause of the node's own process this long (ms) makes it drop its keys (see the module
   * header); default defaults.nodeStallMs. Only with a manager.
   */
  stallMs?: number;
}

/** Least time a suspended node waits for the manager's word before it drops its keys, in ms. */
const VERIFY_MIN_MS = 2_000;
/** Timeout of one push that asks the manager after a stall, in ms. */
const VERIFY_CALL_MS = 1_000;

export class Publisher {
  readonly #options: PublisherOptions;
  #registered = false;
  #timer: NodeJS.Timeout | undefined;
  #stallTimer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  /** The manager's down-after (ms), as its registration answer said; bounds a verification. */
  #downAfterMs: number = defaults.downAfterMs;
  #verifying = false;
  /** Times the node dropped its keys to register again: a verification that saw it change is over. */
  #rejoins = 0;
  #stopped = false;
  /** The manager's endpoints, when there is a manager. */
  readonly #manager: InternalClient | undefined;

  constructor(options: PublisherOptions) {
    this.#options = options;
    this.#manager = options.managerUrl
      ? new InternalClient({
          origin: options.managerUrl,
          token: options.token,
          timeoutMs: options.timeoutMs ?? defaults.peerTimeoutMs,
        })
      : undefined;
  }

  /** Whether the manager accepted the registration. */
  get registered(): boolean {
    return this.#registered;
  }

  /** Starts the timer (and registers at once). */
  start(): void {
    if (this.#timer) return;
    const intervalMs = (this.#options.intervalS ?? defaults.statsIntervalS) * 1000;
    void this.#runTick();
    this.#timer = setInterval(() => void this.#runTick(), intervalMs);
    this.#timer.unref();
    if (this.#options.managerUrl) this.#watchStalls();
  }

  /**
   * Beats every defaults.stallCheckMs: a beat that comes much later than due means the whole
   * process stood still (SIGSTOP, a starved VM) and the manager may have failed its partitions
   * over meanwhile (stall-guard.ts).
   */
  #watchStalls(): void {
    const { liveness } = this.#options.node;
    liveness.watch(this.#options.stallMs ?? defaults.nodeStallMs, (gapMs) => this.#stalled(gapMs));
    this.#stallTimer = setInterval(() => liveness.beat(), defaults.stallCheckMs);
    this.#stallTimer.unref();
  }

  /** The node was suspended after a pause of `gapMs`: ask the manager (once at a time). */
  #stalled(gapMs: number): void {
    this.#options.logger?.warn(
      { gapMs },
      "the node's process stood still; serving nothing until the manager confirms its membership",
    );
    if (this.#verifying) return;
    this.#verifying = true;
    void this.#verify(gapMs).finally(() => {
      this.#verifying = false;
    });
  }

  /**
   * Pushes a snapshot until the manager's answer settles the node's standing: still a member
   * that is not down, it resumes with its keys; `rejoin`, or no such answer within the manager's
   * down-after, it drops every key and resumes empty. Over as soon as the node dropped its keys
   * another way meanwhile (a statistics push answered with `rejoin`): it then registers again as
   * a new member, and what it is given from then on (its partitions' keys, imported or written)
   * is not this verification's to drop. Never throws.
   */
  async #verify(gapMs: number): Promise<void> {
    const { node, logger } = this.#options;
    const deadline = Date.now() + Math.max(this.#downAfterMs, VERIFY_MIN_MS);
    const rejoins = this.#rejoins;
    const over = () => this.#stopped || this.#rejoins !== rejoins;
    for (;;) {
      if (over()) return;
      try {
        const answer = (await this.#post(
          '/api/manager/stats',
          node.snapshot(this.#options.address()),
          VERIFY_CALL_MS,
        )) as { rejoin?: unknown; status?: unknown; routing_version?: unknown } | undefined;
        if (over()) return;
        if (answer?.rejoin === true) {
          this.#dropAndRejoin('the manager failed this node over while its process stood still');
          return;
        }
        if (typeof answer?.status === 'string' && answer.status !== 'down') {
          // A routing change meanwhile (a move begun, ended or rolled back) may have sent writes
          // of this node's partitions elsewhere, and their removal of its copies may have timed
          // out: it cannot vouch for any key then, and drops them (it stays a member).
          const version = node.ownership.version;
          const unchanged =
            version === undefined ||
            (typeof answer.routing_version === 'number' && answer.routing_version === version);
          if (!unchanged) {
            node.clear();
            logger?.warn(
              { gapMs, was: version, now: answer.routing_version },
              'the routing changed while the process stood still: dropped every key',
            );
          }
          node.liveness.resume();
          logger?.info(
            { gapMs, status: answer.status, keys_kept: unchanged },
            'the manager still counts the node a member: serving again',
          );
          return;
        }
      } catch (error) {
        logger?.debug({ err: error }, 'could not ask the manager after a stall');
      }
      if (Date.now() >= deadline) {
        this.#dropAndRejoin(
          `its process stood still for ${gapMs} ms and the manager did not confirm its membership`,
        );
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, defaults.stallCheckMs));
    }
  }

  /** Drops every key and registers again (see the module header). */
  #dropAndRejoin(why: string): void {
    this.#rejoins++;
    this.#options.node.clear();
    this.#options.node.ownership.reset();
    this.#options.node.liveness.resume();
    this.#registered = false;
    this.#options.logger?.warn({ why }, 'dropped every key; registering again as an empty node');
  }

  /** Stops the timer and waits for a running tick. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#options.node.liveness.unwatch();
    if (this.#timer) clearInterval(this.#timer);
    if (this.#stallTimer) clearInterval(this.#stallTimer);
    this.#timer = undefined;
    this.#stallTimer = undefined;
    await this.#running;
  }

  async #runTick(): Promise<void> {
    if (this.#running) return;
    this.#running = this.tick().finally(() => {
      this.#running = undefined;
    });
    await this.#running;
  }

  /**
   * One step: sweep a bounded number of the store's slots for expired entries; sample the
   * statistics; register if not yet; push the snapshot.
   */
  async tick(): Promise<void> {
    const { node, managerUrl } = this.#options;
    node.sweepExpired();
    node.stats.sample();
    if (!managerUrl) return;
    if (!this.#registered) await this.register();
    try {
      const answer = (await this.#post(
        '/api/manager/stats',
        node.snapshot(this.#options.address()),
      )) as { rejoin?: unknown } | undefined;
      if (answer?.rejoin === true && this.#registered)
        this.#dropAndRejoin('the manager failed this node over while it was unreachable');
    } catch (error) {
      this.#options.logger?.debug({ err: error }, 'statistics push failed');
    }
  }

  /** Registers with the manager and applies its answer; false when it failed (retried next tick). */
  async register(): Promise<boolean> {
    const { node } = this.#options;
    try {
      const content = (await this.#post('/api/manager/register', {
        address: this.#options.address(),
        cache_index: node.cacheIndex,
      })) as
        | {
            cache_index?: unknown;
            capacity?: unknown;
            replacement_policy?: unknown;
            down_after_ms?: unknown;
          }
        | undefined;
      const downAfterMs = content?.down_after_ms;
      if (typeof downAfterMs === 'number' && downAfterMs > 0) {
        this.#downAfterMs = downAfterMs;
        if (this.#options.stallMs === undefined)
          node.liveness.setStallMs(Math.max(500, downAfterMs - 1_500));
      }
      node.configure({
        cacheIndex: typeof content?.cache_index === 'number' ? content.cache_index : undefined,
        capacityMb: typeof content?.capacity === 'number' ? content.capacity : undefined,
        policy:
          typeof content?.replacement_policy === 'string' ? content.replacement_policy : undefined,
      });
      this.#registered = true;
      this.#options.logger?.info(
        { manager: this.#options.managerUrl, cache_index: node.cacheIndex },
        'registered',
      );
      return true;
    } catch (error) {
      this.#options.logger?.warn(
        { err: error, manager: this.#options.managerUrl },
        'registration failed; retrying',
      );
      return false;
    }
  }

  /**
   * The node is stopping (SIGTERM): asks its manager to hand its keys off to the owners of its
   * partitions and remove it from the pool, and resolves once that is done, refused (not a
   * member, the manager stopping, the pool's last node) or after `graceMs`. Never throws: a node
   * that could not hand off exits anyway, and its keys are lost with it (logged).
   */
  async leave(graceMs: number = defaults.leaveGraceMs): Promise<void> {
    const { managerUrl, logger } = this.#options;
    if (!managerUrl || !this.#registered) return;
    const address = this.#options.address();
    try {
      await this.#post('/api/manager/leave', { address }, graceMs);
      logger?.info({ address }, 'keys handed off; the node left the pool');
    } catch (error) {
      logger?.warn({ err: error, address }, 'could not hand the keys off before stopping');
    }
  }

  async #post(
    path: string,
    body: unknown,
    timeoutMs = this.#options.timeoutMs ?? defaults.peerTimeoutMs,
  ): Promise<unknown> {
    if (!this.#manager) throw new Error('no manager to call');
    return this.#manager.call({ method: 'POST', path, json: body, timeoutMs });
  }
}
