import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PartitionTable } from '../../../src/partition/index.js';
import { Routing } from '../../../src/pool/routing.js';
const a = '127.0.0.1:7001';
const b = '127.0.0.1:7002';
describe('Routing', () => {
    it('routes a moving partition to its new owner with the old one as fallback, and others as the table says', () => {
        const table = PartitionTable.initial([a]);
        const routing = new Routing(table);
        void routing.publish(table, [{ partition: 3, from: a, to: b }]);
        const view = routing.view;
        assert.equal(view.owners[3], b);
        assert.equal(view.previous[3], a);
        assert.equal(view.owners[4], a);
        assert.equal(view.previous[4], undefined);
        assert.deepEqual(view.nodes().sort(), [a, b]);
    });
    it('resolves publish only once every request routed by an older view has finished', async () => {
        const table = PartitionTable.initial([a]);
        const routing = new Routing(table);
        const old = routing.view;
        old.enter();
        old.enter();
        let published = false;
        const publishing = routing.publish(table, [{ partition: 0, from: a, to: b }]).then(() => {
            published = true;
        });
        // A request that starts now gets the new view and does not hold the publish back.
        routing.view.enter();
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal(published, false);
        old.leave();
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal(published, false);
        old.leave();
        await publishing;
        assert.equal(published, true);
    });
    it('does not wait past the drain timeout for a request that never ends', async () => {
        const table = PartitionTable.initial([a]);
        const routing = new Routing(table);
        routing.view.enter();
        await routing.publish(table, [], 20);
        assert.equal(routing.view.moving.length, 0);
    });
    it('holds writes of a partition that turns back to the node it was leaving until older requests end', async () => {
        const table = PartitionTable.initial([a]);
        const routing = new Routing(table);
        void routing.publish(table, [{ partition: 3, from: a, to: b }]);
        const forward = routing.view;
        // A write routed by the forward move is still in flight (it wrote b, it will invalidate a).
        forward.enter();
        const onB = new PartitionTable(3, table.strategy, table.owners.map((o, p) => (p === 3 ? b : o)));
        void routing.publish(onB, [{ partition: 3, from: b, to: a }]);
        const back = routing.view;
        assert.equal(back.owners[3], a);
        const gate = back.writeGate(3);
        assert.ok(gate, 'a write of the turned-back partition waits');
        assert.equal(back.writeGate(4), undefined, 'other partitions are not held');
        let open = false;
        void gate.then(() => {
            open = true;
        });
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal(open, false);
        forward.leave();
        await gate;
        assert.equal(back.writeGate(3), undefined);
    });
    it('lets writes of a turned-back partition go after the drain timeout', async () => {
        const table = PartitionTable.initial([a]);
        const routing = new Routing(table);
        void routing.publish(table, [{ partition: 3, from: a, to: b }]);
        routing.view.enter();
        const publishing = routing.publish(table, [], 20);
        const gate = routing.view.writeGate(3);
        assert.ok(gate);
        await publishing;
        await gate;
    });
});
describe('Routing reachability', () => {
    it('tells every listener that the manager saw a node answer', () => {
        const routing = new Routing(PartitionTable.initial([a]));
        const seen = [];
        routing.onReachable((address) => seen.push(`1:${address}`));
        routing.onReachable((address) => seen.push(`2:${address}`));
        routing.reachable(b);
        assert.deepEqual(seen, [`1:${b}`, `2:${b}`]);
    });
});
//# sourceMappingURL=routing.test.js.map