/**
 * A whole pool for integration tests: `cachepool start` (manager, gateway and local nodes) on
 * loopback, ready once both the manager and the gateway log their listening lines.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { call, until, type EnvelopeAnswer } from './http.js';
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

/** A failed migration as `GET /api/manager/migration` reports it. */
export interface FailedMigration {
  running: boolean;
  error: string | null;
  keys_done: number;
  to_size: number;
}

/**
 * Grows `pool` by one node and kills that node (SIGKILL) once the new member of cache index
 * `cacheIndex` has been started and at least `keysDone` keys have moved (20 s at most); resolves
 * with the manager's answer to the resize.
 */
export async function killDestinationMidMove(
  pool: Pool,
  cacheIndex: number,
  keysDone: number,
): Promise<EnvelopeAnswer> {
  const resizing = call('POST', `${pool.manager}/api/manager/poolsize/manual`, {
    change: 'increase',
  });
  const started = await pool.process.waitForLine(
    (line) => line.msg === 'node started' && line.cache_index === cacheIndex,
  );
  // Polled back to back (each poll is an HTTP call), so that the kill lands soon after the mark.
  await until(
    `${keysDone} keys moved (the migration never got going)`,
    async () => {
      const { migration } = (await call('GET', `${pool.manager}/api/manager/migration`)).json
        .content as {
        migration: { running: boolean; keys_done: number } | null;
      };
      return migration?.running === true && migration.keys_done >= keysDone;
    },
    20_000,
    0,
  );
  process.kill(started.node_pid as number, 'SIGKILL');
  return resizing;
}

/**
 * Asserts that a resize `answer` is a 400 saying it failed, that the migration stopped with an
 * error recorded, and that the pool is still of `size` nodes; returns that migration.
 */
export async function assertResizeFailed(
  pool: Pool,
  answer: EnvelopeAnswer,
  size: number,
): Promise<FailedMigration> {
  assert.equal(answer.status, 400, JSON.stringify(answer.json));
  assert.match(answer.json.error!.message, /failed/);
  const { migration } = (await call('GET', `${pool.manager}/api/manager/migration`)).json
    .content as { migration: FailedMigration };
  assert.equal(migration.running, false);
  assert.notEqual(migration.error, null);
  assert.deepEqual((await call('GET', `${pool.manager}/api/manager/poolsize`)).json.content, {
    size,
  });
  // The charts mark it as a failed resize that aimed at to_size, not as a resize to `size`.
  const { events } = (await call('GET', `${pool.manager}/api/manager/events?minutes=30`)).json
    .content as { events: { old_size: number; new_size: number; cause: string }[] };
  assert.deepEqual(events.at(-1), {
    ...events.at(-1),
    old_size: size,
    new_size: migration.to_size,
    cause: 'rolled-back',
  });
  return migration;
}
