/**
 * A node's request statistics: monotonic totals (never reset, for the manager and Prometheus)
 * beside the legacy resettable figures of `GET /api/cache/statistics`, and a bounded ring of
 * periodic samples for the "last 10 minutes" figures. No timers: the node's loop calls
 * `sample()`; time comes from the injected clock.
 */
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { defaults } from '../defaults.js';

/** Counter values at one moment. */
export interface StatsSample {
  timeMs: number;
  requestsTotal: number;
  getRequestsTotal: number;
  hitsTotal: number;
  missesTotal: number;
}

/** Figures over a period: deltas of the totals, and rates (0..1, 0 when there was no GET). */
export interface PeriodFigures {
  fromMs: number;
  toMs: number;
  requests: number;
  getRequests: number;
  hits: number;
  misses: number;
  hitRate: number;
  missRate: number;
}

/** Options of NodeStats. */
export interface NodeStatsOptions {
  clock?: Clock;
  /** How long samples are kept, in ms; default defaults.statsWindowS s. */
  windowMs?: number;
  /** Most samples kept (bounds memory whatever the interval); default 10 000. */
  maxSamples?: number;
}

export class NodeStats {
  requestsTotal = 0;
  getRequestsTotal = 0;
  hitsTotal = 0;
  missesTotal = 0;
  /** Legacy `num_request_served` (not reset by DELETE /api/cache/statistics). */
  numRequestServed = 0;
  /** Legacy `num_GET_request_served` (reset). */
  numGetRequestServed = 0;
  /** Legacy `num_hit` (reset; set by set_num_hit). */
  numHit = 0;
  readonly startedAtMs: number;
  readonly #clock: Clock;
  readonly #windowMs: number;
  readonly #maxSamples: number;
  #samples: StatsSample[] = [];

  constructor(options: NodeStatsOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#windowMs = options.windowMs ?? defaults.statsWindowS * 1000;
    this.#maxSamples = options.maxSamples ?? 10_000;
    this.startedAtMs = this.#clock.now();
    this.#samples.push(this.current());
  }

  /** A request served that is not a GET (put, invalidate). */
  countRequest(): void {
    this.requestsTotal++;
    this.numRequestServed++;
  }

  /** A GET of a key, hit or miss. */
  countGet(hit: boolean): void {
    this.requestsTotal++;
    this.getRequestsTotal++;
    this.numRequestServed++;
    this.numGetRequestServed++;
    if (hit) {
      this.hitsTotal++;
      this.numHit++;
    } else {
      this.missesTotal++;
    }
  }

  /** DELETE /api/cache/statistics: resets num_GET_request_served and num_hit. */
  resetLegacy(): void {
    this.numGetRequestServed = 0;
    this.numHit = 0;
  }

  /** The totals now. */
  current(): StatsSample {
    return {
      timeMs: this.#clock.now(),
      requestsTotal: this.requestsTotal,
      getRequestsTotal: this.getRequestsTotal,
      hitsTotal: this.hitsTotal,
      missesTotal: this.missesTotal,
    };
  }

  /** Records a sample of the totals and drops those older than the window; returns it. */
  sample(): StatsSample {
    const now = this.current();
    this.#samples.push(now);
    const oldest = now.timeMs - this.#windowMs;
    let drop = 0;
    // Keep one sample at or before the window's start so the window's figures span all of it.
    while (drop + 1 < this.#samples.length && this.#samples[drop + 1]!.timeMs <= oldest) drop++;
    if (this.#samples.length - drop > this.#maxSamples)
      drop = this.#samples.length - this.#maxSamples;
    if (drop > 0) this.#samples.splice(0, drop);
    return now;
  }

  /** Samples kept, oldest first (a copy). */
  samples(): StatsSample[] {
    return [...this.#samples];
  }

  /** Figures since the oldest kept sample (about the last window), up to now. */
  window(): PeriodFigures {
    return figures(this.#samples[0]!, this.current());
  }

  /** Figures between the last two samples (the last interval). */
  lastInterval(): PeriodFigures {
    const n = this.#samples.length;
    return n >= 2
      ? figures(this.#samples[n - 2]!, this.#samples[n - 1]!)
      : figures(this.#samples[0]!, this.#samples[0]!);
  }

  /** Figures since the process started. */
  total(): PeriodFigures {
    return figures(
      {
        timeMs: this.startedAtMs,
        requestsTotal: 0,
        getRequestsTotal: 0,
        hitsTotal: 0,
        missesTotal: 0,
      },
      this.current(),
    );
  }
}

/** Deltas and rates between two samples. */
export function figures(from: StatsSample, to: StatsSample): PeriodFigures {
  const getRequests = to.getRequestsTotal - from.getRequestsTotal;
  const hits = to.hitsTotal - from.hitsTotal;
  const misses = to.missesTotal - from.missesTotal;
  return {
    fromMs: from.timeMs,
    toMs: to.timeMs,
    requests: to.requestsTotal - from.requestsTotal,
    getRequests,
    hits,
    misses,
    hitRate: getRequests > 0 ? hits / getRequests : 0,
    missRate: getRequests > 0 ? misses / getRequests : 0,
  };
}
