import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import {
  BATCH_V2_CONTENT_TYPE,
  BatchDecoder,
  batchVersion,
  buildNodeApp,
  encodeBatch,
  encodeBatchChunks,
  importLimitBytes,
  readBatch,
  type BatchRecord,
  type ImportRecord,
} from '../../../src/node/index.js';
import { valueOf } from '../../../src/node/entry.js';
import { batchOf, ValueBlocks } from '../../../src/node/batch-decoder.js';

const big = Buffer.from(`data:image/png;base64,${'QUJD'.repeat(10_000)}`);
const records: BatchRecord[] = [
  {
    key: 'text',
    type: 'text/plain; charset=utf-8',
    value: Buffer.from('plain text ✓'),
    jsonText: true,
  },
  { key: 'escaped', type: 'text/plain; charset=utf-8', value: Buffer.from('say "hi"\n') },
  { key: '', type: '', value: Buffer.alloc(0), jsonText: true },
  { key: '🙂', type: 'image/png', value: Buffer.from([0, 1, 2, 255]) },
  { key: 'big', type: 'image/png', value: big, jsonText: true },
  { key: 'tail', type: 'x', value: Buffer.from('last') },
];

function decodeInPieces(
  body: Buffer,
  version: 1 | 2,
  piece: number,
  maxValueBytes = 1 << 30,
): ImportRecord[] {
  const decoder = new BatchDecoder({
    version,
    maxValueBytes,
    limitBytes: body.length,
    lengthKnown: true,
  });
  for (let at = 0; at < body.length; at += piece) decoder.push(body.subarray(at, at + piece));
  return decoder.end();
}

const shape = (decoded: ImportRecord[]) =>
  decoded.map(({ key, entry }) => [
    key,
    entry?.type,
    entry?.framed,
    entry && valueOf(entry).toString('hex'),
  ]);

test('small values decode into shared blocks, the same as into buffers of their own, and a batch gives its blocks back once', () => {
  const { chunks } = encodeBatchChunks(records);
  const body = Buffer.concat(chunks);
  const blocks = new ValueBlocks(4096, () => 2);
  const decode = () => {
    const decoder = new BatchDecoder({
      version: 2,
      maxValueBytes: 1 << 30,
      limitBytes: body.length,
      lengthKnown: true,
      blocks,
      pooledMaxBytes: 64,
    });
    for (let at = 0; at < body.length; at += 7) decoder.push(body.subarray(at, at + 7));
    return batchOf(decoder, blocks);
  };
  const batch = decode();
  assert.deepEqual(shape([...batch.records]), shape(decodeInPieces(body, 2, 7)));
  // Values up to 64 bytes (not the empty one) share one block; the large one has its own buffer.
  const inBlock = batch.records.filter((r) => r.inBlock === true);
  assert.deepEqual(
    inBlock.map((r) => r.key),
    ['text', 'escaped', '🙂', 'tail'],
  );
  const block = inBlock[0]!.entry!.bytes.buffer;
  for (const r of inBlock) assert.equal(r.entry!.bytes.buffer, block, r.key);
  const large = batch.records.find((r) => r.key === 'big')!;
  assert.equal(large.inBlock, undefined);
  assert.notEqual(large.entry!.bytes.buffer, block);
  assert.equal(blocks.free, 0);
  batch.release();
  batch.release();
  assert.equal(blocks.free, 1, 'given back once');
  // The next batch is decoded into the same block.
  const next = decode();
  assert.equal(blocks.free, 0);
  assert.equal(next.records.find((r) => r.key === 'text')!.entry!.bytes.buffer, block);
  assert.deepEqual(shape([...next.records]), shape(decodeInPieces(body, 2, 7)));
});

test('a v2 batch decodes the same in any chunking; flagged text is framed as it is, the rest is raw', () => {
  const { chunks, bytes } = encodeBatchChunks(records);
  const body = Buffer.concat(chunks);
  assert.equal(body.length, bytes);
  // The large value is sent from its own buffer, not copied.
  assert.ok(chunks.includes(big));
  const expected = records.map((r) => [
    r.key,
    r.type,
    r.jsonText === true,
    r.value.toString('hex'),
  ]);
  for (const piece of [1, 2, 3, 7, 64, 1000, body.length]) {
    assert.deepEqual(shape(decodeInPieces(body, 2, piece)), expected, `chunks of ${piece}`);
  }
  const [text] = decodeInPieces(body, 2, 5);
  assert.equal(text!.entry!.bytes.toString('utf8'), '{"success":"true","content":"plain text ✓"}');
  assert.equal(text!.entry!.valueBytes, Buffer.byteLength('plain text ✓'));
});

test('reads straight into the buffer a value is kept in decode the same as pushed chunks', () => {
  // A framed (JSON text) and a raw large value, between small ones.
  const withRaw = [...records, { key: 'raw', type: 'image/png', value: Buffer.alloc(50_000, 9) }];
  const body = Buffer.concat(encodeBatchChunks(withRaw).chunks);
  const expected = shape(decodeInPieces(body, 2, body.length));
  for (const [piece, minBytes] of [
    [1000, 1],
    [4096, 100],
    [16_384, 32_768],
  ] as const) {
    const decoder = new BatchDecoder({
      version: 2,
      maxValueBytes: 1 << 30,
      limitBytes: body.length,
      lengthKnown: true,
    });
    let direct = 0;
    for (let at = 0; at < body.length;) {
      const left = body.length - at;
      const target = decoder.directTarget(minBytes, left);
      if (target) {
        assert.ok(target.length >= minBytes && target.length <= left);
        const n = Math.min(piece, target.length);
        body.copy(target, 0, at, at + n);
        decoder.filled(n);
        direct += n;
        at += n;
      } else {
        decoder.push(body.subarray(at, at + Math.min(piece, left)));
        at += Math.min(piece, left);
      }
    }
    assert.deepEqual(shape(decoder.end()), expected, `reads of ${piece}, direct from ${minBytes}`);
    assert.ok(direct >= Math.min(piece, 16_384), `${direct} bytes were read straight into values`);
  }
});

test('a v1 batch is checked as before: JSON-safe UTF-8 is framed, text needing escapes and binary are raw', () => {
  const body = encodeBatch(records);
  const expected = [
    ['text', 'text/plain; charset=utf-8', true, records[0]!.value.toString('hex')],
    ['escaped', 'text/plain; charset=utf-8', false, records[1]!.value.toString('hex')],
    ['', '', true, ''],
    ['🙂', 'image/png', false, '000102ff'],
    ['big', 'image/png', true, big.toString('hex')],
    ['tail', 'x', true, Buffer.from('last').toString('hex')],
  ];
  for (const piece of [1, 5, 4096, body.length])
    assert.deepEqual(shape(decodeInPieces(body, 1, piece)), expected);
  const raw = decodeInPieces(body, 1, 9)[1]!.entry!;
  assert.equal(raw.bytes.length, raw.valueBytes);
});

test('a value over maxValueBytes is read past and decoded without an entry', () => {
  const decoded = decodeInPieces(Buffer.concat(encodeBatchChunks(records).chunks), 2, 100, 100);
  assert.deepEqual(
    decoded.map((r) => [r.key, r.entry === undefined]),
    [
      ['text', false],
      ['escaped', false],
      ['', false],
      ['🙂', false],
      ['big', true],
      ['tail', false],
    ],
  );
});

test('a v2 batch cut anywhere inside a record, or with unknown flags, is malformed', () => {
  const body = Buffer.concat(encodeBatchChunks(records.slice(0, 2)).chunks);
  const firstEnd = Buffer.concat(encodeBatchChunks(records.slice(0, 1)).chunks).length;
  for (let cut = 1; cut < body.length; cut++) {
    if (cut === firstEnd) {
      assert.equal(decodeInPieces(body.subarray(0, cut), 2, 3).length, 1);
      continue;
    }
    const decoder = new BatchDecoder({
      version: 2,
      maxValueBytes: 1000,
      limitBytes: cut,
      lengthKnown: true,
    });
    assert.throws(
      () => {
        decoder.push(body.subarray(0, cut));
        decoder.end();
      },
      /malformed request body: batch record/,
      `cut at ${cut}`,
    );
  }
  const flagged = Buffer.from(body);
  flagged[0] = 0x05;
  assert.throws(
    () => decodeInPieces(flagged, 2, 4),
    /malformed request body: batch record has unknown flags 5/,
  );
});

test('a v2 record carries its absolute deadline when it has one, in any chunking', () => {
  const deadline = 1_764_000_000_123;
  const withDeadlines: BatchRecord[] = records.map((r, i) =>
    i % 2 === 0 ? { ...r, expiresAtMs: deadline + i } : r,
  );
  const { chunks, bytes } = encodeBatchChunks(withDeadlines);
  const body = Buffer.concat(chunks);
  assert.equal(body.length, bytes);
  // 8 bytes more for each of the three records with a deadline.
  assert.equal(bytes, encodeBatchChunks(records).bytes + 3 * 8);
  const expected = withDeadlines.map((r) => [r.key, r.expiresAtMs ?? 0, r.value.toString('hex')]);
  for (const piece of [1, 3, 8, 9, 1000, body.length]) {
    const decoded = decodeInPieces(body, 2, piece);
    assert.deepEqual(
      decoded.map((d) => [d.key, d.expiresAtMs, d.entry && valueOf(d.entry).toString('hex')]),
      expected,
      `chunks of ${piece}`,
    );
  }
  // A v1 batch has no deadlines: every record never expires.
  assert.ok(decodeInPieces(encodeBatch(records), 1, 7).every((d) => d.expiresAtMs === 0));
});

test('a v2 record cut inside its deadline, or with a deadline of 0 or past 2^53, is malformed', () => {
  const body = Buffer.concat(
    encodeBatchChunks([{ key: 'k', type: '', value: Buffer.from('v'), expiresAtMs: 5 }]).chunks,
  );
  for (let cut = 1; cut < 9; cut++) {
    const decoder = new BatchDecoder({
      version: 2,
      maxValueBytes: 1000,
      limitBytes: cut,
      lengthKnown: true,
    });
    assert.throws(
      () => {
        decoder.push(body.subarray(0, cut));
        decoder.end();
      },
      /batch record cut in its (flags|deadline)/,
      `cut at ${cut}`,
    );
  }
  for (const bad of [0n, 2n ** 53n, 2n ** 64n - 1n]) {
    const copy = Buffer.from(body);
    copy.writeBigUInt64BE(bad, 1);
    assert.throws(() => decodeInPieces(copy, 2, 4), /deadline out of range/);
  }
});

test('a length past the declared body is refused at once, and past the body limit is a 413', async () => {
  const huge = Buffer.from([0, 0xff, 0xff, 0xff, 0xff]);
  const decoder = new BatchDecoder({
    version: 2,
    maxValueBytes: 1000,
    limitBytes: huge.length,
    lengthKnown: true,
  });
  assert.throws(
    () => decoder.push(huge),
    /malformed request body: batch record key runs past the body/,
  );
  await assert.rejects(
    readBatch(Readable.from([huge]), {
      version: 2,
      maxValueBytes: 1000,
      bodyLimitBytes: 64,
      contentLength: undefined,
    }),
    (error: Error & { status?: number }) => /larger than the limit of 64 bytes/.test(error.message),
  );
  await assert.rejects(
    readBatch(Readable.from([huge]), {
      version: 2,
      maxValueBytes: 1000,
      bodyLimitBytes: 64,
      contentLength: NaN,
    }),
    /larger than the limit of 64 bytes/,
  );
  await assert.rejects(
    readBatch(Readable.from([Buffer.alloc(65)]), {
      version: 1,
      maxValueBytes: 1000,
      bodyLimitBytes: 64,
      contentLength: undefined,
    }),
    /larger than the limit of 64 bytes/,
  );
  await assert.rejects(
    readBatch(Readable.from([Buffer.alloc(4)]), {
      version: 1,
      maxValueBytes: 1000,
      bodyLimitBytes: 64,
      contentLength: 8,
    }),
    /malformed request body: the body has 4 bytes, its Content-Length says 8/,
  );
});

test('the batch version comes from the Content-Type', () => {
  assert.equal(batchVersion('application/x-cachepool-batch'), 1);
  assert.equal(batchVersion('application/x-cachepool-batch; v=1'), 1);
  assert.equal(batchVersion(BATCH_V2_CONTENT_TYPE), 2);
  assert.equal(batchVersion('application/x-cachepool-batch;v="2"'), 2);
  assert.equal(batchVersion('application/x-cachepool-batch; v=3'), undefined);
});

test('the import route takes v1 and v2 batches; an unknown version is an unsupported type and a batch sent elsewhere is no field record', async () => {
  const { app } = await buildNodeApp({ bodyLimitBytes: 300_000 });
  try {
    const v2 = await app.inject({
      method: 'POST',
      url: '/internal/import',
      headers: { 'content-type': BATCH_V2_CONTENT_TYPE },
      payload: Buffer.concat(encodeBatchChunks(records.filter((r) => r.key !== '')).chunks),
    });
    assert.deepEqual(v2.json(), {
      success: 'true',
      content: { accepted: 5, skipped: [], rejected: [] },
    });
    const text = await app.inject({
      method: 'POST',
      url: '/api/cache/key',
      headers: { 'content-type': 'application/json' },
      payload: '{"key":"escaped"}',
    });
    assert.equal(text.body, JSON.stringify({ success: 'true', content: 'say "hi"\n' }));
    const hit = await app.inject({
      method: 'POST',
      url: '/api/cache/key',
      headers: { 'content-type': 'application/json' },
      payload: '{"key":"big"}',
    });
    assert.equal(hit.json().content, big.toString('utf8'));
    const binary = await app.inject({ method: 'GET', url: `/v1/keys/${encodeURIComponent('🙂')}` });
    assert.equal(binary.headers['content-type'], 'image/png');
    assert.deepEqual([...binary.rawPayload], [0, 1, 2, 255]);

    const v3 = await app.inject({
      method: 'POST',
      url: '/internal/import',
      headers: { 'content-type': 'application/x-cachepool-batch; v=3' },
      payload: Buffer.alloc(4),
    });
    assert.equal(v3.statusCode, 400);
    assert.match(v3.json().error.message, /^unsupported content type/);
    const emptyKey = await app.inject({
      method: 'POST',
      url: '/internal/import',
      headers: { 'content-type': BATCH_V2_CONTENT_TYPE },
      payload: Buffer.concat(
        encodeBatchChunks([
          { key: 'fine', type: '', value: Buffer.from('x') },
          { key: '', type: '', value: Buffer.from('y') },
        ]).chunks,
      ),
    });
    assert.equal(emptyKey.statusCode, 400);
    assert.equal(
      (await app.inject({ method: 'GET', url: '/v1/keys/fine' })).statusCode,
      404,
      'nothing of a refused batch is stored',
    );
    // The import admits one record larger than the body limit (issue 9), and no more.
    const limit = importLimitBytes(300_000, 1024);
    const tooBig = await app.inject({
      method: 'POST',
      url: '/internal/import',
      headers: { 'content-type': BATCH_V2_CONTENT_TYPE },
      payload: Buffer.alloc(limit + 1),
    });
    assert.equal(tooBig.statusCode, 413);
    assert.match(tooBig.json().error.message, new RegExp(`limit of ${limit} bytes`));
    const elsewhere = await app.inject({
      method: 'POST',
      url: '/api/cache/content',
      headers: { 'content-type': BATCH_V2_CONTENT_TYPE },
      payload: encodeBatch(records.slice(0, 1)),
    });
    assert.match(elsewhere.json().error.message, /^unsupported content type/);
    const notBatch = await app.inject({
      method: 'POST',
      url: '/internal/import',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    assert.match(notBatch.json().error.message, /^unsupported content type/);
  } finally {
    await app.close();
  }
});
