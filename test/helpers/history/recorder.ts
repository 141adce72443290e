/**
 * Records a history of concurrent operations: each call through the recorder notes when it was
 * invoked and when its answer came (one monotonic clock), and how it ended. The operations
 * themselves come from an `OperationSource` — the gateway's legacy API today, the client library
 * or a node's /v1 API tomorrow — so one recorder, one workload and one checker serve them all.
 */
import type { Operation, OperationKind, Outcome } from './types.js';

/**
 * Where operations go. Each method resolves when the operation was acknowledged (`get`: with the
 * value, or undefined for a miss) and rejects when it failed; `signal` aborts it on the
 * recorder's timeout.
 */
export interface OperationSource {
  get(key: string, signal: AbortSignal): Promise<string | undefined>;
  put(key: string, value: string, signal: AbortSignal): Promise<void>;
  delete(key: string, signal: AbortSignal): Promise<void>;
}

export interface RecorderOptions {
  /** The clock, in ms (default performance.now: monotonic). */
  now?: () => number;
  /** How long an operation may take before it is given up as `timeout`, in ms (default 5000). */
  timeoutMs?: number;
}

/** A recorder of operations: `get`, `put`, `delete` and `clear`, each timed and classified. */
export class HistoryRecorder {
  readonly now: () => number;
  readonly timeoutMs: number;
  #operations: Operation[] = [];

  constructor(options: RecorderOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  /** The operations recorded so far (completed ones only), in completion order. */
  get operations(): readonly Operation[] {
    return this.#operations;
  }

  /** Reads `key` through `source` as `client`; resolves with the operation recorded. */
  get(source: OperationSource, client: string, key: string): Promise<Operation> {
    return this.record(client, 'get', key, undefined, (signal) => source.get(key, signal));
  }

  /** Writes `value` under `key` through `source` as `client`; resolves with the operation. */
  put(source: OperationSource, client: string, key: string, value: string): Promise<Operation> {
    return this.record(client, 'put', key, value, (signal) => source.put(key, value, signal));
  }

  /** Deletes `key` through `source` as `client`; resolves with the operation. */
  delete(source: OperationSource, client: string, key: string): Promise<Operation> {
    return this.record(client, 'delete', key, undefined, (signal) => source.delete(key, signal));
  }

  /**
   * Clears every key with `run` (e.g. the manager's cache clear), given `timeoutMs` (default the
   * recorder's); resolves with the outcome.
   */
  async clear(
    client: string,
    run: (signal: AbortSignal) => Promise<void>,
    timeoutMs = this.timeoutMs,
  ): Promise<Outcome> {
    return (await this.record(client, 'clear', '', undefined, run, timeoutMs)).outcome;
  }

  /**
   * Runs one operation and records it. `run` resolves with a get's value (undefined: a miss) or
   * nothing for a write; a rejection is an `error`, or a `timeout` once the recorder's timeout
   * aborted it (after `timeoutMs`, default the recorder's).
   */
  async record(
    client: string,
    kind: OperationKind,
    key: string,
    value: string | undefined,
    run: (signal: AbortSignal) => Promise<string | undefined | void>,
    timeoutMs = this.timeoutMs,
  ): Promise<Operation> {
    const signal = AbortSignal.timeout(timeoutMs);
    const invokedAt = this.now();
    let outcome: Outcome;
    let error: string | undefined;
    let read: string | undefined;
    try {
      const result = await run(signal);
      if (kind === 'get') {
        read = result ?? undefined;
        outcome = read === undefined ? 'miss' : 'ok';
      } else {
        outcome = 'ok';
      }
    } catch (failure) {
      outcome = signal.aborted ? 'timeout' : 'error';
      error = failure instanceof Error ? failure.message : String(failure);
    }
    const op: Operation = {
      id: this.#operations.length,
      client,
      kind,
      key,
      value: kind === 'get' ? read : value,
      invokedAt,
      completedAt: this.now(),
      outcome,
      ...(error === undefined ? {} : { error }),
    };
    this.#operations.push(op);
    return op;
  }
}
