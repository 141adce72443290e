/**
 * A circuit breaker per node address: after a call to a node fails at the transport level
 * (refused, reset, timed out), calls to it fail at once for `openMs` instead of each waiting for
 * its own timeout; after that one call at a time may try again (half-open), and any answer from the
 * node closes the breaker. What a failed call means (a read is a miss, a write an error) is the
 * caller's business. Pure bookkeeping with an injected clock: no I/O, no timers.
 */
import { systemClock } from '../clock.js';
import { defaults } from '../defaults.js';
/** Open/closed state per node address. */
export class Breaker {
    #open = new Map();
    #openMs;
    #clock;
    constructor(options = {}) {
        this.#openMs = options.openMs ?? defaults.breakerOpenMs;
        this.#clock = options.clock ?? systemClock;
    }
    /**
     * Whether a call to `address` may go out now. False while the breaker is open; once `openMs`
     * has passed, true for exactly one trial call until that call reports its outcome.
     */
    allows(address) {
        const state = this.#open.get(address);
        if (state === undefined)
            return true;
        if (state.trial || this.#clock.now() < state.untilMs)
            return false;
        state.trial = true;
        return true;
    }
    /** Whether calls to `address` fail at once now (without taking the trial). */
    isOpen(address) {
        const state = this.#open.get(address);
        return state !== undefined && (state.trial || this.#clock.now() < state.untilMs);
    }
    /** A call to `address` got an answer (any status): the node is reachable. */
    succeeded(address) {
        if (this.#open.size !== 0)
            this.#open.delete(address);
    }
    /** A call to `address` failed at the transport level: open for `openMs` from now. */
    failed(address) {
        this.#open.set(address, { untilMs: this.#clock.now() + this.#openMs, trial: false });
    }
    /** Addresses open now, for health reports. */
    openAddresses() {
        return [...this.#open.keys()].filter((address) => this.isOpen(address));
    }
}
//# sourceMappingURL=breaker.js.map