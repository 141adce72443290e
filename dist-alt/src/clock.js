/**
 * The time source. Everything that reads the time takes a Clock so that tests can drive time
 * instead of sleeping.
 */
export const systemClock = { now: () => Date.now() };
/** A clock that moves only when told: for tests. */
export class ManualClock {
    #nowMs;
    constructor(startMs = 0) {
        this.#nowMs = startMs;
    }
    now() {
        return this.#nowMs;
    }
    advance(ms) {
        this.#nowMs += ms;
    }
    set(ms) {
        this.#nowMs = ms;
    }
}
//# sourceMappingURL=clock.js.map