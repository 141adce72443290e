/**
 * The pool's resize mode (SPEC §4): manual, or automatic with the auto-scaler's thresholds. Owns
 * the Autoscaler loop; the mode, the thresholds and every decision are kept in the manager's
 * StateDb (written on each change, read back at a restart). The rule itself is autoscaler.ts.
 */
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../clock.js';
import { defaults } from '../defaults.js';
import { Autoscaler, type AutoscaleThresholds, type Decision } from './autoscaler.js';
import type { Manager } from './manager.js';
import type { AutoscalerSettings, StateDb } from './state-db.js';
import type { ScaleMode } from '../wire/index.js';

export type { ScaleMode };

/** Options of Scaling. */
export interface ScalingOptions {
  manager: Manager;
  logger: Logger;
  /** Seconds between two decisions; default defaults.scaleIntervalS. */
  scaleIntervalS?: number;
  clock?: Clock;
  /**
   * The pool's miss rate and GET requests over the last period; default the manager's own
   * reading of the snapshots it kept (the CLI passes the metrics store's reading over one scale interval, at most a minute).
   */
  readMissRate?: () => { missRate: number | null; getRequests: number };
}

/** Mode, thresholds, decisions and the auto-scaler timer of one pool. */
export class Scaling {
  readonly intervalMs: number;
  #db: StateDb;
  #settings: AutoscalerSettings;
  #autoscaler: Autoscaler;

  constructor(options: ScalingOptions) {
    const { manager, logger } = options;
    this.intervalMs = Math.max(
      1,
      Math.round((options.scaleIntervalS ?? defaults.scaleIntervalS) * 1000),
    );
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
      readMissRate: async () =>
        options.readMissRate ? options.readMissRate() : manager.missRate(this.intervalMs),
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
        if (decision.action !== 'none') logger.info({ decision }, 'auto-scaler decision');
      },
      onError: (error) => logger.warn({ err: error }, 'auto-scaler error'),
    });
  }

  /** manual or automatic; stored at once. */
  get mode(): ScaleMode {
    return this.#settings.mode;
  }

  set mode(mode: ScaleMode) {
    this.#save({ mode });
  }

  /** The four thresholds (validated by the caller); stored at once. */
  get thresholds(): AutoscaleThresholds {
    const { maxMissRateThreshold, minMissRateThreshold, expandRatio, shrinkRatio } = this.#settings;
    return { maxMissRateThreshold, minMissRateThreshold, expandRatio, shrinkRatio };
  }

  set thresholds(thresholds: AutoscaleThresholds) {
    this.#save({ ...thresholds });
  }

  /** GET requests in a period below which no decision is taken (an integer >= 0); stored at once. */
  get minRequests(): number {
    return this.#settings.minRequests;
  }

  set minRequests(minRequests: number) {
    this.#save({ minRequests });
  }

  /** Starts the decision timer. */
  start(): void {
    this.#autoscaler.start(this.intervalMs);
  }

  /** Records a resize made by hand, so the auto-scaler waits one period after it. */
  noteResize(): void {
    this.#autoscaler.noteResize();
  }

  /** One decision now (what the timer calls). */
  tick(): Promise<Decision | null> {
    return this.#autoscaler.tick();
  }

  /** Newest first, at most `defaults.decisionsShown`, from the database. */
  decisions(): Decision[] {
    return this.#db.listDecisions(defaults.decisionsShown);
  }

  async stop(): Promise<void> {
    await this.#autoscaler.stop();
  }

  #save(change: Partial<AutoscalerSettings>): void {
    const next = { ...this.#settings, ...change };
    this.#db.saveAutoscalerSettings(next);
    this.#settings = next;
  }
}
