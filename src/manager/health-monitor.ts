/**
 * The manager's health checks: every interval it probes each member (`GET /healthz`), and after
 * `failuresDown` failures in a row reports the node down; the first success after that reports it
 * up again. It only counts: what down and up mean (routing status, reconfiguring a node that came
 * back empty) is the manager's business. `tick()` is what the timer calls and what tests call.
 */

/** What the monitor needs. */
export interface HealthMonitorOptions {
  /** Addresses to probe now. */
  addresses(): string[];
  /** True when the node answers in time. */
  probe(address: string): Promise<boolean>;
  /** Consecutive failures that make a node down; at least 1. */
  failuresDown: number;
  onDown(address: string): void;
  onUp(address: string): void;
}

/** Counts failed probes per node and reports the transitions. */
export class HealthMonitor {
  #options: HealthMonitorOptions;
  #failures = new Map<string, number>();
  #down = new Set<string>();
  #timer: NodeJS.Timeout | null = null;
  #inFlight: Promise<void> | null = null;

  constructor(options: HealthMonitorOptions) {
    this.#options = options;
  }

  /** Probes every member once (a tick while another runs joins it). */
  tick(): Promise<void> {
    this.#inFlight ??= this.#run().finally(() => {
      this.#inFlight = null;
    });
    return this.#inFlight;
  }

  /** Whether the node is considered down now. */
  isDown(address: string): boolean {
    return this.#down.has(address);
  }

  /** Forgets a node (it left the pool, or it was restarted and is known to be up). */
  forget(address: string): void {
    this.#failures.delete(address);
    this.#down.delete(address);
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

  async #run(): Promise<void> {
    const addresses = this.#options.addresses();
    for (const known of [...this.#failures.keys()])
      if (!addresses.includes(known)) this.forget(known);
    await Promise.all(
      addresses.map(async (address) => {
        const ok = await this.#options.probe(address).catch(() => false);
        if (ok) {
          this.#failures.set(address, 0);
          if (this.#down.delete(address)) this.#options.onUp(address);
          return;
        }
        const failures = (this.#failures.get(address) ?? 0) + 1;
        this.#failures.set(address, failures);
        if (failures >= Math.max(1, this.#options.failuresDown) && !this.#down.has(address)) {
          this.#down.add(address);
          this.#options.onDown(address);
        }
      }),
    );
  }
}
