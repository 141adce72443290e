/**
 * HTTP throughput and latency of a real cachepool node over loopback, next to the ceiling: a
 * minimal node:http server (bench/ceiling-server.ts, its own process) that answers the same
 * bytes without any cache logic. Load comes from autocannon used as a library, in this process.
 *
 * Cases: get-hit, get-miss, put and put-evicting (legacy form bodies) × ~10 KB and ~100 KB
 * data-URL values × 1 and 16 connections. `put` overwrites 16 keys; `put-evicting` cycles through
 * keys worth 1.5 × the node's capacity, so that once the node is full every put evicts (and the
 * node pays for the garbage of what it evicted). Each run loads the node and then the ceiling (alternating who goes first)
 * for `durationS` seconds each; the table shows medians over `runs` and the median of the
 * per-run ratios node/ceiling. Target for get-hit: ≥ 0.8× (never below 0.6×).
 */
import autocannon from 'autocannon';
import type { BenchOptions, BenchRow, Benchmark } from './row.js';
import { CEILING, startNode, startServer, type Server } from './processes.js';
import { measureLoad, summarizeLoads, type Load } from './load.js';
import { median } from './stats.js';
import { FORM, dataUrl, keyForm, putForm } from './values.js';

const SIZES = [10_000, 100_000];
const CONNECTIONS = [1, 16];
const KEYS = 16;
const NODE_CAPACITY_MB = 64;
type Operation = 'get-hit' | 'get-miss' | 'put' | 'put-evicting';
const OPERATIONS: Operation[] = ['get-hit', 'get-miss', 'put', 'put-evicting'];

/** The next key of the `put-evicting` requests, shared by every connection and run. */
let evictingNext = 0;

/** The request list autocannon cycles through for `operation`. */
function requestsFor(operation: Operation, value: string): autocannon.Request[] {
  if (operation === 'put-evicting') {
    // One request whose key comes from a counter shared by every connection and run (autocannon
    // gives each connection its own copy of a request list, which would start each at key 0):
    // consecutive puts name consecutive keys, cycling through 1.5 × the node's capacity, so that
    // the node holds 1/1.5 of them and a full node evicts on every put. The ceiling answers any
    // put key alike.
    const keys = Math.ceil((1.5 * NODE_CAPACITY_MB * 1024 * 1024) / value.length);
    const encoded = encodeURIComponent(value);
    return [
      {
        method: 'POST' as const,
        path: '/api/cache/content',
        headers: { 'content-type': FORM },
        setupRequest: (request) => ({
          ...request,
          body: `key=evict-${evictingNext++ % keys}&value=${encoded}`,
        }),
      },
    ];
  }
  return Array.from({ length: KEYS }, (_, i) => ({
    method: 'POST' as const,
    path: operation === 'put' ? '/api/cache/content' : '/api/cache/key',
    headers: { 'content-type': FORM },
    body:
      operation === 'put'
        ? putForm(`hit-${i}`, value)
        : keyForm(operation === 'get-hit' ? `hit-${i}` : `miss-${i}`),
  }));
}

/** Puts the hit keys on a node and checks that it answers a hit with the ceiling's exact bytes. */
async function prepare(node: Server, ceiling: Server, value: string): Promise<void> {
  const signal = () => AbortSignal.timeout(10_000);
  for (let i = 0; i < KEYS; i++) {
    const response = await fetch(`${node.url}/api/cache/content`, {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: putForm(`hit-${i}`, value),
      signal: signal(),
    });
    if (response.status !== 200)
      throw new Error(`put hit-${i} answered ${response.status}: ${await response.text()}`);
  }
  const fromNode = await fetch(`${node.url}/api/cache/key`, {
    method: 'POST',
    headers: { 'content-type': FORM },
    body: keyForm('hit-0'),
    signal: signal(),
  });
  const fromCeiling = await fetch(`${ceiling.url}/api/cache/key`, {
    method: 'POST',
    headers: { 'content-type': FORM },
    body: keyForm('hit-0'),
    signal: signal(),
  });
  const [a, b] = [
    Buffer.from(await fromNode.arrayBuffer()),
    Buffer.from(await fromCeiling.arrayBuffer()),
  ];
  if (fromNode.status !== 200 || !a.equals(b)) {
    throw new Error(
      `the node's hit answer (${fromNode.status}, ${a.length} B) differs from the ceiling's (${b.length} B)`,
    );
  }
}

export const httpBenchmark: Benchmark = {
  name: 'http',
  description:
    'node vs plain node:http ceiling over loopback (autocannon): get-hit/get-miss/put req/s, p50/p99',
  async run(options: BenchOptions): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    for (const size of SIZES) {
      const value = dataUrl(size);
      const node = await startNode(NODE_CAPACITY_MB);
      let ceiling: Server | undefined;
      try {
        ceiling = await startServer(CEILING, [String(size)]);
        await prepare(node, ceiling, value);
        for (const connections of CONNECTIONS) {
          for (const operation of OPERATIONS) {
            const requests = requestsFor(operation, value);
            // A miss is expected to be a 4xx.
            const expected = operation === 'get-miss' ? '4xx' : '2xx';
            const load = (url: string) =>
              measureLoad(url, requests, connections, options.durationS, expected);
            const ours: Load[] = [];
            const theirs: Load[] = [];
            for (let run = 0; run < options.runs; run++) {
              const nodeFirst = run % 2 === 0;
              if (nodeFirst) ours.push(await load(node.url));
              theirs.push(await load(ceiling.url));
              if (!nodeFirst) ours.push(await load(node.url));
            }
            const ratio = median(ours.map((o, i) => o.requestsPerS / theirs[i]!.requestsPerS));
            const unexpected = ours.reduce((sum, o) => sum + o.unexpected, 0);
            const row: BenchRow = {
              benchmark: 'http',
              case: `${operation}, ${size / 1000} KB, ${connections} conn${connections > 1 ? 's' : ''}`,
              result: summarizeLoads(ours),
              reference: `ceiling ${summarizeLoads(theirs)}`,
              ratio,
              target:
                operation === 'get-hit'
                  ? '≥ 0.80× (never < 0.60×)'
                  : operation === 'get-miss'
                    ? '≥ 0.80×'
                    : '≥ 0.60×',
              note: `${options.runs} × ${options.durationS} s${unexpected > 0 ? `; ${unexpected} unexpected answers/errors` : ''}`,
            };
            row.met = ratio >= (operation === 'get-hit' || operation === 'get-miss' ? 0.8 : 0.6);
            rows.push(row);
            // The evicting puts filled the node: empty it and put the hit keys back, so that
            // the next rows find the node as the first ones did.
            if (operation === 'put-evicting') {
              const cleared = await fetch(`${node.url}/api/cache`, {
                method: 'DELETE',
                signal: AbortSignal.timeout(10_000),
              });
              await cleared.arrayBuffer();
              if (cleared.status !== 200) throw new Error(`clear answered ${cleared.status}`);
              await prepare(node, ceiling, value);
            }
          }
        }
      } finally {
        await Promise.all([node.stop(), ceiling?.stop()]);
      }
    }
    return rows;
  },
};
