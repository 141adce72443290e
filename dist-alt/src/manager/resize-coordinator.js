/**
 * The resize coordinator: one resize at a time. A resize asked for while another runs is refused
 * at once (CP_ERR_POOL_BUSY) instead of queued, so that two resizes never interleave their moves
 * and a client learns the pool's real state.
 */
import { errors } from '../errors.js';
/** Runs resizes one at a time. */
export class ResizeCoordinator {
    #running = null;
    /** True while a resize runs. */
    get busy() {
        return this.#running !== null;
    }
    /** Runs `task` if no resize runs; throws CP_ERR_POOL_BUSY otherwise (task not started). */
    async run(task) {
        if (this.#running !== null)
            throw errors.poolBusy();
        const running = task();
        this.#running = running;
        try {
            return await running;
        }
        finally {
            this.#running = null;
        }
    }
    /**
     * Runs `task` once no resize runs: waits for the running one (and any that starts before this
     * one gets its turn) instead of refusing. For the pool's own repairs (a fail-over), which must
     * not be lost to a busy pool.
     */
    async runWhenIdle(task) {
        for (;;) {
            await this.idle();
            if (this.#running === null)
                return this.run(task);
        }
    }
    /** Resolves once the running resize, if any, has ended. */
    async idle() {
        await this.#running?.catch(() => { });
    }
}
//# sourceMappingURL=resize-coordinator.js.map