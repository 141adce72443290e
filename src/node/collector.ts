/**
 * The process's garbage collections, for the entry store to ask for (entry-store.ts): dead
 * Buffers hold their memory until V8 collects them, and V8 waits for tens of MB of them. V8 offers
 * no API for it without `--expose-gc`; the flag is set at run time and the `gc` function read from
 * a fresh context, which is the documented way to obtain it after start-up.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { CollectionKind } from './entry-store.js';

type GcFunction = (options?: { type?: CollectionKind }) => void;

let collector: ((kind: CollectionKind) => void) | undefined | null = null;
/** Bytes the process may still grow by under its memory bound, when a node said (setRoom). */
let roomOf: (() => number) | undefined;

/** Quiet time in ms after the last asked-for collection before the idle one. */
const IDLE_COLLECTION_MS = 6_000;
/** Free heap below which the idle collection does not compact, in bytes. */
const COMPACT_MIN_FREE_BYTES = 8 * 1024 * 1024;

/**
 * A function that schedules one collection of a kind (calls before it ran make one, a major one
 * when any asked for it; a deferred one puts off the idle collection), or undefined when the
 * runtime offers none.
 */
export function processCollector(): ((kind: CollectionKind) => void) | undefined {
  if (collector !== null) return collector;
  let gc: GcFunction | undefined;
  try {
    const exposed: unknown = (globalThis as { gc?: unknown }).gc;
    if (typeof exposed === 'function') gc = exposed as GcFunction;
    else {
      setFlagsFromString('--expose-gc');
      const found: unknown = runInNewContext('gc');
      if (typeof found === 'function') gc = found as GcFunction;
    }
  } catch {
    gc = undefined;
  }
  if (gc === undefined) return (collector = undefined);
  const collect = gc;
  let pending: CollectionKind | undefined;
  // 6 s after the last asked-for collection (the store asks as values arrive and leave) or the
  // last deferred one, one more full one: V8 gives back its young generation (up to 32 MB, grown
  // by a burst of writes) only at a full collection that finds allocation low over its last 5 s.
  // Under a steady load of reads alone this is one collection of a heap that holds no entries.
  //
  // Then, when it pays, one that compacts the old generation: a burst of writes leaves its pages
  // scattered with the few objects that outlived it, and a full collection without compaction
  // frees the dead objects but keeps their pages (tens of MB after a million imported records,
  // with a fraction of it live). Compacting copies the live objects into new pages before the old
  // ones go, so for a moment the process holds both: a node of 16 MB that had just taken 24 MB of
  // puts went from 92 MB to 110-114 MB at that moment, past the 101 MB its capacity allows, to
  // give back a few MB. So it compacts only when the heap's free space is at least 8 MB, and
  // either the copy fits in what the process's bound leaves (setRoom) or it gives back more than
  // it borrows.
  const idle = setTimeout(
    () =>
      withTickPending(() => {
        collect();
        if (!worthCompacting(getHeapStatistics(), roomOf?.() ?? Infinity)) return;
        setFlagsFromString('--compact-on-every-full-gc');
        try {
          collect();
        } finally {
          setFlagsFromString('--no-compact-on-every-full-gc');
        }
      }),
    IDLE_COLLECTION_MS,
  ).unref();
  // Outside the store's call: the write that made the garbage answers first.
  const run = () => {
    const type = pending;
    pending = undefined;
    // Without options: on Node 20, `{ type: 'major' }` collects without freeing dead Buffers.
    if (type === 'minor') collect({ type });
    else collect();
    idle.refresh();
  };
  collector = (kind) => {
    // Garbage that leaves the process no larger than it was: the idle collection will do.
    if (kind === 'deferred') {
      idle.refresh();
      return;
    }
    if (pending === undefined) setImmediate(run);
    if (pending !== 'major') pending = kind;
  };
  return collector;
}

/**
 * Runs `work` (full collections of an idle process) with a `process.nextTick` callback queued, so
 * that one tick object is alive while they run. A tick object is a literal of Node.js's own
 * (`internal/process/task_queues`) whose hidden classes nothing else holds: a full collection at
 * a moment when no tick is queued, which is every moment of an idle process, lets them go, and
 * the next ticks build new ones. After such collections, every tick of the requests that came
 * next cost about 7 % of a node's CPU more, for as long as the process lived: in CPU profiles
 * (`--cpu-prof`) of a node serving misses on 16 connections after 10 s idle, `nextTick` took
 * 8.0–11 % of the samples, against 1.0–1.4 % with a tick queued during the collections (and
 * V8's memory reducer off, runtime.ts) and 1.1–1.3 % in a node loaded from its start.
 */
export function withTickPending(work: () => void): void {
  process.nextTick(noop);
  work();
}

function noop(): void {}

/**
 * Tells the idle collection how many bytes the process may still grow by under its memory bound
 * (a node: 1.3 × capacity + 80 MB less its RSS); undefined: no bound. One node per process: in a
 * process with more than one (tests), the last one's.
 */
export function setRoom(room: (() => number) | undefined): void {
  roomOf = room;
}

/**
 * Whether to compact a heap with these figures (just collected), when the process may still grow
 * by `roomBytes`: its free space is worth it (8 MB or more), and the moment's copy of its live
 * objects either fits in that room or is less than what it gives back.
 */
export function worthCompacting(
  heap: { total_heap_size: number; used_heap_size: number },
  roomBytes: number,
): boolean {
  const free = heap.total_heap_size - heap.used_heap_size;
  if (free < COMPACT_MIN_FREE_BYTES) return false;
  return heap.used_heap_size <= roomBytes || free >= heap.used_heap_size;
}
