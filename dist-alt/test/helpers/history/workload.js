/**
 * Seeded random clients: each runs put / get / delete operations back to back on a small set of
 * keys through a recorder, writing unique values (`c<client>-<seq>`), until told to stop. The
 * choice of operations and keys depends on the seed and the client only.
 */
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import { seededRandom } from '../seeded-random.js';
/** Starts the clients; they run until `stop()`. */
export function startWorkload(options) {
    const putShare = options.putShare ?? 0.35;
    const deleteShare = options.deleteShare ?? 0.05;
    const maxOperations = options.maxOperations ?? 1_000_000;
    const prefix = options.prefix ?? 'c';
    const backoffMs = options.backoffMs ?? 20;
    let running = true;
    let started = 0;
    const clients = Array.from({ length: options.clients }, async (_, index) => {
        const random = seededRandom(options.seed * 7919 + index + 1);
        const client = `${prefix}${index}`;
        for (let seq = 0; running && seq < maxOperations; seq++) {
            started++;
            const key = options.keys[Math.floor(random() * options.keys.length)];
            const roll = random();
            const { outcome } = roll < putShare
                ? await options.recorder.put(options.source, client, key, `${client}-${seq}`)
                : roll < putShare + deleteShare
                    ? await options.recorder.delete(options.source, client, key)
                    : await options.recorder.get(options.source, client, key);
            // A source that fails at once (a closed connection pool) must not spin without I/O: back
            // off a little after a failure, and let timers run between operations in any case.
            if (outcome === 'error' || outcome === 'timeout')
                await sleep(backoffMs);
            else
                await yieldToLoop();
        }
    });
    const done = Promise.all(clients).then(() => { });
    return {
        stop: async () => {
            running = false;
            await done;
        },
        get started() {
            return started;
        },
    };
}
/** Reads every key once as client `client`, 8 at a time (a final pass over the whole key set). */
export async function readAll(recorder, source, keys, client = 'final') {
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async (_, lane) => {
        while (next < keys.length)
            await recorder.get(source, `${client}${lane}`, keys[next++]);
    }));
}
//# sourceMappingURL=workload.js.map