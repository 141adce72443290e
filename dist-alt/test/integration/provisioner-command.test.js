/**
 * The command provisioner against real node processes: a scale script (a StatefulSet in
 * miniature: ordinals 0..N-1, scaling down removes the highest) starts `cachepool node --manager
 * URL` in the background, and a small HTTP server plays the manager's registration endpoint.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CommandProvisioner } from '../../src/manager/provisioners/command.js';
import { until } from '../helpers/http.js';
import { CLI, isAlive } from '../helpers/process.js';
import { writeScaleScript } from '../helpers/scale-script.js';
async function readBody(req) {
    let body = '';
    for await (const chunk of req)
        body += String(chunk);
    return body;
}
async function answers(address) {
    try {
        const response = await fetch(`http://${address}/api/cache/statistics`, {
            signal: AbortSignal.timeout(2000),
        });
        await response.arrayBuffer();
        return response.status === 200;
    }
    catch {
        return false;
    }
}
describe('command provisioner with real nodes', () => {
    let dir;
    let manager;
    let managerUrl;
    const registrations = [];
    function pids() {
        return readdirSync(dir)
            .filter((f) => /^node-\d+\.pid$/.test(f))
            .map((f) => Number(readFileSync(join(dir, f), 'utf8')));
    }
    before(async () => {
        dir = mkdtempSync(join(tmpdir(), 'cachepool-sts-'));
        writeScaleScript(dir, '"$NODE_BIN" "$CLI" node --host 127.0.0.1 --port 0 --manager "$MANAGER_URL"');
        let nextIndex = 0;
        manager = createServer((req, res) => {
            void (async () => {
                const body = await readBody(req);
                res.setHeader('content-type', 'application/json');
                if (req.method === 'POST' && req.url === '/api/manager/register') {
                    const registration = JSON.parse(body);
                    registrations.push(registration);
                    const content = { cache_index: nextIndex++, capacity: 1, replacement_policy: 'lru' };
                    res.end(JSON.stringify({ success: 'true', content }));
                }
                else {
                    res.end(JSON.stringify({ success: 'true', content: '' }));
                }
            })();
        });
        manager.listen(0, '127.0.0.1');
        await once(manager, 'listening');
        managerUrl = `http://127.0.0.1:${manager.address().port}`;
    });
    after(async () => {
        for (const pid of pids())
            if (isAlive(pid))
                process.kill(pid, 'SIGKILL');
        manager.closeAllConnections();
        manager.close();
        rmSync(dir, { recursive: true, force: true });
    });
    it('starts nodes that register themselves, and scales down by the highest ordinal', { timeout: 60_000 }, async () => {
        const provisioner = new CommandProvisioner({
            scaleCommand: `"${dir}/scale.sh" {count}`,
            env: { NODE_BIN: process.execPath, CLI, MANAGER_URL: managerUrl },
            timeoutMs: 20_000,
        });
        const specs = [0, 1, 2].map((i) => ({
            cacheIndex: i,
            capacityMb: 1,
            policy: 'lru',
        }));
        assert.deepEqual(await provisioner.startNodes(specs, 0), []);
        assert.equal(pids().length, 3);
        const distinct = () => new Set(registrations.map((r) => r.address));
        await until('three nodes registered', () => distinct().size === 3);
        for (const address of distinct()) {
            assert.match(address, /^127\.0\.0\.1:\d+$/);
            assert.equal(await answers(address), true, `${address} serves`);
        }
        // The node of ordinal 2 logged its own address; scaling to 2 must stop that one.
        const log = readFileSync(join(dir, 'node-2.log'), 'utf8');
        const url = /"url":"http:\/\/(127\.0\.0\.1:\d+)"/.exec(log)?.[1];
        assert.ok(url && distinct().has(url), `node-2 registered: ${log.slice(0, 500)}`);
        const pid2 = Number(readFileSync(join(dir, 'node-2.pid'), 'utf8'));
        await provisioner.stopNode(url, 2);
        assert.equal(existsSync(join(dir, 'node-2.pid')), false);
        await until('node-2 stopped serving', async () => !(await answers(url)));
        await until('node-2 exited', () => !isAlive(pid2));
        assert.equal(pids().filter(isAlive).length, 2);
        await provisioner.scaleTo(0);
        assert.deepEqual(pids(), []);
        await provisioner.close();
    });
});
//# sourceMappingURL=provisioner-command.test.js.map