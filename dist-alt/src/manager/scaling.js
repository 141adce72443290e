import { systemClock } from '../clock.js';
import { defaults } from '../defaults.js';
import { Autoscaler } from './autoscaler.js';
/** Mode, thresholds, decisions and the auto-scaler timer of one pool. */
export class Scaling {
    intervalMs;
    #db;
    #settings;
    #autoscaler;
    constructor(options) {
        const { manager, logger } = options;
        this.intervalMs = Math.max(1, Math.round((options.scaleIntervalS ?? defaults.scaleIntervalS) * 1000));
        this.#db = manager.db;
        // The bounds and the period are the command line's; mode and thresholds survive restarts.
        this.#settings = {
            ...this.#db.loadAutoscalerSettings(),
            cooldownMs: this.intervalMs,
            minNodes: manager.minNodes,
            maxNodes: manager.maxNodes,
        };
        this.#autoscaler = new Autoscaler({
            clock: options.clock ?? systemClock,
            readMissRate: async () => options.readMissRate ? options.readMissRate() : manager.missRate(this.intervalMs),
            currentSize: () => manager.size,
            resize: (newSize) => manager.resize(newSize, 'automatic'),
            bounds: () => ({ min: manager.minNodes, max: manager.maxNodes }),
            params: () => ({
                ...this.thresholds,
                minRequests: this.#settings.minRequests,
                cooldownMs: this.intervalMs,
            }),
            isAutomatic: () => this.mode === 'automatic',
            onDecision: (decision) => {
                this.#db.appendDecision(decision);
                if (decision.action !== 'none')
                    logger.info({ decision }, 'auto-scaler decision');
            },
            onError: (error) => logger.warn({ err: error }, 'auto-scaler error'),
        });
    }
    /** manual or automatic; stored at once. */
    get mode() {
        return this.#settings.mode;
    }
    set mode(mode) {
        this.#save({ mode });
    }
    /** The four thresholds (validated by the caller); stored at once. */
    get thresholds() {
        const { maxMissRateThreshold, minMissRateThreshold, expandRatio, shrinkRatio } = this.#settings;
        return { maxMissRateThreshold, minMissRateThreshold, expandRatio, shrinkRatio };
    }
    set thresholds(thresholds) {
        this.#save({ ...thresholds });
    }
    /** GET requests in a period below which no decision is taken (an integer >= 0); stored at once. */
    get minRequests() {
        return this.#settings.minRequests;
    }
    set minRequests(minRequests) {
        this.#save({ minRequests });
    }
    /** Starts the decision timer. */
    start() {
        this.#autoscaler.start(this.intervalMs);
    }
    /** Records a resize made by hand, so the auto-scaler waits one period after it. */
    noteResize() {
        this.#autoscaler.noteResize();
    }
    /** One decision now (what the timer calls). */
    tick() {
        return this.#autoscaler.tick();
    }
    /** Newest first, at most `defaults.decisionsShown`, from the database. */
    decisions() {
        return this.#db.listDecisions(defaults.decisionsShown);
    }
    async stop() {
        await this.#autoscaler.stop();
    }
    #save(change) {
        const next = { ...this.#settings, ...change };
        this.#db.saveAutoscalerSettings(next);
        this.#settings = next;
    }
}
//# sourceMappingURL=scaling.js.map