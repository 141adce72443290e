/**
 * Decodes an `/internal/import` batch (batch.ts, both versions) as its body streams in: each value
 * is copied once, from the request's chunks straight into a buffer of its own that the store
 * keeps, or, when small, into a block used again (ValueBlocks) from which the store copies it
 * (exactly its bytes, framed when it is JSON-safe text), so no whole-body buffer is ever built and
 * no entry keeps a chunk alive. A v2 record flagged as JSON text is stored as it is; a v1 record is checked
 * as `rawEntry` would. A value larger than `maxValueBytes` is read past, not kept.
 */
import type { Readable } from 'node:stream';
import { errors } from '../errors.js';
import { BATCH_FLAG_EXPIRES, BATCH_FLAG_JSON_TEXT } from './batch.js';
import {
  checkedFrameEntry,
  FRAME_BYTES,
  FRAME_VALUE_OFFSET,
  frameBuffer,
  frameIn,
  framedEntry,
  ownedRawEntry,
  type Entry,
} from './entry.js';

/** One decoded record, ready to store. */
export interface ImportRecord {
  key: string;
  /** The entry to store; undefined when the value is larger than `maxValueBytes` (not kept). */
  entry: Entry | undefined;
  /** The entry's absolute deadline in ms since the epoch; 0 = never expires. */
  expiresAtMs: number;
  /** The entry's bytes are in one of the batch's value blocks (ValueBlocks), not a buffer of their own. */
  inBlock?: boolean;
}

/**
 * Blocks the small values of import batches are decoded into, used again batch after batch: a
 * store copies a small value into its slabs, so the buffer it arrived in is garbage at once. Each
 * its own buffer, such values left their memory to glibc's heap, which keeps what is freed: a
 * node of 128 MB taking 192 MB of 30 KB values in a move stayed at 249 MB, past its bound of 246.
 * A block goes back to the free list once its batch is stored (DecodedBatch.release); at most
 * `keepFree()` wait there (memory the process keeps, outside the store's charges), the rest are
 * left to the collector, which unmaps them.
 */
export class ValueBlocks {
  readonly #free: Buffer[] = [];
  readonly #keepFree: () => number;

  /** A value larger than `blockBytes` with its frame is not pooled. */
  constructor(
    readonly blockBytes: number = VALUE_BLOCK_BYTES,
    keepFree: () => number = () => VALUE_BLOCKS_KEPT,
  ) {
    this.#keepFree = keepFree;
  }

  /** A block, from the free list or new. */
  take(): Buffer {
    return this.#free.pop() ?? Buffer.allocUnsafeSlow(this.blockBytes);
  }

  /** Gives blocks back: nothing may read them any more. */
  give(blocks: readonly Buffer[]): void {
    const keep = this.#keepFree();
    for (const block of blocks) if (this.#free.length < keep) this.#free.push(block);
  }

  /** Blocks on the free list. */
  get free(): number {
    return this.#free.length;
  }
}

/** Bytes of a value block. */
export const VALUE_BLOCK_BYTES = 1024 * 1024;
/** Value blocks kept on the free list by default. */
const VALUE_BLOCKS_KEPT = 8;

/** A whole decoded batch: what the import route's body parser gives the route. */
export class DecodedBatch {
  readonly #release: () => void;

  constructor(
    readonly records: readonly ImportRecord[],
    release: () => void = () => {},
  ) {
    this.#release = release;
  }

  /**
   * Gives the batch's value blocks back, once its records are stored or dropped (a record in a
   * block must have been copied by the store: its value is at most the decoder's `pooledMaxBytes`).
   */
  release(): void {
    this.#release();
  }
}

/** Options of BatchDecoder. */
export interface BatchDecoderOptions {
  version: 1 | 2;
  /** Values larger than this are read past and decoded with no entry. */
  maxValueBytes: number;
  /** The most bytes the body can have: its Content-Length when known, else the body limit. */
  limitBytes: number;
  /** Whether `limitBytes` is the body's declared length (a field past it is malformed) or the body limit (413). */
  lengthKnown: boolean;
  /**
   * Where values of at most `pooledMaxBytes` are decoded (each record then says `inBlock`); only
   * for a store that copies such values (EntryStore.copiedValueMaxBytes). Without, every value
   * gets a buffer of its own.
   */
  blocks?: ValueBlocks | undefined;
  pooledMaxBytes?: number | undefined;
}

const enum Step {
  Flags,
  Expires,
  KeyLength,
  Key,
  TypeLength,
  Type,
  ValueLength,
  Value,
}

/** What a body cut in each step lacks. */
const CUT: Record<Step, string> = {
  [Step.Flags]: 'batch record cut in its flags',
  [Step.Expires]: 'batch record cut in its deadline',
  [Step.KeyLength]: 'batch record cut in its key length',
  [Step.Key]: 'batch record key runs past the body',
  [Step.TypeLength]: 'batch record cut in its type length',
  [Step.Type]: 'batch record type runs past the body',
  [Step.ValueLength]: 'batch record cut in its value length',
  [Step.Value]: 'batch record value runs past the body',
};

const EMPTY = Buffer.alloc(0);

/** The incremental decoder: `push` every chunk in order, then `end`. Throws RequestErrors. */
export class BatchDecoder {
  readonly #options: BatchDecoderOptions;
  readonly #first: Step;
  readonly #records: ImportRecord[] = [];
  #step: Step;
  /** Bytes of the current (non-value) field. */
  #need: number;
  /** A field split over chunks, gathered here. */
  #part: Buffer | undefined;
  #partAt = 0;
  /** Bytes pushed before the current chunk. */
  #received = 0;
  #flags = 0;
  #expiresAtMs = 0;
  #key = '';
  #type = '';
  #target: Buffer | undefined;
  #targetAt = 0;
  #valueLeft = 0;
  #inBlock = false;
  /** The value blocks used, the last one being filled from `#blockAt`. */
  readonly #blocks: Buffer[] = [];
  #blockAt = 0;

  constructor(options: BatchDecoderOptions) {
    this.#options = options;
    this.#first = options.version === 2 ? Step.Flags : Step.KeyLength;
    this.#step = this.#first;
    this.#need = this.#first === Step.Flags ? 1 : 4;
  }

  /** Decodes the next chunk of the body. */
  push(chunk: Buffer): void {
    const end = chunk.length;
    let at = 0;
    while (at < end) {
      if (this.#step === Step.Value) {
        const n = Math.min(this.#valueLeft, end - at);
        if (this.#target) chunk.copy(this.#target, this.#targetAt, at, at + n);
        this.#targetAt += n;
        this.#valueLeft -= n;
        at += n;
        if (this.#valueLeft === 0) this.#endRecord();
        continue;
      }
      const need = this.#need;
      let field: Buffer;
      if (this.#partAt === 0 && end - at >= need) {
        field = chunk.subarray(at, at + need);
        at += need;
      } else {
        this.#part ??= Buffer.allocUnsafe(need);
        const n = Math.min(need - this.#partAt, end - at);
        chunk.copy(this.#part, this.#partAt, at, at + n);
        this.#partAt += n;
        at += n;
        if (this.#partAt < need) break;
        field = this.#part;
        this.#part = undefined;
        this.#partAt = 0;
      }
      this.#field(field, this.#received + at);
    }
    this.#received += end;
  }

  /**
   * Where the next read may go straight, with no copy: the rest of the value being read, up to
   * `maxBytes`, when at least `minBytes` of it remain and it is kept (a value read past has no
   * buffer). The caller reads into it and then calls `filled` with the bytes read.
   */
  directTarget(minBytes: number, maxBytes: number): Buffer | undefined {
    if (this.#step !== Step.Value || this.#target === undefined) return undefined;
    const length = Math.min(this.#valueLeft, maxBytes);
    if (length < minBytes || length <= 0) return undefined;
    return this.#target.subarray(this.#targetAt, this.#targetAt + length);
  }

  /** Takes `bytes` read into the buffer `directTarget` gave (at most its length). */
  filled(bytes: number): void {
    this.#targetAt += bytes;
    this.#valueLeft -= bytes;
    this.#received += bytes;
    if (this.#valueLeft === 0) this.#endRecord();
  }

  /** The records, once the whole body was pushed; a body cut inside a record is malformed. */
  end(): ImportRecord[] {
    if (this.#step !== this.#first || this.#partAt > 0) throw errors.malformedBody(CUT[this.#step]);
    return this.#records;
  }

  /** Handles a complete field read at body offset `position`. */
  #field(field: Buffer, position: number): void {
    switch (this.#step) {
      case Step.Flags:
        this.#flags = field[0]!;
        if ((this.#flags & ~(BATCH_FLAG_JSON_TEXT | BATCH_FLAG_EXPIRES)) !== 0)
          throw errors.malformedBody(`batch record has unknown flags ${this.#flags}`);
        this.#expiresAtMs = 0;
        if ((this.#flags & BATCH_FLAG_EXPIRES) !== 0) this.#next(Step.Expires, 8, position);
        else this.#next(Step.KeyLength, 4, position);
        return;
      case Step.Expires: {
        const deadline = field.readBigUInt64BE(0);
        if (deadline === 0n || deadline > BigInt(Number.MAX_SAFE_INTEGER))
          throw errors.malformedBody(`batch record has a deadline out of range (${deadline})`);
        this.#expiresAtMs = Number(deadline);
        this.#next(Step.KeyLength, 4, position);
        return;
      }
      case Step.KeyLength:
        this.#next(Step.Key, this.#length(field, position, Step.Key), position);
        return;
      case Step.Key:
        this.#key = field.toString('utf8');
        this.#next(Step.TypeLength, 4, position);
        return;
      case Step.TypeLength:
        this.#next(Step.Type, this.#length(field, position, Step.Type), position);
        return;
      case Step.Type:
        this.#type = field.toString('utf8');
        this.#next(Step.ValueLength, 4, position);
        return;
      case Step.ValueLength:
        this.#startValue(this.#length(field, position, Step.Value));
        return;
      default:
        return;
    }
  }

  /** Moves to `step`; a field of no bytes is handled at once. */
  #next(step: Step, need: number, position: number): void {
    this.#step = step;
    this.#need = need;
    if (need === 0) this.#field(EMPTY, position);
  }

  /** A field's length, checked against what the body can still hold. */
  #length(field: Buffer, position: number, of: Step): number {
    const length = field.readUInt32BE(0);
    if (length > this.#options.limitBytes - position) {
      if (this.#options.lengthKnown) throw errors.malformedBody(CUT[of]);
      throw errors.bodyTooLarge(this.#options.limitBytes);
    }
    return length;
  }

  /** The blocks this decoder used: give them back once its records are stored. */
  get blocks(): readonly Buffer[] {
    return this.#blocks;
  }

  #startValue(length: number): void {
    this.#step = Step.Value;
    this.#valueLeft = length;
    this.#inBlock = false;
    const { blocks, pooledMaxBytes = 0 } = this.#options;
    if (length > this.#options.maxValueBytes) {
      this.#target = undefined;
      this.#targetAt = 0;
    } else if (
      blocks !== undefined &&
      length > 0 &&
      length <= pooledMaxBytes &&
      length + FRAME_BYTES <= blocks.blockBytes
    ) {
      this.#target = this.#blockSpace(blocks, length);
      this.#inBlock = true;
    } else if (this.#options.version === 2 && (this.#flags & BATCH_FLAG_JSON_TEXT) === 0) {
      this.#target = Buffer.allocUnsafe(length);
      this.#targetAt = 0;
    } else {
      this.#target = frameBuffer(length);
      this.#targetAt = FRAME_VALUE_OFFSET;
    }
    if (length === 0) this.#endRecord();
  }

  /** Room for a value of `length` in the current block (a new one when it is full), framed as needed. */
  #blockSpace(blocks: ValueBlocks, length: number): Buffer {
    const framed = this.#options.version === 1 || (this.#flags & BATCH_FLAG_JSON_TEXT) !== 0;
    const size = framed ? length + FRAME_BYTES : length;
    let block = this.#blocks.at(-1);
    if (block === undefined || this.#blockAt + size > block.length) {
      block = blocks.take();
      this.#blocks.push(block);
      this.#blockAt = 0;
    }
    const target = block.subarray(this.#blockAt, this.#blockAt + size);
    // Whole words: the next value starts aligned.
    this.#blockAt += (size + 7) & ~7;
    this.#targetAt = framed ? FRAME_VALUE_OFFSET : 0;
    return framed ? frameIn(target) : target;
  }

  #endRecord(): void {
    const target = this.#target;
    let entry: Entry | undefined;
    if (target === undefined) entry = undefined;
    else if (this.#options.version === 1) entry = checkedFrameEntry(target, this.#type);
    else if ((this.#flags & BATCH_FLAG_JSON_TEXT) !== 0) entry = framedEntry(target, this.#type);
    else entry = ownedRawEntry(target, this.#type);
    this.#records.push(
      this.#inBlock
        ? { key: this.#key, entry, expiresAtMs: this.#expiresAtMs, inBlock: true }
        : { key: this.#key, entry, expiresAtMs: this.#expiresAtMs },
    );
    this.#expiresAtMs = 0;
    this.#target = undefined;
    this.#step = this.#first;
    this.#need = this.#first === Step.Flags ? 1 : 4;
  }
}

/** Options of readBatch. */
export interface ReadBatchOptions {
  version: 1 | 2;
  maxValueBytes: number;
  /** The app's body limit: a longer body is a 413. */
  bodyLimitBytes: number;
  /** The Content-Length header, when the request has one. */
  contentLength: number | undefined;
  /** As BatchDecoderOptions. */
  blocks?: ValueBlocks | undefined;
  pooledMaxBytes?: number | undefined;
}

/** Reads and decodes a whole batch body from `payload` as it streams in. */
export function readBatch(payload: Readable, options: ReadBatchOptions): Promise<DecodedBatch> {
  const { bodyLimitBytes } = options;
  // Anything but a whole number of bytes is no declared length: the body limit bounds it then.
  const declared = options.contentLength;
  const contentLength =
    declared !== undefined && Number.isSafeInteger(declared) && declared >= 0
      ? declared
      : undefined;
  return new Promise((resolve, reject) => {
    if (contentLength !== undefined && contentLength > bodyLimitBytes) {
      reject(errors.bodyTooLarge(bodyLimitBytes));
      return;
    }
    const lengthKnown = contentLength !== undefined;
    const decoder = new BatchDecoder({
      version: options.version,
      maxValueBytes: options.maxValueBytes,
      limitBytes: contentLength ?? bodyLimitBytes,
      lengthKnown,
      blocks: options.blocks,
      pooledMaxBytes: options.pooledMaxBytes,
    });
    let received = 0;
    const stop = (error: unknown) => {
      payload.off('data', onData);
      payload.off('end', onEnd);
      payload.off('error', onError);
      reject(error);
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      received += bytes.length;
      if (received > bodyLimitBytes) return stop(errors.bodyTooLarge(bodyLimitBytes));
      try {
        decoder.push(bytes);
      } catch (error) {
        stop(error);
      }
    };
    const onEnd = () => {
      payload.off('data', onData);
      payload.off('error', onError);
      if (contentLength !== undefined && received !== contentLength) {
        reject(
          errors.malformedBody(
            `the body has ${received} bytes, its Content-Length says ${contentLength}`,
          ),
        );
        return;
      }
      try {
        resolve(batchOf(decoder, options.blocks));
      } catch (error) {
        reject(error);
      }
    };
    const onError = (error: Error) =>
      stop(errors.malformedBody(`the body could not be read (${error.message})`));
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
    payload.resume();
  });
}

/** The decoder's records as a batch whose release gives its value blocks back. */
export function batchOf(decoder: BatchDecoder, blocks: ValueBlocks | undefined): DecodedBatch {
  const records = decoder.end();
  let used: readonly Buffer[] = decoder.blocks;
  return new DecodedBatch(records, () => {
    // Once: a block given back twice would be filled by two batches at once.
    blocks?.give(used);
    used = [];
  });
}
