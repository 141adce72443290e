/**
 * The batch format of `/internal/import` (application/x-cachepool-batch): a sequence of records
 * `u32be keyLength, key (UTF-8), u32be typeLength, type (UTF-8), u32be valueLength, value`.
 */
import { errors } from '../errors.js';

/** One record of a batch. */
export interface BatchRecord {
  key: string;
  type: string;
  value: Buffer;
}

/** Bytes one record takes in a batch. */
export function recordBytes(key: string, type: string, valueLength: number): number {
  return 12 + Buffer.byteLength(key, 'utf8') + Buffer.byteLength(type, 'utf8') + valueLength;
}

/** Encodes records into one Buffer. */
export function encodeBatch(records: readonly BatchRecord[]): Buffer {
  let total = 0;
  for (const r of records) total += recordBytes(r.key, r.type, r.value.length);
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const r of records) {
    const keyLength = Buffer.byteLength(r.key, 'utf8');
    out.writeUInt32BE(keyLength, at);
    out.write(r.key, at + 4, 'utf8');
    at += 4 + keyLength;
    const typeLength = Buffer.byteLength(r.type, 'utf8');
    out.writeUInt32BE(typeLength, at);
    out.write(r.type, at + 4, 'utf8');
    at += 4 + typeLength;
    out.writeUInt32BE(r.value.length, at);
    r.value.copy(out, at + 4);
    at += 4 + r.value.length;
  }
  return out;
}

/**
 * Decodes a batch; values are views into `body`. A truncated or overlong record is a
 * malformed-body RequestError (nothing of the batch is applied by the caller then).
 */
export function decodeBatch(body: Buffer): BatchRecord[] {
  const records: BatchRecord[] = [];
  let at = 0;
  const take = (what: string): Buffer => {
    if (at + 4 > body.length) throw errors.malformedBody(`batch record cut in its ${what} length`);
    const length = body.readUInt32BE(at);
    at += 4;
    if (at + length > body.length) throw errors.malformedBody(`batch record ${what} runs past the body`);
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
