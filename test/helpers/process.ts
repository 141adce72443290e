/**
 * Starts real cachepool processes for tests: `node dist/src/cli/index.js <args>` on loopback,
 * waits for their "listening" log lines and stops them at the end. Each process logs JSON lines
 * (pino); a server logs `{"msg":"listening","role":"…","url":"http://127.0.0.1:PORT"}` once ready.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { nodeProcessEnv } from '../../src/node/runtime.js';
import { onJsonLines } from './json-lines.js';

export const CLI = fileURLToPath(new URL('../../src/cli/index.js', import.meta.url));

export interface Started {
  child: ChildProcess;
  /** role → base URL, from the listening lines seen so far (`node`, `manager`, `gateway`, …). */
  urls: Map<string, string>;
  /** Every log line seen (parsed JSON, or `{raw}` for non-JSON). */
  lines: Record<string, unknown>[];
  /** Resolves with the next log line that matches. */
  waitForLine(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code or signal. */
  stop: (graceMs?: number) => Promise<number | string | null>;
  kill(signal?: NodeJS.Signals): void;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Roles whose listening line must be seen before resolving (default: first listening line). */
  roles?: string[];
  timeoutMs?: number;
}

const running = new Set<Started>();

/** Starts `cachepool <args>` and resolves once the wanted roles are listening. */
export async function startCachepool(args: string[], options: StartOptions = {}): Promise<Started> {
  const child = spawn(process.execPath, [CLI, ...args], {
    // A node runs with the settings cachepool starts its nodes with (src/node/runtime.ts).
    env: {
      ...(args[0] === 'node' ? nodeProcessEnv(process.env) : process.env),
      CACHEPOOL_LOG_LEVEL: process.env.CACHEPOOL_LOG_LEVEL ?? 'info',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const urls = new Map<string, string>();
  const lines: Record<string, unknown>[] = [];
  const waiters: {
    match: (l: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
  }[] = [];
  let stderr = '';
  onJsonLines(child.stdout, (line) => {
    lines.push(line);
    if (line.msg === 'listening' && typeof line.role === 'string' && typeof line.url === 'string') {
      urls.set(line.role, line.url);
    }
    for (const waiter of [...waiters]) {
      if (waiter.match(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    if (process.env.CACHEPOOL_TEST_STDERR) process.stderr.write(chunk);
  });

  const waitForLine: Started['waitForLine'] = (match, timeoutMs = 15_000) => {
    const seen = lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        reject(
          new Error(
            `timed out waiting for a log line from cachepool ${args.join(' ')}; stderr: ${stderr.slice(-2000)}`,
          ),
        );
      }, timeoutMs);
      const waiter = {
        match,
        resolve: (line: Record<string, unknown>) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      waiters.push(waiter);
    });
  };

  const started: Started = {
    child,
    urls,
    lines,
    waitForLine,
    kill: (signal = 'SIGKILL') => {
      child.kill(signal);
    },
    stop: async (graceMs = 5_000) => {
      running.delete(started);
      if (child.exitCode !== null || child.signalCode !== null)
        return child.exitCode ?? child.signalCode;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const [code, signal] = (await exited) as [number | null, string | null];
      clearTimeout(timer);
      return code ?? signal;
    },
  };
  running.add(started);

  const exitedEarly = once(child, 'exit').then(([code]) => {
    throw new Error(
      `cachepool ${args.join(' ')} exited with ${code} before it was ready; stderr: ${stderr.slice(-2000)}`,
    );
  });
  const roles = options.roles ?? [];
  const ready =
    roles.length === 0
      ? waitForLine((l) => l.msg === 'listening', options.timeoutMs)
      : Promise.all(
          roles.map((role) =>
            waitForLine((l) => l.msg === 'listening' && l.role === role, options.timeoutMs),
          ),
        );
  try {
    await Promise.race([ready, exitedEarly]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  exitedEarly.catch(() => {});
  return started;
}

/** Stops every process started by this test file that is still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
}

/** Whether a process of id `pid` exists (signal 0 reaches it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
