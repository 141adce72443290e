import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OptionError } from '../../../src/errors.js';
import { PartitionTable, planRebalance, } from '../../../src/partition/index.js';
const A = '127.0.0.1:5001';
const B = '127.0.0.1:5002';
const C = '127.0.0.1:5003';
const D = '127.0.0.1:5004';
const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const moving = (partitions, from, to) => partitions.map((partition) => ({
    partition,
    from: typeof from === 'string' ? from : from(partition),
    to,
}));
const byPartition = (a, b) => a.partition - b.partition;
const cases = [
    {
        name: 'minimal 1 → 2 nodes moves the upper half to the new node',
        strategy: 'minimal',
        before: [A],
        after: [A, B],
        moves: moving(range(8, 15), A, B),
        owned: { [A]: range(0, 7), [B]: range(8, 15) },
    },
    {
        name: 'minimal 2 → 3 nodes moves ⌊16/3⌋ = 5, the first node in order keeping the extra one',
        strategy: 'minimal',
        before: [A, B],
        after: [A, B, C],
        moves: moving([11, 12, 13, 14, 15], (p) => (p % 2 === 0 ? A : B), C),
        owned: { [A]: [0, 2, 4, 6, 8, 10], [B]: [1, 3, 5, 7, 9], [C]: [11, 12, 13, 14, 15] },
    },
    {
        name: 'minimal 1 → 3 nodes fills new nodes in the order given',
        strategy: 'minimal',
        before: [A],
        after: [A, C, B],
        moves: [...moving(range(6, 10), A, C), ...moving(range(11, 15), A, B)],
        owned: { [A]: range(0, 5), [C]: range(6, 10), [B]: range(11, 15) },
    },
    {
        name: 'minimal 3 → 2 nodes moves exactly the removed node’s partitions',
        strategy: 'minimal',
        before: [A, B, C],
        after: [A, C],
        moves: [...moving([1, 4], B, A), ...moving([7, 10, 13], B, C)].sort(byPartition),
        owned: { [A]: [0, 1, 3, 4, 6, 9, 12, 15], [C]: [2, 5, 7, 8, 10, 11, 13, 14] },
    },
    {
        name: 'minimal replacing a node hands its partitions to the newcomer only',
        strategy: 'minimal',
        before: [A, B],
        after: [A, D],
        moves: moving([1, 3, 5, 7, 9, 11, 13, 15], B, D),
        owned: { [A]: [0, 2, 4, 6, 8, 10, 12, 14], [D]: [1, 3, 5, 7, 9, 11, 13, 15] },
    },
    {
        name: 'minimal 4 → 1 node gives everything to the survivor',
        strategy: 'minimal',
        before: [A, B, C, D],
        after: [C],
        moves: range(0, 15)
            .filter((p) => p % 4 !== 2)
            .map((p) => ({ partition: p, from: [A, B, C, D][p % 4], to: C })),
        owned: { [C]: range(0, 15) },
    },
    {
        name: 'round-robin 2 → 3 nodes reassigns partition i to nodes[i mod 3]',
        strategy: 'round-robin',
        before: [A, B],
        after: [A, B, C],
        moves: range(0, 15)
            .filter((p) => [A, B][p % 2] !== [A, B, C][p % 3])
            .map((p) => ({ partition: p, from: [A, B][p % 2], to: [A, B, C][p % 3] })),
        owned: { [A]: [0, 3, 6, 9, 12, 15], [B]: [1, 4, 7, 10, 13], [C]: [2, 5, 8, 11, 14] },
    },
    {
        name: 'round-robin with the same nodes in another order moves every partition',
        strategy: 'round-robin',
        before: [A, B],
        after: [B, A],
        moves: range(0, 15).map((p) => ({
            partition: p,
            from: p % 2 === 0 ? A : B,
            to: p % 2 === 0 ? B : A,
        })),
        owned: { [B]: range(0, 7).map((i) => i * 2), [A]: range(0, 7).map((i) => i * 2 + 1) },
    },
];
for (const c of cases) {
    test(c.name, () => {
        const before = PartitionTable.initial(c.before, c.strategy);
        const plan = planRebalance(before, c.after);
        assert.deepEqual(plan.moves, c.moves);
        assert.equal(plan.table.version, 2);
        assert.equal(plan.table.strategy, c.strategy);
        for (const [node, partitions] of Object.entries(c.owned)) {
            assert.deepEqual(plan.table.partitionsOf(node), partitions, node);
        }
        for (const move of plan.moves) {
            assert.equal(before.ownerOf(move.partition), move.from);
            assert.equal(plan.table.ownerOf(move.partition), move.to);
        }
        assert.equal(before.version, 1, 'the old table is untouched');
    });
}
test('a change that moves nothing returns the same table, same version, no moves', () => {
    const before = PartitionTable.initial([A, B, C], 'minimal');
    for (const nodes of [
        [A, B, C],
        [C, B, A],
    ]) {
        const plan = planRebalance(before, nodes);
        assert.equal(plan.table, before);
        assert.equal(plan.table.version, 1);
        assert.deepEqual(plan.moves, []);
    }
    const rr = PartitionTable.initial([A, B], 'round-robin');
    assert.equal(planRebalance(rr, [A, B]).table, rr);
});
test('each plan builds on the previous version', () => {
    let table = PartitionTable.initial([A]);
    for (const nodes of [[A, B], [A, B, C], [A, C], [A, C], [D]]) {
        const plan = planRebalance(table, nodes);
        assert.equal(plan.table.version, plan.moves.length === 0 ? table.version : table.version + 1);
        table = plan.table;
    }
    assert.equal(table.version, 5, '[A, C] twice is one change');
    assert.deepEqual(table.nodes(), [D]);
});
test('an unbalanced table with unchanged membership is rebalanced with the fewest moves', () => {
    const owners = [...Array.from({ length: 12 }, () => A), B, B, B, B];
    const table = new PartitionTable(3, 'minimal', owners);
    const plan = planRebalance(table, [A, B]);
    assert.deepEqual(plan.moves, moving(range(8, 11), A, B));
    assert.equal(plan.table.version, 4);
});
test('more nodes than partitions: each node owns at most one partition', () => {
    const nodes = Array.from({ length: 20 }, (_, i) => `10.0.0.1:${7000 + i}`);
    const plan = planRebalance(PartitionTable.initial([nodes[0]]), nodes);
    assert.equal(plan.moves.length, 15);
    for (const node of nodes)
        assert.ok(plan.table.partitionsOf(node).length <= 1);
    assert.equal(new Set(plan.table.owners).size, 16);
});
test('the same input gives the same plan', () => {
    const table = PartitionTable.initial([A, B, C]);
    assert.deepEqual(planRebalance(table, [D, B]), planRebalance(table, [D, B]));
});
test('rejects a bad membership with an OptionError and plans nothing', () => {
    const table = PartitionTable.initial([A]);
    for (const nodes of [[], [A, A], ['not-an-id']]) {
        assert.throws(() => planRebalance(table, nodes), OptionError);
    }
});
//# sourceMappingURL=plan-rebalance.test.js.map