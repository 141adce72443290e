/**
 * The node's entry store: small values in the slab arena, large ones as their own Buffers; what
 * the capacity bounds (keys + values + each entry's bookkeeping) and what `usedBytes` says (keys +
 * values); bad input (issue 14): a value larger than the capacity, capacity 0, a lowered capacity.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/clock.js';
import {
  collectAfterBytesFor,
  EntryStore,
  LARGE_ENTRY_OVERHEAD_BYTES,
  SLAB_VALUE_MAX_BYTES,
  SMALL_ENTRY_OVERHEAD_BYTES,
  WHOLE_ANSWER_MIN_BYTES,
} from '../../../src/node/entry-store.js';
import {
  FRAME_BYTES,
  legacyAnswer,
  rawEntry,
  textEntry,
  valueOf,
} from '../../../src/node/entry.js';
import { SlabArena, policyNames } from '../../../src/store/index.js';

const MB = 1024 * 1024;
/** A value size kept in its own Buffer, and one kept in a slab though far above a small value. */
const LARGE = SLAB_VALUE_MAX_BYTES + 1;
const SLAB_10K = 10_000;

describe('EntryStore', () => {
  it('gives back every kind of value as it was put: framed text, raw text, binary, large', () => {
    const store = new EntryStore({ capacityBytes: MB });
    const values = {
      text: textEntry('plain ✓'),
      escaped: textEntry('say "hi"\n'),
      binary: rawEntry(Buffer.from([0, 255, 1]), 'image/png'),
      image: textEntry(`data:image/png;base64,${'B'.repeat(SLAB_10K)}`),
      escaped10k: textEntry(`"${'C'.repeat(SLAB_10K)}"`),
      binary10k: rawEntry(Buffer.alloc(SLAB_10K, 0xfe), 'image/png'),
      slabMax: rawEntry(Buffer.alloc(SLAB_VALUE_MAX_BYTES, 7), 'image/png'),
      large: textEntry(`data:image/png;base64,${'A'.repeat(LARGE)}`),
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
    assert.notEqual(store.get('image'), values.image, 'a 10 KB value is copied out of its slab');
    assert.equal(store.stats().largeEntries, 1);
    assert.equal(store.keepsBuffer(values.slabMax), false);
    assert.equal(store.keepsBuffer(values.large), true);
    store.assertInvariants();
  });

  it('counts keys + values in usedBytes and charges each entry its bookkeeping against the capacity', () => {
    const store = new EntryStore({ capacityBytes: MB });
    store.set('k', textEntry('x'.repeat(100)), 100);
    const large = 'y'.repeat(LARGE);
    store.set('big', textEntry(large), LARGE);
    assert.equal(store.usedBytes, 1 + 100 + 3 + LARGE);
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

  it('holds the recent keys a capacity allows, before and after the capacity changes', () => {
    const store = new EntryStore({ capacityBytes: 256 * MB });
    const value = textEntry('v'.repeat(100));
    for (let i = 0; i < 3_000; i++) store.set(`k${i}`, value, 100);
    for (let i = 0; i < 3_000; i++) assert.ok(store.get(`k${i}`) !== undefined);
    assert.deepEqual(store.recentKeys, { max: 65_536, held: 3_000 });
    // One per 4 KiB of capacity (recentKeysFor): 1,024 at 4 MiB.
    store.setCapacity(4 * MB);
    assert.deepEqual(store.recentKeys, { max: 1_024, held: 0 });
    for (let i = 0; i < 3_000; i++) store.get(`k${i}`);
    assert.equal(store.recentKeys.held, 1_024);
    store.setCapacity(256 * MB);
    assert.equal(store.recentKeys.max, 65_536);
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
    const large = textEntry('L'.repeat(LARGE));
    store.set('big', large, LARGE);
    assert.ok(store.holds('big', store.peek('big')!));
    store.set('big', textEntry('L'.repeat(LARGE)), LARGE);
    assert.equal(store.holds('big', large), false);
    assert.equal(store.holds('missing', sent), false);
  });

  it('asks for a major collection once released value memory reaches the bound, a minor one once as many bytes were written', () => {
    const asked: string[] = [];
    // Values of 100,000 bytes (their own Buffers), a bound of 3.33 of them, room for 6.
    const V = 100_000;
    const bound = 333_333;
    let store = new EntryStore({
      capacityBytes: 660_000,
      collect: (kind) => asked.push(kind),
      collectAfterBytes: bound,
    });
    const majors = () => asked.filter((kind) => kind === 'major').length;
    const full = () => asked.filter((kind) => kind !== 'minor').join();
    const large = (i: number) => rawEntry(Buffer.alloc(V, i), 'application/octet-stream');
    for (let i = 0; i < 3; i++) store.set(`big${i}`, large(i), V);
    assert.equal(asked.length, 0, '300,000 bytes written, none released');
    store.set('big3', large(3), V);
    assert.equal(asked.join(), 'minor', '400,000 bytes written');
    // Two more fill the store (each is charged some 102,600 bytes): no room for another is left.
    for (let i = 4; i < 6; i++) store.set(`big${i}`, large(i), V);
    assert.equal(store.size, 6);
    assert.ok(store.capacityBytes - store.chargedBytes < V, String(store.chargedBytes));
    asked.length = 0;
    // Overwrites release 100,000 bytes each: the fourth passes the bound (plus the little room).
    for (let i = 0; i < 3; i++) store.set('big0', large(i), V);
    assert.equal(majors(), 0);
    store.set('big0', large(9), V);
    assert.equal(majors(), 1);
    // Removals leave the process no larger: at the bound, only a deferred collection...
    for (let i = 1; i < 4; i++) store.delete(`big${i}`);
    assert.equal(full(), 'major', '300,000 bytes deleted');
    store.delete('big4');
    assert.equal(full(), 'major,deferred', '400,000 bytes deleted');
    // ...until new values take the room they left: live and dead then reach the capacity plus
    // the bound (some 455,000 bytes of room, so at the fourth value of 100,000).
    for (let i = 0; i < 3; i++) store.set(`new${i}`, large(i), V);
    assert.equal(majors(), 1, `${store.chargedBytes} bytes charged`);
    assert.ok(store.chargedBytes + 400_000 <= store.capacityBytes + bound);
    store.set('new3', large(3), V);
    assert.equal(majors(), 2, `${store.chargedBytes} bytes charged`);
    // A lower capacity leaves no room: what it evicts is collected at once.
    asked.length = 0;
    store.setCapacity(200_000);
    assert.ok(store.size <= 1, String(store.size));
    assert.equal(majors(), 1, asked.join());
    // Slab values: the buffers they arrived in are garbage once copied into the arena.
    asked.length = 0;
    for (let i = 0; i < 6_000; i++)
      store.set(`s${i % 10}`, rawEntry(Buffer.alloc(60, 1), 'application/octet-stream'), 60);
    assert.ok(asked.includes('minor'), asked.join());
    store.assertInvariants();
    // Buffers that outlived the young generation (an import batch's) count as released memory,
    // collected at the bound alone: their copies are live beside them, whatever room is left.
    asked.length = 0;
    store = new EntryStore({
      capacityBytes: 660_000,
      collect: (kind) => asked.push(kind),
      collectAfterBytes: bound,
    });
    store.set('big', large(0), V);
    assert.ok(store.capacityBytes - store.chargedBytes > bound);
    store.discarded(bound - 1);
    assert.equal(full(), '');
    store.discarded(1);
    assert.equal(full(), 'major', 'a bound of discarded buffers');
    store.assertInvariants();
  });

  it('asks for the collection of handed-off values at once when a hand-off ends, if they are a bound of them', () => {
    const asked: string[] = [];
    const V = 100_000;
    const bound = 333_333;
    const store = new EntryStore({
      capacityBytes: 660_000,
      collect: (kind) => asked.push(kind),
      collectAfterBytes: bound,
    });
    const large = (i: number) => rawEntry(Buffer.alloc(V, i), 'application/octet-stream');
    for (let i = 0; i < 6; i++) store.set(`big${i}`, large(i), V);
    asked.length = 0;
    // Nothing left yet: nothing to collect.
    assert.equal(store.collectHandedOff(), false);
    for (let i = 0; i < 3; i++) store.delete(`big${i}`);
    assert.equal(store.collectHandedOff(), false, '300,000 bytes handed off: under the bound');
    assert.equal(asked.join(), '');
    store.delete('big3');
    assert.equal(
      asked.join(),
      'deferred',
      'while it runs, a hand-off waits for the node to be quiet',
    );
    assert.equal(store.collectHandedOff(), true, '400,000 bytes handed off');
    assert.equal(asked.join(), 'deferred,major');
    // That collection counted them: another end of a hand-off asks for nothing more.
    assert.equal(store.collectHandedOff(), false);
    assert.equal(asked.join(), 'deferred,major');
    store.assertInvariants();
  });

  it('reuses the slab chunks of evicted values of 10 KB without asking for a full collection', () => {
    const asked: string[] = [];
    const store = new EntryStore({
      capacityBytes: 2 * MB,
      collect: (kind) => asked.push(kind),
      collectAfterBytes: 256 * 1024,
    });
    // 20 MB of puts of new keys through a 2 MB store: every put past the first 200 evicts.
    for (let i = 0; i < 2_000; i++)
      store.set(`k${i}`, rawEntry(Buffer.alloc(SLAB_10K, i), 'image/png'), SLAB_10K);
    assert.ok(store.size > 150 && store.size < 210, String(store.size));
    assert.equal(
      asked.filter((kind) => kind === 'major').length,
      0,
      'no full collection asked for',
    );
    assert.ok(asked.includes('minor'), 'the arrival buffers are collected young');
    // The slabs hold what is live plus a few spare pages, not the 20 MB written.
    assert.ok(store.stats().slabBytes <= 2 * MB + 5 * MB, String(store.stats().slabBytes));
    const last = store.get('k1999')!;
    assert.ok(valueOf(last).equals(Buffer.alloc(SLAB_10K, 1999 % 256)));
    store.assertInvariants();
  });

  it('lets the garbage of overwrites use the room the store leaves, never more than the capacity plus the bound', () => {
    const asked: string[] = [];
    const V = 100_000;
    const bound = 333_333;
    const store = new EntryStore({
      capacityBytes: 4 * MB,
      collect: (kind) => asked.push(kind),
      collectAfterBytes: bound,
    });
    const large = (i: number) => rawEntry(Buffer.alloc(V, i), 'application/octet-stream');
    for (let i = 0; i < 4; i++) store.set(`big${i}`, large(i), V);
    const room = store.capacityBytes - store.chargedBytes;
    assert.ok(room > 3_500_000, String(room));
    // A key overwritten again and again in a store with room: no collection at the bound...
    let released = 0;
    while (!asked.includes('major')) {
      store.set('big0', large(released / V), V);
      released += V;
      assert.ok(released <= bound + room + V, `no collection after ${released} bytes`);
    }
    // ...but one once the garbage and the live values reach the capacity plus the bound.
    assert.ok(released >= bound + room, `collected after ${released} bytes`);
    assert.ok(store.chargedBytes + released <= 4 * MB + bound + V);
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

  it('lends a value kept whole to a shared read, and frees its chunk only once every reader gave it back', () => {
    for (const policy of policyNames()) {
      const store = new EntryStore({ capacityBytes: 200_000, policy });
      const image = (c: string) => textEntry(`data:image/png;base64,${c.repeat(SLAB_10K)}`);
      const first = image('A');
      store.set('k', first, first.valueBytes);
      const chunks = store.stats().slabChunks;
      // A copy for an ordinary read, the slab's bytes for a shared one: both the exact answer.
      const copied = store.get('k')!;
      assert.equal(copied.lent, undefined, policy);
      const a = store.get('k', true)!;
      const b = store.get('k', true)!;
      assert.equal(a.lent, true, policy);
      assert.ok(a.bytes.buffer === b.bytes.buffer && a.bytes.byteOffset === b.bytes.byteOffset);
      assert.notEqual(copied.bytes.buffer, a.bytes.buffer, policy);
      for (const got of [copied, a, b]) {
        assert.ok(legacyAnswer(got).equals(first.bytes), policy);
        assert.equal(got.valueBytes, first.valueBytes, policy);
      }
      assert.equal(store.lentChunks, 1, policy);
      // The key is overwritten, then 20 more values of the same size evict each other: the lent
      // chunk is not reused, so the readers still see the value they were lent.
      store.set('k', image('B'), first.valueBytes);
      for (let i = 0; i < 20; i++) store.set(`e${i}`, image('C'), first.valueBytes);
      assert.ok(!store.has('k') || valueOf(store.peek('k')!)[25] === 'B'.charCodeAt(0), policy);
      assert.ok(a.bytes.equals(first.bytes) && b.bytes.equals(first.bytes), policy);
      assert.equal(store.holds('k', a), false, policy);
      store.assertInvariants();
      const held = store.stats().slabChunks;
      store.release(a);
      assert.equal(store.stats().slabChunks, held, 'another reader still holds it');
      assert.ok(b.bytes.equals(first.bytes), policy);
      store.release(b);
      assert.equal(store.stats().slabChunks, held - 1, 'freed with its last reader');
      assert.equal(store.lentChunks, 0, policy);
      assert.throws(() => store.release(b), /released more often than lent/);
      store.release(copied); // not lent: nothing to give back
      store.clear();
      assert.equal(store.stats().slabChunks, 0, policy);
      assert.ok(chunks >= 1);
      store.assertInvariants();
    }
  });

  it('frees a lent chunk whose entry was deleted or cleared only once it is released', () => {
    const store = new EntryStore({ capacityBytes: MB });
    const entry = textEntry(`data:,${'x'.repeat(SLAB_10K)}`);
    store.set('d', entry, entry.valueBytes);
    store.set('c', entry, entry.valueBytes);
    const d = store.get('d', true)!;
    const c = store.get('c', true)!;
    store.delete('d');
    store.clear();
    assert.equal(store.size, 0);
    assert.equal(store.stats().slabChunks, 2, 'both chunks still lent');
    // New writes of the same size take other chunks.
    for (let i = 0; i < 10; i++)
      store.set(`n${i}`, textEntry(`data:,${'y'.repeat(SLAB_10K)}`), SLAB_10K + 6);
    assert.ok(d.bytes.equals(entry.bytes) && c.bytes.equals(entry.bytes));
    store.release(d);
    store.release(c);
    assert.equal(store.stats().slabChunks, 10);
    store.assertInvariants();
  });

  it('keeps only framed values over 4 KiB whole, charging a value that may be the chunk with its frame', () => {
    const store = new EntryStore({ capacityBytes: 4 * MB });
    // An arena of the store's chunk sizes, to name the chunk each value takes.
    const arena = new SlabArena({ maxChunkBytes: SLAB_VALUE_MAX_BYTES });
    assert.ok(arena.chunkBytes(4_330 + FRAME_BYTES) > arena.chunkBytes(4_330));
    const cases = [
      { key: 'small framed', entry: textEntry('s'.repeat(WHOLE_ANSWER_MIN_BYTES)), whole: false },
      { key: 'framed', entry: textEntry('f'.repeat(WHOLE_ANSWER_MIN_BYTES + 1)), whole: true },
      // Its chunk without the frame would be one size class smaller (4,352 against 4,792 bytes).
      { key: 'frame takes a larger chunk', entry: textEntry('g'.repeat(4_330)), whole: true },
      { key: 'escaped', entry: textEntry(`"${'e'.repeat(SLAB_10K)}`), whole: false },
      { key: 'binary', entry: rawEntry(Buffer.alloc(SLAB_10K, 0xff), 'image/png'), whole: false },
      {
        key: 'frame does not fit',
        entry: textEntry('m'.repeat(SLAB_VALUE_MAX_BYTES - FRAME_BYTES + 1)),
        whole: false,
      },
      {
        key: 'largest whole',
        entry: textEntry('w'.repeat(SLAB_VALUE_MAX_BYTES - FRAME_BYTES)),
        whole: true,
      },
    ];
    for (const { key, entry, whole } of cases) {
      const charged = store.chargedBytes;
      store.set(key, entry, entry.valueBytes);
      const charge = store.chargedBytes - charged;
      const got = store.get(key, true)!;
      assert.equal(got.lent === true, whole, key);
      assert.ok(legacyAnswer(got).equals(legacyAnswer(entry)), key);
      assert.ok(valueOf(got).equals(valueOf(entry)), key);
      assert.equal(got.valueBytes, entry.valueBytes, key);
      // The charge covers the chunk the value really took (with its frame when kept whole).
      const keyBytes = Buffer.byteLength(key);
      const chunk = arena.chunkBytes(whole ? entry.valueBytes + FRAME_BYTES : entry.valueBytes);
      assert.ok(charge >= keyBytes + chunk + SMALL_ENTRY_OVERHEAD_BYTES, `${key}: ${charge}`);
      store.release(got);
    }
    assert.equal(store.lentChunks, 0);
    store.assertInvariants();
  });

  it('keeps a lent chunk through the expiry of its entry and through a capacity cut that rebuilds the store', () => {
    const clock = new ManualClock(1_000);
    const store = new EntryStore({ capacityBytes: 4 * MB, clock });
    const value = (c: string) => textEntry(`data:,${c.repeat(SLAB_10K)}`);
    store.set('expiring', value('E'), SLAB_10K + 6, 2_000);
    for (let i = 0; i < 300; i++) store.set(`k${i}`, value('K'), SLAB_10K + 6);
    const expiring = store.get('expiring', true)!;
    const kept = store.get('k299', true)!;
    clock.advance(5_000);
    assert.equal(store.get('expiring'), undefined);
    store.sweepExpired(1_000);
    // A cut to a tenth leaves a quarter of the slots or less: the store is rebuilt.
    store.setCapacity(400_000);
    assert.ok(store.size < 40, String(store.size));
    for (let i = 0; i < 30; i++) store.set(`n${i}`, value('N'), SLAB_10K + 6);
    assert.ok(expiring.bytes.equals(value('E').bytes), 'expired while lent: unchanged');
    assert.ok(kept.bytes.equals(value('K').bytes), 'lent across the rebuild: unchanged');
    store.assertInvariants();
    const chunks = store.stats().slabChunks;
    store.release(expiring);
    store.release(kept);
    // The expired one is freed now; k299 is freed only if it was evicted meanwhile.
    assert.equal(store.stats().slabChunks, chunks - 1 - (store.has('k299') ? 0 : 1));
    assert.equal(store.lentChunks, 0);
    store.assertInvariants();
  });
});

describe('collectAfterBytesFor', () => {
  it('allows a sixteenth of a small capacity, from 1 to 4 MiB, then an eighth less 4 MiB', () => {
    const allowance = (capacityMb: number) => collectAfterBytesFor(capacityMb * MB) / MB;
    assert.deepEqual(
      [0, 1, 16, 32, 48, 64, 96, 128, 1024].map(allowance),
      [1, 1, 1, 2, 3, 4, 8, 12, 64],
    );
    // Between those, the sixteenth as it is.
    assert.equal(allowance(40), 2.5);
    assert.equal(allowance(8192), 64);
  });
});
