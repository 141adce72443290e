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
});
