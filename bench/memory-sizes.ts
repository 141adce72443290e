/**
 * Memory of a node by value size (issue 14): for each size (16 B … 1 MB, and a mixed stream), a
 * fresh `cachepool node --capacity 64` is written 1.5× its capacity in key + value bytes, so that
 * it evicts; then its resident set is read from /proc. Target: RSS ≤ 1.3 × capacity + 80 MB at
 * every size. Then nodes with room to spare hold 1M and 2M items of 100 B under 10-byte keys, for
 * the cost per item beyond key and value: (RSS − idle RSS − used_size) / items, target ≤ 128 B.
 *
 * Values are written through `/internal/import` batches (the node-to-node format: thousands of
 * records per request, so that millions of small items go in within seconds); each record is
 * stored exactly as a put's value would be (legacy text, framed). The `puts …` rows write 1.5 ×
 * the capacity as legacy puts instead (16 connections, a new key each), as an application would.
 */
import autocannon from 'autocannon';
import { request } from 'undici';
import { BATCH_V2_CONTENT_TYPE, encodeBatchChunks, type BatchRecord } from '../src/node/index.js';
import type { BenchRow, Benchmark } from './row.js';
import { residentBytes, startNode, type Server } from './processes.js';
import { FORM, dataUrl } from './values.js';
import { seededRandom } from './zipf.js';

const MB = 1024 * 1024;
/** Capacity of the nodes by value size, in MB (`BENCH_MEMORY_CAPACITY_MB`); default 128. */
const CAPACITY_MB = Number(process.env.BENCH_MEMORY_CAPACITY_MB ?? 128);
/** A small capacity whose put streams are measured too (rows `puts … at 16 MB`). */
const SMALL_CAPACITY_MB = 16;
/**
 * Rows to run (`BENCH_MEMORY_ROWS`): comma-separated labels of value sizes (`16 B,100 B`) and of
 * item counts (`1M,2M`); default every row.
 */
const ROWS = process.env.BENCH_MEMORY_ROWS?.split(',').map((label) => label.trim());
const selected = (label: string) => ROWS === undefined || ROWS.includes(label);
const FILL_FACTOR = 1.5;
/**
 * The bound a node of `capacityMb` must stay under: 1.3 × capacity + 80 MB. Written here from
 * the target, not taken from the node's code (processBoundBytes), so that no change of the node
 * can move it.
 */
const limitBytesFor = (capacityMb: number): number => 1.3 * capacityMb * MB + 80 * MB;
const BATCH_BYTES = 4 * MB;
const BATCH_RECORDS = 20_000;
const TYPE = 'text/plain; charset=utf-8';

interface Figures {
  used_size: number;
  num_item_in_cache: number;
}

async function statistics(url: string): Promise<Figures> {
  const response = await fetch(`${url}/api/cache/statistics`, {
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json()) as { content: string };
  return JSON.parse(body.content) as Figures;
}

/** Sends records to the node's import in batches; returns the key + value bytes sent. */
export async function fill(
  node: Server,
  count: number | undefined,
  bytesToWrite: number,
  sizeOf: (i: number) => number,
): Promise<{ records: number; bytes: number }> {
  const values = new Map<number, Buffer>();
  const valueOf = (size: number) => {
    let value = values.get(size);
    if (!value)
      values.set(size, (value = Buffer.from(size < 64 ? 'v'.repeat(size) : dataUrl(size, size))));
    return value;
  };
  let records = 0;
  let bytes = 0;
  const more = () => (count !== undefined ? records < count : bytes < bytesToWrite);
  while (more()) {
    const batch: BatchRecord[] = [];
    let batchBytes = 0;
    while (more() && batch.length < BATCH_RECORDS && batchBytes < BATCH_BYTES) {
      const key = `k${String(records).padStart(9, '0')}`;
      const value = valueOf(sizeOf(records));
      batch.push({ key, type: TYPE, value, jsonText: true });
      batchBytes += key.length + value.length;
      bytes += key.length + value.length;
      records++;
    }
    const { chunks, bytes: length } = encodeBatchChunks(batch);
    const response = await request(`${node.url}/internal/import`, {
      method: 'POST',
      headers: { 'content-type': BATCH_V2_CONTENT_TYPE, 'content-length': String(length) },
      body: Buffer.concat(chunks),
      headersTimeout: 120_000,
      bodyTimeout: 120_000,
    });
    const text = await response.body.text();
    if (response.statusCode !== 200)
      throw new Error(`import answered ${response.statusCode}: ${text.slice(0, 200)}`);
  }
  return { records, bytes };
}

/**
 * Lets the node settle before reading its RSS: its last asked-for collection, and the one it asks
 * for after 6 s without writes (src/node/collector.ts), which gives back V8's young generation.
 * The peak while writing is in each row too.
 */
const settle = () => new Promise((resolve) => setTimeout(resolve, 8_000));

/** What `writtenNode` saw: the node's RSS idle, at rest after the writes and at its peak. */
interface Written<T> {
  written: T;
  seconds: number;
  idleBytes: number;
  rssBytes: number;
  peakBytes: number;
  figures: Figures;
}

/**
 * Starts a node of `capacityMb` (default CAPACITY_MB), runs `write` on it, lets it settle, reads
 * its memory and its statistics, and stops it.
 */
async function writtenNode<T>(
  write: (node: Server) => Promise<T>,
  capacityMb = CAPACITY_MB,
): Promise<Written<T>> {
  const node = await startNode(capacityMb);
  try {
    const idle = await residentBytes(node.pid);
    const started = Date.now();
    const written = await write(node);
    const seconds = (Date.now() - started) / 1000;
    await settle();
    const { rssBytes, peakBytes } = await residentBytes(node.pid);
    const figures = await statistics(node.url);
    return { written, seconds, idleBytes: idle.rssBytes, rssBytes, peakBytes, figures };
  } finally {
    await node.stop();
  }
}

const SIZES: { label: string; sizeOf: (i: number) => number }[] = [
  { label: '16 B', sizeOf: () => 16 },
  { label: '100 B', sizeOf: () => 100 },
  { label: '1 KB', sizeOf: () => 1_000 },
  { label: '10 KB', sizeOf: () => 10_000 },
  { label: '100 KB', sizeOf: () => 100_000 },
  { label: '1 MB', sizeOf: () => 1_000_000 },
];

/** Value sizes of the rows that lower a full node's capacity to a quarter. */
const LOWER_SIZES: { label: string; bytes: number }[] = [
  { label: 'lower 100 B', bytes: 100 },
  { label: 'lower 100 KB', bytes: 100_000 },
];
/** How long a lowered node's RSS is followed, in ms. */
const LOWER_WATCH_MS = 15_000;

/** Value sizes of the rows written as legacy puts. */
const PUT_SIZES: { label: string; bytes: number }[] = [
  { label: 'puts 1 KB', bytes: 1_000 },
  { label: 'puts 10 KB', bytes: 10_000 },
  { label: 'puts 100 KB', bytes: 100_000 },
];

/** Puts `count` new keys with `value` on 16 connections; throws unless every put succeeded. */
async function putStream(node: Server, count: number, value: string): Promise<void> {
  let next = 0;
  const encoded = encodeURIComponent(value);
  const result = await autocannon({
    url: node.url,
    connections: 16,
    amount: count,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: '/api/cache/content',
        headers: { 'content-type': FORM },
        // A counter shared by every connection: each put names a new key.
        setupRequest: (request) => ({ ...request, body: `key=p${next++}&value=${encoded}` }),
      },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0)
    throw new Error(
      `puts: ${result.non2xx} not 2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
}

function mixed(): (i: number) => number {
  // Log-uniform from 16 B to 1 MB, seeded: as many small items as large ones per decade.
  const random = seededRandom(14);
  return () => Math.round(16 * Math.pow(1_000_000 / 16, random()));
}

export const memorySizesBenchmark: Benchmark = {
  name: 'memory-sizes',
  description: `RSS of a node with --capacity ${CAPACITY_MB} written ${FILL_FACTOR}× its capacity, per value size; cost per item at 1M and 2M items`,
  async run(): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    const limitBytes = limitBytesFor(CAPACITY_MB);
    for (const { label, sizeOf } of [...SIZES, { label: 'mixed', sizeOf: mixed() }]) {
      if (!selected(label)) continue;
      const { written, seconds, idleBytes, rssBytes, peakBytes, figures } = await writtenNode(
        (node) => fill(node, undefined, CAPACITY_MB * MB * FILL_FACTOR, sizeOf),
      );
      rows.push({
        benchmark: 'memory',
        case: `--capacity ${CAPACITY_MB}, ${label === 'mixed' ? 'mixed 16 B–1 MB' : label} values, ${(written.bytes / MB).toFixed(0)} MB written`,
        result: `RSS ${(rssBytes / MB).toFixed(0)} MB (peak ${(peakBytes / MB).toFixed(0)}, idle ${(idleBytes / MB).toFixed(0)})`,
        reference: `limit ${(limitBytes / MB).toFixed(0)} MB`,
        ratio: rssBytes / limitBytes,
        target: '≤ 1.00× (1.3 × capacity + 80 MB)',
        met: rssBytes <= limitBytes,
        note:
          `RSS/capacity ${(rssBytes / (CAPACITY_MB * MB)).toFixed(2)}; holds ${figures.num_item_in_cache} items, ` +
          `used_size ${(figures.used_size / MB).toFixed(1)} MB; overhead ` +
          `${((rssBytes - idleBytes - figures.used_size) / Math.max(1, figures.num_item_in_cache)).toFixed(0)} B/item; ` +
          `${written.records} records in ${seconds.toFixed(1)} s`,
      });
    }
    // The put streams again at a small capacity, where the bound leaves least room above the
    // idle process.
    for (const capacityMb of new Set([CAPACITY_MB, SMALL_CAPACITY_MB])) {
      const putLimitBytes = limitBytesFor(capacityMb);
      for (const { label, bytes } of PUT_SIZES) {
        if (!selected(capacityMb === CAPACITY_MB ? label : `${label} at ${capacityMb} MB`))
          continue;
        const count = Math.ceil((capacityMb * MB * FILL_FACTOR) / bytes);
        const { seconds, idleBytes, rssBytes, peakBytes, figures } = await writtenNode(
          (node) => putStream(node, count, dataUrl(bytes)),
          capacityMb,
        );
        rows.push({
          benchmark: 'memory',
          case: `--capacity ${capacityMb}, ${count} puts of ${label.slice(5)} on 16 connections`,
          result: `RSS ${(rssBytes / MB).toFixed(0)} MB (peak ${(peakBytes / MB).toFixed(0)}, idle ${(idleBytes / MB).toFixed(0)})`,
          reference: `limit ${(putLimitBytes / MB).toFixed(0)} MB`,
          ratio: peakBytes / putLimitBytes,
          target: '≤ 1.00× (the peak)',
          met: peakBytes <= putLimitBytes,
          note: `RSS ${(rssBytes / putLimitBytes).toFixed(2)}× the limit at rest; holds ${figures.num_item_in_cache} items, used_size ${(figures.used_size / MB).toFixed(1)} MB; ${(count / seconds).toFixed(0)} puts/s`,
        });
      }
    }
    for (const { label, bytes } of LOWER_SIZES) {
      if (!selected(label)) continue;
      const lowerMb = Math.max(1, Math.floor(CAPACITY_MB / 4));
      const lowerLimit = limitBytesFor(lowerMb);
      const node = await startNode(CAPACITY_MB);
      try {
        await fill(node, undefined, CAPACITY_MB * MB * FILL_FACTOR, () => bytes);
        await settle();
        const full = await residentBytes(node.pid);
        const asked = Date.now();
        const answer = await fetch(`${node.url}/api/cache/config`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ capacity: lowerMb }),
          signal: AbortSignal.timeout(30_000),
        });
        await answer.arrayBuffer();
        if (answer.status !== 200) throw new Error(`config answered ${answer.status}`);
        const lowered = Date.now();
        const configMs = lowered - asked;
        let withinMs: number | undefined;
        let rss = full.rssBytes;
        while (Date.now() - lowered < LOWER_WATCH_MS) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          rss = (await residentBytes(node.pid)).rssBytes;
          if (withinMs === undefined && rss <= lowerLimit) withinMs = Date.now() - lowered;
        }
        const figures = await statistics(node.url);
        rows.push({
          benchmark: 'memory',
          case: `--capacity ${CAPACITY_MB} full of ${label.slice(6)} values, lowered to ${lowerMb}`,
          result: `RSS ${(full.rssBytes / MB).toFixed(0)} → ${(rss / MB).toFixed(0)} MB after ${LOWER_WATCH_MS / 1000} s`,
          reference: `limit ${(lowerLimit / MB).toFixed(0)} MB`,
          ratio: rss / lowerLimit,
          target: '≤ 1.00× within 15 s',
          met: rss <= lowerLimit,
          note:
            (withinMs === undefined
              ? 'never within the limit while watched'
              : `within the limit after ${(withinMs / 1000).toFixed(2)} s`) +
            `; the config call took ${configMs} ms; holds ${figures.num_item_in_cache} items, used_size ${(figures.used_size / MB).toFixed(1)} MB`,
        });
      } finally {
        await node.stop();
      }
    }
    for (const items of [1_000_000, 2_000_000]) {
      if (!selected(`${items / 1_000_000}M`)) continue;
      const node = await startNode(2048);
      try {
        const idle = await residentBytes(node.pid);
        await fill(node, items, Infinity, () => 100);
        await settle();
        const { rssBytes } = await residentBytes(node.pid);
        const figures = await statistics(node.url);
        const perItem = (rssBytes - idle.rssBytes - figures.used_size) / figures.num_item_in_cache;
        rows.push({
          benchmark: 'memory',
          case: `${items / 1_000_000}M items of 100 B under 10-byte keys`,
          result: `${perItem.toFixed(0)} B/item beyond key + value`,
          reference: 'memcached ≈ 50–60 B',
          ratio: perItem / 128,
          target: '≤ 128 B/item',
          met: perItem <= 128,
          note: `RSS ${(rssBytes / MB).toFixed(0)} MB (idle ${(idle.rssBytes / MB).toFixed(0)}), used_size ${(figures.used_size / MB).toFixed(0)} MB, ${figures.num_item_in_cache} items`,
        });
      } finally {
        await node.stop();
      }
    }
    return rows;
  },
};
