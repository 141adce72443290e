/**
 * The statistics the nodes push to the manager: the last snapshot of each node, and a few minutes
 * of history per node from which the pool's miss rate is computed. It keeps whatever it is given:
 * which nodes count (members only) is the caller's business. No I/O.
 */
import { defaults } from '../defaults.js';
import { poolMissRate } from '../metrics/rollup.js';
import type { NodeSnapshot } from '../wire/index.js';

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
   * The miss rate of the nodes at `addresses` since `sinceMs` (ms since the epoch), by the pool's
   * one rule (metrics/rollup.ts `poolMissRate`): the growth of the monotonic counters between
   * snapshots, a restart counted from zero. `missRate` is null when there was no GET request.
   */
  missRate(addresses: string[], sinceMs: number): { missRate: number | null; getRequests: number } {
    const samples = addresses.flatMap((address) => this.#history.get(address) ?? []);
    return poolMissRate(samples, sinceMs, Number.POSITIVE_INFINITY);
  }
}
