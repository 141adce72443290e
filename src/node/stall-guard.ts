/**
 * A pool node's guard against serving after its own process stood still (SIGSTOP, a starved VM,
 * a long pause of the collector): the manager may have failed its partitions over meanwhile, so
 * after such a pause the node must neither read out a value the pool has given up on nor accept a
 * write the pool will not keep.
 *
 * A timer beats every defaults.stallCheckMs (Publisher). A gap of `stallMs` or more since the last
 * beat — seen by the timer, or first by a request checked before the timer could run (a process
 * resumed inside its poll phase handles queued requests before its timers) — suspends the node:
 * its reads miss and its writes and removals are refused with CP_ERR_NODE_VERIFYING until its
 * owner (Publisher) has asked the manager and either resumes it (still a member in good standing,
 * keys kept) or drops its keys and resumes it empty. Pure bookkeeping, no I/O.
 */

/** Suspends on a pause of the process; `onStall` hears of each suspension once. */
export class StallGuard {
  readonly #now: () => number;
  /** 0: not watching (a node without a manager never suspends). */
  #stallMs = 0;
  #lastBeatMs = 0;
  #suspended = false;
  #onStall: ((gapMs: number) => void) | undefined;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Starts watching: a gap of `stallMs` between beats suspends and calls `onStall` with it. */
  watch(stallMs: number, onStall: (gapMs: number) => void): void {
    this.#stallMs = stallMs;
    this.#onStall = onStall;
    this.#lastBeatMs = this.#now();
  }

  /** Changes the gap that suspends (the manager's down-after is known once registered). */
  setStallMs(stallMs: number): void {
    if (this.#stallMs !== 0) this.#stallMs = stallMs;
  }

  /** Stops watching (the node stops); resumes a suspended node. */
  unwatch(): void {
    this.#stallMs = 0;
    this.#onStall = undefined;
    this.#suspended = false;
  }

  get stallMs(): number {
    return this.#stallMs;
  }

  /** The timer's beat: a gap since the last one suspends; the beat is recorded either way. */
  beat(): void {
    this.#check();
    this.#lastBeatMs = this.#now();
  }

  /** Whether the node must not serve now (checked by every keyed request). */
  suspended(): boolean {
    if (this.#stallMs === 0) return false;
    this.#check();
    return this.#suspended;
  }

  /** Serves again (its owner checked with the manager, or dropped every key). */
  resume(): void {
    this.#suspended = false;
    this.#lastBeatMs = this.#now();
  }

  #check(): void {
    if (this.#stallMs === 0 || this.#suspended) return;
    const gapMs = this.#now() - this.#lastBeatMs;
    if (gapMs < this.#stallMs) return;
    this.#suspended = true;
    this.#onStall?.(gapMs);
  }
}
