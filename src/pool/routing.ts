/**
 * The routing state the gateway reads on every request: the partition table in force and, while
 * a resize runs, which partitions are moving and from where. The manager publishes a new state;
 * `publish` resolves once every request that was routed by an older state has finished, so that
 * the migration knows that no write routed by the old table can still land after that point
 * (docs/pool.md, "draining"). It performs no I/O.
 */
import { defaults } from '../defaults.js';
import {
  PARTITION_COUNT,
  ROUTED_BY_HEADER,
  routingVersionOf,
  type PartitionTable,
} from '../partition/index.js';
import type { PartitionMove } from '../wire/index.js';

/** One partition on its way from `from` (old owner) to `to` (new owner): the wire's move. */
export type MovingPartition = PartitionMove;

/**
 * An immutable view of the routing, as one request sees it from start to end. `owners[p]` is
 * where partition p's reads and writes go first; `previous[p]` is its old owner while it moves,
 * undefined otherwise.
 */
export class RouteView {
  readonly table: PartitionTable;
  readonly owners: readonly string[];
  readonly previous: readonly (string | undefined)[];
  readonly moving: readonly MovingPartition[];
  #inflight = 0;
  #superseded = false;
  #drained: (() => void)[] = [];
  #gated: ReadonlySet<number> = new Set();
  #gateOpen: Promise<void> | undefined;

  constructor(table: PartitionTable, moving: readonly MovingPartition[] = []) {
    this.table = table;
    const owners = [...table.owners];
    const previous: (string | undefined)[] = new Array<string | undefined>(PARTITION_COUNT).fill(
      undefined,
    );
    for (const move of moving) {
      owners[move.partition] = move.to;
      previous[move.partition] = move.from;
    }
    this.owners = Object.freeze(owners);
    this.previous = Object.freeze(previous);
    this.moving = Object.freeze([...moving]);
  }

  /** Every node this view may send a request to (owners and old owners), without repeats. */
  nodes(): string[] {
    const all = new Set<string>(this.owners);
    for (const move of this.moving) all.add(move.from);
    return [...all];
  }

  /**
   * What a write of `partition` routed by this view waits for before it starts, or undefined:
   * see Routing.publish.
   */
  writeGate(partition: number): Promise<void> | undefined {
    return this.#gateOpen !== undefined && this.#gated.has(partition) ? this.#gateOpen : undefined;
  }

  /** @internal writes of `partitions` wait until `open` resolves. */
  gateWrites(partitions: ReadonlySet<number>, open: Promise<void>): void {
    this.#gated = partitions;
    this.#gateOpen = open;
    void open.then(() => {
      this.#gateOpen = undefined;
    });
  }

  /** @internal a request routed by this view started. */
  enter(): void {
    this.#inflight++;
  }

  /** @internal a request routed by this view finished. */
  leave(): void {
    this.#inflight--;
    if (this.#inflight === 0 && this.#superseded) this.#release();
  }

  /** @internal resolves when no request routed by this (now replaced) view is in flight. */
  supersede(): Promise<void> {
    this.#superseded = true;
    if (this.#inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  #release(): void {
    for (const resolve of this.#drained.splice(0)) resolve();
  }
}

/** The current RouteView, replaced as a whole by the manager. */
export class Routing {
  #view: RouteView;
  #superseded = new Set<Promise<void>>();
  #reachable = new Set<(address: string) => void>();

  constructor(table: PartitionTable) {
    this.#view = new RouteView(table);
  }

  /**
   * Calls `listener` whenever the manager of this process saw the node at `address` answer (a
   * health probe): the gateway then stops treating it as unreachable. Without this, a node that
   * came back just after the gateway's last trial call stays shut off for the breaker's open
   * period, and a partition moved onto it meanwhile reads as misses although it holds the keys.
   */
  onReachable(listener: (address: string) => void): void {
    this.#reachable.add(listener);
  }

  /** The manager saw the node at `address` answer (see onReachable). */
  reachable(address: string): void {
    for (const listener of this.#reachable) listener(address);
  }

  /** The view in force; a request keeps the one it got for its whole life. */
  get view(): RouteView {
    return this.#view;
  }

  /**
   * Replaces the view. Resolves once every request routed by an older view has finished, or
   * after `drainTimeoutMs` (default defaults.drainTimeoutMs, 10 s) — a stuck client connection must not stall a resize
   * forever; the migration's sweep then catches a late write.
   */
  async publish(
    table: PartitionTable,
    moving: readonly MovingPartition[] = [],
    drainTimeoutMs: number = defaults.drainTimeoutMs,
  ): Promise<void> {
    const old = this.#view;
    const next = new RouteView(table, moving);
    const drained = old.supersede();
    this.#superseded.add(drained);
    void drained.then(() => this.#superseded.delete(drained));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, drainTimeoutMs);
    });
    const settled = Promise.race([
      Promise.all([...this.#superseded]).then(() => undefined),
      deadline,
    ]);
    // A partition that goes back to the node it was leaving (a rolled-back move runs backwards):
    // a write routed by the older view writes the other node, then invalidates this one. Landing
    // after a write routed by the new view (which writes this node first), that invalidation
    // would remove the newer value. So the new view's writes of such partitions wait until the
    // older requests have finished (reads need not).
    const turned = turnedBack(old, next);
    if (turned.size > 0) next.gateWrites(turned, settled);
    this.#view = next;
    await settled;
    clearTimeout(timer);
  }
}

/** Partitions that `next` routes to the node `old` was moving them away from. */
function turnedBack(old: RouteView, next: RouteView): Set<number> {
  const turned = new Set<number>();
  for (let partition = 0; partition < PARTITION_COUNT; partition++) {
    const leaving = old.previous[partition];
    if (leaving !== undefined && next.owners[partition] === leaving) turned.add(partition);
  }
  return turned;
}

/**
 * The header a standalone gateway sends with every key request: the routing version of the view
 * it routed by, so that a node that no longer serves the key for it refuses (CP_ERR_NOT_OWNER)
 * instead of keeping a value nobody will read or answering a miss for a key it handed off; the
 * gateway then reads its table again and retries (stale-routing.ts). A gateway inside the
 * manager's process sends none: the manager drains its requests before any handoff
 * (docs/pool.md).
 */
export function routingTag(
  tagsRequests: boolean,
  view: RouteView,
): Record<string, string> | undefined {
  return tagsRequests
    ? { [ROUTED_BY_HEADER]: String(routingVersionOf(view.table, view.moving)) }
    : undefined;
}
