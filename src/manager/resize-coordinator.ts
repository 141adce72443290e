/**
 * The resize coordinator: one resize at a time. A resize asked for while another runs is refused
 * at once (CP_ERR_POOL_BUSY) instead of queued, so that two resizes never interleave their moves
 * and a client learns the pool's real state.
 */
import { errors } from '../errors.js';

/** Runs resizes one at a time. */
export class ResizeCoordinator {
  #running: Promise<unknown> | null = null;

  /** True while a resize runs. */
  get busy(): boolean {
    return this.#running !== null;
  }

  /** Runs `task` if no resize runs; throws CP_ERR_POOL_BUSY otherwise (task not started). */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running !== null) throw errors.poolBusy();
    const running = task();
    this.#running = running;
    try {
      return await running;
    } finally {
      this.#running = null;
    }
  }

  /** Resolves once the running resize, if any, has ended. */
  async idle(): Promise<void> {
    await this.#running?.catch(() => {});
  }
}
