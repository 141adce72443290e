/**
 * The local provisioner against real node processes: supervision (a killed node comes back on its
 * port) and the races around it that a resize meets when its new node is killed mid-move — the
 * dead node's replacement starting while the manager stops that node and starts a new one with
 * the same cache_index (and so the same log file).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { LocalProvisioner } from '../../src/manager/provisioners/local.js';
import {
  NODE_MALLOC_ARENAS,
  NODE_MMAP_THRESHOLD_BYTES,
  NODE_SEMI_SPACE_MB,
} from '../../src/node/runtime.js';
import type { NodeSpec, ProvisionerEvent } from '../../src/manager/provisioner.js';
import { until } from '../helpers/http.js';
import { isAlive } from '../helpers/process.js';
import { removeTempDirs, tempDir } from '../helpers/temp-dir.js';

const spec: NodeSpec = { cacheIndex: 2, capacityMb: 8, policy: 'lru' };

/** True when a cache node answers its health check at `address`. */
async function answers(address: string): Promise<boolean> {
  try {
    const response = await fetch(`http://${address}/healthz`, {
      signal: AbortSignal.timeout(2000),
    });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** A provisioner logging into `lines`, and the events it emits. */
function harness(execPath?: string): {
  provisioner: LocalProvisioner;
  lines: Record<string, unknown>[];
  events: ProvisionerEvent[];
  logDir: string;
} {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of String(chunk).split('\n')) if (text) lines.push(JSON.parse(text));
      done();
    },
  });
  const logDir = tempDir('cachepool-local-');
  const provisioner = new LocalProvisioner({
    statsIntervalS: 5,
    logger: pino({ level: 'info' }, sink),
    logDir,
    ...(execPath === undefined ? {} : { execPath }),
  });
  const events: ProvisionerEvent[] = [];
  provisioner.onEvent((event) => events.push(event));
  return { provisioner, lines, events, logDir };
}

describe('local provisioner', { timeout: 60_000 }, () => {
  const provisioners: LocalProvisioner[] = [];
  after(async () => {
    await Promise.all(provisioners.map((p) => p.close()));
    removeTempDirs();
  });

  it('restarts a killed node on its port with a new process', async () => {
    const { provisioner, events } = harness();
    provisioners.push(provisioner);
    const [address] = await provisioner.startNodes([spec], 0);
    const first = provisioner.pidOf(address!)!;
    process.kill(first, 'SIGKILL');
    await until('the node is restarted', () => events.some((e) => e.kind === 'restarted'));
    const second = provisioner.pidOf(address!)!;
    assert.notEqual(second, first);
    assert.ok(isAlive(second));
    assert.deepEqual(
      events.map((e) => [e.kind, e.address]),
      [
        ['exited', address],
        ['restarted', address],
      ],
    );
    await provisioner.stopNode(address!, 0);
    assert.equal(isAlive(second), false);
  });

  it('a new node of the same cache_index started while a dead one is being replaced gets its own address', async () => {
    const { provisioner, events } = harness();
    provisioners.push(provisioner);
    const [dead] = await provisioner.startNodes([spec], 0);
    process.kill(provisioner.pidOf(dead!)!, 'SIGKILL');
    await until('the node exit is seen', () => events.some((e) => e.kind === 'exited'));
    // The replacement is starting now and writes to the same log file as the new node.
    const [fresh] = await provisioner.startNodes([spec], 0);
    assert.notEqual(fresh, dead, 'the new node was given the replacement’s address');
    const pid = provisioner.pidOf(fresh!)!;
    assert.ok(isAlive(pid));
    assert.ok(await answers(fresh!), 'nothing answers at the new node’s address');

    await until('the replacement is up', () => events.some((e) => e.kind === 'restarted'));
    await provisioner.stopNode(dead!, 0);
    assert.equal(await answers(dead!), false, 'the stopped node still answers');
    assert.ok(await answers(fresh!), 'the new node went away with the old one');
    assert.ok(isAlive(pid));
  });

  it('stopping a dead node while its replacement starts stops the replacement, quietly', async () => {
    const { provisioner, events, lines } = harness();
    provisioners.push(provisioner);
    const [dead] = await provisioner.startNodes([spec], 0);
    process.kill(provisioner.pidOf(dead!)!, 'SIGKILL');
    await until('the node exit is seen', () => events.some((e) => e.kind === 'exited'));
    await provisioner.stopNode(dead!, 0);
    await until('the replacement is abandoned', () =>
      lines.some((line) => line.msg === 'node restart abandoned: the node was stopped'),
    );
    assert.equal(await answers(dead!), false, 'the replacement answers');
    assert.equal(provisioner.addresses().length, 0);
    assert.ok(!events.some((e) => e.kind === 'restarted'));
    assert.ok(!lines.some((line) => line.msg === 'node restart failed'));
  });
  it('a node killed right after logging its listening line is a failed start, or supervised', async () => {
    const { provisioner, events, logDir } = harness();
    provisioners.push(provisioner);
    const log = join(logDir, `node-${spec.cacheIndex}.log`);
    const starting = provisioner.startNodes([spec], 0);
    // Kill it the moment its listening line is written, before the provisioner's next read.
    let killed: { pid: number; url: string } | undefined;
    await until(
      'the node logs its listening line',
      () => {
        if (!existsSync(log)) return false;
        for (const text of readFileSync(log, 'utf8').split('\n')) {
          if (!text.includes('"listening"')) continue;
          const line = JSON.parse(text) as { pid: number; url: string };
          process.kill(line.pid, 'SIGKILL');
          killed = line;
          return true;
        }
        return false;
      },
      20_000,
      1,
    );
    const outcome = await starting.then(
      (addresses) => ({ addresses }),
      (error: unknown) => ({ error }),
    );
    if ('error' in outcome) {
      // Refused: nothing is left behind as if it ran.
      assert.match(String(outcome.error), /exited/);
      assert.deepEqual(provisioner.addresses(), []);
    } else {
      // Taken as started just before it died: then its death is seen and it is restarted.
      const [address] = outcome.addresses;
      assert.equal(`http://${address}`, killed!.url);
      await until('the dead node is reported', () =>
        events.some((e) => e.kind === 'exited' && e.address === address),
      );
      await until('the node is restarted', () => events.some((e) => e.kind === 'restarted'));
      assert.notEqual(provisioner.pidOf(address!), killed!.pid);
    }
  });

  it('starts nodes with the runtime settings of a node process', async () => {
    const { provisioner, logDir } = harness();
    provisioners.push(provisioner);
    const [address] = await provisioner.startNodes([spec], 0);
    const environ = readFileSync(`/proc/${provisioner.pidOf(address!)!}/environ`, 'utf8').split(
      '\0',
    );
    assert.ok(environ.includes(`MALLOC_ARENA_MAX=${NODE_MALLOC_ARENAS}`), environ.join(' '));
    assert.ok(environ.includes(`MALLOC_MMAP_THRESHOLD_=${NODE_MMAP_THRESHOLD_BYTES}`));
    assert.ok(
      environ.some(
        (entry) =>
          entry.startsWith('NODE_OPTIONS=') &&
          entry.includes(`--max-semi-space-size=${NODE_SEMI_SPACE_MB}`),
      ),
    );
    // The node found its young generation capped: no warning in its log.
    const log = readFileSync(join(logDir, `node-${spec.cacheIndex}.log`), 'utf8');
    assert.doesNotMatch(log, /started without --max-semi-space-size/);
  });

  it('a node binary that cannot be spawned is a refused start, not a crash', async () => {
    const { provisioner } = harness('/nonexistent/cachepool-test/node');
    provisioners.push(provisioner);
    await assert.rejects(provisioner.startNodes([spec], 0), /could not be started: .*ENOENT/);
    assert.deepEqual(provisioner.addresses(), []);
  });
});
