/**
 * The auto-scaler (SPEC §4): in automatic mode, once a period, it looks at the pool's miss rate
 * over the last period and grows or shrinks the pool within [min, max] nodes. Three parts:
 * `decide()` — the rule, pure; `validateAutoscaleParams()` — the parameters of
 * `POST /api/manager/poolsize/automatic`, pure; `Autoscaler` — the loop that reads the miss rate,
 * decides, resizes and reports. It does not measure the miss rate, move keys or reset node
 * statistics: the manager's injected functions do (its resize() resets the hit statistics).
 */
import type { Clock } from '../clock.js';
import { OptionError, describe } from '../errors.js';
import type { ScaleAction } from '../wire/index.js';

/** The four thresholds a user sets (SPEC §4 `poolsize/automatic`). */
export interface AutoscaleThresholds {
  /** Miss rate (0..1) above which the pool grows. */
  maxMissRateThreshold: number;
  /** Miss rate (0..1) below which the pool shrinks; less than the maximum threshold. */
  minMissRateThreshold: number;
  /** Growth factor, > 1: N nodes become round(N × expandRatio), at least N + 1. */
  expandRatio: number;
  /** Shrink factor, 0 < r < 1: N nodes become round(N × shrinkRatio), at most N − 1. */
  shrinkRatio: number;
}

/** Every parameter of a decision. */
export interface AutoscaleParams extends AutoscaleThresholds {
  /** GET requests in the last period below which no decision is taken (default 20). */
  minRequests: number;
  /** Time after a resize during which no decision is taken, in ms (usually one period). */
  cooldownMs: number;
}

export type { ScaleAction };

/** What `decide()` looks at. */
export interface DecideInput {
  /** Current time, ms since the epoch. */
  now: number;
  currentSize: number;
  minNodes: number;
  maxNodes: number;
  params: AutoscaleParams;
  /** Miss rate of the last period, 0..1; null (or not finite) when unknown. */
  missRate: number | null;
  /** GET requests served by the pool in the last period. */
  getRequests: number;
  /** When the last resize finished, ms since the epoch; null when there was none. */
  lastResizeAtMs: number | null;
}

/** One decision, as the dashboard lists them (`GET /api/manager/autoscaler`). */
export interface Decision {
  /** When it was taken, ms since the epoch. */
  timeMs: number;
  action: ScaleAction;
  oldSize: number;
  /** The size asked for; equal to oldSize when the action is `none`. */
  newSize: number;
  missRate: number | null;
  requests: number;
  /** One sentence for operators: why this action. */
  reason: string;
}

/**
 * The auto-scaler's rule. In order: no decision during the cooldown after a resize; none with
 * fewer than `minRequests` GET requests; none without a miss rate; above the maximum threshold
 * (strictly) the pool grows to round(N × expandRatio) but at least N + 1; below the minimum
 * threshold (strictly) it shrinks to round(N × shrinkRatio) but at most N − 1; always clamped to
 * [minNodes, maxNodes]; at the bound it would cross, none. Rounding is half up (2.5 → 3).
 */
export function decide(input: DecideInput): Decision {
  const { now, currentSize: size, minNodes, maxNodes, params } = input;
  const missRate =
    typeof input.missRate === 'number' && Number.isFinite(input.missRate) ? input.missRate : null;
  const requests =
    Number.isFinite(input.getRequests) && input.getRequests > 0 ? input.getRequests : 0;
  const none = (reason: string): Decision => ({
    timeMs: now,
    action: 'none',
    oldSize: size,
    newSize: size,
    missRate,
    requests,
    reason,
  });
  const clamp = (n: number) => Math.min(maxNodes, Math.max(minNodes, n));

  if (input.lastResizeAtMs !== null && now - input.lastResizeAtMs < params.cooldownMs) {
    const leftS = Math.ceil((params.cooldownMs - (now - input.lastResizeAtMs)) / 1000);
    return none(`waiting after the last resize: the cooldown ends in ${leftS} s`);
  }
  if (requests < params.minRequests) {
    return none(
      `only ${requests} GET requests in the last period, fewer than the ${params.minRequests} needed to decide`,
    );
  }
  if (missRate === null) return none('the miss rate of the last period is not known yet');

  const rate = percent(missRate);
  if (missRate > params.maxMissRateThreshold) {
    const above = `miss rate ${rate} is above the maximum threshold ${percent(params.maxMissRateThreshold)}`;
    if (size >= maxNodes)
      return none(`${above}, but the pool is at its maximum of ${maxNodes} nodes`);
    const newSize = clamp(Math.max(size + 1, roundHalfUp(size * params.expandRatio)));
    return {
      ...none(''),
      action: 'grow',
      newSize,
      reason: `${above}: growing from ${size} to ${newSize} nodes`,
    };
  }
  if (missRate < params.minMissRateThreshold) {
    const below = `miss rate ${rate} is below the minimum threshold ${percent(params.minMissRateThreshold)}`;
    if (size <= minNodes)
      return none(`${below}, but the pool is at its minimum of ${minNodes} nodes`);
    const newSize = clamp(Math.min(size - 1, roundHalfUp(size * params.shrinkRatio)));
    return {
      ...none(''),
      action: 'shrink',
      newSize,
      reason: `${below}: shrinking from ${size} to ${newSize} nodes`,
    };
  }
  return none(
    `miss rate ${rate} is within the thresholds ${percent(params.minMissRateThreshold)}..${percent(params.maxMissRateThreshold)}`,
  );
}

/**
 * Rounds half up, tolerating the binary error of a product such as 25 × 0.58 = 14.499999999999998
 * (→ 15, as the decimal 14.5 would).
 */
export function roundHalfUp(x: number): number {
  return Math.floor(x + 0.5 + 1e-9);
}

function percent(rate: number): string {
  return `${Number((rate * 100).toFixed(2))}%`;
}

/** The wire names of the thresholds (SPEC §4), by field. */
export const autoscaleFieldNames = {
  maxMissRateThreshold: 'max_miss_rate_threshold',
  minMissRateThreshold: 'min_miss_rate_threshold',
  expandRatio: 'expand_ratio',
  shrinkRatio: 'shrink_ratio',
} as const satisfies Record<keyof AutoscaleThresholds, string>;

/** The outcome of validateAutoscaleParams. */
export type AutoscaleValidation =
  { ok: true; params: AutoscaleThresholds } | { ok: false; message: string };

/**
 * Reads the thresholds of `POST /api/manager/poolsize/automatic` from raw fields (numbers or
 * numeric strings, as form bodies send them) under their wire names. A field that is absent
 * (undefined or null) takes its value from `current`, or is an error without `current`.
 * Rules: 0 ≤ min_miss_rate_threshold < max_miss_rate_threshold ≤ 1, expand_ratio > 1,
 * 0 < shrink_ratio < 1. The first broken rule is reported in a message naming the field, the rule
 * and the value; nothing is thrown.
 */
export function validateAutoscaleParams(
  raw: Readonly<Record<string, unknown>>,
  current?: AutoscaleThresholds,
): AutoscaleValidation {
  const fields = autoscaleFieldNames;
  const rules: Record<keyof AutoscaleThresholds, [rule: string, ok: (x: number) => boolean]> = {
    maxMissRateThreshold: ['must be a number from 0 to 1', (x) => x >= 0 && x <= 1],
    minMissRateThreshold: ['must be a number from 0 to 1', (x) => x >= 0 && x <= 1],
    expandRatio: ['must be a number greater than 1', (x) => x > 1],
    shrinkRatio: ['must be a number greater than 0 and less than 1', (x) => x > 0 && x < 1],
  };
  const params = {} as AutoscaleThresholds;
  for (const key of Object.keys(fields) as (keyof AutoscaleThresholds)[]) {
    const value = raw[fields[key]];
    const [rule, ok] = rules[key];
    if (value === undefined || value === null) {
      if (current === undefined) return { ok: false, message: `${fields[key]} is required` };
      params[key] = current[key];
      continue;
    }
    const x = parseNumber(value);
    if (x === null || !ok(x))
      return { ok: false, message: new OptionError(fields[key], rule, value).message };
    params[key] = x;
  }
  if (params.minMissRateThreshold >= params.maxMissRateThreshold) {
    const rule = `must be less than ${fields.maxMissRateThreshold} (${params.maxMissRateThreshold})`;
    return {
      ok: false,
      message: `${fields.minMissRateThreshold} ${rule}, got ${describe(params.minMissRateThreshold)}`,
    };
  }
  return { ok: true, params };
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite number from a number or a decimal string; null for anything else ("", "0x1", "NaN"). */
function parseNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || !DECIMAL.test(value.trim())) return null;
  const x = Number(value.trim());
  return Number.isFinite(x) ? x : null;
}

/** A reading of the pool's traffic over the last period. */
export interface MissRateReading {
  /** 0..1, or null when unknown (no GET traffic, no statistics yet). */
  missRate: number | null;
  getRequests: number;
}

/** What the auto-scaler needs from the manager. */
export interface AutoscalerDeps {
  clock: Clock;
  /** The pool's miss rate and GET requests over the last period. */
  readMissRate(): Promise<MissRateReading>;
  /** The number of nodes in the pool now. */
  currentSize(): number;
  /** Resizes the pool to `newSize` nodes and resets the nodes' hit statistics. */
  resize(newSize: number, cause: 'automatic'): Promise<void>;
  bounds(): { min: number; max: number };
  params(): AutoscaleParams;
  /** False in manual mode: then a tick does nothing. */
  isAutomatic(): boolean;
  /** Receives every decision of automatic mode (the manager logs and stores them). */
  onDecision(decision: Decision): void;
  /** Receives an error thrown by onDecision (a tick never throws); ignored when absent. */
  onError?(error: unknown): void;
}

/**
 * The auto-scaler loop. `tick()` takes one decision; `start(intervalMs)` calls it on a timer.
 * After a resize — successful or failed, since a failed one may have changed part of the pool —
 * it waits `cooldownMs` from the resize's end before deciding again; with cooldownMs equal to the
 * interval, the tick that follows a resize is skipped, so the next decision sees a whole period
 * of statistics gathered after it.
 */
export class Autoscaler {
  readonly #deps: AutoscalerDeps;
  #timer: NodeJS.Timeout | null = null;
  #inFlight: Promise<Decision | null> | null = null;
  #lastResizeAtMs: number | null = null;

  constructor(deps: AutoscalerDeps) {
    this.#deps = deps;
  }

  /** When the last resize ended (ms since the epoch), or null. */
  get lastResizeAtMs(): number | null {
    return this.#lastResizeAtMs;
  }

  /** True while the timer runs. */
  get running(): boolean {
    return this.#timer !== null;
  }

  /**
   * Records a resize made elsewhere (a manual one, or one read back after a restart) so that the
   * cooldown also follows it. `atMs` defaults to the clock's now.
   */
  noteResize(atMs: number = this.#deps.clock.now()): void {
    this.#lastResizeAtMs = atMs;
  }

  /**
   * Takes one decision and carries it out: null in manual mode (nothing read, nothing reported),
   * otherwise the decision, also given to onDecision. Never rejects: a failing miss-rate reading
   * or resize becomes a `none` decision whose reason says so. A tick called while another runs
   * returns the running one's result instead of deciding twice.
   */
  tick(): Promise<Decision | null> {
    if (this.#inFlight !== null) return this.#inFlight;
    const run = this.#run().finally(() => {
      this.#inFlight = null;
    });
    this.#inFlight = run;
    return run;
  }

  /**
   * Calls tick() every `intervalMs` (an integer ≥ 1; OptionError otherwise) on a timer that does
   * not keep the process alive. Starting again replaces the previous timer.
   */
  start(intervalMs: number): void {
    if (!Number.isInteger(intervalMs) || intervalMs < 1) {
      throw new OptionError('scale interval', 'must be an integer number of ms >= 1', intervalMs);
    }
    this.#clearTimer();
    this.#timer = setInterval(() => void this.tick(), intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer; resolves once a tick in progress, if any, has finished. */
  async stop(): Promise<void> {
    this.#clearTimer();
    await this.#inFlight;
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  async #run(): Promise<Decision | null> {
    const deps = this.#deps;
    let decision: Decision;
    try {
      if (!deps.isAutomatic()) return null;
      const reading = await this.#read();
      const { min, max } = deps.bounds();
      decision = decide({
        now: deps.clock.now(),
        currentSize: deps.currentSize(),
        minNodes: min,
        maxNodes: max,
        params: deps.params(),
        missRate: reading.ok ? reading.missRate : null,
        getRequests: reading.ok ? reading.getRequests : 0,
        lastResizeAtMs: this.#lastResizeAtMs,
      });
      if (!reading.ok) decision = { ...decision, reason: reading.reason };
      if (decision.action !== 'none') decision = await this.#resize(decision);
    } catch (error) {
      // Only an injected getter can get here (they are not expected to throw).
      const size = safely(() => deps.currentSize(), 0);
      decision = {
        timeMs: safely(() => deps.clock.now(), 0),
        action: 'none',
        oldSize: size,
        newSize: size,
        missRate: null,
        requests: 0,
        reason: `decision failed: ${messageOf(error)}`,
      };
    }
    try {
      deps.onDecision(decision);
    } catch (error) {
      deps.onError?.(error);
    }
    return decision;
  }

  async #read(): Promise<({ ok: true } & MissRateReading) | { ok: false; reason: string }> {
    try {
      return { ok: true, ...(await this.#deps.readMissRate()) };
    } catch (error) {
      return { ok: false, reason: `the miss rate could not be read: ${messageOf(error)}` };
    }
  }

  async #resize(decision: Decision): Promise<Decision> {
    const deps = this.#deps;
    // The mode may have been switched to manual while the miss rate was being read.
    if (!deps.isAutomatic()) {
      return {
        ...decision,
        action: 'none',
        newSize: decision.oldSize,
        reason: `${decision.reason}; not done: the pool was switched to manual mode`,
      };
    }
    try {
      await deps.resize(decision.newSize, 'automatic');
      return decision;
    } catch (error) {
      const size = safely(() => deps.currentSize(), decision.oldSize);
      return {
        ...decision,
        action: 'none',
        newSize: size,
        reason: `resize failed: ${messageOf(error)} (${decision.reason})`,
      };
    } finally {
      this.#lastResizeAtMs = deps.clock.now();
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : describe(error);
}

function safely<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}
