/**
 * applyPlan against real nodes: two sources drained at once into a new node, with more move_keys
 * calls in flight than the sources run at once (they answer busy and are asked again), ends
 * with every key on the owner the new table names, once, with its value; each source is reported
 * done (onPartitionsDone, what the manager journals) once, with its own moves, after its drain.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { systemClock } from '../../src/clock.js';
import { PartitionTable, partitionOf, planRebalance, } from '../../src/partition/index.js';
import { applyPlan, MigrationProgress, NodeClient, Routing } from '../../src/pool/index.js';
import { startCachepool, stopAll } from '../helpers/process.js';
describe('applyPlan', { timeout: 60_000 }, () => {
    after(async () => {
        await stopAll();
    });
    it('drains two sources at once through busy answers and puts every key on its new owner', async () => {
        const destination = await startCachepool(['node', '--port', '0']);
        const destinationAddress = new URL(destination.urls.get('node')).host;
        const sources = await Promise.all([0, 1].map(() => startCachepool([
            'node',
            '--port',
            '0',
            '--move-concurrency',
            '1',
            '--peers',
            destinationAddress,
        ])));
        const [a, b] = sources.map((source) => new URL(source.urls.get('node')).host);
        const clients = new Map();
        const clientOf = (address) => {
            let client = clients.get(address);
            if (!client)
                clients.set(address, (client = new NodeClient(address)));
            return client;
        };
        const current = PartitionTable.initial([a, b]);
        const keys = Array.from({ length: 400 }, (_, i) => `p${i}`);
        for (const key of keys)
            await clientOf(current.owners[partitionOf(key)]).put(key, `value-${key}`);
        const plan = planRebalance(current, [a, b, destinationAddress]);
        assert.deepEqual(new Set(plan.moves.map((move) => move.from)), new Set([a, b]));
        const progress = new MigrationProgress('t-parallel', 2, 3, plan.moves.length, systemClock);
        const routing = new Routing(current);
        // What each source still held of its moving partitions when it was reported done.
        const reported = [];
        const outcome = await applyPlan({
            onPartitionsDone: (moves) => {
                const source = moves[0].from;
                const partitions = new Set(moves.map((move) => move.partition));
                reported.push({
                    moves: [...moves],
                    left: clientOf(source)
                        .keys()
                        .then((held) => held.filter((key) => partitions.has(partitionOf(key)))),
                });
            },
            current,
            plan,
            progress,
            clientOf,
            publish: (table, moving) => routing.publish(table, moving),
            chunkKeys: 10,
            movesInFlight: 3,
        });
        assert.equal(outcome.ok, true, JSON.stringify(outcome));
        assert.equal(outcome.table, plan.table);
        assert.deepEqual(routing.view.moving, []);
        // Each source was reported once, with exactly its own moves, once it held none of their keys.
        assert.equal(reported.length, 2);
        for (const source of [a, b]) {
            const report = reported.filter((r) => r.moves.every((move) => move.from === source));
            assert.equal(report.length, 1, `${source} reported once`);
            assert.deepEqual(report[0].moves.map((move) => move.partition).sort((x, y) => x - y), plan.moves
                .filter((move) => move.from === source)
                .map((move) => move.partition)
                .sort((x, y) => x - y));
            assert.deepEqual(await report[0].left, [], `${source} still held moving keys`);
        }
        const held = new Map();
        for (const address of [a, b, destinationAddress]) {
            for (const key of await clientOf(address).keys()) {
                assert.equal(held.has(key), false, `${key} is on two nodes`);
                held.set(key, address);
            }
        }
        assert.equal(held.size, keys.length);
        for (const key of keys)
            assert.equal(held.get(key), plan.table.owners[partitionOf(key)], key);
        assert.equal(await clientOf(destinationAddress).get(keys.find((key) => held.get(key) === destinationAddress)), `value-${keys.find((key) => held.get(key) === destinationAddress)}`);
        const figures = progress.toJSON();
        assert.equal(figures.partitions_done, plan.moves.length);
        assert.equal(figures.keys_done, [...held.values()].filter((address) => address === destinationAddress).length);
        await Promise.all([...clients.values()].map((client) => client.close()));
    });
});
//# sourceMappingURL=apply-plan.test.js.map