/**
 * `cachepool start --provisioner command` with a pool token: a scale script (a StatefulSet in
 * miniature: ordinals 0..N-1, scaling down removes the highest) starts `cachepool node` processes
 * in the background. They get the manager's URL and the token from the environment the manager
 * gives the command (CACHEPOOL_MANAGER, CACHEPOOL_TOKEN), register themselves, and the pool
 * rebalances onto them; shrinking drains the node the script will remove, then runs the script.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { partitionOf } from '../../src/partition/index.js';
import { content, pollUntil, postForm, send } from '../helpers/http.js';
import { startPool } from '../helpers/pool.js';
import { CLI, stopAll } from '../helpers/process.js';
import { writeScaleScript } from '../helpers/scale-script.js';
const TOKEN = 'a-long-pool-token-for-the-command-test';
const auth = { authorization: `Bearer ${TOKEN}` };
const scriptDir = mkdtempSync(join(tmpdir(), 'cachepool-scale-'));
function pidsOfScript() {
    return readdirSync(scriptDir)
        .filter((name) => name.endsWith('.pid'))
        .map((name) => Number(readFileSync(join(scriptDir, name), 'utf8').trim()));
}
const started = new Set();
after(async () => {
    await stopAll();
    for (const pid of [...started, ...pidsOfScript()]) {
        try {
            process.kill(pid, 'SIGKILL');
        }
        catch {
            // already gone
        }
    }
});
describe('the command provisioner with self-registering nodes and a token', () => {
    it('grows onto a registered node, moves its partitions there, and drains the scripted node on shrink', async () => {
        const script = writeScaleScript(scriptDir, '"$NODE_BIN" "$CLI_PATH" node --host 127.0.0.1 --port 0 --index "$i"');
        const { process: pool, manager, gateway, } = await startPool([
            '--nodes',
            '1',
            '--max',
            '3',
            '--provisioner',
            'command',
            '--scale-command',
            `${script} {count}`,
        ], { env: { CACHEPOOL_TOKEN: TOKEN, NODE_BIN: process.execPath, CLI_PATH: CLI } });
        pidsOfScript().forEach((pid) => started.add(pid));
        const first = (await content(`${manager}/api/manager/pool_node_list`)).node_ip_list;
        assert.equal(first.length, 1);
        // The token never reached a node's argv.
        const node0 = Number(readFileSync(join(scriptDir, 'node-0.pid'), 'utf8').trim());
        assert.doesNotMatch(readFileSync(`/proc/${node0}/cmdline`, 'utf8'), new RegExp(TOKEN));
        assert.match(readFileSync(join(scriptDir, 'node-0.log'), 'utf8'), /"msg":"registered"/);
        const keys = Array.from({ length: 200 }, (_, i) => `cmd-${i}`);
        for (const key of keys)
            assert.equal((await postForm(`${gateway}/api/cache/content`, { key, value: `v-${key}` })).status, 200);
        // Writes need the token; reads of the pool's state do not.
        const refused = await postForm(`${manager}/api/manager/poolsize/manual`, {
            change: 'increase',
        });
        assert.equal(refused.status, 401);
        assert.equal((await content(`${manager}/api/manager/poolsize`)).size, 1);
        const grown = await postForm(`${manager}/api/manager/poolsize/manual`, { change: 'increase' }, { headers: auth, timeoutMs: 60_000 });
        assert.equal(grown.status, 200, grown.text);
        pidsOfScript().forEach((pid) => started.add(pid));
        const two = (await content(`${manager}/api/manager/pool_node_list`)).node_ip_list;
        assert.equal(two.length, 2);
        const added = two.find((address) => !first.includes(address));
        const table = await content(`${manager}/api/manager/partitions`);
        assert.equal(table.partitions.filter((owner) => owner === added).length, 8);
        const moved = (await send(`http://${added}/keys`, { headers: auth })).json;
        assert.ok(moved.length > 0, 'no key reached the new node');
        assert.ok(moved.every((key) => table.partitions[partitionOf(key)] === added));
        for (const key of keys)
            assert.equal((await postForm(`${gateway}/api/cache/key`, { key })).json?.content, `v-${key}`);
        const shrunk = await postForm(`${manager}/api/manager/poolsize/manual`, { change: 'decrease' }, { headers: auth, timeoutMs: 60_000 });
        assert.equal(shrunk.status, 200, shrunk.text);
        assert.deepEqual((await content(`${manager}/api/manager/pool_node_list`)).node_ip_list, first);
        // The script removed ordinal 1 — the node the manager drained first.
        assert.equal(existsSync(join(scriptDir, 'node-1.pid')), false);
        await pollUntil(async () => (await send(`http://${added}/healthz`).catch(() => undefined)) ? undefined : true, 10_000);
        for (const key of keys)
            assert.equal((await postForm(`${gateway}/api/cache/key`, { key })).json?.content, `v-${key}`);
        assert.equal(await pool.stop(), 0);
    });
});
//# sourceMappingURL=manager-command.test.js.map