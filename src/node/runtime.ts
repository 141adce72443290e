/**
 * The runtime settings a node process runs with, so that its capacity bounds the process while
 * it is written, not only once it settles (docs/http-api.md, "Values and accounting").
 *
 * A node's entries live off the V8 heap (slab pages and Buffers); what a burst of writes adds on
 * top is garbage, and by default V8 lets it pile up: a young generation grown to 32 MB, and an
 * old generation allowed to grow to several times what it holds before a full collection (to 80
 * MB of dead batch records on a node that holds 19 MB). Measured on a node with `--capacity 64`
 * written 96 MB of 16-byte values, the peak RSS was 223–239 MB with V8's defaults and 131–136 MB
 * with these settings, for the same fill time.
 *
 * - `--max-semi-space-size` caps the young generation; V8 reads it only at start, so whoever
 *   starts a node process passes it (`nodeProcessEnv`, through NODE_OPTIONS).
 * - `--heap-growing-percent` makes a full collection come once the old generation has grown by a
 *   fifth (V8 keeps a floor of 8 MB); it takes effect at run time (`tuneNodeHeap`). V8 counts the
 *   Buffer memory allocated since its last full collection as growth of the old generation too,
 *   so a node taking in values it keeps (an import: a move's destination) reached that limit
 *   every 10-17 MB: 28-30 full markings of its whole heap while it took in 500 MB of 100 KB
 *   values, a third of the CPU it spent. So the growth follows the store's garbage allowance
 *   (`followGarbageAllowance`): the old generation may grow by that many bytes, up to 64 MiB at
 *   a capacity of 544 MB or more, as dead values may, and by a fifth at least.
 * - `--no-memory-reducer` keeps V8 from running full collections of its own while the process is
 *   idle: the node's idle collection gives memory back then (collector.ts), with a tick queued,
 *   and V8's left the node's request path about 7 % slower for the rest of its life
 *   (`withTickPending` in collector.ts says why). It takes effect at run time (`tuneNodeHeap`).
 * - `MALLOC_ARENA_MAX` keeps glibc from giving each of the process's threads an allocator arena
 *   of its own, each holding freed memory apart.
 * - `MALLOC_MMAP_THRESHOLD_` gives every allocation of 64 KiB or more (a large value) memory of its
 *   own, returned to the system when the value is freed. By default glibc raises that threshold
 *   after the first such free, and large values then come from its heap, whose freed middle it
 *   keeps: 30 MB more RSS at rest after writing 100 KB values 1.5 times over a 128 MB capacity.
 *   Its price is fresh pages for each large value: 100 KB puts ran about 12 % slower. The HTTP
 *   parser's body pieces of a full 64 KiB read are mapped too: two fifths of the page faults of a
 *   node taking in a move as request bodies. A threshold just above them (68 KiB) cut those faults
 *   and a third of the receiver's CPU, but the node then kept some 50 MB of freed heap after a
 *   capacity cut (docs/benchmarks.md, "moves and the allocator"), so it stays at 64 KiB; a move's
 *   destination reads its batches into one buffer used again instead (batch-pull.ts).
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';

/** Largest V8 semi-space of a node process, in MB (V8's default on 64-bit: 16). */
export const NODE_SEMI_SPACE_MB = 2;
/** Growth of the old generation that triggers a full collection, in percent. */
export const NODE_HEAP_GROWING_PERCENT = 20;
/** The most `followGarbageAllowance` lets the old generation grow by, in percent. */
export const NODE_HEAP_GROWING_PERCENT_MAX = 1_000;
/** How often `followGarbageAllowance` looks at the heap again, in ms. */
const HEAP_GROWTH_EVERY_MS = 5_000;
/** glibc allocator arenas of a node process. */
export const NODE_MALLOC_ARENAS = 2;
/** Smallest allocation glibc maps on its own for a node process, in bytes. */
export const NODE_MMAP_THRESHOLD_BYTES = 64 * 1024;

const SEMI_SPACE_FLAG = '--max-semi-space-size';
/** The flag as V8 accepts it, with dashes or underscores. */
const SEMI_SPACE_PATTERN = /--max[-_]semi[-_]space[-_]size/;

/**
 * The environment to start a node process with: `base` plus the semi-space cap in NODE_OPTIONS
 * and the allocator's settings, each unless `base` already sets it.
 */
export function nodeProcessEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...base };
  const options = env.NODE_OPTIONS ?? '';
  if (!SEMI_SPACE_PATTERN.test(options))
    env.NODE_OPTIONS = `${options} ${SEMI_SPACE_FLAG}=${NODE_SEMI_SPACE_MB}`.trim();
  env.MALLOC_ARENA_MAX ??= String(NODE_MALLOC_ARENAS);
  env.MALLOC_MMAP_THRESHOLD_ ??= String(NODE_MMAP_THRESHOLD_BYTES);
  return env;
}

/**
 * Sets the old generation's growth for this process, turns V8's memory reducer off, and tells
 * whether its young generation was capped at start (a semi-space flag in its arguments or
 * NODE_OPTIONS).
 */
export function tuneNodeHeap(): { semiSpaceCapped: boolean } {
  setFlagsFromString(`--heap-growing-percent=${NODE_HEAP_GROWING_PERCENT}`);
  setFlagsFromString('--no-memory-reducer');
  const semiSpaceCapped =
    process.execArgv.some((arg) => SEMI_SPACE_PATTERN.test(arg)) ||
    SEMI_SPACE_PATTERN.test(process.env.NODE_OPTIONS ?? '');
  return { semiSpaceCapped };
}

/**
 * The old generation's growth, in percent of `heapBytes`, that lets it grow by `allowanceBytes`
 * before V8 starts a full collection: at least NODE_HEAP_GROWING_PERCENT, at most
 * NODE_HEAP_GROWING_PERCENT_MAX, in steps of 10.
 */
export function heapGrowingPercentFor(allowanceBytes: number, heapBytes: number): number {
  const percent = heapBytes > 0 ? (100 * allowanceBytes) / heapBytes : Infinity;
  const stepped = Math.floor(percent / 10) * 10;
  return Math.min(NODE_HEAP_GROWING_PERCENT_MAX, Math.max(NODE_HEAP_GROWING_PERCENT, stepped));
}

/**
 * Keeps this process's heap growth (`--heap-growing-percent`) at what lets the old generation
 * grow by `allowanceBytes()` (the store's garbage allowance, which follows its capacity): now and
 * every 5 s, as the heap and the capacity change. For a node process (the flag is the process's);
 * returns a function that stops it.
 */
export function followGarbageAllowance(allowanceBytes: () => number): () => void {
  let current = 0;
  const apply = () => {
    const percent = heapGrowingPercentFor(allowanceBytes(), getHeapStatistics().used_heap_size);
    if (percent === current) return;
    setFlagsFromString(`--heap-growing-percent=${percent}`);
    current = percent;
  };
  apply();
  const timer = setInterval(apply, HEAP_GROWTH_EVERY_MS).unref();
  return () => clearInterval(timer);
}
