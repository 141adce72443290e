/**
 * SlabArena: size classes, round trips, page release, generations, and a fast-check run against a
 * Map of the bytes each live handle must hold.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CachePoolError } from '../../../src/errors.js';
import { SlabArena } from '../../../src/store/index.js';

describe('SlabArena', () => {
  it('rounds a length up to its class, classes growing by the factor, none above maxChunkBytes', () => {
    const arena = new SlabArena({ minChunkBytes: 32, maxChunkBytes: 4096, growthFactor: 1.25 });
    assert.equal(arena.chunkBytes(0), 32);
    assert.equal(arena.chunkBytes(32), 32);
    assert.equal(arena.chunkBytes(33), 40);
    assert.equal(arena.chunkBytes(4096), 4096);
    assert.equal(arena.chunkBytes(4097), 0);
    let previous = 0;
    for (let length = 0; length <= 4096; length++) {
      const chunk = arena.chunkBytes(length);
      assert.ok(chunk >= length && chunk % 8 === 0, `${length} → ${chunk}`);
      assert.ok(chunk >= previous);
      // The class is the smallest that fits: at most the factor above the length (or the minimum).
      assert.ok(chunk <= Math.max(32, Math.ceil(length * 1.25) + 8), `${length} → ${chunk}`);
      previous = chunk;
    }
  });

  it('keeps what is written, with its length and tag, until the chunk is freed', () => {
    const arena = new SlabArena();
    const a = arena.allocate(5, 7);
    arena.write(a, Buffer.from('hello'));
    const b = arena.allocate(0, 1);
    const c = arena.allocate(4096, 0xffffffff);
    arena.write(c, Buffer.alloc(4096, 9));
    assert.equal(arena.view(a).toString(), 'hello');
    assert.equal(arena.length(b), 0);
    assert.equal(arena.tag(a), 7);
    assert.equal(arena.tag(c), 0xffffffff);
    const out = Buffer.alloc(4100);
    assert.equal(arena.copyOut(c, out, 4), 4096);
    assert.ok(out.subarray(4).equals(Buffer.alloc(4096, 9)));
    assert.throws(() => arena.allocate(4097), CachePoolError);
  });

  it('changes a chunk generation when it is freed, so a reused handle is told apart', () => {
    const arena = new SlabArena();
    const keep = arena.allocate(10);
    const a = arena.allocate(10);
    const generation = arena.generation(a);
    arena.free(a);
    const b = arena.allocate(10);
    assert.equal(b, a, 'the freed chunk is reused first');
    assert.notEqual(arena.generation(b), generation);
    arena.free(keep);
  });

  it('releases a page when its last chunk is freed, and holds no page when empty', () => {
    const arena = new SlabArena({ pageBytes: 1024, minChunkBytes: 32, maxChunkBytes: 256 });
    const handles = Array.from({ length: 100 }, () => arena.allocate(30));
    // 32 chunks of 32 bytes per 1 KiB page: 4 pages.
    assert.equal(arena.stats().pages, 4);
    assert.equal(arena.stats().liveChunkBytes, 100 * 32);
    for (const h of handles.slice(0, 32)) arena.free(h);
    assert.equal(arena.stats().pages, 3);
    for (const h of handles.slice(32)) arena.free(h);
    assert.deepEqual(arena.stats(), { pages: 0, pageBytes: 0, liveChunks: 0, liveChunkBytes: 0 });
    const again = arena.allocate(30);
    assert.equal(arena.stats().pages, 1);
    arena.free(again);
  });

  it('makes new pages of any class out of released ones, up to sparePages, and counts what it drops', () => {
    const arena = new SlabArena({
      pageBytes: 1024,
      minChunkBytes: 32,
      maxChunkBytes: 256,
      sparePages: 1,
    });
    const small = Array.from({ length: 64 }, () => arena.allocate(30));
    for (const h of small) arena.free(h);
    // Two pages emptied: one kept, one dropped.
    assert.equal(arena.stats().pages, 0);
    assert.equal(arena.spareBytes, 1024);
    assert.ok(arena.droppedBytesTotal >= 1024, `${arena.droppedBytesTotal}`);
    const dropped = arena.droppedBytesTotal;
    const large = arena.allocate(200, 5);
    arena.write(large, Buffer.alloc(200, 7));
    assert.equal(arena.spareBytes, 0, 'the spare became the large class page');
    assert.equal(arena.droppedBytesTotal, dropped, 'its per-chunk arrays were large enough');
    assert.ok(arena.view(large).equals(Buffer.alloc(200, 7)));
    assert.equal(arena.tag(large), 5);
    arena.free(large);
    assert.equal(arena.spareBytes, 1024);
  });

  it('gives a chunk of a page made again at the same place another generation than before', () => {
    const arena = new SlabArena({ pageBytes: 1024, minChunkBytes: 32, maxChunkBytes: 256 });
    const first = arena.allocate(10);
    const generation = arena.generation(first);
    arena.free(first);
    assert.equal(arena.stats().pages, 0);
    const again = arena.allocate(10);
    assert.equal(again, first, 'same page index, same chunk');
    assert.notEqual(arena.generation(again), generation);
    assert.notEqual(arena.generation(again), 0);
  });

  it('without chunk tags keeps bytes and lengths, reuses freed chunks and answers 0 for tag and generation', () => {
    const arena = new SlabArena({ pageBytes: 4096, maxChunkBytes: 256, chunkTags: false });
    const a = arena.allocate(5, 7);
    arena.write(a, Buffer.from('hello'));
    const b = arena.allocate(3);
    arena.writeBytes(b, Buffer.from('abcdef'), 3);
    assert.equal(arena.view(a).toString(), 'hello');
    assert.equal(arena.view(b).toString(), 'abc');
    assert.equal(arena.tag(a), 0);
    assert.equal(arena.generation(a), 0);
    arena.free(a);
    const c = arena.allocate(2);
    assert.equal(c, a);
    arena.write(c, Buffer.from('hi'));
    assert.equal(arena.view(c).toString(), 'hi');
    assert.equal(arena.view(b).toString(), 'abc');
    assert.equal(arena.stats().liveChunks, 2);
  });

  it('refuses bad options naming the option', () => {
    assert.throws(() => new SlabArena({ growthFactor: 1 }), /growthFactor/);
    assert.throws(() => new SlabArena({ pageBytes: 1024, maxChunkBytes: 4096 }), /maxChunkBytes/);
    assert.throws(() => new SlabArena({ minChunkBytes: 3 }), /minChunkBytes/);
  });

  it('matches a model of live handles under random allocations and frees', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('alloc' as const), length: fc.nat(600), fill: fc.nat(255) }),
      fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const arena = new SlabArena({ pageBytes: 2048, minChunkBytes: 16, maxChunkBytes: 600 });
        const live = new Map<number, Buffer>();
        for (const o of ops) {
          if (o.kind === 'alloc') {
            const bytes = Buffer.alloc(o.length, o.fill);
            const h = arena.allocate(o.length, o.fill);
            assert.ok(!live.has(h), 'a live handle is never handed out twice');
            arena.write(h, bytes);
            live.set(h, bytes);
          } else if (live.size > 0) {
            const h = [...live.keys()][o.pick % live.size]!;
            arena.free(h);
            live.delete(h);
          }
        }
        for (const [h, bytes] of live) {
          assert.ok(arena.view(h).equals(bytes));
          assert.equal(arena.tag(h), bytes[0] ?? arena.tag(h));
        }
        const stats = arena.stats();
        assert.equal(stats.liveChunks, live.size);
        // Every page holds at least one live chunk.
        assert.ok(stats.pages <= live.size);
      }),
      { numRuns: 200, interruptAfterTimeLimit: 5_000 },
    );
  });
});
