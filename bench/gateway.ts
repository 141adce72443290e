/**
 * The gateway's overhead: one cachepool node loaded directly, and the same node loaded through
 * the gateway of `cachepool start --nodes 1` (manager and gateway in one process, the node its
 * child). Load comes from autocannon used as a library, in this process. Cases: get-hit and put
 * (legacy form bodies) × ~10 KB and ~100 KB data-URL values × 1 and 16 connections. Each run loads
 * the node and the gateway for `durationS` seconds each (alternating who goes first); the table
 * shows medians over `runs` and the median of the per-run ratios gateway/direct.
 * Target for get-hit: ≥ 0.7×.
 *
 * For get-hit a third figure shows what any proxy costs on this machine: a bare proxy (this
 * file run with `--bare-proxy <node url>`: node:http server, undici Pool, no routing, no key
 * parsing, the answer piped back) in front of the same node, as a ratio to direct in the same run.
 *
 *   node dist/bench/gateway.js [--runs N] [--duration S]
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { CLI, startServer, type Server } from './processes.js';
import type { BenchOptions, BenchRow, Benchmark } from './row.js';
import { formatCount, median } from './stats.js';
import { FORM, dataUrl, keyForm, putForm } from './values.js';

const SIZES = [10_000, 100_000];
const CONNECTIONS = [1, 16];
const KEYS = 16;
type Operation = 'get-hit' | 'put';
const OPERATIONS: Operation[] = ['get-hit', 'put'];
const TARGET = 0.7;

/** A running `cachepool start` (manager, gateway and its local nodes). */
export interface PoolProcess {
  pid: number;
  manager: string;
  gateway: string;
  /** The members' base URLs (`http://host:port`), from the manager. */
  nodes(): Promise<string[]>;
  /** SIGTERM, then SIGKILL after 10 s; removes its data dir. */
  stop(): Promise<void>;
}

/**
 * Starts `cachepool start` on loopback ports 0 with `args` and resolves once both the manager and
 * the gateway logged their listening lines (30 s at most).
 */
export async function startPool(args: readonly string[], timeoutMs = 30_000): Promise<PoolProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cachepool-bench-'));
  const child = spawn(
    process.execPath,
    [
      CLI,
      'start',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--gateway-port',
      '0',
      '--data-dir',
      dataDir,
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CACHEPOOL_LOG_LEVEL: 'info' } },
  );
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = once(child, 'exit');
  const urls = new Map<string, string>();
  await new Promise<void>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(
      () => fail(new Error(`cachepool start did not listen within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}; stderr: ${stderr.trim().slice(-500)}`));
    };
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) !== -1) {
        const text = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        try {
          const line = JSON.parse(text) as Record<string, unknown>;
          if (
            line.msg === 'listening' &&
            typeof line.role === 'string' &&
            typeof line.url === 'string'
          )
            urls.set(line.role, line.url);
        } catch {
          // not a JSON line
        }
      }
      if (urls.has('manager') && urls.has('gateway')) {
        clearTimeout(timer);
        buffer = '';
        resolve();
      }
    });
    child.once('exit', (code) =>
      fail(new Error(`cachepool start exited with ${code} before listening`)),
    );
  });
  const manager = urls.get('manager')!;
  return {
    pid: child.pid!,
    manager,
    gateway: urls.get('gateway')!,
    nodes: async () => {
      const answer = await fetch(`${manager}/api/manager/pool_node_list`, {
        signal: AbortSignal.timeout(10_000),
      });
      const content = ((await answer.json()) as { content: { node_ip_list: string[] } }).content;
      return content.node_ip_list.map((address) => `http://${address}`);
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function requestsFor(operation: Operation, value: string): autocannon.Request[] {
  return Array.from({ length: KEYS }, (_, i) => ({
    method: 'POST' as const,
    path: operation === 'put' ? '/api/cache/content' : '/api/cache/key',
    headers: { 'content-type': FORM },
    body: operation === 'put' ? putForm(`hit-${i}`, value) : keyForm(`hit-${i}`),
  }));
}

interface Load {
  requestsPerS: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers that were not 200, plus connection errors and timeouts. */
  unexpected: number;
}

async function load(
  url: string,
  operation: Operation,
  value: string,
  connections: number,
  durationS: number,
): Promise<Load> {
  const result = await autocannon({
    url,
    connections,
    duration: durationS,
    requests: requestsFor(operation, value),
    timeout: 10,
  });
  const answered = result['2xx'] + result.non2xx;
  return {
    requestsPerS: answered / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    unexpected: result.non2xx + result.errors + result.timeouts,
  };
}

/** Puts the hit keys through the gateway and checks that a hit reads the same bytes both ways. */
async function prepare(node: string, gateway: string, value: string): Promise<void> {
  const post = async (url: string, body: string) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': FORM },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
  };
  for (let i = 0; i < KEYS; i++) {
    const put = await post(`${gateway}/api/cache/content`, putForm(`hit-${i}`, value));
    if (put.status !== 200)
      throw new Error(
        `put hit-${i} through the gateway answered ${put.status}: ${put.bytes.toString()}`,
      );
  }
  const direct = await post(`${node}/api/cache/key`, keyForm('hit-0'));
  const routed = await post(`${gateway}/api/cache/key`, keyForm('hit-0'));
  if (direct.status !== 200 || routed.status !== 200 || !direct.bytes.equals(routed.bytes)) {
    throw new Error(
      `the gateway's hit answer (${routed.status}, ${routed.bytes.length} B) differs from the node's (${direct.status}, ${direct.bytes.length} B)`,
    );
  }
}

/** Runs the gateway benchmark; `options` default to 3 runs of 3 s. */
export async function runGatewayBench(options: Partial<BenchOptions> = {}): Promise<BenchRow[]> {
  const runs = options.runs ?? 3;
  const durationS = options.durationS ?? 3;
  const rows: BenchRow[] = [];
  const pool = await startPool(['--nodes', '1', '--min', '1', '--max', '1', '--capacity', '64']);
  let bare: Server | undefined;
  try {
    const [node] = await pool.nodes();
    if (!node) throw new Error('the pool has no node');
    bare = await startServer(SELF, ['--bare-proxy', node]);
    for (const size of SIZES) {
      const value = dataUrl(size);
      await prepare(node, pool.gateway, value);
      for (const connections of CONNECTIONS) {
        for (const operation of OPERATIONS) {
          const direct: Load[] = [];
          const routed: Load[] = [];
          const proxied: Load[] = [];
          for (let run = 0; run < runs; run++) {
            const directFirst = run % 2 === 0;
            if (directFirst)
              direct.push(await load(node, operation, value, connections, durationS));
            routed.push(await load(pool.gateway, operation, value, connections, durationS));
            if (operation === 'get-hit')
              proxied.push(await load(bare.url, operation, value, connections, durationS));
            if (!directFirst)
              direct.push(await load(node, operation, value, connections, durationS));
          }
          const ratio = median(routed.map((r, i) => r.requestsPerS / direct[i]!.requestsPerS));
          const bareRatio = median(proxied.map((r, i) => r.requestsPerS / direct[i]!.requestsPerS));
          const perRun = routed
            .map((r, i) => (r.requestsPerS / direct[i]!.requestsPerS).toFixed(2))
            .join('/');
          const unexpected = [...routed, ...direct, ...proxied].reduce(
            (sum, l) => sum + l.unexpected,
            0,
          );
          const summary = (loads: Load[]) =>
            `${formatCount(median(loads.map((l) => l.requestsPerS)))} req/s, p50 ${median(loads.map((l) => l.p50Ms))} ms, p99 ${median(loads.map((l) => l.p99Ms))} ms`;
          const row: BenchRow = {
            benchmark: 'gateway',
            case: `${operation}, ${size / 1000} KB, ${connections} conn${connections > 1 ? 's' : ''}`,
            result: `gateway ${summary(routed)}`,
            reference: `direct ${summary(direct)}`,
            ratio,
            target: operation === 'get-hit' ? `≥ ${TARGET.toFixed(2)}×` : '',
            note:
              `${runs} × ${durationS} s; per run ${perRun}` +
              (proxied.length > 0
                ? `; bare proxy ${formatCount(median(proxied.map((l) => l.requestsPerS)))} req/s = ${bareRatio.toFixed(2)}× direct`
                : '') +
              (unexpected > 0 ? `; ${unexpected} unexpected answers/errors` : ''),
          };
          if (operation === 'get-hit') row.met = ratio >= TARGET;
          rows.push(row);
        }
      }
    }
  } finally {
    await Promise.all([pool.stop(), bare?.stop()]);
  }
  return rows;
}

const SELF = fileURLToPath(import.meta.url);

/**
 * The bare proxy: forwards every request to `target` over keep-alive connections and pipes the
 * answer back, with no routing and no key parsing. Logs the listening line like our servers.
 */
async function serveBareProxy(target: string): Promise<void> {
  const upstream = new Pool(target, { connections: 64, pipelining: 1 });
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      upstream
        .request({
          method: request.method as 'POST',
          path: request.url ?? '/',
          headers: {
            'content-type': request.headers['content-type'] ?? 'application/octet-stream',
          },
          body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
        })
        .then(
          (answer) => {
            const type = answer.headers['content-type'];
            const length = answer.headers['content-length'];
            if (type !== undefined) response.setHeader('content-type', type);
            if (length !== undefined) response.setHeader('content-length', length);
            response.writeHead(answer.statusCode);
            answer.body.pipe(response);
          },
          () => response.writeHead(502).end(),
        );
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.stdout.write(
      `${JSON.stringify({ msg: 'listening', role: 'bare-proxy', url: `http://127.0.0.1:${port}` })}\n`,
    );
  });
  process.once('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    void upstream.close();
  });
}

/** The gateway benchmark, for bench/index.ts. */
export const gatewayBenchmark: Benchmark = {
  name: 'gateway',
  description:
    'a node alone vs the same node behind the gateway (autocannon): get-hit/put req/s, p50/p99, ratio',
  run: (options) => runGatewayBench(options),
};

/** `--runs N --duration S` from argv. */
export function benchArgs(argv: readonly string[]): Partial<BenchOptions> {
  const options: Partial<BenchOptions> = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') options.runs = Number(argv[++i]);
    else if (argv[i] === '--duration') options.durationS = Number(argv[++i]);
  }
  return options;
}

if (
  import.meta.url === pathToFileURL(process.argv[1] ?? '').href &&
  process.argv[2] === '--bare-proxy'
) {
  await serveBareProxy(process.argv[3] ?? '');
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await runGatewayBench(benchArgs(process.argv.slice(2)));
  const { renderTable } = await import('./index.js');
  process.stdout.write(`${renderTable(rows)}\n`);
}
