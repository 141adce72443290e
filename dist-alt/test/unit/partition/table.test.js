import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CachePoolError, OptionError } from '../../../src/errors.js';
import { PartitionTable, isNodeId, partitionOf } from '../../../src/partition/index.js';
const A = '127.0.0.1:5001';
const B = '127.0.0.1:5002';
const C = '127.0.0.1:5003';
test('initial table is version 1 and assigns partition i to nodes[i mod N]', () => {
    const table = PartitionTable.initial([A, B, C], 'minimal');
    assert.equal(table.version, 1);
    assert.equal(table.strategy, 'minimal');
    assert.deepEqual(table.owners, Array.from({ length: 16 }, (_, i) => [A, B, C][i % 3]));
    assert.deepEqual(table.partitionsOf(A), [0, 3, 6, 9, 12, 15]);
    assert.deepEqual(table.partitionsOf(B), [1, 4, 7, 10, 13]);
    assert.deepEqual(table.partitionsOf(C), [2, 5, 8, 11, 14]);
});
test('the default strategy is minimal', () => {
    assert.equal(PartitionTable.initial([A]).strategy, 'minimal');
});
test('a single node owns every partition', () => {
    const table = PartitionTable.initial([A], 'round-robin');
    assert.deepEqual(table.partitionsOf(A), Array.from({ length: 16 }, (_, i) => i));
    assert.deepEqual(table.nodes(), [A]);
});
test('with more than 16 nodes the nodes past the 16th own nothing', () => {
    const nodes = Array.from({ length: 18 }, (_, i) => `10.0.0.1:${6000 + i}`);
    const table = PartitionTable.initial(nodes);
    assert.deepEqual(table.nodes(), nodes.slice(0, 16));
    assert.deepEqual(table.partitionsOf(nodes[17]), []);
});
test('ownerOf, ownerOfKey and partitionsOf agree', () => {
    const table = PartitionTable.initial([A, B], 'minimal');
    assert.equal(table.ownerOf(0), A);
    assert.equal(table.ownerOf(15), B);
    for (const key of ['test', 'k1', 'k2', '', '🙂']) {
        assert.equal(table.ownerOfKey(key), table.ownerOf(partitionOf(key)));
    }
    assert.equal(table.ownerOfKey('k1'), B, 'k1 is partition 11, odd, so B');
    assert.deepEqual(table.partitionsOf('127.0.0.1:9999'), []);
});
test('nodes() lists distinct owners in the order of their first partition', () => {
    const owners = [B, B, A, C, ...Array.from({ length: 12 }, () => A)];
    const table = new PartitionTable(4, 'minimal', owners);
    assert.deepEqual(table.nodes(), [B, A, C]);
});
test('toJSON gives the wire form and fromJSON reads it back', () => {
    const table = new PartitionTable(7, 'round-robin', PartitionTable.initial([A, B]).owners);
    const json = table.toJSON();
    assert.deepEqual(json, {
        version: 7,
        strategy: 'round-robin',
        partitions: Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? A : B)),
    });
    assert.deepEqual(JSON.parse(JSON.stringify(table)), json);
    const back = PartitionTable.fromJSON(JSON.parse(JSON.stringify(table)));
    assert.equal(back.version, 7);
    assert.ok(back.sameAssignment(table));
    table.toJSON().partitions[0] = C;
    assert.equal(table.ownerOf(0), A, 'toJSON returns a copy');
});
test('a table is immutable: owners frozen, later changes to the source array ignored', () => {
    const owners = Array.from({ length: 16 }, () => A);
    const table = new PartitionTable(1, 'minimal', owners);
    owners[0] = B;
    assert.equal(table.ownerOf(0), A);
    assert.throws(() => {
        table.owners[0] = B;
    }, TypeError);
    assert.throws(() => {
        table.version = 2;
    }, TypeError);
});
test('sameAssignment ignores versions but not owners or strategy', () => {
    const t1 = PartitionTable.initial([A, B], 'minimal');
    assert.ok(t1.sameAssignment(new PartitionTable(9, 'minimal', t1.owners)));
    assert.ok(!t1.sameAssignment(new PartitionTable(1, 'round-robin', t1.owners)));
    assert.ok(!t1.sameAssignment(PartitionTable.initial([B, A], 'minimal')));
});
const invalid = [
    ['no nodes', () => PartitionTable.initial([]), /^nodes must be a non-empty list/],
    [
        'a node twice',
        () => PartitionTable.initial([A, A]),
        /^nodes must not name a node twice, got "127\.0\.0\.1:5001"$/,
    ],
    [
        'a node without a port',
        () => PartitionTable.initial(['localhost']),
        /^nodes must hold "host:port" node ids only, got "localhost"$/,
    ],
    ['a URL instead of host:port', () => PartitionTable.initial(['http://a:1']), /host:port/],
    ['port 0', () => PartitionTable.initial(['a:0']), /host:port/],
    ['port 65536', () => PartitionTable.initial(['a:65536']), /host:port/],
    [
        'an unknown strategy',
        () => PartitionTable.initial([A], 'ring'),
        /^partition strategy must be one of minimal, round-robin, got "ring"$/,
    ],
    [
        'version 0',
        () => new PartitionTable(0, 'minimal', PartitionTable.initial([A]).owners),
        /^partition table version must be an integer >= 1, got 0$/,
    ],
    [
        'version 1.5',
        () => new PartitionTable(1.5, 'minimal', PartitionTable.initial([A]).owners),
        /version/,
    ],
    [
        '15 owners',
        () => new PartitionTable(1, 'minimal', Array.from({ length: 15 }, () => A)),
        /exactly 16 node ids/,
    ],
    [
        'a bad owner',
        () => new PartitionTable(1, 'minimal', [...Array.from({ length: 15 }, () => A), '']),
        /owners must hold "host:port" node ids, got ""$/,
    ],
    ['fromJSON of null', () => PartitionTable.fromJSON(null), /^partition table must be an object/],
    [
        'fromJSON without partitions',
        () => PartitionTable.fromJSON({ version: 1, strategy: 'minimal' }),
        /exactly 16/,
    ],
    [
        'ownerOf(16)',
        () => PartitionTable.initial([A]).ownerOf(16),
        /^partition must be an integer from 0 to 15, got 16$/,
    ],
    ['ownerOf(-1)', () => PartitionTable.initial([A]).ownerOf(-1), /partition must be/],
    ['ownerOf(1.5)', () => PartitionTable.initial([A]).ownerOf(1.5), /partition must be/],
];
for (const [name, build, pattern] of invalid) {
    test(`rejects ${name} with an OptionError naming the rule`, () => {
        assert.throws(build, (error) => {
            assert.ok(error instanceof OptionError);
            assert.ok(error instanceof CachePoolError);
            assert.equal(error.code, 'CP_ERR_OPTION_INVALID');
            assert.match(error.message, pattern);
            return true;
        });
    });
}
test('node ids: host names, IPv4 and bracketed IPv6 with a port are accepted', () => {
    for (const id of ['127.0.0.1:5001', 'cache-node-3.internal:80', '[::1]:5001', 'a:65535']) {
        assert.ok(isNodeId(id), id);
    }
    for (const id of ['', ':5001', 'a:', 'a:b', 'a b:1', '::1:5001', 'a:1/x', 5001, null]) {
        assert.ok(!isNodeId(id), String(id));
    }
});
//# sourceMappingURL=table.test.js.map