/**
 * The pool's resize mode (SPEC §4): manual, or automatic with the auto-scaler's thresholds. Owns
 * the Autoscaler loop and the last decisions for the dashboard; the rule itself is autoscaler.ts.
 */
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../clock.js';
import { defaults } from '../defaults.js';
import { Autoscaler, type AutoscaleThresholds, type Decision } from './autoscaler.js';
import type { Manager } from './manager.js';

export type ScaleMode = 'manual' | 'automatic';

/** Options of Scaling. */
export interface ScalingOptions {
  manager: Manager;
  logger: Logger;
  /** Seconds between two decisions; default defaults.scaleIntervalS. */
  scaleIntervalS?: number;
  clock?: Clock;
  /**
   * The pool's miss rate and GET requests over the last period; default the manager's own
   * reading of the snapshots it kept (the CLI passes the metrics store's last minute).
   */
  readMissRate?: () => { missRate: number | null; getRequests: number };
}

/** Mode, thresholds, decisions and the auto-scaler timer of one pool. */
export class Scaling {
  mode: ScaleMode = 'manual';
  thresholds: AutoscaleThresholds = {
    maxMissRateThreshold: defaults.autoscale.maxMissRateThreshold,
    minMissRateThreshold: defaults.autoscale.minMissRateThreshold,
    expandRatio: defaults.autoscale.expandRatio,
    shrinkRatio: defaults.autoscale.shrinkRatio,
  };
  readonly intervalMs: number;
  #decisions: Decision[] = [];
  #autoscaler: Autoscaler;

  constructor(options: ScalingOptions) {
    const { manager, logger } = options;
    this.intervalMs = Math.max(1, Math.round((options.scaleIntervalS ?? defaults.scaleIntervalS) * 1000));
    this.#autoscaler = new Autoscaler({
      clock: options.clock ?? systemClock,
      readMissRate: async () => (options.readMissRate ? options.readMissRate() : manager.missRate(this.intervalMs)),
      currentSize: () => manager.size,
      resize: (newSize) => manager.resize(newSize, 'automatic'),
      bounds: () => ({ min: manager.minNodes, max: manager.maxNodes }),
      params: () => ({ ...this.thresholds, minRequests: defaults.autoscale.minRequests, cooldownMs: this.intervalMs }),
      isAutomatic: () => this.mode === 'automatic',
      onDecision: (decision) => {
        this.#decisions.unshift(decision);
        if (this.#decisions.length > 100) this.#decisions.pop();
        if (decision.action !== 'none') logger.info({ decision }, 'auto-scaler decision');
      },
      onError: (error) => logger.warn({ err: error }, 'auto-scaler error'),
    });
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

  /** Newest first, at most 100. */
  decisions(): Decision[] {
    return [...this.#decisions];
  }

  async stop(): Promise<void> {
    await this.#autoscaler.stop();
  }
}
