/**
 * MD5 (RFC 1321) of a string's UTF-8 bytes, for the partition of a key: every request a node, a
 * gateway or a client routes hashes its key, and a hand-off hashes every key of its source.
 * `createHash('md5')` costs some 4 µs a key in Node 20 (a hash object and a digest Buffer each
 * time; `crypto.hash` came in Node 21.7); this is a plain loop over typed arrays, without an
 * allocation for keys up to SCRATCH_BYTES. test/unit/partition/md5.test.ts checks it against
 * node:crypto at every length around the block boundaries, for ASCII and non-ASCII keys.
 */

/** K[i] = floor(|sin(i + 1)| × 2^32), as RFC 1321 defines it. */
const K = new Int32Array(64);
for (let i = 0; i < 64; i++) K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0;

/** The left rotations of each step: four per round, repeated. */
const SHIFTS = new Int32Array(64);
for (let i = 0; i < 64; i++)
  SHIFTS[i] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21][(i >> 4) * 4 + (i & 3)]!;

/** The message word each step reads. */
const WORD = new Int32Array(64);
for (let i = 0; i < 64; i++)
  WORD[i] = i < 16 ? i : i < 32 ? (5 * i + 1) & 15 : i < 48 ? (3 * i + 5) & 15 : (7 * i) & 15;

/** Keys whose UTF-8 bytes and padding fit here are hashed without allocating. */
const SCRATCH_BYTES = 4096;
const scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
/** One block's sixteen little-endian words. */
const words = new Int32Array(16);

/**
 * The first 32 bits of the MD5 digest of `text`'s UTF-8 bytes (a lone surrogate encodes as
 * U+FFFD, as Buffer and node:crypto encode it), as an unsigned number whose low byte is the
 * digest's first byte.
 */
export function md5Head(text: string): number {
  const length = text.length;
  let bytes = scratch;
  let size = 0;
  // ASCII is copied by hand; anything else (and a key too long for the scratch) is encoded by
  // Buffer, which knows UTF-8.
  if (length + 72 <= SCRATCH_BYTES) {
    for (; size < length; size++) {
      const code = text.charCodeAt(size);
      if (code >= 0x80) break;
      bytes[size] = code;
    }
  }
  if (size < length) {
    const needed = Buffer.byteLength(text, 'utf8') + 72;
    if (needed > SCRATCH_BYTES) bytes = Buffer.allocUnsafe(needed);
    size = bytes.write(text, 0, 'utf8');
  }
  return digestHead(bytes, size);
}

/** The first 32 bits of the MD5 digest of `bytes[0..size)`; pads in place (72 bytes of room). */
function digestHead(bytes: Buffer, size: number): number {
  // Padding: 0x80, zeros up to 56 mod 64, then the length in bits as a 64-bit little-endian.
  const blocks = ((size + 8) >>> 6) + 1;
  const end = blocks * 64;
  bytes[size] = 0x80;
  for (let at = size + 1; at < end - 8; at++) bytes[at] = 0;
  const bitsLow = (size % 0x20000000) * 8;
  const bitsHigh = Math.floor(size / 0x20000000);
  for (let k = 0; k < 4; k++) {
    bytes[end - 8 + k] = (bitsLow >>> (8 * k)) & 0xff;
    bytes[end - 4 + k] = (bitsHigh >>> (8 * k)) & 0xff;
  }

  let a0 = 0x67452301 | 0;
  let b0 = 0xefcdab89 | 0;
  let c0 = 0x98badcfe | 0;
  let d0 = 0x10325476 | 0;
  for (let block = 0; block < end; block += 64) {
    for (let w = 0; w < 16; w++) {
      const at = block + 4 * w;
      words[w] =
        bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
    }
    let a = a0;
    let b = b0;
    let c = c0;
    let d = d0;
    for (let i = 0; i < 64; i++) {
      // The round's function of b, c and d.
      const f =
        i < 16
          ? (b & c) | (~b & d)
          : i < 32
            ? (d & b) | (~d & c)
            : i < 48
              ? b ^ c ^ d
              : c ^ (b | ~d);
      const x = (a + f + K[i]! + words[WORD[i]!]!) | 0;
      const s = SHIFTS[i]!;
      a = d;
      d = c;
      c = b;
      b = (b + ((x << s) | (x >>> (32 - s)))) | 0;
    }
    a0 = (a0 + a) | 0;
    b0 = (b0 + b) | 0;
    c0 = (c0 + c) | 0;
    d0 = (d0 + d) | 0;
  }
  return a0 >>> 0;
}
