/**
 * The UTF-8 byte length of a string, exactly as `Buffer.byteLength(text, 'utf8')` counts it (a
 * lone surrogate counts as the 3-byte replacement character), without leaving JavaScript for
 * short strings: keys are short, and the native call costs more than the loop on every put.
 */

/** Strings longer than this go to Buffer.byteLength, whose native loop wins on long input. */
const NATIVE_FROM_LENGTH = 64;

/** UTF-8 bytes of `text`; 0 for the empty string. */
export function utf8Length(text: string): number {
  const length = text.length;
  if (length > NATIVE_FROM_LENGTH) return Buffer.byteLength(text, 'utf8');
  // An ASCII run first, in a loop of its own that the compiler keeps tight (the general one,
  // which may step over a surrogate pair, took twice as long on ASCII keys).
  let start = 0;
  while (start < length && text.charCodeAt(start) < 0x80) start++;
  if (start === length) return length;
  let bytes = length;
  for (let i = start; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) {
      bytes += 1;
    } else if (code >= 0xd800 && code <= 0xdbff && i + 1 < length) {
      const next = text.charCodeAt(i + 1);
      // A surrogate pair is 2 UTF-16 units and 4 UTF-8 bytes; a lone surrogate is U+FFFD, 3 bytes.
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 2;
        i++;
      } else bytes += 2;
    } else {
      bytes += 2;
    }
  }
  return bytes;
}
