/**
 * Property tests of the rebalance planner (SPEC §3) against an independent model of the fewest
 * moves a balanced assignment needs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PartitionTable, planRebalance, } from '../../src/partition/index.js';
const RUNS = 500;
const ids = Array.from({ length: 20 }, (_, i) => `10.0.0.${i + 1}:5001`);
const strategyArb = fc.constantFrom('minimal', 'round-robin');
/** A membership: 1..20 distinct ids in any order (more than 16 included). */
const nodesArb = fc.shuffledSubarray(ids, { minLength: 1, maxLength: 20 });
/** Mostly small pools, as configured in practice (default max 8). */
const smallNodesArb = fc.shuffledSubarray(ids.slice(0, 10), { minLength: 1, maxLength: 10 });
/** Any table, balanced or not: owners drawn freely from some ids. */
const anyTableArb = fc
    .tuple(fc.integer({ min: 1, max: 1000 }), strategyArb, fc.array(fc.constantFrom(...ids.slice(0, 12)), { minLength: 16, maxLength: 16 }))
    .map(([version, strategy, owners]) => new PartitionTable(version, strategy, owners));
/** A table reached from a new pool through a history of membership changes. */
const historyTableArb = (strategy) => fc
    .tuple(smallNodesArb, fc.array(smallNodesArb, { maxLength: 6 }))
    .map(([first, changes]) => changes.reduce((table, nodes) => planRebalance(table, nodes).table, PartitionTable.initial(first, strategy)));
function counts(owners) {
    const byNode = new Map();
    for (const owner of owners)
        byNode.set(owner, (byNode.get(owner) ?? 0) + 1);
    return byNode;
}
/**
 * The fewest partitions any balanced assignment must move, computed without the planner: the
 * removed nodes' partitions, plus what each remaining node owns beyond its cap, where the
 * `16 mod N` caps of ⌈16/N⌉ go to the nodes that own the most (ties do not change the sum).
 */
function fewestMoves(owners, nodes) {
    const before = counts(owners);
    const members = new Set(nodes);
    let removed = 0;
    for (const [node, n] of before)
        if (!members.has(node))
            removed += n;
    const floor = Math.floor(16 / nodes.length);
    const owned = nodes.map((node) => before.get(node) ?? 0).sort((a, b) => b - a);
    let excess = 0;
    owned.forEach((n, rank) => {
        const cap = rank < 16 % nodes.length ? floor + 1 : floor;
        excess += Math.max(0, n - cap);
    });
    return removed + excess;
}
function checkWellFormed(before, nodes, plan) {
    const after = plan.table;
    assert.equal(after.owners.length, 16, 'one owner per partition');
    for (const owner of after.owners)
        assert.ok(nodes.includes(owner), `${owner} is a member`);
    assert.equal(after.strategy, before.strategy);
    const changed = after.owners.flatMap((owner, p) => owner === before.owners[p] ? [] : [{ partition: p, from: before.owners[p], to: owner }]);
    assert.deepEqual(plan.moves, changed, 'the moves are exactly the changed partitions');
    if (plan.moves.length === 0) {
        assert.equal(after, before, 'a no-op returns the same table');
    }
    else {
        assert.equal(after.version, before.version + 1);
    }
}
test('minimal: one member owner per partition, balanced within ⌊16/N⌋..⌈16/N⌉, fewest moves', () => {
    fc.assert(fc.property(anyTableArb, nodesArb, (table, nodes) => {
        const before = new PartitionTable(table.version, 'minimal', table.owners);
        const plan = planRebalance(before, nodes);
        checkWellFormed(before, nodes, plan);
        const after = counts(plan.table.owners);
        const lo = Math.floor(16 / nodes.length);
        const hi = Math.ceil(16 / nodes.length);
        for (const node of nodes) {
            const n = after.get(node) ?? 0;
            assert.ok(n >= lo && n <= hi, `${node} owns ${n}, not within ${lo}..${hi}`);
        }
        assert.equal(plan.moves.length, fewestMoves(before.owners, nodes));
    }), { numRuns: RUNS });
});
test('minimal: a staying node keeps min(owned, ⌊16/N⌋) of its partitions; moves leave only leaving or overloaded nodes', () => {
    fc.assert(fc.property(historyTableArb('minimal'), smallNodesArb, (before, nodes) => {
        const plan = planRebalance(before, nodes);
        const floor = Math.floor(16 / nodes.length);
        const owned = counts(before.owners);
        for (const node of nodes) {
            const kept = before.partitionsOf(node).filter((p) => plan.table.ownerOf(p) === node);
            assert.ok(kept.length >= Math.min(owned.get(node) ?? 0, floor), `${node} kept ${kept.length}`);
        }
        for (const move of plan.moves) {
            const leaving = !nodes.includes(move.from);
            assert.ok(leaving || owned.get(move.from) > floor, `${move.from} gave up a partition it could keep`);
            assert.ok((owned.get(move.to) ?? 0) < Math.ceil(16 / nodes.length), `${move.to} was not short`);
        }
    }), { numRuns: RUNS });
});
test('the same input always gives the same plan, also from a table read back from JSON', () => {
    fc.assert(fc.property(anyTableArb, nodesArb, (table, nodes) => {
        const first = planRebalance(table, nodes);
        const again = planRebalance(PartitionTable.fromJSON(JSON.parse(JSON.stringify(table))), [
            ...nodes,
        ]);
        assert.deepEqual(again.moves, first.moves);
        assert.deepEqual(again.table.toJSON(), first.table.toJSON());
    }), { numRuns: RUNS });
});
test('round-robin: partition i goes to nodes[i mod N] whatever came before', () => {
    fc.assert(fc.property(anyTableArb, nodesArb, (table, nodes) => {
        const before = new PartitionTable(table.version, 'round-robin', table.owners);
        const plan = planRebalance(before, nodes);
        checkWellFormed(before, nodes, plan);
        plan.table.owners.forEach((owner, i) => assert.equal(owner, nodes[i % nodes.length]));
    }), { numRuns: RUNS });
});
for (let n = 1; n <= 8; n++) {
    test(`minimal: growing a balanced pool of ${n} by one node moves exactly ⌊16/${n + 1}⌋ = ${Math.floor(16 / (n + 1))}`, () => {
        fc.assert(fc.property(historyTableArb('minimal'), fc.shuffledSubarray(ids, { minLength: n + 1, maxLength: n + 1 }), fc.nat(), (history, pick, at) => {
            const members = pick.slice(0, n);
            const newcomer = pick[n];
            const before = planRebalance(history, members).table;
            const grown = [...members];
            grown.splice(at % (n + 1), 0, newcomer);
            const plan = planRebalance(before, grown);
            assert.equal(plan.moves.length, Math.floor(16 / (n + 1)));
            for (const move of plan.moves)
                assert.equal(move.to, newcomer);
        }), { numRuns: 100 });
    });
    if (n >= 2) {
        test(`minimal: shrinking a balanced pool of ${n} by one node moves exactly that node's partitions`, () => {
            fc.assert(fc.property(historyTableArb('minimal'), fc.shuffledSubarray(ids, { minLength: n, maxLength: n }), fc.nat(), (history, members, at) => {
                const before = planRebalance(history, members).table;
                const leaving = members[at % n];
                const plan = planRebalance(before, members.filter((node) => node !== leaving));
                assert.deepEqual(plan.moves.map((move) => move.partition), before.partitionsOf(leaving));
                for (const move of plan.moves)
                    assert.equal(move.from, leaving);
            }), { numRuns: 100 });
        });
    }
}
//# sourceMappingURL=partition-plan.test.js.map