/**
 * A whole pool for integration tests: `cachepool start` (manager, gateway and local nodes) on
 * loopback, ready once both the manager and the gateway log their listening lines.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { call, until } from './http.js';
import { startCachepool } from './process.js';
/**
 * Starts `cachepool start --port <port> --gateway-port 0 --stats-interval 1 --data-dir <dir>`
 * followed by `args`; waits 30 s at most for the manager and the gateway. Stopped by `stopAll`.
 */
export async function startPool(args = [], options = {}) {
    const started = await startCachepool([
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
    ], {
        roles: ['manager', 'gateway'],
        timeoutMs: 30_000,
        ...(options.env ? { env: options.env } : {}),
    });
    return {
        process: started,
        manager: started.urls.get('manager'),
        gateway: started.urls.get('gateway'),
    };
}
/**
 * Grows `pool` by one node and kills that node (SIGKILL) once the new member of cache index
 * `cacheIndex` has been started and at least `keysDone` keys have moved (20 s at most); resolves
 * with the manager's answer to the resize.
 */
export async function killDestinationMidMove(pool, cacheIndex, keysDone) {
    const resizing = call('POST', `${pool.manager}/api/manager/poolsize/manual`, {
        change: 'increase',
    });
    const started = await pool.process.waitForLine((line) => line.msg === 'node started' && line.cache_index === cacheIndex);
    // Polled back to back (each poll is an HTTP call), so that the kill lands soon after the mark.
    await until(`${keysDone} keys moved (the migration never got going)`, async () => {
        const { migration } = (await call('GET', `${pool.manager}/api/manager/migration`)).json
            .content;
        return migration?.running === true && migration.keys_done >= keysDone;
    }, 20_000, 0);
    process.kill(started.node_pid, 'SIGKILL');
    return resizing;
}
/**
 * Asserts that a resize `answer` is a 400 saying it failed, that the migration stopped with an
 * error recorded, and that the pool is still of `size` nodes; returns that migration.
 */
export async function assertResizeFailed(pool, answer, size) {
    assert.equal(answer.status, 400, JSON.stringify(answer.json));
    assert.match(answer.json.error.message, /failed/);
    const { migration } = (await call('GET', `${pool.manager}/api/manager/migration`)).json
        .content;
    assert.equal(migration.running, false);
    assert.notEqual(migration.error, null);
    assert.deepEqual((await call('GET', `${pool.manager}/api/manager/poolsize`)).json.content, {
        size,
    });
    // The charts mark it as a failed resize that aimed at to_size, not as a resize to `size`.
    const { events } = (await call('GET', `${pool.manager}/api/manager/events?minutes=30`)).json
        .content;
    assert.deepEqual(events.at(-1), {
        ...events.at(-1),
        old_size: size,
        new_size: migration.to_size,
        cause: 'rolled-back',
    });
    return migration;
}
//# sourceMappingURL=pool.js.map