/**
 * The Manager against real cache nodes in this process (buildNodeApp on 127.0.0.1:0) and the
 * static provisioner: its state survives a new Manager on the same database; a config refused by
 * one node is rolled back on the others; an interrupted migration is completed or rolled back by
 * settleMigration with every key on the owner of the table it returns.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import {
  HealthMonitor,
  Manager,
  Scaling,
  settleMigration,
  StateDb,
  StaticProvisioner,
} from '../../../src/manager/index.js';
import { partitionOf, PartitionTable, planRebalance } from '../../../src/partition/index.js';
import { LocalNodes } from '../../helpers/local-nodes.js';

const logger = pino({ level: 'silent' });
const nodes = new LocalNodes();
const { start: startNode, client, assertPlaced } = nodes;
after(nodes.close);

describe('Manager state', () => {
  it('is read back by a new Manager on the same database: members, table, config, mode and decisions', async () => {
    const a = await startNode();
    const b = await startNode();
    const dir = mkdtempSync(join(tmpdir(), 'cachepool-state-'));
    const db = StateDb.open(dir);
    const provisioner = new StaticProvisioner({ nodes: [a.address, b.address] });
    const first = new Manager({ provisioner, logger, db, initialNodes: 2 });
    assert.equal(first.restored, false);
    await first.start();
    await first.setConfig({ capacityMb: 16, policy: 'rr' });
    const scaling = new Scaling({ manager: first, logger, scaleIntervalS: 1 });
    scaling.thresholds = {
      maxMissRateThreshold: 0.6,
      minMissRateThreshold: 0.2,
      expandRatio: 3,
      shrinkRatio: 0.25,
    };
    scaling.minRequests = 3;
    scaling.mode = 'automatic';
    await scaling.tick();
    const table = first.table.toJSON();
    await scaling.stop();
    db.close();

    const reopened = StateDb.open(dir);
    const second = new Manager({
      provisioner: new StaticProvisioner({ nodes: [a.address, b.address] }),
      logger,
      db: reopened,
      initialNodes: 1,
    });
    assert.equal(second.restored, true);
    await second.start();
    assert.deepEqual(
      second.members().map((m) => [m.address, m.cacheIndex, m.status]),
      [
        [a.address, 0, 'up'],
        [b.address, 1, 'up'],
      ],
    );
    assert.deepEqual(second.table.toJSON(), table);
    assert.deepEqual(second.config, { capacityMb: 16, policy: 'rr' });
    const again = new Scaling({ manager: second, logger });
    assert.equal(again.mode, 'automatic');
    assert.equal(again.minRequests, 3);
    assert.equal(again.thresholds.expandRatio, 3);
    assert.equal(again.decisions().length, 1);
    assert.match(again.decisions()[0]!.reason, /GET requests/);
    reopened.close();
  });

  it('rolls a refused cache config back on the nodes that accepted it and names the refusing node', async () => {
    const a = await startNode();
    const b = await startNode();
    const manager = new Manager({
      provisioner: new StaticProvisioner({ nodes: [a.address, b.address] }),
      logger,
      initialNodes: 2,
    });
    await manager.start();
    await b.node.app.close();
    await assert.rejects(manager.setConfig({ capacityMb: 8, policy: 'rr' }), (error: Error) => {
      assert.match(error.message, new RegExp(b.address));
      assert.equal((error as unknown as { statusCode: number }).statusCode, 400);
      return true;
    });
    assert.equal(a.node.node.policy, 'lru');
    assert.equal(a.node.node.capacityMb, 64);
    assert.deepEqual(manager.config, { capacityMb: 64, policy: 'lru' });
  });
});

describe('settleMigration', () => {
  async function halfMoved(id: string) {
    const a = await startNode();
    const b = await startNode();
    const from = PartitionTable.initial([a.address]);
    const plan = planRebalance(from, [a.address, b.address]);
    const keys = Array.from({ length: 200 }, (_, i) => `settle-${i}`);
    for (const key of keys) await client(a.address).put(key, `v-${key}`);
    await client(b.address).beginMigration(
      id,
      plan.moves.map((m) => m.partition),
    );
    // Half of the moving keys reach b before the manager "dies".
    const moving = keys.filter((key) => plan.table.owners[partitionOf(key)] === b.address);
    await client(a.address).moveKeys({
      dest: { [b.address]: moving.slice(0, moving.length / 2) },
      migration: id,
    });
    const record = {
      id,
      fromTable: from,
      toTable: plan.table,
      moves: plan.moves.map((m) => ({ ...m, done: false })),
      startedAtMs: 0,
      finishedAtMs: null,
      outcome: null,
      error: null,
    };
    return { a, b, keys, record };
  }

  it('completes the moves when every new owner answers', async () => {
    const { a, b, keys, record } = await halfMoved('m-complete');
    const settled = await settleMigration(record, {
      clientOf: client,
      alive: new Set([a.address, b.address]),
      chunkKeys: 7,
      logger,
      publish: async () => {},
    });
    assert.equal(settled.outcome, 'done');
    assert.deepEqual(settled.table.owners, record.toTable.owners);
    await assertPlaced(settled.table, [a.address, b.address], keys);
  });

  it('rolls back to the old owners, under a newer version, when completing is not possible', async () => {
    const { a, b, keys, record } = await halfMoved('m-back');
    // Pretend b did not answer the probe: the old table comes back and b's keys go home.
    const settled = await settleMigration(
      {
        ...record,
        toTable: new PartitionTable(
          record.toTable.version,
          record.toTable.strategy,
          record.toTable.owners.map((o) => (o === b.address ? '127.0.0.1:1' : o)),
        ),
      },
      {
        clientOf: client,
        alive: new Set([a.address, b.address]),
        chunkKeys: 7,
        logger,
        publish: async () => {},
      },
    );
    assert.equal(settled.outcome, 'rolled-back');
    assert.ok(settled.table.version > record.toTable.version);
    assert.deepEqual(settled.table.owners, record.fromTable.owners);
    // What b had received went back to a; b holds nothing it does not own.
    assert.deepEqual(await client(b.address).keys(), []);
    await assertPlaced(settled.table, [a.address], keys);
  });
});

describe('HealthMonitor', () => {
  it('reports a node down after the set number of failures in a row, and up at the first success', async () => {
    const answers = new Map<string, boolean>([['n:1', true]]);
    const events: string[] = [];
    const monitor = new HealthMonitor({
      addresses: () => ['n:1'],
      probe: async (address) => answers.get(address) ?? false,
      failuresDown: 3,
      onDown: (address) => events.push(`down ${address}`),
      onUp: (address) => events.push(`up ${address}`),
    });
    await monitor.tick();
    answers.set('n:1', false);
    await monitor.tick();
    await monitor.tick();
    assert.deepEqual(events, []);
    await monitor.tick();
    assert.deepEqual(events, ['down n:1']);
    await monitor.tick();
    assert.deepEqual(events, ['down n:1']);
    answers.set('n:1', true);
    await monitor.tick();
    assert.deepEqual(events, ['down n:1', 'up n:1']);
    assert.equal(monitor.isDown('n:1'), false);
  });
});
