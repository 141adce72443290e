/**
 * Child processes for the HTTP benchmarks: a cachepool node (`dist/src/cli/index.js node`) and
 * the ceiling server (bench/ceiling-server.ts). Each is started on 127.0.0.1 port 0 and is ready
 * once it logs `{"msg":"listening","role":…,"url":…}` on stdout; later output is drained, not kept.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../src/cli/index.js', import.meta.url));
export const CEILING = fileURLToPath(new URL('./ceiling-server.js', import.meta.url));

/** A started server process. */
export interface Server {
  child: ChildProcess;
  pid: number;
  url: string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once it exited. */
  stop(): Promise<void>;
}

/** Starts `node <script> <args>` and resolves once it logs its listening line (15 s at most). */
export async function startServer(
  script: string,
  args: readonly string[],
  timeoutMs = 15_000,
): Promise<Server> {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CACHEPOOL_LOG_LEVEL: 'info' },
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = once(child, 'exit');
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(
      () => fail(new Error(`${script} did not log its listening line within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}; stderr: ${stderr.trim().slice(-500)}`));
    };
    const onData = (chunk: string) => {
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) !== -1) {
        const text = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        try {
          const line = JSON.parse(text) as Record<string, unknown>;
          if (line.msg === 'listening' && typeof line.url === 'string') {
            clearTimeout(timer);
            child.stdout!.off('data', onData);
            child.stdout!.resume(); // keep draining, so a chatty server never blocks on a full pipe
            resolve(line.url);
            return;
          }
        } catch {
          // not a JSON line: ignore
        }
      }
    };
    child.stdout!.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) => fail(new Error(`${script} exited with ${code} before listening`)));
  });
  return { child, pid: child.pid!, url, stop };
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
