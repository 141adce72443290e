/**
 * Seeded random clients: each runs put / get / delete operations back to back on a small set of
 * keys through a recorder, writing unique values (`c<client>-<seq>`), until told to stop. The
 * choice of operations and keys depends on the seed and the client only.
 */
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import { seededRandom } from '../seeded-random.js';
import type { HistoryRecorder, OperationSource } from './recorder.js';

export interface WorkloadOptions {
  recorder: HistoryRecorder;
  source: OperationSource;
  /** Number of clients running at once. */
  clients: number;
  keys: readonly string[];
  seed: number;
  /** Share of operations that are puts and deletes (the rest are gets); default 0.35 and 0.05. */
  putShare?: number;
  deleteShare?: number;
  /** Most operations per client (a bound on the loop); default 1,000,000. */
  maxOperations?: number;
  /** Pause of a client after a failed operation, in ms (default 20). */
  backoffMs?: number;
  /** Client names start with this (default 'c'): two workloads on one key set stay distinct. */
  prefix?: string;
}

/** Running clients: `stop()` asks them to finish the operation they are on and resolves then. */
export interface Workload {
  stop(): Promise<void>;
  /** Operations started so far, over all clients. */
  readonly started: number;
}

/** Starts the clients; they run until `stop()`. */
export function startWorkload(options: WorkloadOptions): Workload {
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
      const key = options.keys[Math.floor(random() * options.keys.length)]!;
      const roll = random();
      const { outcome } =
        roll < putShare
          ? await options.recorder.put(options.source, client, key, `${client}-${seq}`)
          : roll < putShare + deleteShare
            ? await options.recorder.delete(options.source, client, key)
            : await options.recorder.get(options.source, client, key);
      // A source that fails at once (a closed connection pool) must not spin without I/O: back
      // off a little after a failure, and let timers run between operations in any case.
      if (outcome === 'error' || outcome === 'timeout') await sleep(backoffMs);
      else await yieldToLoop();
    }
  });
  const done = Promise.all(clients).then(() => {});
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
export async function readAll(
  recorder: HistoryRecorder,
  source: OperationSource,
  keys: readonly string[],
  client = 'final',
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async (_, lane) => {
      while (next < keys.length) await recorder.get(source, `${client}${lane}`, keys[next++]!);
    }),
  );
}
