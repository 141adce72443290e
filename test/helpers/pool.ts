/**
 * A whole pool for integration tests: `cachepool start` (manager, gateway and local nodes) on
 * loopback, ready once both the manager and the gateway log their listening lines.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCachepool, type Started } from './process.js';

/** A started pool: its process and the base URLs of its manager and gateway. */
export interface Pool {
  process: Started;
  manager: string;
  gateway: string;
}

export interface PoolOptions {
  /** The manager's port (default 0: any free port). */
  port?: number;
  /** The manager's data dir (default: a new temp dir, left in place). */
  dataDir?: string;
  /** Extra environment of the `cachepool start` process. */
  env?: Record<string, string>;
}

/**
 * Starts `cachepool start --port <port> --gateway-port 0 --stats-interval 1 --data-dir <dir>`
 * followed by `args`; waits 30 s at most for the manager and the gateway. Stopped by `stopAll`.
 */
export async function startPool(
  args: readonly string[] = [],
  options: PoolOptions = {},
): Promise<Pool> {
  const started = await startCachepool(
    [
      'start',
      '--port',
      String(options.port ?? 0),
      '--gateway-port',
      '0',
      '--stats-interval',
      '1',
      '--data-dir',
      options.dataDir ?? mkdtempSync(join(tmpdir(), 'cachepool-pool-')),
      ...args,
    ],
    {
      roles: ['manager', 'gateway'],
      timeoutMs: 30_000,
      ...(options.env ? { env: options.env } : {}),
    },
  );
  return {
    process: started,
    manager: started.urls.get('manager')!,
    gateway: started.urls.get('gateway')!,
  };
}
