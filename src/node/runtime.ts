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
 *   fifth (V8 keeps a floor of a few MB); it takes effect at run time (`tuneNodeHeap`).
 * - `MALLOC_ARENA_MAX` keeps glibc from giving each of the process's threads an allocator arena
 *   of its own, each holding freed memory apart.
 * - `MALLOC_MMAP_THRESHOLD_` gives every allocation of 64 KiB or more (a large value) memory of its
 *   own, returned to the system when the value is freed. By default glibc raises that threshold
 *   after the first such free, and large values then come from its heap, whose freed middle it
 *   keeps: 30 MB more RSS at rest after writing 100 KB values 1.5 times over a 128 MB capacity.
 *   Its price is fresh pages for each large value: 100 KB puts ran about 12 % slower.
 */
import { setFlagsFromString } from 'node:v8';

/** Largest V8 semi-space of a node process, in MB (V8's default on 64-bit: 16). */
export const NODE_SEMI_SPACE_MB = 2;
/** Growth of the old generation that triggers a full collection, in percent. */
export const NODE_HEAP_GROWING_PERCENT = 20;
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
 * Sets the old generation's growth for this process and tells whether its young generation was
 * capped at start (a semi-space flag in its arguments or NODE_OPTIONS).
 */
export function tuneNodeHeap(): { semiSpaceCapped: boolean } {
  setFlagsFromString(`--heap-growing-percent=${NODE_HEAP_GROWING_PERCENT}`);
  const semiSpaceCapped =
    process.execArgv.some((arg) => SEMI_SPACE_PATTERN.test(arg)) ||
    SEMI_SPACE_PATTERN.test(process.env.NODE_OPTIONS ?? '');
  return { semiSpaceCapped };
}
