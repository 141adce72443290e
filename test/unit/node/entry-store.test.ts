/**
 * The node's entry store: small values in the slab arena, large ones as their own Buffers; what
 * the capacity bounds (keys + values + each entry's bookkeeping) and what `usedBytes` says (keys +
 * values); bad input (issue 14): a value larger than the capacity, capacity 0, a lowered capacity.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/clock.js';
import {
  EntryStore,
  LARGE_ENTRY_OVERHEAD_BYTES,
  SMALL_ENTRY_OVERHEAD_BYTES,
} from '../../../src/node/entry-store.js';
import { legacyAnswer, rawEntry, textEntry, valueOf } from '../../../src/node/entry.js';
import { policyNames } from '../../../src/store/index.js';

const MB = 1024 * 1024;

describe('EntryStore', () => {
  it('gives back every kind of value as it was put: framed text, raw text, binary, large', () => {
    const store = new EntryStore({ capacityBytes: MB });
    const values = {
      text: textEntry('plain ✓'),
      escaped: textEntry('say "hi"\n'),
      binary: rawEntry(Buffer.from([0, 255, 1]), 'image/png'),
      large: textEntry(`data:image/png;base64,${'A'.repeat(20_000)}`),
    };
    for (const [key, entry] of Object.entries(values)) store.set(key, entry, entry.valueBytes);
    for (const [key, entry] of Object.entries(values)) {
      const got = store.get(key)!;
      assert.equal(got.type, entry.type, key);
      assert.equal(got.framed, entry.framed, key);
      assert.ok(valueOf(got).equals(valueOf(entry)), key);
      assert.ok(legacyAnswer(got).equals(legacyAnswer(entry)), key);
    }
    assert.equal(store.get('large'), values.large, 'a large entry is the stored object');
    assert.equal(store.stats().largeEntries, 1);
    store.assertInvariants();
  });

  it('counts keys + values in usedBytes and charges each entry its bookkeeping against the capacity', () => {
    const store = new EntryStore({ capacityBytes: MB });
    store.set('k', textEntry('x'.repeat(100)), 100);
    const large = 'y'.repeat(10_000);
    store.set('big', textEntry(large), 10_000);
    assert.equal(store.usedBytes, 1 + 100 + 3 + 10_000);
    const stats = store.stats();
    assert.ok(
      stats.chargedBytes >=
        store.usedBytes + SMALL_ENTRY_OVERHEAD_BYTES + LARGE_ENTRY_OVERHEAD_BYTES,
    );
    assert.equal(stats.chargedBytes, store.chargedBytes);
    store.assertInvariants();
  });

  it('holds fewer small entries than key + value bytes alone would fit, never charging more than the capacity', () => {
    const capacityBytes = 100_000;
    const store = new EntryStore({ capacityBytes });
    for (let i = 0; i < 5_000; i++) store.set(`key-${i}`, textEntry('v'.repeat(16)), 16);
    assert.ok(store.chargedBytes <= capacityBytes);
    // key-NNNN (8-9 bytes) + 16 bytes ≈ 25 bytes of data each, but each is charged its bookkeeping.
    assert.ok(store.size < capacityBytes / (25 + SMALL_ENTRY_OVERHEAD_BYTES) + 1, `${store.size}`);
    assert.ok(store.size > capacityBytes / (25 + SMALL_ENTRY_OVERHEAD_BYTES + 64), `${store.size}`);
    store.assertInvariants();
  });

  it('refuses a value larger than the capacity and changes nothing; accepts one exactly as large', () => {
    const store = new EntryStore({ capacityBytes: 1000 });
    store.set('old', textEntry('kept'), 4);
    const before = store.stats();
    assert.equal(store.set('k', textEntry('x'.repeat(1000)), 1000).kind, 'rejected');
    assert.equal(store.set('old', textEntry('x'.repeat(5000)), 5000).kind, 'rejected');
    assert.deepEqual(store.stats(), before);
    assert.equal(valueOf(store.get('old')!).toString(), 'kept');
    // Key (1 byte) + 999 bytes = the capacity: accepted, alone, charged the whole capacity.
    assert.notEqual(store.set('k', textEntry('x'.repeat(999)), 999).kind, 'rejected');
    assert.deepEqual(store.keys(), ['k']);
    assert.equal(store.chargedBytes, 1000);
    store.assertInvariants();
  });

  it('caches nothing at capacity 0 and evicts at once down to a lowered capacity', () => {
    const zero = new EntryStore({ capacityBytes: 0 });
    assert.equal(zero.set('k', textEntry('v'), 1).kind, 'rejected');
    assert.equal(zero.size, 0);
    assert.equal(zero.stats().slabBytes, 0);

    const store = new EntryStore({ capacityBytes: 64 * MB });
    const value = textEntry('v'.repeat(200));
    for (let i = 0; i < 100_000; i++) store.set(`k${i}`, value, 200);
    assert.ok(store.stats().slabBytes >= 19 * MB);
    store.setCapacity(MB);
    assert.ok(store.chargedBytes <= MB);
    // The least recent entries went first, and with them the pages they filled.
    assert.ok(store.stats().slabBytes <= 2 * MB, 'emptied slab pages are let go');
    store.setCapacity(0);
    assert.equal(store.size, 0);
    assert.equal(store.stats().slabBytes, 0);
    store.assertInvariants();
  });

  it('tells a read value from a newer write of the same key, even when the new write reuses the chunk', () => {
    const store = new EntryStore({ capacityBytes: MB });
    store.set('k', textEntry('first'), 5);
    const sent = store.peek('k')!;
    assert.ok(store.holds('k', sent));
    store.set('k', textEntry('again'), 5);
    store.set('k', textEntry('third'), 5);
    assert.equal(store.peek('k')!.handle, sent.handle, 'the chunk came back to the same key');
    assert.equal(store.holds('k', sent), false);
    const large = textEntry('L'.repeat(9_000));
    store.set('big', large, 9_000);
    assert.ok(store.holds('big', store.peek('big')!));
    store.set('big', textEntry('L'.repeat(9_000)), 9_000);
    assert.equal(store.holds('big', large), false);
    assert.equal(store.holds('missing', sent), false);
  });

  it('asks for a major collection once released value memory reaches the bound, a minor one once as many bytes were written', () => {
    const asked: string[] = [];
    const store = new EntryStore({
      capacityBytes: 200_000,
      collect: (kind) => asked.push(kind),
      collectAfterBytes: 100_000,
    });
    const majors = () => asked.filter((kind) => kind === 'major').length;
    const large = (i: number) => rawEntry(Buffer.alloc(30_000, i), 'application/octet-stream');
    for (let i = 0; i < 3; i++) store.set(`big${i}`, large(i), 30_000);
    assert.equal(asked.length, 0, '90,000 bytes written, none released');
    store.set('big3', large(3), 30_000);
    assert.equal(asked.join(), 'minor', '120,000 bytes written');
    // Two more fill the store (each is charged some 31,500 bytes): no room for another is left.
    for (let i = 4; i < 6; i++) store.set(`big${i}`, large(i), 30_000);
    assert.equal(store.size, 6);
    assert.ok(store.capacityBytes - store.chargedBytes < 30_000, String(store.chargedBytes));
    asked.length = 0;
    // Overwrites release 30,000 bytes each: the fourth reaches 100,000 (plus the little room).
    for (let i = 0; i < 3; i++) store.set('big0', large(i), 30_000);
    assert.equal(majors(), 0);
    store.set('big0', large(9), 30_000);
    assert.equal(majors(), 1);
    // Removals are collected at the bound alone, whatever room they leave.
    for (let i = 1; i < 4; i++) store.delete(`big${i}`);
    assert.equal(majors(), 1, '90,000 bytes deleted');
    store.delete('big4');
    assert.equal(majors(), 2, '120,000 bytes deleted');
    // Small values: the buffers they arrived in are garbage once copied into the arena.
    asked.length = 0;
    for (let i = 0; i < 2_000; i++)
      store.set(`s${i % 10}`, rawEntry(Buffer.alloc(60, 1), 'application/octet-stream'), 60);
    assert.ok(asked.includes('minor'), asked.join());
    store.assertInvariants();
  });

  it('lets the garbage of overwrites use the room the store leaves, never more than the capacity plus the bound', () => {
    const asked: string[] = [];
    const store = new EntryStore({
      capacityBytes: MB,
      collect: (kind) => asked.push(kind),
      collectAfterBytes: 100_000,
    });
    const large = (i: number) => rawEntry(Buffer.alloc(30_000, i), 'application/octet-stream');
    for (let i = 0; i < 4; i++) store.set(`big${i}`, large(i), 30_000);
    const room = store.capacityBytes - store.chargedBytes;
    assert.ok(room > 800_000, String(room));
    // A key overwritten again and again in a store with room: no collection at the bound...
    let released = 0;
    while (!asked.includes('major')) {
      store.set('big0', large(released / 30_000), 30_000);
      released += 30_000;
      assert.ok(released <= 100_000 + room + 30_000, `no collection after ${released} bytes`);
    }
    // ...but one once the garbage and the live values reach the capacity plus the bound.
    assert.ok(released >= 100_000 + room, `collected after ${released} bytes`);
    assert.ok(store.chargedBytes + released <= MB + 100_000 + 30_000);
    store.assertInvariants();
  });

  it('frees the slab chunk of an entry however it leaves: delete, eviction, expiry, clear', () => {
    for (const policy of policyNames()) {
      const clock = new ManualClock(1_000);
      const store = new EntryStore({ capacityBytes: 200_000, policy, clock });
      for (let i = 0; i < 3_000; i++)
        store.set(`k${i}`, rawEntry(Buffer.alloc(50, i), `type/${i % 3}`), 50, i % 2 ? 2_000 : 0);
      store.delete('k0');
      clock.advance(1_000);
      store.sweepExpired(10_000);
      store.assertInvariants();
      for (const [key, entry] of store.entries()) {
        const i = Number(key.slice(1));
        assert.equal(entry.type, `type/${i % 3}`, policy);
        assert.ok(valueOf(entry).equals(Buffer.alloc(50, i)), policy);
      }
      store.clear();
      assert.equal(store.stats().slabBytes, 0, policy);
      assert.equal(store.chargedBytes, 0, policy);
    }
  });
});
