import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { md5Head } from '../../../src/partition/md5.js';

/** node:crypto's answer: the digest's first four bytes, little-endian. */
function reference(text: string): number {
  return createHash('md5').update(text, 'utf8').digest().readUInt32LE(0);
}

test('md5Head agrees with node:crypto at every length around the block boundaries', () => {
  // 1-, 2-, 3- and 4-byte UTF-8 characters and a lone surrogate (encoded as U+FFFD), repeated
  // through lengths that put the padding in one block, across two, and over many.
  for (const unit of ['a', 'é', '€', '🙂', '\uD800', 'a\uDC00']) {
    for (let count = 0; count <= 140; count++) {
      const text = unit.repeat(count);
      assert.equal(md5Head(text), reference(text), `${JSON.stringify(unit)} × ${count}`);
    }
  }
});

test('md5Head agrees with node:crypto on keys longer than its scratch buffer', () => {
  for (const text of ['x'.repeat(4024), 'x'.repeat(4025), 'x'.repeat(9000), 'é'.repeat(3000)])
    assert.equal(md5Head(text), reference(text), `${text.length} characters`);
});

test('md5Head agrees with node:crypto on random keys, and a key hashed after a long one', () => {
  let seed = 7;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let i = 0; i < 2000; i++) {
    const length = Math.floor(random() * 200);
    let text = '';
    for (let j = 0; j < length; j++)
      text += String.fromCharCode(
        random() < 0.9 ? 32 + Math.floor(random() * 95) : Math.floor(random() * 0x10000),
      );
    assert.equal(md5Head(text), reference(text), JSON.stringify(text));
  }
  // A long key leaves bytes in the scratch buffer: the next short key must not see them.
  md5Head('y'.repeat(3000));
  assert.equal(md5Head('test'), reference('test'));
});
