/**
 * The bookkeeping of one pool migration: what `GET /api/manager/migration` shows
 * (docs/internal-api.md). Updated by applyPlan between its calls; read as a snapshot. No I/O.
 */
import type { Clock } from '../clock.js';
import type { MigrationJSON } from '../wire/index.js';

/** The wire form of a migration's progress (declared in wire/). */
export type { MigrationJSON };

/** Progress of one migration; counters only grow. */
export class MigrationProgress {
  readonly id: string;
  #clock: Clock;
  #state: MigrationJSON;

  constructor(id: string, fromSize: number, toSize: number, partitionsTotal: number, clock: Clock) {
    this.id = id;
    this.#clock = clock;
    this.#state = {
      id,
      running: true,
      from_size: fromSize,
      to_size: toSize,
      started_at_ms: clock.now(),
      finished_at_ms: null,
      partitions_total: partitionsTotal,
      partitions_done: 0,
      keys_total: 0,
      keys_done: 0,
      bytes_done: 0,
      keys_lost: 0,
      failed_node: null,
      error: null,
    };
  }

  get running(): boolean {
    return this.#state.running;
  }

  get error(): string | null {
    return this.#state.error;
  }

  /** `count` more keys were found that have to move. */
  addKeysFound(count: number): void {
    this.#state.keys_total += count;
  }

  /** `count` keys (`bytes` bytes) were handed off, skipped as older, or found gone. */
  addKeysDone(count: number, bytes: number): void {
    this.#state.keys_done += count;
    this.#state.bytes_done += bytes;
    // A key found twice (written again mid-move) is counted twice; keep done ≤ total visible.
    if (this.#state.keys_done > this.#state.keys_total)
      this.#state.keys_total = this.#state.keys_done;
  }

  /** The partitions of `node`, which failed, went to others without its `keys` keys. */
  addLost(node: string, keys: number): void {
    this.#state.failed_node = node;
    this.#state.keys_lost += keys;
  }

  /** `count` partitions have no key left on their old owner. */
  addPartitionsDone(count: number): void {
    this.#state.partitions_done = Math.min(
      this.#state.partitions_total,
      this.#state.partitions_done + count,
    );
  }

  /** The migration ended: `error` is null on success. */
  finish(error: string | null): void {
    this.#state.running = false;
    this.#state.error = error;
    this.#state.finished_at_ms = this.#clock.now();
  }

  /** A copy of the current figures. */
  toJSON(): MigrationJSON {
    return { ...this.#state };
  }
}
