/**
 * The time source. Everything that reads the time takes a Clock so that tests can drive time
 * instead of sleeping.
 */

/** A source of wall-clock milliseconds since the epoch. */
export interface Clock {
  now(): number;
}

/** A clock that can also wait: the pauses of retry loops, which tests drive with ManualClock. */
export interface WaitingClock extends Clock {
  /** Resolves once `ms` have passed on this clock. */
  sleep(ms: number): Promise<void>;
}

export const systemClock: WaitingClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A clock that moves only when told: for tests. */
export class ManualClock implements WaitingClock {
  #nowMs: number;
  constructor(startMs = 0) {
    this.#nowMs = startMs;
  }
  now(): number {
    return this.#nowMs;
  }
  advance(ms: number): void {
    this.#nowMs += ms;
  }
  set(ms: number): void {
    this.#nowMs = ms;
  }
  /** Moves the clock `ms` on and resolves at once (after pending callbacks): no real wait. */
  sleep(ms: number): Promise<void> {
    this.#nowMs += ms;
    return new Promise((resolve) => setImmediate(resolve));
  }
}
