import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PARTITION_COUNT, partitionOf } from '../../../src/partition/index.js';
// The test vectors of SPEC §3: clients of the original route by the same function.
const vectors = [
    ['test', 0],
    ['k1', 11],
    ['k2', 6],
    ['test123', 12],
    ['testabc', 12],
    ['', 13],
    ['image_001', 14],
    ['🙂', 5],
    ['key with spaces', 12],
];
for (const [key, partition] of vectors) {
    test(`partitionOf(${JSON.stringify(key)}) is ${partition} as in the wire contract`, () => {
        assert.equal(partitionOf(key), partition);
    });
}
test('there are 16 partitions and every key lands in 0..15', () => {
    assert.equal(PARTITION_COUNT, 16);
    const seen = new Set();
    for (let i = 0; i < 2000; i++) {
        const p = partitionOf(`key-${i}`);
        assert.ok(Number.isInteger(p) && p >= 0 && p < 16, `partition ${p}`);
        seen.add(p);
    }
    assert.equal(seen.size, 16, 'two thousand keys reach every partition');
});
//# sourceMappingURL=partition-of.test.js.map