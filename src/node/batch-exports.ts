/**
 * Batches a source offers to be pulled (`GET /internal/export/<id>`, docs/internal-api.md): each
 * is the list of buffers move_keys would send, held from the offer until its destination's
 * answer to the pull (or the lack of one) ends it. A batch is read once: the read takes it.
 */
import { randomUUID } from 'node:crypto';

/** One offered batch. */
export interface OfferedBatch {
  chunks: readonly Buffer[];
  bytes: number;
}

/** The batches this node offers, by id. */
export class BatchExports {
  readonly #offered = new Map<string, OfferedBatch>();
  /** Batches handed off (their destination answered), by way: pulled, or sent in a request. */
  readonly handedOff = { pulled: 0, sent: 0 };

  /** Offers `batch`; returns its id (random: a batch is read only by the id sent to its destination). */
  offer(batch: OfferedBatch): string {
    const id = randomUUID();
    this.#offered.set(id, batch);
    return id;
  }

  /** The batch `id`, no longer offered; undefined when it is not offered. */
  take(id: string): OfferedBatch | undefined {
    const batch = this.#offered.get(id);
    this.#offered.delete(id);
    return batch;
  }

  /** Ends the offer of `id`, read or not. */
  withdraw(id: string): void {
    this.#offered.delete(id);
  }

  /** How many batches are offered. */
  get size(): number {
    return this.#offered.size;
  }
}
