/**
 * applyPlan's waits run on the clock it is given (options.clock), not on the process's: a source
 * that answers every move_keys call busy (CP_ERR_MOVE_BUSY) is asked again every
 * defaults.moveBusyRetryMs of that clock until defaults.moveBusyRetryForMs of it have passed,
 * then the migration fails and is rolled back. With a ManualClock the whole wait passes in far
 * less real time than it lasts on the clock; an executor that read Date.now or slept with
 * setTimeout would take the full wait in real time, or wait for ever on a clock that never moves.
 *
 * Real nodes in this process on loopback: the source runs one move_keys call at a time, and the
 * test keeps that one call running (its destination accepts the connection and never answers),
 * so that every call of the migration is refused busy.
 */
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { ManualClock } from '../../src/clock.js';
import { defaults } from '../../src/defaults.js';
import { buildNodeApp, type NodeApp } from '../../src/node/index.js';
import { PartitionTable, partitionOf, planRebalance } from '../../src/partition/index.js';
import {
  applyPlan,
  MigrationProgress,
  NodeClient,
  type MoveKeysRequest,
  type MoveKeysResult,
} from '../../src/pool/index.js';

/** Long enough that the source's held call outlasts the test (it ends when the test closes). */
const HOLD_MS = 120_000;

/** Every node the test started; closed after it. */
const nodes: NodeApp[] = [];

async function startNode(options: Parameters<typeof buildNodeApp>[0] = {}): Promise<NodeApp> {
  const node = await buildNodeApp({ logger: pino({ level: 'silent' }), ...options });
  nodes.push(node);
  await node.app.listen({ host: '127.0.0.1', port: 0 });
  node.setAddress(`127.0.0.1:${(node.app.server.address() as { port: number }).port}`);
  return node;
}

/** A NodeClient that counts its move_keys calls. */
class CountingClient extends NodeClient {
  moveCalls = 0;
  override moveKeys(request: MoveKeysRequest): Promise<MoveKeysResult> {
    this.moveCalls++;
    return super.moveKeys(request);
  }
}

describe('applyPlan on an injected clock', { timeout: 90_000 }, () => {
  // In the order pushed: the stalled destination first, which lets the held call end; the nodes
  // last, once no client keeps a connection to them.
  const closing: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const close of closing) await close();
    await Promise.all(nodes.map((node) => node.app.close()));
  });

  it('retries a busy source until moveBusyRetryForMs of its clock have passed, then fails and rolls back, with no real wait', async () => {
    // A destination that takes the connection and never answers: the call that sends to it runs
    // until the source's peer timeout (HOLD_MS).
    const sockets = new Set<Socket>();
    const stalled = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    closing.push(
      () =>
        new Promise((resolve) => {
          for (const socket of sockets) socket.destroy();
          stalled.close(resolve);
        }),
    );
    const stalledAddress = `127.0.0.1:${(stalled.address() as { port: number }).port}`;

    const source = await startNode({ moveConcurrency: 1, peerTimeoutMs: HOLD_MS });
    const destination = await startNode();
    const sourceClient = new CountingClient(source.address());
    const destinationClient = new NodeClient(destination.address());
    const holder = new NodeClient(source.address(), { timeoutMs: HOLD_MS });
    closing.push(
      () => sourceClient.close(),
      () => destinationClient.close(),
      () => holder.close(),
    );
    const clientOf = (address: string) =>
      address === source.address() ? sourceClient : destinationClient;

    const current = PartitionTable.initial([source.address()]);
    const plan = planRebalance(current, [source.address(), destination.address()]);
    const keys = Array.from({ length: 50 }, (_, i) => `k${i}`);
    for (const key of keys) await sourceClient.put(key, `value-${key}`);
    const moving = keys.filter((key) => plan.table.owners[partitionOf(key)] !== source.address());
    assert.ok(moving.length > 0);

    // Take the source's one move_keys slot: once the stalled destination has its connection,
    // the call is running and stays so.
    const connected = new Promise((resolve) => stalled.once('connection', resolve));
    const held = holder
      .moveKeys({ dest: { [stalledAddress]: [keys[0]!] } })
      .catch((error: unknown) => error);
    closing.push(() => held);
    await connected;

    const clock = new ManualClock(1_000_000);
    const startedAtMs = clock.now();
    const realStart = performance.now();
    const outcome = await applyPlan({
      current,
      plan,
      progress: new MigrationProgress('t-clock', 1, 2, plan.moves.length, clock),
      clientOf,
      publish: async () => undefined,
      movesInFlight: 1,
      clock,
    });
    const realMs = performance.now() - realStart;
    const waitedMs = clock.now() - startedAtMs;

    assert.equal(outcome.ok, false, JSON.stringify(outcome));
    assert.match((outcome as { error: string }).error, /busy/);
    // The migration gave up once its clock had passed the deadline, one retry pause later at most.
    assert.ok(waitedMs >= defaults.moveBusyRetryForMs, `the clock moved ${waitedMs} ms`);
    assert.ok(
      waitedMs <= defaults.moveBusyRetryForMs + 2 * defaults.moveBusyRetryMs,
      `the clock moved ${waitedMs} ms`,
    );
    // One call per pause of the clock, as long as the deadline was not passed.
    const pauses = defaults.moveBusyRetryForMs / defaults.moveBusyRetryMs;
    assert.ok(
      sourceClient.moveCalls >= pauses && sourceClient.moveCalls <= pauses + 2,
      `${sourceClient.moveCalls} move_keys calls`,
    );
    // Waiting by the process's time would have taken the whole wait in real time.
    assert.ok(realMs < defaults.moveBusyRetryForMs, `took ${Math.round(realMs)} ms of real time`);
    // Rolled back: the old table's owners under a newer version, every key still on the source.
    assert.deepEqual(outcome.table.owners, current.owners);
    assert.ok(outcome.table.version > plan.table.version);
    assert.deepEqual((await sourceClient.keys()).sort(), [...keys].sort());
    assert.deepEqual(await destinationClient.keys(), []);
  });
});
