/**
 * A rolled-back move never brings back an older value over one a reader may have seen. During a
 * move of partition p from A to B, a write stores its value on B and then removes A's copy; when
 * that removal fails (A stood still, or could not be reached), the write is answered as failed,
 * but its value is on B and readers see it. If the move then fails and is rolled back, B hands
 * its keys of p back to A, which keeps its own keys of p as current: here its older copy of that
 * key. The value handed back must win over it. Real node processes on loopback; applyPlan drives
 * the move, and the "failed removal" is a write made on B alone while p moves.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { systemClock } from '../../src/clock.js';
import { PartitionTable, partitionOf, planRebalance } from '../../src/partition/index.js';
import { applyPlan, MigrationProgress, NodeClient, Routing } from '../../src/pool/index.js';
import { startCachepool, stopAll } from '../helpers/process.js';

/**
 * Moves p from A to B, writes on B alone while it moves, fails the move, and writes on A alone
 * while it is rolled back; answers what A and B then hold.
 */
async function failedMove(rollbackDropKeysMax?: number, failFirstRollbackCommit = false) {
  const [nodeA, nodeB] = await Promise.all(
    [0, 1].map(() => startCachepool(['node', '--port', '0'])),
  );
  const a = new URL(nodeA!.urls.get('node')!).host;
  const b = new URL(nodeB!.urls.get('node')!).host;
  const clients = new Map<string, NodeClient>();
  const clientOf = (address: string) => {
    let client = clients.get(address);
    if (!client) clients.set(address, (client = new NodeClient(address)));
    return client;
  };
  const current = PartitionTable.initial([a]);
  const plan = planRebalance(current, [a, b]);
  const moving = new Set(plan.moves.map((move) => move.partition));
  const keys = Array.from({ length: 200 }, (_, i) => `rs-${i}`).filter((key) =>
    moving.has(partitionOf(key)),
  );
  assert.ok(keys.length > 20);
  for (const key of keys) await clientOf(a).put(key, `old-${key}`);
  const [stale, both, untouched] = keys as [string, string, string];

  const routing = new Routing(current);
  const abort = new AbortController();
  let seen: string | undefined;
  const outcome = await applyPlan({
    current,
    plan,
    progress: new MigrationProgress('t-stale', 1, 2, plan.moves.length, systemClock),
    clientOf,
    publish: async (table, movingNow) => {
      if (movingNow.length === 0 && abort.signal.aborted && failFirstRollbackCommit) {
        // The first try of the rollback fails at its very end, after every key was handed back:
        // the next try must not drop what A took back.
        failFirstRollbackCommit = false;
        throw new Error('the publish of the rolled-back table failed');
      }
      await routing.publish(table, movingNow);
      if (movingNow.length === 0) return;
      if (!abort.signal.aborted) {
        // p moves: a write lands on B, and its removal of A's copy fails (not sent). A reader
        // sees the new value. Then the move fails before any key was handed off.
        await clientOf(b).put(stale, 'new');
        await clientOf(b).put(both, 'b-new');
        seen = await clientOf(b).get(stale);
        abort.abort(new Error('the move failed'));
      } else if (movingNow[0]!.to === a && (await clientOf(a).get(both)) === `old-${both}`) {
        // The rollback routes p's writes to A again: one lands there, and its removal of B's
        // copy fails in turn. It is the newest value of that key.
        await clientOf(a).put(both, 'a-new');
      }
    },
    signal: abort.signal,
    chunkKeys: 5,
    ...(rollbackDropKeysMax !== undefined ? { rollbackDropKeysMax } : {}),
  });
  assert.equal(outcome.ok, false, JSON.stringify(outcome));
  assert.equal(seen, 'new');
  assert.deepEqual(outcome.table.owners, current.owners, 'p went back to A');
  const held = {
    stale: await clientOf(a).get(stale),
    both: await clientOf(a).get(both),
    untouched: await clientOf(a).get(untouched),
    expectedUntouched: `old-${untouched}`,
    onB: (await clientOf(b).keys()).filter((key) => moving.has(partitionOf(key))),
  };
  await Promise.all([...clients.values()].map((client) => client.close()));
  return held;
}

describe(
  'a rolled-back move and a write whose removal on the old owner failed',
  { timeout: 60_000 },
  () => {
    after(async () => {
      await stopAll();
    });

    it("hands the new owner's value back over the old owner's older copy, and keeps what the old owner wrote since", async () => {
      const held = await failedMove();
      assert.equal(held.stale, 'new', 'the value readers saw, not the older copy');
      assert.equal(held.both, 'a-new', 'what A was written during the rollback');
      assert.equal(held.untouched, held.expectedUntouched, 'other keys are kept');
      assert.deepEqual(held.onB, [], 'B holds nothing of p');
    });

    it('a rollback tried again does not drop what the old owner took back in the try before', async () => {
      const held = await failedMove(undefined, true);
      assert.equal(held.stale, 'new');
      assert.equal(held.both, 'a-new');
      assert.equal(held.untouched, held.expectedUntouched);
      assert.deepEqual(held.onB, []);
    });

    it('with more such keys than one request names, the old owner drops every key of p but what it was written since', async () => {
      const held = await failedMove(0);
      assert.equal(held.stale, 'new');
      assert.equal(held.both, 'a-new');
      assert.equal(held.untouched, undefined, 'a miss, never an older value');
      assert.deepEqual(held.onB, []);
    });
  },
);
