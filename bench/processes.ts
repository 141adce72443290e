/**
 * Child processes for the HTTP benchmarks: a cachepool node (`dist/src/cli/index.js node`), a
 * whole pool (`cachepool start`) and the ceiling server (bench/ceiling-server.ts). Each is started
 * on 127.0.0.1 port 0 and is ready once it logs `{"msg":"listening","role":…,"url":…}` on stdout
 * (a pool: its manager's and its gateway's); later output is drained, not kept.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeProcessEnv } from '../src/node/runtime.js';
import { onJsonLines } from '../test/helpers/json-lines.js';

export const CLI = fileURLToPath(new URL('../src/cli/index.js', import.meta.url));
export const CEILING = fileURLToPath(new URL('./ceiling-server.js', import.meta.url));

/** A started server process. */
export interface Server {
  child: ChildProcess;
  pid: number;
  /** The URL of its (first) listening line. */
  url: string;
  /** SIGTERM, then SIGKILL after the grace period (5 s by default); resolves once it exited. */
  stop(): Promise<void>;
}

interface SpawnOptions {
  /** How long to wait for the listening lines, in ms. */
  timeoutMs: number;
  /** Roles whose listening lines must all be seen; none: the first listening line of any role. */
  roles?: readonly string[];
  /** How long `stop()` waits after SIGTERM before SIGKILL, in ms. */
  graceMs?: number;
}

/**
 * Starts `node <script> <args>` and resolves, with role → URL of the listening lines seen, once
 * the wanted ones are in. From then on its stdout is drained, not kept; the last 4,000 characters
 * of its stderr are kept for the error when it fails to start.
 */
async function spawnServer(
  script: string,
  args: readonly string[],
  options: SpawnOptions,
): Promise<{ child: ChildProcess; urls: Map<string, string>; stop: () => Promise<void> }> {
  const { timeoutMs, roles = [], graceMs = 5_000 } = options;
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // A node runs with the settings cachepool starts its nodes with (src/node/runtime.ts).
    env: {
      ...(script === CLI && args[0] === 'node' ? nodeProcessEnv(process.env) : process.env),
      CACHEPOOL_LOG_LEVEL: 'info',
    },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = once(child, 'exit');
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  const urls = await new Promise<Map<string, string>>((resolve, reject) => {
    const seen = new Map<string, string>();
    let settled = false;
    const stopReading = onJsonLines(child.stdout, (line) => {
      if (settled || line.msg !== 'listening' || typeof line.url !== 'string') return;
      seen.set(typeof line.role === 'string' ? line.role : '', line.url);
      if (roles.every((role) => seen.has(role))) {
        settle();
        // keep draining, so a chatty server never blocks on a full pipe
        child.stdout.resume();
        resolve(seen);
      }
    });
    const onExit = (code: number | null) =>
      fail(new Error(`${script} exited with ${code} before listening`));
    const timer = setTimeout(
      () => fail(new Error(`${script} did not log its listening line within ${timeoutMs} ms`)),
      timeoutMs,
    );
    function settle() {
      settled = true;
      clearTimeout(timer);
      stopReading();
      child.off('exit', onExit);
    }
    function fail(error: Error) {
      if (settled) return;
      settle();
      child.kill('SIGKILL');
      reject(new Error(`${error.message}; stderr: ${stderr.trim().slice(-500)}`));
    }
    child.once('exit', onExit);
  });
  return { child, urls, stop };
}

/** Starts `node <script> <args>` and resolves once it logs its listening line (15 s at most). */
export async function startServer(
  script: string,
  args: readonly string[],
  timeoutMs = 15_000,
): Promise<Server> {
  const { child, urls, stop } = await spawnServer(script, args, { timeoutMs });
  return { child, pid: child.pid!, url: [...urls.values()][0]!, stop };
}

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
  const { child, urls, stop } = await spawnServer(
    CLI,
    [
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
    { timeoutMs, roles: ['manager', 'gateway'], graceMs: 10_000 },
  ).catch((error: unknown) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
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
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Starts a cachepool node with `capacityMb` MB of capacity on a free loopback port. */
export function startNode(capacityMb: number): Promise<Server> {
  return startServer(CLI, [
    'node',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--capacity',
    String(capacityMb),
  ]);
}

/** The resident set size of process `pid` in bytes (VmRSS) and its peak (VmHWM), from /proc. */
export async function residentBytes(pid: number): Promise<{ rssBytes: number; peakBytes: number }> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(match[1]) * 1024;
  };
  return { rssBytes: kb('VmRSS'), peakBytes: kb('VmHWM') };
}
