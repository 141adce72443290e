import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CachePoolError } from '../../../src/errors.js';
import { Store, createPolicy, policyNames } from '../../../src/store/index.js';

describe('Store', () => {
  it('counts a key by its UTF-8 bytes plus the stated value bytes', () => {
    const s = new Store<string>({ capacityBytes: 1000 });
    s.set('é🙂', 'v', 10); // 2 + 4 bytes of key
    assert.equal(s.usedBytes, 16);
    assert.equal(Store.entryBytes('abc', 5), 8);
    s.set('é🙂', 'w', 1);
    assert.equal(s.usedBytes, 7);
    s.delete('é🙂');
    assert.equal(s.usedBytes, 0);
  });

  it('accepts an entry exactly as large as the capacity and rejects one byte more, changing nothing', () => {
    const s = new Store<string>({ capacityBytes: 20 });
    s.set('a', 'old', 5);
    assert.deepEqual(s.set('b', 'huge', 20), {
      kind: 'rejected',
      reason: 'too-large',
      entryBytes: 21,
      capacityBytes: 20,
    });
    assert.deepEqual(s.set('a', 'huge', 20), {
      kind: 'rejected',
      reason: 'too-large',
      entryBytes: 21,
      capacityBytes: 20,
    });
    assert.equal(s.peek('a'), 'old');
    assert.equal(s.usedBytes, 6);
    assert.deepEqual(s.set('c', 'fits', 19), { kind: 'added', evicted: 1 });
    assert.deepEqual(s.keys(), ['c']);
    assert.equal(s.usedBytes, 20);
    s.assertInvariants();
  });

  it('counts entries of 4 GiB and more exactly, beside 32-bit figures', () => {
    const huge = 2 ** 32 + 5;
    const store = new Store<string>({
      capacityBytes: 2 ** 34,
      overheadBytes: () => 2 ** 32,
    });
    store.set('a', 'x', huge);
    store.set('b', 'y', 10);
    assert.equal(store.usedBytes, 1 + huge + 1 + 10);
    assert.equal(store.chargedBytes, 1 + huge + 2 ** 32 + 1 + 10 + 2 ** 32);
    store.assertInvariants();
    store.set('a', 'z', 3);
    assert.equal(store.usedBytes, 1 + 3 + 1 + 10);
    store.assertInvariants();
    store.set('b', 'w', huge);
    store.delete('b');
    assert.equal(store.usedBytes, 1 + 3);
    assert.equal(store.chargedBytes, 1 + 3 + 2 ** 32);
    store.assertInvariants();
  });

  it('caches nothing at capacity 0, not even an empty entry', () => {
    const s = new Store<string>({ capacityBytes: 0 });
    assert.equal(s.set('', '', 0).kind, 'rejected');
    assert.equal(s.set('k', 'v', 1).kind, 'rejected');
    assert.equal(s.size, 0);
    const t = new Store<string>({ capacityBytes: 10 });
    t.set('', '', 0);
    t.set('a', 'b', 1);
    assert.equal(t.setCapacity(0), 2);
    assert.equal(t.size, 0);
    t.assertInvariants();
  });

  it('evicts down to a lowered capacity and keeps everything when it rises', () => {
    const evicted: string[] = [];
    const s = new Store<string>({ capacityBytes: 100, onEvict: (key) => evicted.push(key) });
    for (const key of ['a', 'b', 'c', 'd', 'e']) s.set(key, key, 9);
    assert.equal(s.setCapacity(30), 2);
    assert.deepEqual(evicted, ['a', 'b']);
    assert.deepEqual(s.keys(), ['c', 'd', 'e']);
    assert.equal(s.setCapacity(1000), 0);
    assert.equal(s.size, 3);
    assert.equal(s.stats().capacityBytes, 1000);
    s.assertInvariants();
  });

  it('rebuilds itself around what a much lower capacity leaves, keeping every entry', () => {
    for (const policy of policyNames()) {
      let now = 1_000;
      const evictedKeys = new Set<string>();
      const s = new Store<number>({
        capacityBytes: 200_000,
        policy,
        clock: { now: () => now },
        random: () => 0.5,
        onEvict: (key) => evictedKeys.add(key),
      });
      for (let i = 0; i < 5_000; i++) s.set(`key-${i}`, i, 30, i % 7 === 0 ? 60_000 : 0);
      s.get('key-4999');
      assert.equal(s.slotCount, 5_000);
      // A cut that leaves more than a quarter of the slots in use keeps the arrays.
      s.setCapacity(120_000);
      assert.equal(s.slotCount, 5_000, policy);
      const before = s.entries();
      const expires = new Map(before.map(([key]) => [key, s.expiresAt(key)]));
      evictedKeys.clear();
      const evicted = s.setCapacity(Math.ceil(s.chargedBytes / 5));
      assert.equal(evictedKeys.size, evicted);
      assert.ok(s.size * 4 <= 5_000, `${policy}: ${s.size} left`);
      assert.equal(s.slotCount, s.size, policy);
      s.assertInvariants();
      const after = s.entries();
      const expected = before.filter(([key]) => !evictedKeys.has(key)).map(([key]) => key);
      if (policy === 'lru') {
        // The LRU order survives the rebuild.
        assert.deepEqual(
          after.map(([key]) => key),
          expected,
        );
      } else {
        assert.deepEqual(after.map(([key]) => key).sort(), expected.sort(), policy);
      }
      for (const [key, value] of after) {
        assert.equal(value, Number(key.slice(4)));
        assert.equal(s.expiresAt(key), expires.get(key));
      }
      assert.equal(
        s.usedBytes,
        after.reduce((sum, [key]) => sum + key.length + 30, 0),
      );
      // Still a working store: reads, writes, removals, expiry.
      const [firstKey] = after[0]!;
      assert.equal(s.get(firstKey), Number(firstKey.slice(4)));
      s.set('fresh', -1, 30);
      assert.equal(s.get('fresh'), -1);
      assert.equal(s.delete(firstKey), true);
      now += 61_000;
      for (const [key] of after.slice(1))
        if (Number(key.slice(4)) % 7 === 0) assert.equal(s.get(key), undefined);
      s.assertInvariants();
    }
  });

  it('keeps odd keys and releases only what it evicts when it rebuilds; an unchanged capacity never rebuilds', () => {
    let released = 0;
    const s = new Store<number>({
      capacityBytes: 1_000_000,
      onRelease: () => released++,
    });
    for (let i = 0; i < 5_000; i++) s.set(`key-${i}`, i, 30);
    const lone = 'lone-\uD800';
    const long = 'L'.repeat(3_000);
    s.set(lone, -1, 30);
    s.set(long, -2, 30);
    // Deletes leave most slots free, but setting the same capacity again changes nothing.
    for (let i = 0; i < 4_500; i++) s.delete(`key-${i}`);
    released = 0;
    s.setCapacity(1_000_000);
    assert.equal(s.slotCount, 5_002);
    s.setCapacity(2_000_000);
    assert.equal(s.slotCount, 5_002);
    // A cut does rebuild: the two odd keys, written last, stay (lru), found by the same strings.
    const evicted = s.setCapacity(Math.ceil(s.chargedBytes / 2));
    assert.ok(evicted > 0);
    assert.equal(released, evicted);
    assert.equal(s.slotCount, s.size);
    assert.equal(s.get(lone), -1);
    assert.equal(s.get('lone-\uFFFD'), -1);
    assert.equal(s.get(long), -2);
    assert.equal(
      s.usedBytes,
      s.entries().reduce((sum, [key]) => sum + Store.entryBytes(key, 30), 0),
    );
    s.assertInvariants();
  });

  it('rejects bad options with a message naming the option, and changes nothing', () => {
    assert.throws(
      () => new Store({ capacityBytes: -1 }),
      /capacityBytes must be an integer >= 0, got -1/,
    );
    assert.throws(() => new Store({ capacityBytes: 1.5 }), CachePoolError);
    assert.throws(
      () => new Store({ capacityBytes: 10, policy: 'fifo' }),
      /replacement_policy must be one of lru, rr, sieve, lfu, got "fifo"/,
    );
    const s = new Store<string>({ capacityBytes: 10 });
    s.set('a', 'b', 1);
    assert.throws(() => s.setCapacity(Number.NaN), /capacityBytes/);
    assert.throws(() => s.setPolicy('nope'), /replacement_policy/);
    assert.throws(() => s.set('b', 'c', -1), /valueBytes must be an integer >= 0, got -1/);
    assert.throws(() => s.set('b', 'c', Number.NaN), /valueBytes/);
    assert.deepEqual(s.stats(), {
      items: 1,
      usedBytes: 2,
      chargedBytes: 2,
      capacityBytes: 10,
      policy: 'lru',
      evictionsTotal: 0,
      expiredTotal: 0,
    });
    s.assertInvariants();
  });

  it('does not treat inherited names as policies', () => {
    assert.throws(() => createPolicy('toString'), /replacement_policy/);
    assert.throws(() => createPolicy('__proto__'), /replacement_policy/);
    assert.deepEqual(policyNames(), ['lru', 'rr', 'sieve', 'lfu']);
  });

  it('lets onEvict read a consistent store: the written key is present', () => {
    const seen: [string, boolean, number][] = [];
    const s: Store<string> = new Store<string>({
      capacityBytes: 20,
      onEvict: (key) => seen.push([key, s.has('new'), s.usedBytes]),
    });
    s.set('a', 'a', 9);
    s.set('b', 'b', 9);
    s.set('new', 'n', 10);
    assert.deepEqual(seen, [
      ['a', true, 13],
      ['b', true, 13],
    ]);
    s.assertInvariants();
  });

  it('clear removes everything and the store stays usable', () => {
    const s = new Store<number>({ capacityBytes: 100, policy: 'sieve' });
    for (let i = 0; i < 10; i++) s.set(`k${i}`, i, 5);
    s.clear();
    assert.equal(s.size, 0);
    assert.equal(s.usedBytes, 0);
    assert.deepEqual(s.keys(), []);
    s.set('x', 1, 1);
    assert.deepEqual(s.entries(), [['x', 1]]);
    s.assertInvariants();
  });

  it('switches between every pair of policies keeping every entry', () => {
    for (const from of policyNames()) {
      for (const to of policyNames()) {
        const s = new Store<number>({ capacityBytes: 1000, policy: from });
        for (let i = 0; i < 20; i++) s.set(`k${i}`, i, 5);
        s.get('k3');
        s.setPolicy(to);
        assert.equal(s.policyName, to);
        assert.equal(s.size, 20);
        s.assertInvariants();
        for (let i = 20; i < 200; i++) s.set(`k${i}`, i, 5);
        s.assertInvariants();
      }
    }
  });
});
