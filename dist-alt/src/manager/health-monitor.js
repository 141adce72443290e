/**
 * The manager's health checks: every interval it probes each member (`GET /healthz`), and after
 * `failuresDown` failures in a row, once `downAfterMs` have passed since the node's last answer,
 * reports the node down; the first success after that reports it up again. Each node is probed
 * on its own (a hung node's probe, bounded by its timeout, never delays the others' probes). It
 * only counts: what down and up mean (failing partitions over, a node that comes back) is the
 * manager's business. `tick()` is what the timer calls and what tests call.
 */
import { systemClock } from '../clock.js';
/** Counts failed probes per node and reports the transitions. */
export class HealthMonitor {
    #options;
    #failures = new Map();
    #down = new Set();
    /** When each node last answered (or was first seen), on the clock. */
    #lastOkMs = new Map();
    #timer = null;
    /** The probe under way per node: a tick while one runs joins it. */
    #inFlight = new Map();
    #clock;
    constructor(options) {
        this.#options = options;
        this.#clock = options.clock ?? systemClock;
    }
    /** Probes every member once (a node whose probe is still under way joins that probe). */
    async tick() {
        const addresses = this.#options.addresses();
        for (const known of [...this.#failures.keys()])
            if (!addresses.includes(known))
                this.forget(known);
        await Promise.all(addresses.map((address) => {
            let probe = this.#inFlight.get(address);
            if (probe === undefined) {
                probe = this.#probe(address).finally(() => this.#inFlight.delete(address));
                this.#inFlight.set(address, probe);
            }
            return probe;
        }));
    }
    /** Whether the node is considered down now. */
    isDown(address) {
        return this.#down.has(address);
    }
    /** Forgets a node (it left the pool, or it was restarted and is known to be up). */
    forget(address) {
        this.#failures.delete(address);
        this.#down.delete(address);
        this.#lastOkMs.delete(address);
    }
    /** Probes every `intervalMs` on a timer that does not keep the process alive. */
    start(intervalMs) {
        this.stop();
        this.#timer = setInterval(() => void this.tick(), intervalMs);
        this.#timer.unref();
    }
    stop() {
        if (this.#timer)
            clearInterval(this.#timer);
        this.#timer = null;
    }
    async #probe(address) {
        if (!this.#lastOkMs.has(address))
            this.#lastOkMs.set(address, this.#clock.now());
        const ok = await this.#options.probe(address).catch(() => false);
        if (ok) {
            this.#failures.set(address, 0);
            this.#lastOkMs.set(address, this.#clock.now());
            if (this.#down.delete(address))
                this.#options.onUp(address);
            return;
        }
        const failures = (this.#failures.get(address) ?? 0) + 1;
        this.#failures.set(address, failures);
        const silentMs = this.#clock.now() - (this.#lastOkMs.get(address) ?? this.#clock.now());
        if (failures >= Math.max(1, this.#options.failuresDown) &&
            silentMs >= (this.#options.downAfterMs ?? 0) &&
            !this.#down.has(address)) {
            this.#down.add(address);
            this.#options.onDown(address);
        }
    }
}
//# sourceMappingURL=health-monitor.js.map