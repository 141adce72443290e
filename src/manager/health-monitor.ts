/**
 * The manager's health checks: every interval it probes each member (`GET /healthz`), and after
 * `failuresDown` failures in a row, once `downAfterMs` have passed since the node's last answer,
 * reports the node down; the first success after that reports it up again. Each node is probed
 * on its own (a hung node's probe, bounded by its timeout, never delays the others' probes). It
 * only counts: what down and up mean (failing partitions over, a node that comes back) is the
 * manager's business. `tick()` is what the timer calls and what tests call.
 */
import { systemClock, type Clock } from '../clock.js';

/** What the monitor needs. */
export interface HealthMonitorOptions {
  /** Addresses to probe now. */
  addresses(): string[];
  /** True when the node answers in time. */
  probe(address: string): Promise<boolean>;
  /** Consecutive failures that make a node down; at least 1. */
  failuresDown: number;
  /**
   * And at least this long since the node's last answer (or since it was first probed), in ms;
   * default 0 (the count alone decides).
   */
  downAfterMs?: number;
  clock?: Clock;
  onDown(address: string): void;
  onUp(address: string): void;
}

/** Counts failed probes per node and reports the transitions. */
export class HealthMonitor {
  #options: HealthMonitorOptions;
  #failures = new Map<string, number>();
  #down = new Set<string>();
  /** When each node last answered (or was first seen), on the clock. */
  #lastOkMs = new Map<string, number>();
  #timer: NodeJS.Timeout | null = null;
  /** The probe under way per node: a tick while one runs joins it. */
  #inFlight = new Map<string, Promise<void>>();
  #clock: Clock;

  constructor(options: HealthMonitorOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** Probes every member once (a node whose probe is still under way joins that probe). */
  async tick(): Promise<void> {
    const addresses = this.#options.addresses();
    for (const known of [...this.#failures.keys()])
      if (!addresses.includes(known)) this.forget(known);
    await Promise.all(
      addresses.map((address) => {
        let probe = this.#inFlight.get(address);
        if (probe === undefined) {
          probe = this.#probe(address).finally(() => this.#inFlight.delete(address));
          this.#inFlight.set(address, probe);
        }
        return probe;
      }),
    );
  }

  /** Whether the node is considered down now. */
  isDown(address: string): boolean {
    return this.#down.has(address);
  }

  /**
   * Counts a node down again without reporting it (its manager did not take its answer): its
   * next answer reports it up.
   */
  markDown(address: string): void {
    this.#down.add(address);
  }

  /** Forgets a node (it left the pool, or it was restarted and is known to be up). */
  forget(address: string): void {
    this.#failures.delete(address);
    this.#down.delete(address);
    this.#lastOkMs.delete(address);
  }

  /** Probes every `intervalMs` on a timer that does not keep the process alive. */
  start(intervalMs: number): void {
    this.stop();
    this.#timer = setInterval(() => void this.tick(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  async #probe(address: string): Promise<void> {
    if (!this.#lastOkMs.has(address)) this.#lastOkMs.set(address, this.#clock.now());
    const ok = await this.#options.probe(address).catch(() => false);
    if (ok) {
      this.#failures.set(address, 0);
      this.#lastOkMs.set(address, this.#clock.now());
      if (this.#down.delete(address)) this.#options.onUp(address);
      return;
    }
    const failures = (this.#failures.get(address) ?? 0) + 1;
    this.#failures.set(address, failures);
    const silentMs = this.#clock.now() - (this.#lastOkMs.get(address) ?? this.#clock.now());
    if (
      failures >= Math.max(1, this.#options.failuresDown) &&
      silentMs >= (this.#options.downAfterMs ?? 0) &&
      !this.#down.has(address)
    ) {
      this.#down.add(address);
      this.#options.onDown(address);
    }
  }
}
