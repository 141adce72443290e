/**
 * Rebalancing: how fast a pool hands its data over when it grows, and how much of it moves.
 *
 * - Measured: `cachepool start --nodes 1` on loopback is filled with ~1 GB of ~100 KB data-URL
 *   values (written straight into the node), then grown 1→2, 2→3 and 3→4 with
 *   `POST /api/manager/poolsize/manual {change: increase}`; MB/s = the bytes
 *   `GET /api/manager/migration` reports / the migration's own time (target ≥ 400 MB/s), beside
 *   the wall time of the whole call, and the fraction of keys that moved next to the optimum
 *   ⌊16/(N+1)⌋/16. The whole thing runs `runs` times on a fresh pool each; rows give the median
 *   and every run's figure (one move takes about a second, so a single run is noisy).
 * - The ceiling of a move on this machine at that moment, measured in each run before the growths:
 *   one process streams CEILING_MB of 100 KB buffers over loopback TCP to another, which copies
 *   every chunk it reads into memory it keeps, as a destination keeps what it imports. A
 *   destination's value memory is fresh memory, and on a virtual machine a fresh page costs
 *   a fault that can make this ceiling far lower than the network's, and vary with the load of
 *   the host: the rows give each growth's MB/s beside it, as a ratio. The same ceiling is measured
 *   again with the allocator settings a node runs with (src/node/runtime.ts: a 64 KiB mmap
 *   threshold and two arenas, which the memory bound needs): then every 64 KiB read of the socket
 *   is memory mapped for itself and faulted in page by page, as a node's request body pieces are,
 *   which is about what a move into a node can reach at best on this machine.
 * - Computed: for every N→N+1 and N→N−1 from 1 to 16 nodes, the fraction of a synthetic key set
 *   (100,000 keys) whose partition changes owner under planRebalance ('minimal', the default, and
 *   'round-robin'), next to the optimum (the partitions the joining or leaving node owns).
 *
 *   node dist/bench/rebalance.js [--mb 1024] [--runs 3]
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect, type AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  PARTITION_COUNT,
  PartitionTable,
  partitionOf,
  planRebalance,
  type PartitionStrategy,
} from '../src/partition/index.js';
import { nodeProcessEnv } from '../src/node/runtime.js';
import { startPool } from './processes.js';
import type { BenchRow, Benchmark } from './row.js';
import { formatPercent, median } from './stats.js';
import { dataUrl } from './values.js';

const VALUE_BYTES = 100_000;
const TARGET_MB_PER_S = 400;
/** The pool grows from 1 node to this many, one node at a time. */
const GROW_TO_NODES = 4;
const SYNTHETIC_KEYS = 100_000;
/** MB (10^6 bytes) the ceiling streams. */
const CEILING_MB = 256;
/** The argument that makes this file the ceiling's receiving process. */
const RECEIVER_FLAG = '--ceiling-receiver';
const MAX_NODES = 16;

/** Options of runRebalanceBench. */
export interface RebalanceBenchOptions {
  /** Data loaded before growing, in MB (10^6 bytes of values); default 1024. */
  totalMb?: number;
  /** Skip the real pool and compute the moved fractions only. */
  syntheticOnly?: boolean;
  /** Fresh pools filled and grown, whose median is reported; default 3. */
  runs?: number;
}

/** What one growth moved and how fast. */
interface Growth {
  mbPerS: number;
  bytes: number;
  migrationS: number;
  callS: number;
  keys: number;
}

async function post(
  url: string,
  body: unknown,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, text: await response.text() };
}

async function getContent<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return ((await response.json()) as { content: T }).content;
}

interface Migration {
  started_at_ms: number;
  finished_at_ms: number | null;
  keys_done: number;
  bytes_done: number;
  error: string | null;
}

/** Fills the node at `node` with `count` values of VALUE_BYTES, 16 requests at a time. */
async function fill(node: string, count: number): Promise<void> {
  const base = dataUrl(VALUE_BYTES);
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < count) {
        const i = next++;
        const key = `rebalance-${i}`;
        // Distinct values: the index replaces the start of the payload.
        const value = `${base.slice(0, 22)}${String(i).padStart(8, '0')}${base.slice(30)}`;
        const answer = await post(`${node}/api/cache/content`, { key, value }, 30_000);
        if (answer.status !== 200)
          throw new Error(`loading ${key} answered ${answer.status}: ${answer.text.slice(0, 200)}`);
      }
    }),
  );
}

/** Grows the pool at `manager` by one node and measures what moved. */
async function grow(manager: string, from: number): Promise<Growth> {
  const started = performance.now();
  const answer = await post(
    `${manager}/api/manager/poolsize/manual`,
    { change: 'increase' },
    600_000,
  );
  const callS = (performance.now() - started) / 1000;
  if (answer.status !== 200)
    throw new Error(
      `growing ${from}→${from + 1} answered ${answer.status}: ${answer.text.slice(0, 200)}`,
    );
  const { migration } = await getContent<{ migration: Migration | null }>(
    `${manager}/api/manager/migration`,
  );
  if (!migration || migration.error)
    throw new Error(`the migration ${from}→${from + 1} reports ${migration?.error ?? 'nothing'}`);
  const migrationS = ((migration.finished_at_ms ?? Date.now()) - migration.started_at_ms) / 1000;
  return {
    mbPerS: migration.bytes_done / 1e6 / migrationS,
    bytes: migration.bytes_done,
    migrationS,
    callS,
    keys: migration.keys_done,
  };
}

/**
 * The receiving process of the ceiling: listens on loopback, keeps a copy of every chunk of the
 * one connection it takes, and reports over IPC its port, then the MB/s from its first byte to
 * the end of the stream.
 */
function runCeilingReceiver(): void {
  const kept: Buffer[] = [];
  const server = createServer((socket) => {
    let bytes = 0;
    let started = 0;
    socket.on('data', (chunk: Buffer) => {
      if (bytes === 0) started = performance.now();
      bytes += chunk.length;
      const copy = Buffer.allocUnsafe(chunk.length);
      chunk.copy(copy);
      kept.push(copy);
    });
    socket.on('end', () => {
      process.send?.({ mbPerS: bytes / 1e6 / ((performance.now() - started) / 1000) });
      socket.end();
      server.close();
    });
  });
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ port: (server.address() as AddressInfo).port });
  });
}

/** What a growth is compared with: the ceiling's MB/s, as it is and with a node's allocator. */
interface Ceilings {
  plain: number[];
  nodeAllocator: number[];
}

/**
 * The ceiling's MB/s now (see the module header); with `nodeAllocator`, the receiver runs with the
 * allocator settings of a node process.
 */
async function moveCeiling(nodeAllocator: boolean): Promise<number> {
  const env = nodeAllocator ? nodeAllocatorEnv() : process.env;
  const receiver = fork(fileURLToPath(import.meta.url), [RECEIVER_FLAG], { stdio: 'ignore', env });
  try {
    const [{ port }] = (await once(receiver, 'message')) as [{ port: number }];
    const measured = once(receiver, 'message') as Promise<[{ mbPerS: number }]>;
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const buffers = Array.from({ length: 16 }, (_, i) => Buffer.alloc(VALUE_BYTES, 65 + i));
    const count = Math.ceil((CEILING_MB * 1e6) / VALUE_BYTES);
    for (let i = 0; i < count; i++) {
      if (!socket.write(buffers[i % buffers.length]!)) await once(socket, 'drain');
    }
    socket.end();
    const [{ mbPerS }] = await measured;
    socket.destroy();
    return mbPerS;
  } finally {
    receiver.kill();
  }
}

/** The process's environment with the allocator settings of a node (not its V8 flags). */
function nodeAllocatorEnv(): NodeJS.ProcessEnv {
  const node = nodeProcessEnv({});
  return {
    ...process.env,
    MALLOC_ARENA_MAX: node.MALLOC_ARENA_MAX,
    MALLOC_MMAP_THRESHOLD_: node.MALLOC_MMAP_THRESHOLD_,
  };
}

/** The row of one growth step over every run: the median run, and each run's MB/s. */
function growthRow(
  from: number,
  runs: Growth[],
  totalKeys: number,
  totalMb: number,
  ceilings: Ceilings,
): BenchRow {
  const mbPerS = median(runs.map((run) => run.mbPerS));
  const ceiling = median(ceilings.plain);
  const nodeCeiling = median(ceilings.nodeAllocator);
  const list = (figures: number[]) => figures.map((c) => c.toFixed(0)).join(' / ');
  const mid = [...runs].sort((a, b) => a.mbPerS - b.mbPerS)[Math.floor((runs.length - 1) / 2)]!;
  const optimum = Math.floor(PARTITION_COUNT / (from + 1)) / PARTITION_COUNT;
  const callMbPerS = median(runs.map((run) => run.bytes / 1e6 / run.callS));
  return {
    benchmark: 'rebalance',
    case: `grow ${from}→${from + 1}, ${totalMb} MB of ~100 KB values`,
    result: `${mbPerS.toFixed(0)} MB/s (median; ${(mid.bytes / 1e6).toFixed(0)} MB in ${mid.migrationS.toFixed(2)} s)`,
    reference: `moved ${formatPercent(mid.keys / totalKeys)} of keys, optimum ${formatPercent(optimum)}`,
    ratio: mbPerS / TARGET_MB_PER_S,
    target: `≥ ${TARGET_MB_PER_S} MB/s`,
    met: mbPerS >= TARGET_MB_PER_S,
    note: `${runs.length} runs: ${runs.map((run) => run.mbPerS.toFixed(0)).join(' / ')} MB/s; ${mid.keys} keys; the whole manual-increase call, starting the node included: ${callMbPerS.toFixed(0)} MB/s (median); ceiling (loopback TCP into kept memory, ${CEILING_MB} MB) ${list(ceilings.plain)} MB/s, ${(mbPerS / ceiling).toFixed(2)}× its median; with a node's allocator settings ${list(ceilings.nodeAllocator)} MB/s, ${(mbPerS / nodeCeiling).toFixed(2)}× its median`,
  };
}

/** The fraction of `keys` whose owner differs between two owner lists. */
function movedFraction(
  partitionsOfKeys: readonly number[],
  before: readonly string[],
  after: readonly string[],
): number {
  let moved = 0;
  for (const partition of partitionsOfKeys) if (before[partition] !== after[partition]) moved++;
  return moved / partitionsOfKeys.length;
}

/** Moved fractions for every N→N±1 from 1 to MAX_NODES nodes (pure, no I/O). */
export function syntheticRows(): BenchRow[] {
  const partitions = Array.from({ length: SYNTHETIC_KEYS }, (_, i) =>
    partitionOf(`synthetic-${i}`),
  );
  const nodes = Array.from({ length: MAX_NODES }, (_, i) => `127.0.0.1:${7000 + i}`);
  const steps = (strategy: PartitionStrategy) => {
    const result = new Map<string, { fraction: number; optimum: number }>();
    let table = PartitionTable.initial(nodes.slice(0, 1), strategy);
    for (let n = 1; n < MAX_NODES; n++) {
      const plan = planRebalance(table, nodes.slice(0, n + 1));
      const joining = nodes[n]!;
      const optimum =
        plan.table.owners.filter((owner) => owner === joining).length / PARTITION_COUNT;
      result.set(`${n}→${n + 1}`, {
        fraction: movedFraction(partitions, table.owners, plan.table.owners),
        optimum,
      });
      table = plan.table;
    }
    for (let n = MAX_NODES; n > 1; n--) {
      // The highest index leaves, as the manager does.
      const leaving = nodes[n - 1]!;
      const optimum = table.owners.filter((owner) => owner === leaving).length / PARTITION_COUNT;
      const plan = planRebalance(table, nodes.slice(0, n - 1));
      result.set(`${n}→${n - 1}`, {
        fraction: movedFraction(partitions, table.owners, plan.table.owners),
        optimum,
      });
      table = plan.table;
    }
    return result;
  };
  const minimal = steps('minimal');
  const roundRobin = steps('round-robin');
  const rows: BenchRow[] = [];
  for (let n = 1; n < MAX_NODES; n++) {
    const grow = minimal.get(`${n}→${n + 1}`)!;
    const shrink = minimal.get(`${n + 1}→${n}`)!;
    const worst = Math.max(grow.fraction - grow.optimum, shrink.fraction - shrink.optimum);
    rows.push({
      benchmark: 'rebalance',
      case: `moved keys ${n}→${n + 1} / ${n + 1}→${n} (planRebalance, ${SYNTHETIC_KEYS / 1000}k keys)`,
      result: `minimal ${formatPercent(grow.fraction)} / ${formatPercent(shrink.fraction)}`,
      reference: `optimum ${formatPercent(grow.optimum)} / ${formatPercent(shrink.optimum)}`,
      ratio: grow.fraction / grow.optimum,
      // Keys spread over partitions unevenly: a 1% tolerance on top of the partition optimum.
      target: 'minimal ≈ optimum',
      met: worst <= 0.01,
      note: `round-robin ${formatPercent(roundRobin.get(`${n}→${n + 1}`)!.fraction)} / ${formatPercent(roundRobin.get(`${n + 1}→${n}`)!.fraction)}`,
    });
  }
  return rows;
}

/**
 * Runs the rebalance benchmark: the real 1→2, 2→3 and 3→4 growths with `totalMb` of data (default
 * 1024 MB), then the synthetic moved fractions.
 */
export async function runRebalanceBench(options: RebalanceBenchOptions = {}): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  if (!options.syntheticOnly) {
    const totalMb = options.totalMb ?? 1024;
    const count = Math.ceil((totalMb * 1e6) / VALUE_BYTES);
    // Every node can hold all of it: nothing is evicted while it moves.
    const capacityMb = Math.ceil(totalMb * 1.3) + 64;
    // growths[i]: the step from i + 1 to i + 2 nodes, one entry per run.
    const growths: Growth[][] = Array.from({ length: GROW_TO_NODES - 1 }, () => []);
    const ceilings: Ceilings = { plain: [], nodeAllocator: [] };
    for (let run = 0; run < (options.runs ?? 3); run++) {
      const pool = await startPool(
        [
          '--nodes',
          '1',
          '--min',
          '1',
          '--max',
          String(GROW_TO_NODES),
          '--capacity',
          String(capacityMb),
        ],
        60_000,
      );
      try {
        const [node] = await pool.nodes();
        if (!node) throw new Error('the pool has no node');
        const loadStarted = performance.now();
        await fill(node, count);
        process.stderr.write(
          `rebalance: run ${run + 1}, loaded ${count} values in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s\n`,
        );
        ceilings.plain.push(await moveCeiling(false));
        ceilings.nodeAllocator.push(await moveCeiling(true));
        for (const [i, steps] of growths.entries()) steps.push(await grow(pool.manager, i + 1));
      } finally {
        await pool.stop();
      }
    }
    for (const [i, steps] of growths.entries())
      rows.push(growthRow(i + 1, steps, count, totalMb, ceilings));
  }
  rows.push(...syntheticRows());
  return rows;
}

/** The rebalance benchmark, for bench/index.ts (`runs` applies, the HTTP duration does not). */
export const rebalanceBenchmark: Benchmark = {
  name: 'rebalance',
  description:
    'MB/s of growing 1→2, 2→3 and 3→4 with 1 GB of ~100 KB values; moved keys vs the optimum for every N→N±1',
  run: (options) => runRebalanceBench({ runs: options.runs }),
};

if (process.argv.includes(RECEIVER_FLAG)) {
  runCeilingReceiver();
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const at = process.argv.indexOf('--mb');
  const options: RebalanceBenchOptions = at === -1 ? {} : { totalMb: Number(process.argv[at + 1]) };
  const runsAt = process.argv.indexOf('--runs');
  if (runsAt !== -1) options.runs = Number(process.argv[runsAt + 1]);
  if (process.argv.includes('--synthetic-only')) options.syntheticOnly = true;
  const rows = await runRebalanceBench(options);
  const { renderTable } = await import('./render.js');
  process.stdout.write(`${renderTable(rows)}\n`);
}
