import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { OptionError } from '../../../src/errors.js';
import { StaticProvisioner, parseNodesList } from '../../../src/manager/provisioners/static.js';
const spec = { cacheIndex: 0, capacityMb: 1, policy: 'lru' };
const specs = (n) => Array.from({ length: n }, (_, i) => ({ ...spec, cacheIndex: i }));
/** Addresses that the probe accepts, for the tests that are not about probing. */
const always = async () => true;
describe('StaticProvisioner', () => {
    it('hands out listed nodes in order, never more than asked, then fewer when the list runs out', async () => {
        const p = new StaticProvisioner({
            nodes: ['10.0.0.1:5001', '10.0.0.2:5001', '10.0.0.3:5001'],
            probe: always,
        });
        assert.equal(p.kind, 'static');
        assert.deepEqual(await p.startNodes(specs(2), 0), ['10.0.0.1:5001', '10.0.0.2:5001']);
        assert.deepEqual(await p.startNodes(specs(2), 2), ['10.0.0.3:5001']);
        assert.deepEqual(await p.startNodes(specs(1), 3), []);
        assert.deepEqual(await p.startNodes([], 3), []);
        assert.deepEqual(p.addresses(), ['10.0.0.1:5001', '10.0.0.2:5001', '10.0.0.3:5001']);
    });
    it('skips nodes that are members already, as after a manager restart', async () => {
        const members = new Set(['10.0.0.1:5001']);
        const p = new StaticProvisioner({
            nodes: ['10.0.0.1:5001', '10.0.0.2:5001'],
            isMember: (a) => members.has(a),
            probe: always,
        });
        assert.deepEqual(await p.startNodes(specs(2), 1), ['10.0.0.2:5001']);
    });
    it('forgets a stopped node, logs the hand-off, and can hand it out again', async () => {
        const lines = [];
        const sink = new Writable({
            write(chunk, _enc, done) {
                lines.push(JSON.parse(chunk.toString()));
                done();
            },
        });
        const p = new StaticProvisioner({
            nodes: ['10.0.0.1:5001'],
            probe: always,
            logger: pino(sink),
        });
        assert.deepEqual(await p.startNodes(specs(1), 0), ['10.0.0.1:5001']);
        assert.deepEqual(await p.startNodes(specs(1), 1), []);
        await p.stopNode('10.0.0.1:5001', 0);
        const handedOff = lines.find((l) => l.address === '10.0.0.1:5001' && String(l.msg).includes('keeps running'));
        assert.ok(handedOff, `no hand-off line in ${JSON.stringify(lines)}`);
        assert.equal(handedOff.newCount, 0);
        assert.deepEqual(await p.startNodes(specs(1), 0), ['10.0.0.1:5001']);
        await p.close();
    });
    it('refuses a bad --nodes-list, naming the option', () => {
        for (const bad of [[], ['localhost'], ['a:1', 'a:1'], ['host:0'], ['host:70000'], ['a b:1']]) {
            assert.throws(() => new StaticProvisioner({ nodes: bad }), (e) => e instanceof OptionError && e.message.startsWith('--nodes-list'), JSON.stringify(bad));
        }
        assert.deepEqual(parseNodesList(['127.0.0.1:5001', 'node-1.pool:5001', '[::1]:5001']), [
            '127.0.0.1:5001',
            'node-1.pool:5001',
            '[::1]:5001',
        ]);
    });
    describe('with the default probe', () => {
        let server;
        let up;
        let refusing;
        before(async () => {
            server = createServer((req, res) => {
                if (req.url === '/api/cache/statistics' && req.method === 'GET') {
                    res
                        .writeHead(200, { 'content-type': 'application/json' })
                        .end('{"success":"true","content":"{}"}');
                }
                else {
                    res.writeHead(404).end();
                }
            });
            server.listen(0, '127.0.0.1');
            await once(server, 'listening');
            up = `127.0.0.1:${server.address().port}`;
            // A port that was free a moment ago: nothing listens there.
            const probe = createServer();
            probe.listen(0, '127.0.0.1');
            await once(probe, 'listening');
            refusing = `127.0.0.1:${probe.address().port}`;
            probe.close();
            await once(probe, 'close');
        });
        after(() => {
            server.close();
        });
        it('skips a listed node that does not answer and hands out the one that does', async () => {
            const p = new StaticProvisioner({ nodes: [refusing, up], probeTimeoutMs: 2000 });
            assert.deepEqual(await p.startNodes(specs(2), 0), [up]);
        });
    });
});
//# sourceMappingURL=provisioners-static.test.js.map