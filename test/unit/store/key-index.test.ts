/**
 * KeyIndex: keys as UTF-8 bytes (ASCII, other scripts, empty, longer than the arena's chunks),
 * slot reuse, and a fast-check run against a Map, its invariant checker after every step, on a
 * table small enough that probe runs wrap around and deletions shift them back.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { KeyIndex } from '../../../src/store/index.js';

const LONG = 'L'.repeat(5_000);

describe('KeyIndex', () => {
  it('finds each key it holds, by its bytes, and gives back the key of a slot', () => {
    const index = new KeyIndex();
    const keys = ['a', 'é', '🙂', '', 'a longer key with spaces', LONG, `${LONG}é`];
    const slots = keys.map((key) => {
      assert.equal(index.find(key), -1);
      return index.add(key);
    });
    assert.deepEqual(slots, [0, 1, 2, 3, 4, 5, 6]);
    for (const [i, key] of keys.entries()) {
      assert.equal(index.find(key), slots[i]);
      assert.equal(index.keyOf(slots[i]!), key);
    }
    assert.equal(index.find('b'), -1);
    assert.equal(index.find('A'), -1);
    assert.equal(index.size, keys.length);
    index.assertInvariants();
  });

  for (const recentKeys of [65_536, 0])
    it(`names a key by its UTF-8 bytes: a lone surrogate is U+FFFD (recentKeys ${recentKeys})`, () => {
      const index = new KeyIndex({ recentKeys });
      const slot = index.add('x\ud800');
      assert.equal(index.find('x\udc00'), slot);
      assert.equal(index.findRecent('x\ufffd'), slot);
      assert.equal(index.keyOf(slot), 'x\ufffd');
      assert.equal(index.byteLengthOf('x\ud800'), 4);
      index.assertInvariants();
    });

  it('gives the UTF-8 length of any key, whether or not it was just looked up', () => {
    const index = new KeyIndex();
    const keys = [
      '',
      'a',
      'é',
      '🙂',
      'x\ud800',
      '\udc00y',
      `${'k'.repeat(70)}é`,
      LONG,
      `${LONG}🙂`,
    ];
    for (const key of keys) {
      assert.equal(index.byteLengthOf(key), Buffer.byteLength(key, 'utf8'), `fresh ${key.length}`);
      index.find('another key');
      index.find(key);
      assert.equal(index.byteLengthOf(key), Buffer.byteLength(key, 'utf8'), `found ${key.length}`);
    }
    // A key whose length was asked for is found (or not) from the bytes encoded for it.
    const held = ['held', 'hé', '🙂🙂', LONG];
    const slots = held.map((key) => index.add(key));
    for (const [i, key] of held.entries()) {
      index.byteLengthOf(key);
      assert.equal(index.find(key), slots[i], `held ${key.length}`);
      index.byteLengthOf(`${key}?`);
      assert.equal(index.find(`${key}?`), -1, `absent ${key.length}`);
    }
    for (const slot of slots) index.remove(slot);
    // A length asked for before an add leaves the key's bytes ready, and they are the key's own.
    index.find('first');
    assert.equal(index.byteLengthOf('second'), 6);
    const slot = index.add('second');
    assert.equal(index.keyOf(slot), 'second');
    assert.equal(index.find('first'), -1);
    index.assertInvariants();
  });

  it('reuses the slot freed last and forgets the removed key', () => {
    const index = new KeyIndex();
    for (let i = 0; i < 100; i++) index.add(`k${i}`);
    index.remove(index.find('k7'));
    index.remove(index.find('k42'));
    assert.equal(index.find('k7'), -1);
    assert.equal(index.isLive(7), false);
    assert.equal(index.add('new'), 42);
    assert.equal(index.add('newer'), 7);
    assert.equal(index.slotCount, 100);
    for (let i = 0; i < 100; i++) if (i !== 7 && i !== 42) assert.equal(index.find(`k${i}`), i);
    index.assertInvariants();
  });

  it('starts again from slot 0 after clear', () => {
    const index = new KeyIndex();
    for (let i = 0; i < 50; i++) index.add(`k${i}`);
    index.clear();
    assert.equal(index.size, 0);
    assert.equal(index.find('k1'), -1);
    assert.equal(index.add('k1'), 0);
    index.assertInvariants();
  });

  it('finds a recent key through its Map and forgets it once its slot is removed', () => {
    const index = new KeyIndex({ recentKeys: 2 });
    const a = index.add('a');
    const b = index.add('b');
    assert.equal(index.findRecent('a'), a);
    assert.equal(index.find('a'), a);
    index.remove(a);
    assert.equal(index.find('a'), -1);
    // The freed slot now holds another key: the old string must not find it.
    assert.equal(index.add('c'), a);
    assert.equal(index.find('a'), -1);
    assert.equal(index.find('c'), a);
    assert.equal(index.find('b'), b);
    index.assertInvariants();
  });

  it('keeps one recent string per slot, so that removing a key forgets each string naming it', () => {
    const index = new KeyIndex({ recentKeys: 4 });
    const slot = index.add('x\ud800');
    assert.equal(index.findRecent('x\ud800'), slot);
    assert.equal(index.findRecent('x\udc00'), slot);
    index.remove(slot);
    index.add('y');
    assert.equal(index.find('x\ud800'), -1);
    assert.equal(index.find('x\udc00'), -1);
    index.assertInvariants();
  });

  it('holds as many recent keys as it is told, from when it is told', () => {
    const index = new KeyIndex({ recentKeys: 4 });
    const slots = ['a', 'b', 'c', 'd', 'e'].map((key) => index.add(key));
    for (const key of ['a', 'b', 'c', 'd', 'e']) index.findRecent(key);
    assert.deepEqual([index.recentKeys, index.recentKeysHeld], [4, 4]);
    index.setRecentKeys(2);
    assert.deepEqual([index.recentKeys, index.recentKeysHeld], [2, 0]);
    for (const [i, key] of ['a', 'b', 'c', 'd', 'e'].entries())
      assert.equal(index.findRecent(key), slots[i]);
    assert.equal(index.recentKeysHeld, 2);
    index.assertInvariants();
    // A removed key is forgotten by the smaller ring too.
    index.remove(slots[4]!);
    assert.equal(index.find('e'), -1);
    assert.equal(index.recentKeysHeld, 1);
    index.setRecentKeys(0);
    for (const key of ['a', 'b', 'c', 'd']) index.findRecent(key);
    assert.equal(index.recentKeysHeld, 0);
    index.assertInvariants();
    assert.throws(() => index.setRecentKeys(1.5), /recentKeys must be an integer >= 0/);
    assert.equal(index.recentKeys, 0);
  });

  it('refuses a recentKeys that is not an integer >= 0', () => {
    assert.throws(() => new KeyIndex({ recentKeys: -1 }), /recentKeys must be an integer >= 0/);
  });

  for (const [title, options] of [
    ['matches a Map under random adds, finds and removes', {}],
    ['matches a Map with no recent keys', { recentKeys: 0 }],
    // A ring of 3 recent keys, so that keys come and go from it within a run.
    ['matches a Map with a ring of 3 recent keys', { recentKeys: 3 }],
  ] as const)
    it(title, () => {
      const keyArb = fc.oneof(
        fc.string({ maxLength: 12 }),
        fc.constantFrom(
          ...['é', '🙂', '', LONG, 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8'],
          // Three strings of one key (a lone surrogate is U+FFFD).
          ...['x\ud800', 'x\udc00', 'x\ufffd'],
        ),
      );
      const op = fc.record({ remove: fc.boolean(), key: keyArb });
      fc.assert(
        fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
          const index = new KeyIndex(options);
          const model = new Map<string, number>();
          for (const [i, { remove, key }] of ops.entries()) {
            const name = Buffer.from(key, 'utf8').toString('utf8');
            // Every other lookup is a read, which puts the key among the recent ones.
            const slot = i % 2 === 0 ? index.findRecent(key) : index.find(key);
            assert.equal(slot, model.get(name) ?? -1);
            if (remove && slot !== -1) {
              index.remove(slot);
              model.delete(name);
            } else if (!remove && slot === -1) {
              model.set(name, index.add(key));
            }
            index.assertInvariants();
          }
          for (const [key, slot] of model) assert.equal(index.keyOf(slot), key);
          assert.equal(index.size, model.size);
        }),
        { numRuns: 200, interruptAfterTimeLimit: 10_000 },
      );
    });
});
