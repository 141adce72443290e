/**
 * A slab allocator for small byte strings, memcached-style: size classes whose chunk sizes grow
 * by a constant factor, each class carving fixed-size chunks out of large pages (one Buffer per
 * page, off the V8 heap). A chunk is addressed by a handle (a small integer: page × 2^16 + chunk),
 * and its bookkeeping — length, a caller's tag, a generation — lives in typed arrays per page, so
 * a million small values cost a few hundred page objects rather than millions of Buffers.
 *
 * A page whose chunks are all free leaves its class. Its memory (the page's bytes and its
 * per-chunk arrays) is kept as a spare, up to `sparePages`, and the next page of any class is made
 * of it: under eviction pages empty and fill at the same pace, so a full store churns through a
 * few spares instead of handing the collector a dead megabyte per page, which V8 frees only at its
 * next full collection (it tolerates tens of MB of such external garbage). Spares beyond the bound
 * are dropped, so memory follows what is held. Pages a class keeps while it holds anything are not
 * lent to other classes (memcached's slab calcification): a workload that moves from one size to
 * another keeps the old class's partly used pages until its entries go.
 *
 * No knowledge of keys or policies: the store's caller allocates, fills, reads and frees.
 */
import { OptionError } from '../errors.js';

/** Options of SlabArena; every field has a default. */
export interface SlabArenaOptions {
  /** Bytes per page; default 1 MiB. */
  pageBytes?: number;
  /** The smallest chunk; default 32 bytes. */
  minChunkBytes?: number;
  /** Largest value a chunk holds; larger ones do not belong in the arena. Default 4 KiB. */
  maxChunkBytes?: number;
  /** Ratio between two classes' chunk sizes; default 1.1 (memcached's is 1.25: finer classes waste less per chunk). */
  growthFactor?: number;
  /** Empty pages kept for reuse instead of dropped; default 4. */
  sparePages?: number;
  /**
   * Whether chunks carry a tag and a generation (`allocate`'s tag, `tag`, `generation`); default
   * true. Without them a chunk costs 8 bytes of per-chunk arrays instead of 16, and `tag` and
   * `generation` answer 0.
   */
  chunkTags?: boolean;
}

/** The memory of a page, reusable by a page of any class. */
interface PageMemory {
  /** pageBytes bytes. */
  bytes: Buffer;
  /** Room for the per-chunk arrays (16 or 8 bytes a chunk) of the page's class or a larger one. */
  meta: ArrayBuffer;
}

/** The tags and generations of a page whose chunks carry none. */
const NO_TAGS = new Uint32Array(0);

/** Most chunks one page can hold (a handle keeps the chunk in its low 16 bits). */
const CHUNKS_PER_PAGE_MAX = 1 << 16;

interface Page {
  memory: PageMemory;
  bytes: Buffer;
  classIndex: number;
  chunkBytes: number;
  chunks: number;
  /** Chunks handed out so far from the page's start (never-used chunks follow). */
  bump: number;
  live: number;
  /** Head of the free-chunk list (linked through `nextFree`), -1 when empty. */
  freeHead: number;
  nextFree: Int32Array;
  lengths: Uint32Array;
  tags: Uint32Array;
  /**
   * The allocation stamp of each live chunk (0 once freed): a handle and a generation name one
   * allocation, also across pages released and made again at the same index from reused memory.
   */
  generations: Uint32Array;
  /** Neighbours in the class's list of pages that have a free chunk; -1 at the ends. */
  prev: number;
  next: number;
  inList: boolean;
}

/** Figures of an arena, for statistics and tests. */
export interface SlabArenaStats {
  pages: number;
  pageBytes: number;
  liveChunks: number;
  /** Bytes of the live chunks (their chunk sizes, not their lengths). */
  liveChunkBytes: number;
}

export class SlabArena {
  readonly pageBytes: number;
  readonly maxChunkBytes: number;
  readonly #sparePagesMax: number;
  readonly #chunkTags: boolean;
  /** Bytes of per-chunk arrays a chunk costs: 16 with tags and generations, else 8. */
  readonly #metaBytesPerChunk: number;
  /** Memory of released pages, for the next new page. */
  #spares: PageMemory[] = [];

  /** Chunk size of each class, ascending. */
  readonly #classBytes: number[] = [];
  /** Per class, the first page with a free chunk, -1 when none. */
  #classHead: number[] = [];
  #pages: (Page | undefined)[] = [];
  #freePageIndices: number[] = [];
  #pageCount = 0;
  #liveChunks = 0;
  #liveChunkBytes = 0;
  #droppedBytesTotal = 0;
  /** The last allocation stamp handed out (1..2^32-1, wrapping past 0). */
  #stamp = 0;
  /** Class index by ceil(length / 8), for lengths up to maxChunkBytes. */
  readonly #classByEighth: Uint8Array;

  constructor(options: SlabArenaOptions = {}) {
    this.pageBytes = checkInteger('pageBytes', options.pageBytes ?? 1 << 20, 64);
    const minChunk = checkInteger('minChunkBytes', options.minChunkBytes ?? 32, 8);
    this.maxChunkBytes = checkInteger('maxChunkBytes', options.maxChunkBytes ?? 4096, minChunk);
    const factor = options.growthFactor ?? 1.1;
    if (!(factor > 1 && factor <= 4))
      throw new OptionError('growthFactor', 'must be a number in (1, 4]', factor);
    if (this.maxChunkBytes > this.pageBytes)
      throw new OptionError('maxChunkBytes', 'must be at most pageBytes', this.maxChunkBytes);
    // Chunk sizes are multiples of 8 (aligned reads, and the lookup table below).
    for (let size = align8(minChunk); ; size = align8(Math.ceil(size * factor))) {
      if (size >= this.maxChunkBytes) {
        this.#classBytes.push(align8(this.maxChunkBytes));
        break;
      }
      this.#classBytes.push(size);
    }
    if (this.pageBytes / this.#classBytes[0]! > CHUNKS_PER_PAGE_MAX)
      throw new OptionError('pageBytes', `must hold at most 2^16 chunks`, this.pageBytes);
    this.#sparePagesMax = checkInteger('sparePages', options.sparePages ?? 4, 0);
    this.#chunkTags = options.chunkTags ?? true;
    this.#metaBytesPerChunk = this.#chunkTags ? 16 : 8;
    this.#classHead = this.#classBytes.map(() => -1);
    const eighths = Math.ceil(this.maxChunkBytes / 8);
    this.#classByEighth = new Uint8Array(eighths + 1);
    let c = 0;
    for (let e = 0; e <= eighths; e++) {
      while (this.#classBytes[c]! < e * 8) c++;
      this.#classByEighth[e] = c;
    }
  }

  /** The chunk size a value of `length` bytes takes; 0 when it is larger than maxChunkBytes. */
  chunkBytes(length: number): number {
    if (length > this.maxChunkBytes) return 0;
    return this.#classBytes[this.#classByEighth[(length + 7) >>> 3]!]!;
  }

  /**
   * A chunk for `length` bytes (at most maxChunkBytes) carrying `tag` (an unsigned 32-bit number
   * for the caller); fill it with `write`. Returns its handle.
   */
  allocate(length: number, tag = 0): number {
    if (!(length >= 0 && length <= this.maxChunkBytes))
      throw new OptionError('length', `must be 0..${this.maxChunkBytes}`, length);
    const classIndex = this.#classByEighth[(length + 7) >>> 3]!;
    let pageIndex = this.#classHead[classIndex]!;
    if (pageIndex === -1) pageIndex = this.#newPage(classIndex);
    const page = this.#pages[pageIndex]!;
    let chunk: number;
    if (page.freeHead !== -1) {
      chunk = page.freeHead;
      page.freeHead = page.nextFree[chunk]!;
    } else {
      chunk = page.bump++;
    }
    page.live++;
    if (page.freeHead === -1 && page.bump === page.chunks) this.#unlist(page);
    page.lengths[chunk] = length;
    if (this.#chunkTags) {
      page.tags[chunk] = tag;
      this.#stamp = this.#stamp === 0xffffffff ? 1 : this.#stamp + 1;
      page.generations[chunk] = this.#stamp;
    }
    this.#liveChunks++;
    this.#liveChunkBytes += page.chunkBytes;
    return pageIndex * CHUNKS_PER_PAGE_MAX + chunk;
  }

  /** Copies `source` into the chunk (at most its length). */
  write(handle: number, source: Uint8Array): void {
    const page = this.#page(handle);
    const chunk = handle % CHUNKS_PER_PAGE_MAX;
    const length = Math.min(source.length, page.lengths[chunk]!);
    page.bytes.set(
      length === source.length ? source : source.subarray(0, length),
      chunk * page.chunkBytes,
    );
  }

  /**
   * Copies the first `length` bytes of `source` into the chunk (at most its length), without
   * making a view of `source` for it: short keys are copied byte by byte.
   */
  writeBytes(handle: number, source: Uint8Array, length: number): void {
    const page = this.#page(handle);
    const chunk = handle % CHUNKS_PER_PAGE_MAX;
    const count = Math.min(length, page.lengths[chunk]!);
    const bytes = page.bytes;
    const start = chunk * page.chunkBytes;
    if (count <= 64) for (let i = 0; i < count; i++) bytes[start + i] = source[i]!;
    else bytes.set(source.subarray(0, count), start);
  }

  /** A view of the chunk's bytes: valid only until the chunk is freed (copy what outlives it). */
  view(handle: number): Buffer {
    const page = this.#page(handle);
    const chunk = handle % CHUNKS_PER_PAGE_MAX;
    const start = chunk * page.chunkBytes;
    return page.bytes.subarray(start, start + page.lengths[chunk]!);
  }

  /** Copies the chunk's bytes into `target` at `at`; returns the bytes copied. */
  copyOut(handle: number, target: Uint8Array, at = 0): number {
    const page = this.#page(handle);
    const chunk = handle % CHUNKS_PER_PAGE_MAX;
    const start = chunk * page.chunkBytes;
    const length = page.lengths[chunk]!;
    target.set(page.bytes.subarray(start, start + length), at);
    return length;
  }

  /** Whether the chunk holds exactly the first `length` bytes of `source`. */
  equals(handle: number, source: Uint8Array, length: number): boolean {
    const page = this.#pages[handle >>> 16];
    if (page === undefined) throw new Error(`slab handle ${handle} names no page`);
    const chunk = handle & (CHUNKS_PER_PAGE_MAX - 1);
    if (page.lengths[chunk] !== length) return false;
    const bytes = page.bytes;
    const start = chunk * page.chunkBytes;
    for (let i = 0; i < length; i++) if (bytes[start + i] !== source[i]) return false;
    return true;
  }

  /** Whether the chunk holds exactly the bytes of `text`, a string of ASCII characters. */
  equalsAscii(handle: number, text: string): boolean {
    const page = this.#pages[handle >>> 16];
    if (page === undefined) throw new Error(`slab handle ${handle} names no page`);
    const chunk = handle & (CHUNKS_PER_PAGE_MAX - 1);
    const length = text.length;
    if (page.lengths[chunk] !== length) return false;
    const bytes = page.bytes;
    const start = chunk * page.chunkBytes;
    for (let i = 0; i < length; i++) if (bytes[start + i] !== text.charCodeAt(i)) return false;
    return true;
  }

  length(handle: number): number {
    return this.#page(handle).lengths[handle % CHUNKS_PER_PAGE_MAX]!;
  }

  tag(handle: number): number {
    return this.#page(handle).tags[handle % CHUNKS_PER_PAGE_MAX] ?? 0;
  }

  /** The chunk's generation: a stamp of its allocation, 0 once freed (a reused chunk gets a new one). */
  generation(handle: number): number {
    return this.#page(handle).generations[handle % CHUNKS_PER_PAGE_MAX] ?? 0;
  }

  /** Frees the chunk; a page left with no live chunk is released. */
  free(handle: number): void {
    const pageIndex = Math.floor(handle / CHUNKS_PER_PAGE_MAX);
    const page = this.#page(handle);
    const chunk = handle % CHUNKS_PER_PAGE_MAX;
    if (this.#chunkTags) page.generations[chunk] = 0;
    page.nextFree[chunk] = page.freeHead;
    page.freeHead = chunk;
    page.live--;
    this.#liveChunks--;
    this.#liveChunkBytes -= page.chunkBytes;
    if (page.live === 0) {
      if (page.inList) this.#unlist(page);
      this.#pages[pageIndex] = undefined;
      this.#freePageIndices.push(pageIndex);
      this.#pageCount--;
      this.#retire(page.memory);
    } else if (!page.inList) {
      this.#list(pageIndex, page);
    }
  }

  /**
   * Bytes of page memory dropped so far (pages released beyond the spares): garbage for the
   * collector, which a caller may count to ask for a collection.
   */
  get droppedBytesTotal(): number {
    return this.#droppedBytesTotal;
  }

  /** Bytes of empty pages kept for reuse (at most sparePages of them). */
  get spareBytes(): number {
    return this.#spares.length * this.pageBytes;
  }

  /** Releases every page (keeping up to sparePages of them as spares). */
  clear(): void {
    for (const page of this.#pages) if (page !== undefined) this.#retire(page.memory);
    this.#pages = [];
    this.#freePageIndices = [];
    this.#classHead = this.#classBytes.map(() => -1);
    this.#pageCount = 0;
    this.#liveChunks = 0;
    this.#liveChunkBytes = 0;
  }

  stats(): SlabArenaStats {
    return {
      pages: this.#pageCount,
      pageBytes: this.#pageCount * this.pageBytes,
      liveChunks: this.#liveChunks,
      liveChunkBytes: this.#liveChunkBytes,
    };
  }

  #page(handle: number): Page {
    const page = this.#pages[Math.floor(handle / CHUNKS_PER_PAGE_MAX)];
    if (page === undefined) throw new Error(`slab handle ${handle} names no page`);
    return page;
  }

  #newPage(classIndex: number): number {
    const chunkBytes = this.#classBytes[classIndex]!;
    const chunks = Math.floor(this.pageBytes / chunkBytes);
    const memory = this.#spares.pop() ?? {
      bytes: Buffer.allocUnsafeSlow(this.pageBytes),
      meta: new ArrayBuffer(chunks * this.#metaBytesPerChunk),
    };
    // Per-chunk arrays are as large as the class needs (a page of the smallest class would need
    // half a page of them): a spare whose arrays are too small gets new ones.
    const metaBytes = chunks * this.#metaBytesPerChunk;
    if (memory.meta.byteLength < metaBytes) {
      this.#droppedBytesTotal += memory.meta.byteLength;
      memory.meta = new ArrayBuffer(metaBytes);
    }
    // With tags: generations, next free, lengths, tags; without: next free and lengths only.
    const base = this.#chunkTags ? chunks * 4 : 0;
    const page: Page = {
      memory,
      bytes: memory.bytes,
      classIndex,
      chunkBytes,
      chunks,
      bump: 0,
      live: 0,
      freeHead: -1,
      nextFree: new Int32Array(memory.meta, base, chunks),
      lengths: new Uint32Array(memory.meta, base + chunks * 4, chunks),
      tags: this.#chunkTags ? new Uint32Array(memory.meta, chunks * 12, chunks) : NO_TAGS,
      generations: this.#chunkTags ? new Uint32Array(memory.meta, 0, chunks) : NO_TAGS,
      prev: -1,
      next: -1,
      inList: false,
    };
    const pageIndex =
      this.#freePageIndices.length > 0 ? this.#freePageIndices.pop()! : this.#pages.length;
    this.#pages[pageIndex] = page;
    this.#pageCount++;
    this.#list(pageIndex, page);
    return pageIndex;
  }

  /** Keeps a released page's memory as a spare, or drops it when there are enough. */
  #retire(memory: PageMemory): void {
    if (this.#spares.length < this.#sparePagesMax) this.#spares.push(memory);
    else this.#droppedBytesTotal += memory.bytes.length + memory.meta.byteLength;
  }

  /** Puts a page at the head of its class's list of pages with a free chunk. */
  #list(pageIndex: number, page: Page): void {
    const head = this.#classHead[page.classIndex]!;
    page.prev = -1;
    page.next = head;
    if (head !== -1) this.#pages[head]!.prev = pageIndex;
    this.#classHead[page.classIndex] = pageIndex;
    page.inList = true;
  }

  #unlist(page: Page): void {
    if (page.prev === -1) this.#classHead[page.classIndex] = page.next;
    else this.#pages[page.prev]!.next = page.next;
    if (page.next !== -1) this.#pages[page.next]!.prev = page.prev;
    page.prev = page.next = -1;
    page.inList = false;
  }
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

function checkInteger(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min)
    throw new OptionError(name, `must be an integer >= ${min}`, value);
  return value;
}
