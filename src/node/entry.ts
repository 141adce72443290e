/**
 * How a node holds a value: one Buffer off the V8 heap. The node's store (entry-store.ts) copies
 * a value of up to 64 KiB into a slab, so the buffer made here is short-lived for such a value
 * and kept as it is for a larger one (its own memory). A text value that needs no JSON escaping
 * (a data URL, most text) is stored already framed as the legacy hit answer
 * `{"success":"true","content":"<value>"}`, so a hit sends the stored bytes as they are and /v1
 * reads the value without framing it again. Other values (text needing escapes, binary from /v1) are
 * stored raw and framed on each legacy read.
 *
 * Accounting (docs/http-api.md): an entry costs the key's UTF-8 bytes plus the value's bytes
 * (`valueBytes`: UTF-8 bytes of a text value, raw bytes of a /v1 value); the frame is not counted.
 */
import { isUtf8 } from 'node:buffer';

/** Content type of a value stored through the legacy API. */
export const TEXT_TYPE = 'text/plain; charset=utf-8';

const PREFIX = Buffer.from('{"success":"true","content":"', 'utf8');
const SUFFIX = Buffer.from('"}', 'utf8');
/** Characters JSON strings must escape. */
// eslint-disable-next-line no-control-regex -- control characters are what JSON must escape
const NEEDS_ESCAPE = /[\u0000-\u001f"\\]/;

/**
 * One stored value. Immutable. A value of up to 64 KiB is kept in a slab (entry-store.ts) and
 * each read gives a fresh Entry, its bytes copied out of the slab or, for a shared read, lent
 * (`lent`), carrying the chunk's `handle` and `generation` so that move_keys can tell whether the
 * key still holds the value it sent; a larger value's Entry is the stored object itself (compared
 * by identity).
 */
export interface Entry {
  /** The stored bytes: framed (see `framed`) or the raw value. */
  readonly bytes: Buffer;
  /** Whether `bytes` is the complete legacy hit answer around the value. */
  readonly framed: boolean;
  /** The value's Content-Type (legacy values: text/plain; charset=utf-8). */
  readonly type: string;
  /** The value's size in bytes, as counted against capacity. */
  readonly valueBytes: number;
  /** For a value read out of a slab: its chunk's handle and generation (entry-store.ts). */
  readonly handle?: number;
  readonly generation?: number;
  /**
   * For a shared read of a value kept whole in a slab: `bytes` are the slab's own, lent until
   * the reader gives them back (EntryStore.release).
   */
  readonly lent?: boolean;
}

/** An entry for a text value from the legacy API. */
export function textEntry(text: string): Entry {
  if (!NEEDS_ESCAPE.test(text)) {
    const valueBytes = Buffer.byteLength(text, 'utf8');
    const bytes = Buffer.allocUnsafe(PREFIX.length + valueBytes + SUFFIX.length);
    PREFIX.copy(bytes, 0);
    bytes.write(text, PREFIX.length, 'utf8');
    SUFFIX.copy(bytes, PREFIX.length + valueBytes);
    return { bytes, framed: true, type: TEXT_TYPE, valueBytes };
  }
  const bytes = Buffer.allocUnsafe(Buffer.byteLength(text, 'utf8'));
  bytes.write(text, 0, 'utf8');
  return { bytes, framed: false, type: TEXT_TYPE, valueBytes: bytes.length };
}

/**
 * An entry for raw bytes with a content type (/v1, imports). UTF-8 text that needs no escaping
 * is framed like a legacy value; the bytes are copied out of the request's buffer.
 */
export function rawEntry(value: Buffer, type: string): Entry {
  return copiedEntry(value, type, isUtf8(value) && !NEEDS_ESCAPE.test(value.toString('utf8')));
}

/**
 * An entry for legacy text given as its UTF-8 bytes (a form put's value, decoded straight to
 * bytes), copied out of them: the entry textEntry makes of the same text. `plain`: no byte of it
 * needs JSON escaping (the caller found it while decoding), so it is framed.
 */
export function utf8TextEntry(bytes: Buffer, plain: boolean): Entry {
  return copiedEntry(bytes, TEXT_TYPE, plain);
}

/** A copy of `value` in a buffer of its own: in the legacy hit frame when `framed`. */
function copiedEntry(value: Buffer, type: string, framed: boolean): Entry {
  if (framed) {
    const bytes = frameBuffer(value.length);
    value.copy(bytes, PREFIX.length);
    return { bytes, framed: true, type, valueBytes: value.length };
  }
  const bytes = Buffer.allocUnsafe(value.length);
  value.copy(bytes);
  return { bytes, framed: false, type, valueBytes: value.length };
}

/**
 * A short-lived buffer of `length` value bytes, inside the legacy hit frame when `framed`, filled
 * by `fill(target, at)`: what a read of a slab value hands to a response.
 */
export function transientBytes(
  length: number,
  framed: boolean,
  fill: (target: Buffer, at: number) => void,
): Buffer {
  if (!framed) {
    const bytes = Buffer.allocUnsafe(length);
    fill(bytes, 0);
    return bytes;
  }
  const bytes = Buffer.allocUnsafe(PREFIX.length + length + SUFFIX.length);
  PREFIX.copy(bytes, 0);
  fill(bytes, PREFIX.length);
  SUFFIX.copy(bytes, PREFIX.length + length);
  return bytes;
}

/** Bytes the legacy hit frame adds around a framed value. */
export const FRAME_BYTES = PREFIX.length + SUFFIX.length;

/** Where the value starts in the bytes of a framed entry. */
export const FRAME_VALUE_OFFSET = PREFIX.length;

/**
 * A new buffer for a value of `valueLength` bytes inside the legacy hit frame: the frame is
 * written, the value is to be copied in at FRAME_VALUE_OFFSET. Made into an entry by
 * `framedEntry` or `checkedFrameEntry` once filled.
 */
export function frameBuffer(valueLength: number): Buffer {
  return frameIn(Buffer.allocUnsafe(PREFIX.length + valueLength + SUFFIX.length));
}

/** Writes the legacy hit frame into `bytes` (FRAME_BYTES longer than its value), as frameBuffer. */
export function frameIn(bytes: Buffer): Buffer {
  PREFIX.copy(bytes, 0);
  SUFFIX.copy(bytes, bytes.length - SUFFIX.length);
  return bytes;
}

/**
 * The entry for a filled frame buffer whose value the sender declared UTF-8 text needing no JSON
 * escape (a v2 import record): stored as it is, the bytes are not looked at.
 */
export function framedEntry(bytes: Buffer, type: string): Entry {
  return { bytes, framed: true, type, valueBytes: bytes.length - PREFIX.length - SUFFIX.length };
}

/**
 * The entry for a filled frame buffer of unknown content (a v1 import record): framed when the
 * value is UTF-8 text needing no escape (as `rawEntry` decides), else the value's part of it raw.
 */
export function checkedFrameEntry(bytes: Buffer, type: string): Entry {
  const value = bytes.subarray(PREFIX.length, bytes.length - SUFFIX.length);
  if (isUtf8(value) && !NEEDS_ESCAPE.test(value.toString('utf8'))) return framedEntry(bytes, type);
  return { bytes: value, framed: false, type, valueBytes: value.length };
}

/** The entry for raw bytes this entry may own (not copied, not looked at). */
export function ownedRawEntry(bytes: Buffer, type: string): Entry {
  return { bytes, framed: false, type, valueBytes: bytes.length };
}

/** The value's raw bytes (a view, not a copy). */
export function valueOf(entry: Entry): Buffer {
  return entry.framed
    ? entry.bytes.subarray(PREFIX.length, entry.bytes.length - SUFFIX.length)
    : entry.bytes;
}

/**
 * The legacy hit answer: `{"success":"true","content":<text>}` where text is the value when it
 * is UTF-8, else a `data:<type>;base64,…` URL.
 */
export function legacyAnswer(entry: Entry): Buffer {
  if (entry.framed) return entry.bytes;
  const text = isUtf8(entry.bytes)
    ? entry.bytes.toString('utf8')
    : `data:${entry.type.split(';')[0]!.trim() || 'application/octet-stream'};base64,${entry.bytes.toString('base64')}`;
  return Buffer.from(JSON.stringify({ success: 'true', content: text }), 'utf8');
}
