/**
 * The batch format of `/internal/import` (docs/internal-api.md). Two versions, told apart by the
 * Content-Type:
 * - v1, `application/x-cachepool-batch`: records
 *   `u32be keyLength, key (UTF-8), u32be typeLength, type (UTF-8), u32be valueLength, value`;
 * - v2, `application/x-cachepool-batch; v=2`: records
 *   `u8 flags, u32be keyLength, key, u32be typeLength, type, u32be valueLength, value`, where flag
 *   bit 0 (`BATCH_FLAG_JSON_TEXT`) says the value is UTF-8 text needing no JSON escape, so the
 *   destination stores it framed as it is, without looking at its bytes; flag bit 1
 *   (`BATCH_FLAG_EXPIRES`) says an 8-byte big-endian unsigned deadline (ms since the epoch)
 *   follows the flags byte, so a moved key keeps its absolute deadline; other bits are 0.
 * move_keys sends v2 as a list of buffers (values are not copied); a node accepts both.
 * Decoding as the body streams in: batch-decoder.ts.
 */
import { defaults } from '../defaults.js';
import { errors } from '../errors.js';
import { BATCH_CONTENT_TYPE } from '../http/index.js';

/**
 * The type of a batch get's record for a miss a reader must not look past (CacheNode.missIsFinal,
 * as the header MISS_HEADER on a single read); an ordinary miss has an empty type. Its value is
 * empty as every miss's, so a reader that does not know it reads a miss.
 */
export const FINAL_MISS_TYPE = 'application/x-cachepool-final-miss';

/** Content type of a v2 batch. */
export const BATCH_V2_CONTENT_TYPE = `${BATCH_CONTENT_TYPE}; v=2`;

/** v2 flag: the value is UTF-8 text that needs no escaping inside a JSON string. */
export const BATCH_FLAG_JSON_TEXT = 0x01;

/** v2 flag: the record carries the entry's absolute deadline (u64be ms) after its flags. */
export const BATCH_FLAG_EXPIRES = 0x02;

/**
 * The longest content type a record can carry: a value's type arrives in a request header, and
 * Node's HTTP parser bounds a request's headers at 16 KiB (its default `maxHeaderSize`).
 */
export const MAX_RECORD_TYPE_BYTES = 16 * 1024;

/** Bytes of a v2 record besides its key, type and value: flags, deadline and three lengths. */
const RECORD_HEAD_BYTES = 1 + 8 + 12;

/**
 * The largest import body a node must admit so that every value it holds can move: a batch of
 * several records is cut at the body limit by the sender, but one record holding a value as
 * large as a put's whole body is larger than it by its head, key and type.
 */
export function importLimitBytes(bodyLimitBytes: number, maxKeyBytes: number): number {
  return bodyLimitBytes + RECORD_HEAD_BYTES + maxKeyBytes + MAX_RECORD_TYPE_BYTES;
}

/** Values smaller than this are copied next to their record header; larger ones are sent as they are. */
const COPY_BELOW_BYTES = 16 * 1024;

/** One record of a batch. */
export interface BatchRecord {
  key: string;
  type: string;
  value: Buffer;
  /** v2 only: the value is UTF-8 text needing no JSON escape (BATCH_FLAG_JSON_TEXT). */
  jsonText?: boolean;
  /** v2 only: the absolute deadline in ms since the epoch; 0 or absent = never expires. */
  expiresAtMs?: number;
}

/**
 * The batch version a Content-Type names: 1 without a `v` parameter (or `v=1`), 2 for `v=2`;
 * undefined for any other version.
 */
export function batchVersion(contentType: string): 1 | 2 | undefined {
  const match = /;\s*v\s*=\s*"?([^";\s]*)"?/i.exec(contentType);
  if (!match || match[1] === '1') return 1;
  return match[1] === '2' ? 2 : undefined;
}

/** Bytes one record takes in a v1 batch (a v2 record takes one more, and 8 more with a deadline). */
export function recordBytes(key: string, type: string, valueLength: number): number {
  return 12 + Buffer.byteLength(key, 'utf8') + Buffer.byteLength(type, 'utf8') + valueLength;
}

/** Bytes one record takes in a v2 batch. */
function recordBytesV2(r: BatchRecord): number {
  return recordBytes(r.key, r.type, r.value.length) + 1 + (r.expiresAtMs ? 8 : 0);
}

/** Encodes records into one v1 Buffer. */
export function encodeBatch(records: readonly BatchRecord[]): Buffer {
  let total = 0;
  for (const r of records) total += recordBytes(r.key, r.type, r.value.length);
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const r of records) {
    at = writeHead(out, at, r, 1);
    r.value.copy(out, at);
    at += r.value.length;
  }
  return out;
}

/**
 * Encodes records as a v2 batch: a list of buffers to send one after the other, and their total
 * length. Record heads and small values are copied together into shared buffers; a large value
 * is passed as it is (the caller must not change it until the batch is sent).
 */
export function encodeBatchChunks(records: readonly BatchRecord[]): {
  chunks: Buffer[];
  bytes: number;
} {
  const chunks: Buffer[] = [];
  let bytes = 0;
  // Runs of heads and small values, each encoded into one buffer.
  let run: BatchRecord[] = [];
  let runBytes = 0;
  const flush = (large?: Buffer) => {
    if (runBytes > 0) {
      const out = Buffer.allocUnsafe(runBytes);
      let at = 0;
      for (const r of run) {
        at = writeHead(out, at, r, 2);
        if (r.value.length < COPY_BELOW_BYTES) {
          r.value.copy(out, at);
          at += r.value.length;
        }
      }
      chunks.push(out);
    }
    if (large) chunks.push(large);
    run = [];
    runBytes = 0;
  };
  for (const r of records) {
    const size = recordBytesV2(r);
    bytes += size;
    const small = r.value.length < COPY_BELOW_BYTES;
    run.push(r);
    runBytes += small ? size : size - r.value.length;
    if (!small) flush(r.value);
  }
  flush();
  return { chunks, bytes };
}

/** Writes a record's head (up to the value length) at `at`; returns where the value goes. */
function writeHead(out: Buffer, at: number, r: BatchRecord, version: 1 | 2): number {
  if (version === 2) {
    const expiresAtMs = r.expiresAtMs ?? 0;
    out[at++] = (r.jsonText ? BATCH_FLAG_JSON_TEXT : 0) | (expiresAtMs ? BATCH_FLAG_EXPIRES : 0);
    if (expiresAtMs) {
      out.writeBigUInt64BE(BigInt(expiresAtMs), at);
      at += 8;
    }
  }
  const keyLength = out.write(r.key, at + 4, 'utf8');
  out.writeUInt32BE(keyLength, at);
  at += 4 + keyLength;
  const typeLength = out.write(r.type, at + 4, 'utf8');
  out.writeUInt32BE(typeLength, at);
  at += 4 + typeLength;
  out.writeUInt32BE(r.value.length, at);
  return at + 4;
}

/**
 * Decodes a whole v1 batch held in one Buffer; values are views into `body`. A truncated or
 * overlong record is a malformed-body RequestError. (The import route decodes as the body streams
 * in: batch-decoder.ts.)
 */
export function decodeBatch(body: Buffer): BatchRecord[] {
  const records: BatchRecord[] = [];
  let at = 0;
  const take = (what: string): Buffer => {
    if (at + 4 > body.length) throw errors.malformedBody(`batch record cut in its ${what} length`);
    const length = body.readUInt32BE(at);
    at += 4;
    if (at + length > body.length)
      throw errors.malformedBody(`batch record ${what} runs past the body`);
    const bytes = body.subarray(at, at + length);
    at += length;
    return bytes;
  };
  while (at < body.length) {
    const key = take('key').toString('utf8');
    const type = take('type').toString('utf8');
    const value = take('value');
    records.push({ key, type, value });
  }
  return records;
}

/**
 * The keys of a `/v1/batch/get` body (`{"keys": ["…", …]}`), as node and gateway both read it:
 * 400 for a body that is not that JSON, or that lists more than defaults.batchMaxKeys keys.
 */
export function batchKeysOf(body: unknown): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.isBuffer(body) ? body.toString('utf8') : '');
  } catch {
    throw errors.malformedBody('expected JSON {"keys":["…"]}');
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'string'))
    throw errors.invalid('keys must be a list of strings');
  checkBatchCount(keys.length);
  return keys;
}

/** 400 for a batch of more than defaults.batchMaxKeys keys or records. */
export function checkBatchCount(count: number): void {
  if (count > defaults.batchMaxKeys)
    throw errors.invalid(`a batch lists ${count} keys, the limit is ${defaults.batchMaxKeys}`);
}
