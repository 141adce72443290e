/**
 * The standalone gateway's table follower, driven by `tick()` against a small HTTP server that
 * plays the manager's `GET /api/manager/partitions`: a newer table or a new moving list is
 * published, an older or equal one is not, and a manager that answers nothing or garbage leaves
 * the routing as it was.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { ManualClock } from '../../../src/clock.js';
import { PartitionTable } from '../../../src/partition/index.js';
import { Routing } from '../../../src/pool/routing.js';
import { parsePartitions, TableFollower } from '../../../src/pool/table-follower.js';

const A = '127.0.0.1:7001';
const B = '127.0.0.1:7002';

test('tick publishes newer tables and moving lists, ignores older ones, and keeps the last table while the manager fails', async () => {
  let answer: { status: number; body: string } = { status: 200, body: '' };
  const seenAuth: (string | undefined)[] = [];
  const server = createServer((request, response) => {
    seenAuth.push(request.headers.authorization);
    response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const serve = (content: unknown, status = 200) => {
    answer = { status, body: JSON.stringify({ success: 'true', content }) };
  };
  const one = PartitionTable.initial([A]);
  const routing = new Routing(one);
  const clock = new ManualClock(1_000_000);
  const follower = new TableFollower({
    manager: `127.0.0.1:${port}`,
    token: 'secret-token',
    clock,
  });
  assert.equal(follower.tableAgeSeconds(), -1, 'no table read yet');
  follower.follow(routing);
  follower.stop(); // no timer: the test calls tick itself
  follower.follow(routing);
  try {
    const two = new PartitionTable(2, 'minimal', [...Array(8).fill(A), ...Array(8).fill(B)]);
    serve({ ...two.toJSON(), moving: [{ partition: 8, from: A, to: B }] });
    assert.equal(await follower.tick(), true);
    assert.equal(routing.view.table.version, 2);
    assert.equal(routing.view.owners[8], B);
    assert.equal(routing.view.previous[8], A);
    assert.equal(await follower.tick(), false, 'the same table and moving list change nothing');
    // The table's age is read on the clock that stamped the read.
    clock.advance(2_500);
    assert.equal(follower.tableAgeSeconds(), 2.5);

    // Routing versions order states: table 2 moving is 5, table 2 at rest 4 (older), table 3 6.
    serve(two.toJSON());
    assert.equal(await follower.tick(), false, 'a state older than the move is ignored');
    assert.equal(routing.view.previous[8], A);
    const three = new PartitionTable(3, 'minimal', [...Array(8).fill(A), ...Array(8).fill(B)]);
    serve({ ...three.toJSON(), routing_version: 6 });
    assert.equal(await follower.tick(), true, 'the end of a move is published');
    assert.equal(routing.view.previous[8], undefined);
    assert.equal(routing.view.table.version, 3);

    serve(one.toJSON());
    assert.equal(await follower.tick(), false, 'an older table is ignored');
    assert.equal(routing.view.table.version, 3);

    answer = { status: 500, body: 'oops' };
    clock.advance(1_000);
    assert.equal(await follower.tick(), false);
    answer = { status: 200, body: '{"success":"true","content":{"version":3}}' };
    assert.equal(await follower.tick(), false);
    clock.advance(4_000);
    assert.equal(follower.tableAgeSeconds(), 5, 'failed reads do not make the table younger');
    assert.equal(routing.view.table.version, 3, 'a failed read keeps the last table');
    const stats = follower.stats();
    assert.equal(stats.failedReadsTotal, 2);
    assert.ok(stats.readsTotal >= 7);
    assert.ok(seenAuth.every((auth) => auth === 'Bearer secret-token'));
  } finally {
    follower.stop();
    server.close();
  }
});

test('parsePartitions refuses a moving list that is not one of {partition, from, to}', () => {
  const table = PartitionTable.initial([A]).toJSON();
  assert.deepEqual(parsePartitions(table).moving, []);
  for (const moving of ['x', [{ partition: 16, from: A, to: B }], [{ partition: 1, from: A }]])
    assert.throws(() => parsePartitions({ ...table, moving }));
  assert.throws(() => parsePartitions({ ...table, partitions: ['nope'] }));
});
