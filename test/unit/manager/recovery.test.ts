/**
 * The migration journal's per-move progress: a resize marks each move done once its source has
 * drained (applyPlan's onPartitionsDone → StateDb.markMoveDone), and settleMigration uses those
 * flags to leave alone a source that has nothing left to hand off — while a journal without
 * flags still settles correctly by going through every live source. Real nodes in this process
 * (buildNodeApp on 127.0.0.1:0); requests reaching a node are seen on its HTTP server.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import {
  Manager,
  settleMigration,
  StaticProvisioner,
  type MigrationRecord,
} from '../../../src/manager/index.js';
import type { NodeApp } from '../../../src/node/index.js';
import { partitionOf, PartitionTable, planRebalance } from '../../../src/partition/index.js';
import { LocalNodes } from '../../helpers/local-nodes.js';

const logger = pino({ level: 'silent' });
const nodes = new LocalNodes();
const { start: startNode, client, assertPlaced } = nodes;
after(nodes.close);

/** Records the `METHOD path` of every request that reaches `node` from now on. */
function watch(node: NodeApp): string[] {
  const seen: string[] = [];
  node.app.server.on('request', (request: IncomingMessage) =>
    seen.push(`${request.method} ${request.url}`),
  );
  return seen;
}

/**
 * A grow from [a, b] to [a, b, c] interrupted after a has handed off every key of its moving
 * partitions and b only half of its own: the state a killed manager leaves behind.
 */
async function interrupted(id: string) {
  const [a, b, c] = await Promise.all([startNode(), startNode(), startNode()]);
  const from = PartitionTable.initial([a.address, b.address]);
  const plan = planRebalance(from, [a.address, b.address, c.address]);
  assert.deepEqual(new Set(plan.moves.map((m) => m.from)), new Set([a.address, b.address]));
  const keys = Array.from({ length: 300 }, (_, i) => `journal-${id}-${i}`);
  for (const key of keys) await client(from.ownerOfKey(key)).put(key, `v-${key}`);
  await client(c.address).beginMigration(
    id,
    plan.moves.map((m) => m.partition),
  );
  const movingFrom = (source: string) =>
    keys.filter(
      (key) => from.ownerOfKey(key) === source && plan.table.ownerOfKey(key) === c.address,
    );
  const fromA = movingFrom(a.address);
  const fromB = movingFrom(b.address);
  assert.ok(fromA.length > 0 && fromB.length > 1);
  await client(a.address).moveKeys({ dest: { [c.address]: fromA }, migration: id });
  await client(b.address).moveKeys({
    dest: { [c.address]: fromB.slice(0, fromB.length / 2) },
    migration: id,
  });
  const record = (doneFrom: ReadonlySet<string>): MigrationRecord => ({
    id,
    fromTable: from,
    toTable: plan.table,
    moves: plan.moves.map((m) => ({ ...m, done: doneFrom.has(m.from) })),
    startedAtMs: 0,
    finishedAtMs: null,
    outcome: null,
    error: null,
  });
  return { a, b, c, keys, record };
}

describe('settleMigration with the journal of done moves', () => {
  it('completes without calling a source whose moves are all journaled done', async () => {
    const { a, b, c, keys, record } = await interrupted('m-done-a');
    const seenOnA = watch(a.node);
    const seenOnB = watch(b.node);
    const settled = await settleMigration(record(new Set([a.address])), {
      clientOf: client,
      alive: new Set([a.address, b.address, c.address]),
      chunkKeys: 7,
      logger,
      publish: async () => {},
    });
    assert.equal(settled.outcome, 'done', String(settled.reason));
    assert.deepEqual(settled.table.owners, record(new Set()).toTable.owners);
    assert.deepEqual(seenOnA, []);
    assert.ok(seenOnB.includes('GET /keys'), seenOnB.join(', '));
    await assertPlaced(settled.table, [a.address, b.address, c.address], keys);
  });

  it('goes through every live source when no move is journaled done', async () => {
    const { a, b, c, keys, record } = await interrupted('m-no-flags');
    const seenOnA = watch(a.node);
    const settled = await settleMigration(record(new Set()), {
      clientOf: client,
      alive: new Set([a.address, b.address, c.address]),
      chunkKeys: 7,
      logger,
      publish: async () => {},
    });
    assert.equal(settled.outcome, 'done', String(settled.reason));
    // a is listed again; having drained before the interruption, it has nothing to hand off.
    assert.ok(seenOnA.includes('GET /keys'), seenOnA.join(', '));
    assert.equal(seenOnA.filter((line) => line.includes('move_keys')).length, 0);
    await assertPlaced(settled.table, [a.address, b.address, c.address], keys);
  });
});

describe('settleMigration rolling back', () => {
  it('runs the moves backwards under routing it publishes, keeps writes made during the move, and leaves a partition whose old owner is gone with its new owner', async () => {
    const { a, b, c, keys, record } = await interrupted('m-rollback');
    const journal = record(new Set());
    const moving = new Set(journal.moves.map((move) => move.partition));
    const from = journal.fromTable;
    const movingOf = (address: string) =>
      keys.filter(
        (key) => from.owners[partitionOf(key)] === address && moving.has(partitionOf(key)),
      );
    // A write routed by the moving state during the move: the new owner c takes it, the old
    // owner a's copy is invalidated.
    const written = movingOf(a.address)[0]!;
    await client(c.address).put(written, 'newer');
    await client(a.address).invalidate(written);
    const onCBefore = new Set(await client(c.address).keys());
    // b does not answer at restart: its partitions stay with c, which holds what b handed it.
    b.node.app.server.closeAllConnections();
    await b.node.app.close();
    const published: { version: number; moving: string[] }[] = [];
    const settled = await settleMigration(journal, {
      clientOf: client,
      alive: new Set([a.address, c.address]),
      chunkKeys: 7,
      logger,
      publish: async (table, movingNow) => {
        published.push({
          version: table.version,
          moving: movingNow.map((m) => `${m.partition}:${m.from}>${m.to}`),
        });
      },
    });
    assert.equal(settled.outcome, 'rolled-back');
    assert.ok(settled.table.version > journal.toTable.version);
    const expectedOwners = from.owners.map((owner, partition) =>
      owner === b.address && moving.has(partition) ? c.address : owner,
    );
    assert.deepEqual(settled.table.owners, expectedOwners);
    // The backward moves were routed first (writes to a, the old owner), then the final table.
    const backward = journal.moves
      .filter((move) => move.from === a.address)
      .map((move) => `${move.partition}:${c.address}>${a.address}`);
    assert.ok(published.length >= 2, JSON.stringify(published));
    assert.deepEqual(published[0]!.moving, backward);
    assert.deepEqual(published.at(-1), { version: settled.table.version, moving: [] });
    for (const key of movingOf(a.address))
      assert.equal(
        await client(a.address).get(key),
        key === written ? 'newer' : `v-${key}`,
        `${key} is back on its old owner with its latest value`,
      );
    const onC = await client(c.address).keys();
    assert.deepEqual(
      onC.filter((key) => movingOf(a.address).includes(key)),
      [],
      "nothing of a's moving partitions is left on c",
    );
    for (const key of movingOf(b.address).filter((k) => onCBefore.has(k)))
      assert.equal(await client(c.address).get(key), `v-${key}`, `${key} stays with c`);
  });
});

describe('Manager resize journal', () => {
  it('marks every move of a finished resize done, and only moves that were planned', async () => {
    const a = await startNode();
    const b = await startNode();
    const manager = new Manager({
      provisioner: new StaticProvisioner({ nodes: [a.address, b.address] }),
      logger,
      initialNodes: 1,
      moveChunkKeys: 5,
    });
    await manager.start();
    try {
      const keys = Array.from({ length: 60 }, (_, i) => `resize-journal-${i}`);
      for (const key of keys) await client(a.address).put(key, `v-${key}`);
      await manager.resize(2, 'manual');
      const journal = manager.db.lastMigration();
      assert.ok(journal);
      assert.equal(journal.outcome, 'done');
      assert.ok(journal.moves.length > 0);
      assert.deepEqual(
        journal.moves.filter((move) => !move.done),
        [],
        'every move of the finished resize is journaled done',
      );
      for (const move of journal.moves) {
        assert.equal(move.from, a.address);
        assert.equal(move.to, b.address);
      }
      assert.deepEqual(
        new Set(journal.moves.map((move) => move.partition)),
        new Set(
          manager.table.owners.flatMap((owner, partition) =>
            owner === b.address ? [partition] : [],
          ),
        ),
      );
      for (const key of keys)
        assert.equal(await client(manager.table.ownerOfKey(key)).get(key), `v-${key}`);
      assert.ok(keys.some((key) => manager.table.ownerOfKey(key) === b.address));
    } finally {
      await manager.close();
    }
  });
});
