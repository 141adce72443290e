/**
 * The statistics the nodes push to the manager: the last snapshot of each node, and a few minutes
 * of history per node from which the pool's miss rate is computed. It keeps whatever it is given:
 * which nodes count (members only) is the caller's business. No I/O.
 */
import { defaults } from '../defaults.js';
import type { NodeSnapshot } from '../metrics/snapshot.js';

/** The last snapshot and the recent history of every node. */
export class NodeStatistics {
  #snapshots = new Map<string, NodeSnapshot>();
  #history = new Map<string, NodeSnapshot[]>();

  /** Keeps `snapshot` as its node's last, and in its history (defaults.snapshotHistoryMs long). */
  record(snapshot: NodeSnapshot): void {
    this.#snapshots.set(snapshot.address, snapshot);
    const history = this.#history.get(snapshot.address) ?? [];
    history.push(snapshot);
    const horizon = snapshot.timeMs - defaults.snapshotHistoryMs;
    while (history.length > 0 && history[0]!.timeMs < horizon) history.shift();
    this.#history.set(snapshot.address, history);
  }

  /** The node's last snapshot, if any. */
  last(address: string): NodeSnapshot | undefined {
    return this.#snapshots.get(address);
  }

  /** Drops a node's figures (it went down or left: its keys and counters are gone). */
  forget(address: string): void {
    this.#snapshots.delete(address);
    this.#history.delete(address);
  }

  /**
   * The miss rate of the nodes at `addresses` since `sinceMs` (ms since the epoch): GET requests
   * and hits are the growth of the monotonic counters (a node that started or restarted inside
   * the window counts from its start).
   * `missRate` is null when there was no GET request.
   */
  missRate(addresses: string[], sinceMs: number): { missRate: number | null; getRequests: number } {
    let gets = 0;
    let hits = 0;
    for (const address of addresses) {
      const history = (this.#history.get(address) ?? []).filter((s) => s.timeMs >= sinceMs);
      const last = history.at(-1);
      if (!last) continue;
      // A process that started inside the window counted everything inside it: from zero.
      // Otherwise from its first snapshot in the window (at most one interval is left out).
      const base =
        last.startedAtMs >= sinceMs
          ? { getRequestsTotal: 0, hitsTotal: 0 }
          : history.find((s) => s.startedAtMs === last.startedAtMs)!;
      gets += Math.max(0, last.getRequestsTotal - base.getRequestsTotal);
      hits += Math.max(0, last.hitsTotal - base.hitsTotal);
    }
    return { missRate: gets === 0 ? null : (gets - hits) / gets, getRequests: gets };
  }
}
