/**
 * applyPlan: the I/O half of a rebalance. Given the table in force (T1) and a plan (T2 + moves,
 * from the pure planRebalance), it fences the destinations, publishes the moving state to the
 * gateway, hands the keys of every moving partition from its old owner to its new one through
 * the nodes' move_keys, sweeps the stragglers, closes the fences and commits T2. Starting and
 * stopping nodes is the caller's (the resize coordinator's) business.
 *
 * On any failure the moves are undone by the same executor run backwards (rollBack): each moving
 * partition goes back to its old owner through a move of its own — the old owner fenced without
 * losing its keys, writes routed to it, the destination's keys handed back under that fence — so
 * that no write acknowledged during the move is lost and no invalidation is undone. A partition
 * whose old owner no longer answers stays with its new owner instead (where its writes went).
 * The resize is reported failed and can be retried. docs/pool.md walks through the interleavings.
 */
import type { Logger } from 'pino';
import { systemClock, type WaitingClock } from '../clock.js';
import { defaults } from '../defaults.js';
import { errors, RefusedError } from '../errors.js';
import {
  partitionOf,
  PartitionTable,
  type PartitionMove,
  type RebalancePlan,
} from '../partition/index.js';
import type { MigrationProgress } from './migration-progress.js';
import type { MoveKeysRequest, MoveKeysResult, NodeClient } from './node-client.js';
import type { MovingPartition } from './routing.js';
import type { FenceRecord } from '../wire/index.js';

/** Where applyPlan publishes routing states; the gateway's Routing, or nothing. */
export type Publish = (table: PartitionTable, moving: readonly MovingPartition[]) => Promise<void>;

/** Options of applyPlan. */
export interface ApplyPlanOptions {
  /** The table in force. */
  current: PartitionTable;
  plan: RebalancePlan;
  progress: MigrationProgress;
  /** A client of the node at `address`. */
  clientOf: (address: string) => NodeClient;
  /** Publishes a routing state and resolves once older requests have drained. */
  publish: Publish;
  /** Nodes leaving the pool: their last move_keys call names the manager. */
  leaving?: readonly string[];
  /** This manager's host:port, passed to a leaving node's last move_keys. */
  managerAddress?: string;
  /** Keys per move_keys call; default defaults.moveChunkKeys (2,000). */
  chunkKeys?: number;
  /**
   * move_keys calls in flight per source, so that a source streams its next chunk while the
   * previous one is being acknowledged; default defaults.moveConcurrency (2, a node's default
   * `--move-concurrency`). A
   * node that answers 409 busy gets the call again shortly after.
   */
  movesInFlight?: number;
  /** Sweeps of a source after the main pass before giving up; default defaults.moveMaxSweeps (5). */
  maxSweeps?: number;
  /**
   * Called when a source has finished draining its moves — its last sweep found none of their
   * keys left on it — with those moves, before the fences close and T2 is committed. The manager
   * journals them as done (StateDb.markMoveDone), so that a restart settling the migration need
   * not go through that source again. Called once per source at most, never for a source whose
   * drain failed. An error it throws is ignored: the journal's flags only save work.
   */
  onPartitionsDone?: (moves: readonly PartitionMove[]) => void;
  /**
   * Aborts the migration (checked between calls): the manager aborts when a node taking part
   * crashed or restarted, since it lost its keys and its fence.
   */
  signal?: AbortSignal;
  /**
   * Fence the destinations without dropping what they hold of the moving partitions: for a
   * rollback, whose destinations are the old owners (their keys there are current). Default false.
   */
  keepDestinationKeys?: boolean;
  /**
   * For a rollback (`keepDestinationKeys`): what the fence of the failed move recorded on
   * `source`, one of its new owners, which it closes. The keys written there while it received
   * partitions may have kept an older copy on their old owner (the write's removal of it failed),
   * so the old owner drops those copies when fenced, and takes the values handed back.
   */
  fenceRecordOf?: (source: string) => Promise<FenceRecord>;
  /**
   * Keys a rollback names to an old owner to drop before it asks it to drop every key of the
   * partitions instead (default defaults.rollbackDropKeysMax).
   */
  rollbackDropKeysMax?: number;
  /**
   * For a rollback: the old owners that already dropped their copies of the keys named by
   * `fenceRecordOf` in an earlier try, and must not again (what they took back since is current);
   * a destination joins it once its fence did.
   */
  droppedAt?: Set<string>;
  /** The id of the destinations' fences and the imports (default the progress's id). */
  fenceId?: string;
  /** Undo the moves when the migration fails (default true; false for the rollback itself). */
  rollBackOnFailure?: boolean;
  /** Where a failure of the rollback is reported (what was lost, and why). */
  onRollbackFailure?: (error: string) => void;
  /**
   * How long a rollback waits for a node of a move that does not answer before it gives up on
   * what that node holds, in ms (the pool's --down-after: after that long it would be failed
   * over anyway); default 0.
   */
  answerWaitMs?: number;
  /** Where failures that do not fail the migration are reported, with their reason; none by default. */
  logger?: Logger;
  /** The time of its waits (busy retries, a rollback's wait for a node); default the system's. */
  clock?: WaitingClock;
}

/** What applyPlan did: T2 in force, or T1 kept with the reason. */
/**
 * What applyPlan did: T2 in force, or the moves undone with the reason. After a rollback the table
 * in force has T1's owners (but for partitions whose old owner stopped answering) under a version
 * above T2's, so that whoever saw the moving state sees the rollback as newer.
 */
export type ApplyOutcome =
  { ok: true; table: PartitionTable } | { ok: false; table: PartitionTable; error: string };

/** Carries out `plan` (see the module header). Never throws; failures are the outcome. */
export async function applyPlan(options: ApplyPlanOptions): Promise<ApplyOutcome> {
  const { current, plan, progress, clientOf, publish } = options;
  const id = options.fenceId ?? progress.id;
  if (plan.moves.length === 0) {
    await publish(plan.table, []);
    return { ok: true, table: plan.table };
  }
  const incoming = groupBy(plan.moves, (move) => move.to);
  const outgoing = groupBy(plan.moves, (move) => move.from);
  const destOf = new Map<number, string>(plan.moves.map((move) => [move.partition, move.to]));
  const leaving = new Set(options.leaving ?? []);
  let published = false;
  const keep = options.keepDestinationKeys ?? false;
  try {
    const fence = (
      extra: (to: string) => { early?: boolean; drop?: string[]; dropAll?: boolean } = () => ({}),
    ) =>
      Promise.all(
        [...incoming].map(async ([to, moves]) => {
          const fields = extra(to);
          await clientOf(to).beginMigration(
            id,
            moves.map((move) => move.partition),
            keep,
            fields,
          );
          if (fields.drop !== undefined || fields.dropAll === true) options.droppedAt?.add(to);
        }),
      );
    // b. Fence every destination first: from here on it records local writes of its incoming
    //    partitions, so that no import overwrites them (and it drops stale leftovers of them,
    //    which must happen before any write is routed to it). A rollback's destination, an old
    //    owner, records only writes for now (see below).
    await fence(keep ? () => ({ early: true }) : undefined);
    // c. Route the moving partitions to their new owners (old owners as read fallback) and wait
    //    until no request routed by T1 is in flight: after this, no write lands on a source.
    await publish(current, plan.moves);
    published = true;
    if (keep) {
      // A rollback's destination is the old owner, which received invalidations from writes to
      // the new owner until the publish above drained them. Recorded, they would have made it
      // skip the newer values handed back. So its fence records them only now. It also drops
      // its copies of the keys its sources were written while they received the partitions
      // (their fences' records, final now that no write is routed to them): a write whose
      // removal of that copy failed left it older than the value handed back, which it would
      // otherwise keep. What it was written since the early fence is newer and stays. Then
      // publish again and drain, so that every request routed to it before the fence has ended
      // (each invalidated the source first) before the first key is listed.
      const records = new Map<string, FenceRecord>();
      if (options.fenceRecordOf) {
        const read = options.fenceRecordOf;
        await Promise.all(
          [...outgoing.keys()].map(async (from) => records.set(from, await read(from))),
        );
      }
      await fence((to) => {
        // Dropped in an earlier try: what it holds now was handed back or written since.
        if (options.droppedAt?.has(to) === true) return {};
        const drop = new Set<string>();
        let dropAll = false;
        for (const move of incoming.get(to) ?? []) {
          const record = records.get(move.from);
          if (!record) continue;
          dropAll ||= record.cleared;
          for (const key of record.touched) drop.add(key);
        }
        // A list too long for one request: every key of the partitions instead (misses, never
        // an older value).
        const max = options.rollbackDropKeysMax ?? defaults.rollbackDropKeysMax;
        if (dropAll || drop.size > max) return { dropAll: true };
        return { drop: [...drop] };
      });
      await publish(current, plan.moves);
    }
    // d, e. Hand the keys off, every source at once (their keys are disjoint), then sweep until
    //    each source holds none. Every drain is waited for before a failure is handled, so the
    //    rollback never runs beside a handoff still in progress.
    const drains = await Promise.allSettled(
      [...outgoing].map(async ([from, moves]) => {
        await drainSource(clientOf(from), destOf, options, leaving.has(from));
        progress.addPartitionsDone(moves.length);
        try {
          options.onPartitionsDone?.(moves);
        } catch {
          // Only a hint for a restart (see the option); the handoff itself is done.
        }
      }),
    );
    const failedDrain = drains.find((drain) => drain.status === 'rejected');
    if (failedDrain) throw failedDrain.reason;
    // f. Close the fences, then commit T2.
    await Promise.all([...incoming.keys()].map((to) => clientOf(to).endMigration(id)));
    checkAborted(options.signal);
    await publish(plan.table, []);
    return { ok: true, table: plan.table };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (options.rollBackOnFailure === false) return { ok: false, table: current, error: reason };
    const table = await rollBack(options, incoming, published);
    return { ok: false, table, error: reason };
  }
}

/**
 * Undoes the moves of `options.plan`, whose moving state was published, when their migration
 * stopped half way without failing here — a manager killed during it and settling it at restart
 * (recovery.ts): the rollback a failed applyPlan runs, on its own. `options.current` is the
 * table before the moves. Never throws; returns the table now in force.
 */
export function rollBackMoves(options: ApplyPlanOptions): Promise<PartitionTable> {
  return rollBack(
    options,
    groupBy(options.plan.moves, (move) => move.to),
    true,
  );
}

/** Moves every key of a moving partition off `source`, in chunks, then sweeps until none is left. */
async function drainSource(
  source: NodeClient,
  destOf: ReadonlyMap<number, string>,
  options: ApplyPlanOptions,
  isLeaving: boolean,
): Promise<void> {
  const id = options.fenceId ?? options.progress.id;
  await handOffKeys(source, destOf, {
    migration: id,
    chunkKeys: options.chunkKeys,
    maxSweeps: options.maxSweeps,
    movesInFlight: options.movesInFlight,
    signal: options.signal,
    clock: options.clock,
    onFound: (count) => options.progress.addKeysFound(count),
    onMoved: (count, bytes) => options.progress.addKeysDone(count, bytes),
  });
  if (isLeaving && options.managerAddress) {
    // Tells the node to report its handoff to the manager (POST /api/poolsize/change).
    await source
      .moveKeys({
        dest: {},
        migration: id,
        manager: options.managerAddress,
        cache_ip: source.address,
      })
      .catch((error: unknown) =>
        options.logger?.warn(
          { migration: id, address: source.address, err: error },
          'a leaving node could not be asked to report its hand-off',
        ),
      );
  }
}

/** How handOffKeys moves a source's keys. */
export interface HandOffOptions {
  /**
   * The migration id the destinations' fences were opened under; undefined for a plain import
   * (the destination keeps none of its own copies: what the source holds is newer).
   */
  migration: string | undefined;
  /** Keys per move_keys call; default defaults.moveChunkKeys. */
  chunkKeys?: number | undefined;
  /** Sweeps after the main pass before giving up; default defaults.moveMaxSweeps. */
  maxSweeps?: number | undefined;
  /** move_keys calls in flight; default defaults.moveConcurrency. */
  movesInFlight?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Keys of moving partitions found on the source by a pass. */
  onFound?: (count: number) => void;
  /** A move_keys call handed `count` keys (`bytes` bytes) off. */
  onMoved?: (count: number, bytes: number) => void;
  /** The time of its busy retries; default the system's. */
  clock?: WaitingClock | undefined;
}

/**
 * The hand-off of one source, shared by a running migration and the settling of an interrupted
 * one (manager/recovery.ts): every key of `source` whose partition `destOf` sends elsewhere goes
 * to its destination through move_keys (in chunks, a few calls in flight, a busy node asked again
 * shortly after), then the source is listed again until it holds none. Throws when a call fails
 * or keys are still there after the last sweep.
 */
export async function handOffKeys(
  source: NodeClient,
  destOf: ReadonlyMap<number, string>,
  options: HandOffOptions,
): Promise<void> {
  const chunkKeys = options.chunkKeys ?? defaults.moveChunkKeys;
  const maxSweeps = options.maxSweeps ?? defaults.moveMaxSweeps;
  const inFlight = Math.max(1, options.movesInFlight ?? defaults.moveConcurrency);
  const migration = options.migration;
  // Each listing's keys are placed by their partition, an MD5 of the key: hashed once per
  // hand-off, not again for the chunks nor for every sweep, which lists the source's staying keys
  // again (about 1 µs a key, md5.ts, more on a loaded manager: all of it on the migration's path
  // before the first byte moves and after the last).
  const place = placer(destOf, source.address);
  for (let pass = 0; pass <= maxSweeps; pass++) {
    checkAborted(options.signal);
    const moving = place(await source.keys());
    if (moving.length === 0) return;
    options.onFound?.(moving.length);
    const chunks: (readonly [string, string])[][] = [];
    for (let start = 0; start < moving.length; start += chunkKeys)
      chunks.push(moving.slice(start, start + chunkKeys));
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (!failed && next < chunks.length) {
        const chunk = chunks[next++]!;
        const dest: Record<string, string[]> = {};
        for (const [key, to] of chunk) (dest[to] ??= []).push(key);
        checkAborted(options.signal);
        const clock = options.clock ?? systemClock;
        const result = await moveWhenFree(source, { dest, migration }, options.signal, clock).catch(
          (error: unknown) => {
            failed = true; // the other calls in flight finish; no new one starts
            throw error;
          },
        );
        options.onMoved?.(chunk.length, result.bytes);
      }
    };
    const workers = await Promise.allSettled(
      Array.from({ length: Math.min(inFlight, chunks.length) }, worker),
    );
    const failedWorker = workers.find((outcome) => outcome.status === 'rejected');
    if (failedWorker) throw failedWorker.reason;
  }
  const left = place(await source.keys());
  if (left.length > 0)
    throw errors.resizeFailed(
      `${left.length} keys were still on ${source.address} after ${maxSweeps} sweeps`,
    );
}

/**
 * Undoes a failed migration and returns the table now in force. Before the moving state was
 * published nothing was routed to a destination: closing the fences is all. After it, writes of
 * a moving partition p (A → B) went to B and invalidated A, so B holds the newest values of p.
 * For every move whose two nodes both answer, the same executor runs the move backwards
 * (B → A): A is fenced *keeping* its keys (they are current: every write since the move began
 * invalidated A's copy) but for the keys B was written meanwhile, whose invalidation of A's copy
 * may have failed (B's fence of the failed move answers them; what A is written since stays),
 * writes are routed to A and invalidate B, and B hands its keys of p back under A's fence — an
 * acknowledged write on B reaches A or is superseded by a newer one on A, and a key invalidated
 * during the rollback is never brought back. A move whose old owner does not answer leaves p
 * with B (its writes are there; what A held is lost with A); a move whose new owner does not
 * answer sends p back to A (what B received is lost with B). If the backward move fails as well,
 * p goes back to A and what B still holds is dropped: the only case where writes made during a
 * move can be lost, reported through onRollbackFailure.
 */
async function rollBack(
  options: ApplyPlanOptions,
  incoming: Map<string, PartitionMove[]>,
  published: boolean,
): Promise<PartitionTable> {
  const { current, plan, clientOf, publish } = options;
  const id = options.fenceId ?? options.progress.id;
  // The failed move's fences stay open until the backward moves have read them (what each new
  // owner was written meanwhile); the rollback's own fences have an id of their own.
  const rollbackId = `${id}.rollback`;
  const records = new Map<string, Promise<FenceRecord>>();
  const fenceRecordOf = (address: string): Promise<FenceRecord> => {
    let record = records.get(address);
    if (!record) {
      record = clientOf(address).endMigration(id);
      records.set(address, record);
      // A call that failed is made again by the next try.
      record.catch(() => records.delete(address));
    }
    return record;
  };
  const endFences = (addresses: Iterable<string>, fence: string) =>
    Promise.all(
      [...addresses].map((address) =>
        clientOf(address)
          .endMigration(fence)
          .catch(() => {
            // A node that does not answer has no fence to close worth waiting for: its keys of
            // the moving partitions are left behind and dropped by its next fence.
          }),
      ),
    );
  // Above T2's version: a router or node that saw the moving state must see this as newer.
  const version = plan.table.version + 1;
  if (!published) {
    await endFences(incoming.keys(), id);
    const table = new PartitionTable(version, current.strategy, current.owners);
    await publish(table, []);
    return table;
  }
  try {
    return await rollBackPublished(options, version, rollbackId, fenceRecordOf, new Set());
  } finally {
    await endFences(
      [...incoming.keys()].filter((address) => !records.has(address)),
      id,
    );
    await endFences(new Set(plan.moves.map((move) => move.from)), rollbackId);
  }
}

/** rollBack once the moving state was published: the backward moves (see rollBack). */
async function rollBackPublished(
  options: ApplyPlanOptions,
  version: number,
  rollbackId: string,
  fenceRecordOf: (address: string) => Promise<FenceRecord>,
  droppedAt: Set<string>,
): Promise<PartitionTable> {
  const { current, plan, clientOf, publish } = options;
  const nodes = [...new Set(plan.moves.flatMap((move) => [move.from, move.to]))];
  const answers = new Map(
    await Promise.all(
      nodes.map(
        async (node) =>
          [
            node,
            await answersWithin(clientOf(node), options.answerWaitMs ?? 0, options.clock),
          ] as const,
      ),
    ),
  );
  const owners = [...current.owners];
  const backward: PartitionMove[] = [];
  for (const move of plan.moves) {
    const fromAnswers = answers.get(move.from) === true;
    const toAnswers = answers.get(move.to) === true;
    if (fromAnswers && toAnswers)
      backward.push({ partition: move.partition, from: move.to, to: move.from });
    else if (toAnswers) owners[move.partition] = move.to;
  }
  const table = new PartitionTable(version, current.strategy, owners);
  if (backward.length === 0) {
    await publish(table, []);
    return table;
  }
  // The moving state in force routes every moving p to B; the backward move starts from there.
  // A backward move that fails (a node slow to answer, one that restarted meanwhile) is tried
  // again for the moves whose two nodes still answer, each try under versions above the last,
  // so that one slow node never costs the keys of the others' partitions.
  let pending = backward;
  let final = table;
  for (let attempt = 0; attempt < defaults.rollbackAttempts; attempt++) {
    const base = plan.table.version + 2 * attempt;
    const forwardOwners = [...owners];
    for (const move of pending) forwardOwners[move.partition] = move.from;
    final = new PartitionTable(base + 1, current.strategy, owners);
    const back = await applyPlan({
      ...options,
      current: new PartitionTable(base, current.strategy, forwardOwners),
      plan: { table: final, moves: pending },
      leaving: [],
      keepDestinationKeys: true,
      fenceRecordOf,
      droppedAt,
      fenceId: rollbackId,
      rollBackOnFailure: false,
      onPartitionsDone: undefined,
      // The abort that failed the forward move must not stop its undoing.
      signal: undefined,
    });
    if (back.ok) return final;
    options.onRollbackFailure?.(back.error);
    const answering = new Map<string, boolean>();
    for (const node of new Set(pending.flatMap((move) => [move.from, move.to])))
      answering.set(node, await clientOf(node).healthy(defaults.healthProbeTimeoutMs));
    const retry = pending.filter(
      (move) => answering.get(move.from) === true && answering.get(move.to) === true,
    );
    if (retry.length === 0) break;
    pending = retry;
  }
  // What could not be handed back is dropped where it is: p is its old owner's again.
  await publish(final, []);
  for (const move of pending) {
    const source = clientOf(move.from);
    const keys = await source.keys().catch((error: unknown) => {
      options.logger?.warn(
        { address: move.from, partition: move.partition, err: error },
        'could not list the keys a failed rollback left where the table does not route',
      );
      return [] as string[];
    });
    const dropped = await Promise.allSettled(
      keys
        .filter((key) => partitionOf(key) === move.partition)
        .map((key) => source.invalidate(key)),
    );
    const failed = dropped.filter((result) => result.status === 'rejected');
    if (failed.length > 0) {
      options.logger?.warn(
        {
          address: move.from,
          partition: move.partition,
          keys: failed.length,
          err: failed[0]!.reason,
        },
        'could not drop keys a failed rollback left where the table does not route',
      );
    }
  }
  return final;
}

/** Whether `client` answers its health check within `waitMs` (asked again every 250 ms). */
async function answersWithin(
  client: NodeClient,
  waitMs: number,
  clock: WaitingClock = systemClock,
): Promise<boolean> {
  const deadline = clock.now() + waitMs;
  for (;;) {
    if (await client.healthy(defaults.healthProbeTimeoutMs)) return true;
    if (clock.now() >= deadline) return false;
    await clock.sleep(250);
  }
}

/** Whether a node refused a move_keys call as busy (errors.moveBusy, by its code). */
function isBusy(error: unknown): boolean {
  return error instanceof RefusedError && error.peerCode === 'CP_ERR_MOVE_BUSY';
}

/** source.moveKeys, tried again after a short pause while the node answers busy. */
async function moveWhenFree(
  source: NodeClient,
  request: MoveKeysRequest,
  signal: AbortSignal | undefined,
  clock: WaitingClock,
): Promise<MoveKeysResult> {
  // How long and how often: defaults.moveBusyRetryForMs and defaults.moveBusyRetryMs.
  const deadline = clock.now() + defaults.moveBusyRetryForMs;
  for (;;) {
    try {
      return await source.moveKeys(request);
    } catch (error) {
      if (!isBusy(error) || clock.now() > deadline) throw error;
      checkAborted(signal);
      await clock.sleep(defaults.moveBusyRetryMs);
    }
  }
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw errors.resizeFailed(String(signal.reason ?? 'the migration was aborted'));
}

/**
 * A function that gives, for a listing of `self`'s keys, each key whose partition moves to
 * another node than `self`, with that node. It remembers every key's partition across calls (a
 * key's partition never changes), so a key listed again is not hashed again.
 */
function placer(
  destOf: ReadonlyMap<number, string>,
  self: string,
): (keys: readonly string[]) => (readonly [string, string])[] {
  const partitions = new Map<string, number>();
  return (keys) => {
    const moving: (readonly [string, string])[] = [];
    for (const key of keys) {
      let partition = partitions.get(key);
      if (partition === undefined) {
        partition = partitionOf(key);
        partitions.set(key, partition);
      }
      const to = destOf.get(partition);
      if (to !== undefined && to !== self) moving.push([key, to]);
    }
    return moving;
  };
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
