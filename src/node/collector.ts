/**
 * The process's garbage collections, for the entry store to ask for (entry-store.ts): dead
 * Buffers hold their memory until V8 collects them, and V8 waits for tens of MB of them. V8 offers
 * no API for it without `--expose-gc`; the flag is set at run time and the `gc` function read from
 * a fresh context, which is the documented way to obtain it after start-up.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { CollectionKind } from './entry-store.js';

type GcFunction = (options?: { type?: CollectionKind }) => void;

let collector: ((kind: CollectionKind) => void) | undefined | null = null;

/** Quiet time in ms after the last asked-for collection before the idle one. */
const IDLE_COLLECTION_MS = 6_000;

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
  // That one also compacts the old generation: a burst of writes leaves its pages scattered with
  // the few objects that outlived it, and a full collection without compaction frees the dead
  // objects but keeps their pages (tens of MB after a million imported records, with a fraction
  // of it live). Compacting costs a copy of the live objects, which a store of typed arrays and
  // slab pages keeps few: cheap once, when the node is quiet, so only that collection does it.
  const idle = setTimeout(() => {
    setFlagsFromString('--compact-on-every-full-gc');
    try {
      collect();
    } finally {
      setFlagsFromString('--no-compact-on-every-full-gc');
    }
  }, IDLE_COLLECTION_MS).unref();
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
