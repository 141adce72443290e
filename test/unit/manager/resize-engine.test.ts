/**
 * The manager's resize engine, node starter and node lifecycle against an in-process provisioner
 * (test/helpers/in-process-provisioner.ts): real cache nodes in this process that it starts,
 * stops, lets die and restarts, so that growing, shrinking and a node's death are tested
 * without child processes.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { pino, type Logger } from 'pino';
import { Manager, type ManagerOptions } from '../../../src/manager/index.js';
import { routingVersionOf, type PartitionTable } from '../../../src/partition/index.js';
import { NodeClient, Routing, type MovingPartition } from '../../../src/pool/index.js';
import { InProcessProvisioner } from '../../helpers/in-process-provisioner.js';
import { until } from '../../helpers/http.js';

const logger = pino({ level: 'silent' });
const clients = new Map<string, NodeClient>();
function client(address: string): NodeClient {
  let found = clients.get(address);
  if (!found) clients.set(address, (found = new NodeClient(address, { timeoutMs: 3_000 })));
  return found;
}
after(async () => {
  await Promise.all([...clients.values()].map((c) => c.close()));
});

/**
 * Runs `body` against a started Manager (this file's silent logger unless `options` names one)
 * over a fresh in-process provisioner, then closes both.
 */
async function withManager(
  options: Omit<ManagerOptions, 'provisioner' | 'logger'> & { logger?: Logger },
  body: (manager: Manager, provisioner: InProcessProvisioner) => Promise<void>,
): Promise<void> {
  const provisioner = new InProcessProvisioner();
  const manager = new Manager({ logger, ...options, provisioner });
  await manager.start();
  try {
    await body(manager, provisioner);
  } finally {
    await manager.close();
    await provisioner.close();
  }
}

/** Asserts that every key is on the owner the manager's table names, with value `v-<key>`. */
async function assertOnOwners(manager: Manager, keys: readonly string[]): Promise<void> {
  for (const key of keys)
    assert.equal(await client(manager.table.ownerOfKey(key)).get(key), `v-${key}`, key);
}

describe('resizing with nodes the provisioner starts and stops', () => {
  it('grows 1 -> 3 with started nodes and shrinks back to 1, stopping the nodes that left', async () => {
    await withManager(
      {
        initialNodes: 1,
        maxNodes: 4,
        moveChunkKeys: 40,
      },
      async (manager, provisioner) => {
        const first = manager.members()[0]!.address;
        const keys = Array.from({ length: 200 }, (_, i) => `engine-${i}`);
        for (const key of keys) await client(first).put(key, `v-${key}`);

        await manager.resize(3, 'manual');
        assert.equal(manager.members().length, 3);
        assert.equal(provisioner.started.length, 3);
        assert.deepEqual(new Set(manager.table.owners), new Set(provisioner.addresses()));
        await assertOnOwners(manager, keys);

        await manager.resize(1, 'manual');
        const left = manager.members().map((member) => member.address);
        assert.equal(left.length, 1);
        assert.deepEqual(
          new Set(provisioner.stopped),
          new Set(provisioner.started.filter((address) => !left.includes(address))),
          'the nodes that left are stopped, and only those',
        );
        assert.deepEqual(provisioner.addresses(), left);
        assert.deepEqual(new Set(manager.table.owners), new Set(left));
        await assertOnOwners(manager, keys);
        assert.equal((await client(left[0]!).keys()).length, keys.length);
      },
    );
  });
});

describe('the routing state the manager serves during a resize', () => {
  it('never steps back to an older routing version, not even between the last publish and the new table', async () => {
    const provisioner = new InProcessProvisioner();
    const manager = new Manager({ provisioner, logger, initialNodes: 1, maxNodes: 3 });
    await manager.start();
    // What a table reader (GET /api/manager/partitions reads manager.routing()) sees while the
    // gateway of this process drains each published state.
    const seen: number[] = [];
    class Watched extends Routing {
      override async publish(table: PartitionTable, moving: readonly MovingPartition[] = []) {
        seen.push(manager.routing().version);
        await super.publish(table, moving);
        seen.push(manager.routing().version);
      }
    }
    manager.attachRouting(new Watched(manager.table));
    try {
      const before = manager.routing().version;
      await manager.resize(2, 'manual');
      await manager.resize(3, 'manual');
      await manager.resize(2, 'manual');
      seen.push(manager.routing().version);
      assert.ok(seen.length >= 12, `${seen.length} publishes seen`);
      for (let i = 1; i < seen.length; i++)
        assert.ok(seen[i]! >= seen[i - 1]!, `the routing version stepped back: ${seen.join(', ')}`);
      assert.ok(seen.at(-1)! > before);
      assert.equal(manager.routing().table.version, manager.table.version);
    } finally {
      await manager.close();
      await provisioner.close();
    }
  });
});

describe('a node that dies under the manager', () => {
  it('is marked down when its process exits, and is up again with its partitions once restarted empty', async () => {
    await withManager({ initialNodes: 2, maxNodes: 2 }, async (manager, provisioner) => {
      const [a, b] = manager.members().map((member) => member.address) as [string, string];
      const owners = [...manager.table.owners];
      const version = manager.table.version;
      await client(b).put('dies-with-b', 'v');
      const spec = { cacheIndex: manager.members()[1]!.cacheIndex, capacityMb: 64, policy: 'lru' };

      await provisioner.crash(b);
      await until('b is down', async () =>
        manager.members().some((m) => m.address === b && m.status === 'down'),
      );
      assert.equal(manager.members().find((m) => m.address === a)?.status, 'up');
      const decision = manager.db.listDecisions(5).find((d) => d.reason.includes(b));
      assert.ok(decision, 'the death is recorded in the decision log');
      assert.match(decision.reason, /restarting it empty/);

      await provisioner.restart(b, spec);
      await until('b is up again', async () =>
        manager.members().some((m) => m.address === b && m.status === 'up'),
      );
      // The supervisor restarted it on its address: its partitions stay, its keys are gone.
      assert.deepEqual(manager.table.owners, owners);
      assert.ok(manager.table.version >= version);
      assert.equal(await client(b).get('dies-with-b'), undefined);
    });
  });
});

describe('a clear during a resize', () => {
  it('waits for the running migration, so that no fence it marks cleared drops a later write', async () => {
    await withManager(
      {
        initialNodes: 1,
        maxNodes: 2,
        moveChunkKeys: 1,
      },
      async (manager, provisioner) => {
        const first = manager.members()[0]!.address;
        const keys = Array.from({ length: 300 }, (_, i) => `clear-${i}`);
        for (const key of keys) await client(first).put(key, `v-${key}`);
        const resizing = manager.resize(2, 'manual');
        await until('the migration runs', () => manager.migration()?.outcome === null);
        await manager.clear();
        // The clear ran once the migration had ended (one key per move_keys call keeps it busy).
        assert.notEqual(manager.migration()?.outcome ?? null, null);
        await resizing;
        for (const address of provisioner.addresses())
          assert.deepEqual(await client(address).keys(), [], `${address} is empty after the clear`);
        // A write after the clear stays, wherever it lands.
        for (const key of keys.slice(0, 20)) {
          await client(manager.table.ownerOfKey(key)).put(key, 'after');
          assert.equal(await client(manager.table.ownerOfKey(key)).get(key), 'after');
        }
      },
    );
  });
});

describe('a member that answers again while its fail-over is under way', () => {
  it('stays down and is removed: it takes no writes the new table would lose, and is told to rejoin', async () => {
    const lines: { msg?: string; address?: string }[] = [];
    const recording = pino(
      { level: 'info' },
      { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) },
    );
    await withManager(
      { logger: recording, initialNodes: 1, maxNodes: 2 },
      async (manager, provisioner) => {
        const [a] = manager.members().map((member) => member.address) as [string];
        // The only member is given up: its fail-over must start a node first, and that start is
        // slow (held here), so the fail-over is under way when the member answers again.
        const release = provisioner.holdStarts();
        try {
          provisioner.giveUp(a);
          await until('a is down', async () =>
            manager.members().some((m) => m.address === a && m.status === 'down'),
          );
          // It answers again (its supervisor says it runs) while the fail-over waits for its node.
          provisioner.announceRestart(a);
          await until(
            'the manager to take up that a answers',
            async () =>
              manager.members().some((m) => m.address === a && m.status !== 'down') ||
              lines.some(
                (line) =>
                  line.address === a && /answered during its fail-over/.test(line.msg ?? ''),
              ),
          );
          assert.equal(manager.members().find((m) => m.address === a)?.status, 'down');
          // A node whose process stood still asks this; any answer but down would keep its keys.
          const snapshot = provisioner.node(a).node.snapshot(a);
          assert.equal(manager.acceptSnapshot(snapshot).status, 'down');
          // Nor is it told its partitions, by its health checks or when it registers again (after it
          // dropped its keys, it serves none until told): it would take writes as their owner.
          const nodeA = provisioner.node(a).node;
          nodeA.ownership.reset();
          await manager.checkHealth();
          manager.register(a, nodeA.cacheIndex);
          await new Promise((resolve) => setTimeout(resolve, 200)); // a push here takes milliseconds
          assert.equal(nodeA.ownership.version, undefined);
          assert.equal(nodeA.ownership.servesAll, false);

          release();
          await until(
            'a is failed over',
            async () => !manager.members().some((m) => m.address === a),
          );
          assert.ok(!manager.table.owners.includes(a));
          assert.equal(manager.members().length, 1);
          assert.ok(!lines.some((line) => line.address === a && line.msg === 'node up again'));
          // Its provisioner stopped it; had it kept running, its next word would be answered so.
          assert.equal(manager.acceptSnapshot(snapshot).rejoin, true);
        } finally {
          release(); // before the manager closes: it waits for the fail-over
        }
      },
    );
  });
});

describe('a failover that fails', () => {
  it('is tried again while its member is down, until the pool has a member up', async () => {
    await withManager(
      {
        initialNodes: 1,
        maxNodes: 2,
        failoverRetryMs: 100,
      },
      async (manager, provisioner) => {
        const [a] = manager.members().map((member) => member.address) as [string];
        // The only member is given up, and the fresh node its failover needs cannot be started
        // the first two times.
        provisioner.failStarts(2);
        provisioner.giveUp(a);
        await until(
          'a is failed over',
          async () => !manager.members().some((m) => m.address === a),
        );
        const members = manager.members();
        assert.equal(members.length, 1);
        assert.equal(members[0]!.status, 'up');
        assert.deepEqual(new Set(manager.table.owners), new Set([members[0]!.address]));
        await client(members[0]!.address).put('after-failover', 'v');
        assert.equal(await client(members[0]!.address).get('after-failover'), 'v');
      },
    );
  });
});

describe('a member down by another word than its health checks', () => {
  it('is up again, and told its partitions, once it answers them', async () => {
    await withManager({ initialNodes: 2, maxNodes: 2 }, async (manager, provisioner) => {
      const b = manager.members()[1]!.address;
      const spec = { cacheIndex: manager.members()[1]!.cacheIndex, capacityMb: 64, policy: 'lru' };
      await provisioner.crash(b);
      await until('b is down', async () =>
        manager.members().some((m) => m.address === b && m.status === 'down'),
      );
      // Started again without a word to the manager (as a restarted manager finds a member gone
      // and marks it down): its health checks alone bring it back.
      await provisioner.restart(b, spec, false);
      await until('b is up again', async () => {
        await manager.checkHealth();
        return manager.members().some((m) => m.address === b && m.status === 'up');
      });
      const nodeB = provisioner.node(b).node;
      await until('b to be told its partitions', async () => nodeB.ownership.version !== undefined);
      assert.equal(nodeB.ownership.roleOf(manager.table.owners.indexOf(b)), 'owned');
    });
  });
});

describe('a member that registers again', () => {
  it('is told its partitions at once, and serves them', async () => {
    await withManager({ initialNodes: 2, maxNodes: 2 }, async (manager, provisioner) => {
      const b = manager.members()[1]!.address;
      const nodeB = provisioner.node(b).node;
      // It dropped its keys after a pause and registers again; the manager still counts it up.
      nodeB.ownership.reset();
      assert.equal(manager.register(b, nodeB.cacheIndex).cache_index, nodeB.cacheIndex);
      await until('b to be told its partitions', async () => nodeB.ownership.version !== undefined);
      const owned = manager.table.owners.indexOf(b);
      assert.equal(nodeB.ownership.roleOf(owned), 'owned');
    });
  });
});

describe('a member failed over while it still answers (slow, not dead)', () => {
  it('is told the new table, and refuses writes routed by the one before', async () => {
    await withManager({ initialNodes: 2, maxNodes: 2 }, async (manager, provisioner) => {
      const b = manager.members()[1]!.address;
      const before = manager.table;
      const partition = before.owners.indexOf(b);
      const key = Array.from({ length: 1_000 }, (_, i) => `slow-${i}`).find(
        (candidate) => before.ownerOfKey(candidate) === b,
      )!;
      const nodeB = provisioner.node(b).node;
      const was = routingVersionOf(before, []);
      assert.equal(nodeB.serves('write', key, was), true);

      provisioner.giveUp(b);
      await until('b is failed over', async () => !manager.members().some((m) => m.address === b));
      assert.ok(!manager.table.owners.includes(b));
      await until('b to hear of the new table', async () => (nodeB.ownership.version ?? 0) > was);
      assert.equal(nodeB.ownership.roleOf(partition), undefined);
      assert.throws(() => nodeB.serves('write', key, was), /not served by this node/);
      assert.throws(() => nodeB.serves('write', key), /not served by this node/);
    });
  });
});
