import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { OperationalError, OptionError } from '../../../src/errors.js';
import { CommandProvisioner, nodeToDrain } from '../../../src/manager/provisioners/command.js';
import { until } from '../../helpers/http.js';
import { isAlive } from '../../helpers/process.js';
import { removeTempDirs, tempDir as makeTempDir } from '../../helpers/temp-dir.js';
const specs = (n) => Array.from({ length: n }, (_, i) => ({ cacheIndex: i, capacityMb: 1, policy: 'lru' }));
const tempDir = () => makeTempDir('cachepool-cmd-');
after(removeTempDirs);
function isResizeFailure(pattern) {
    return (e) => {
        assert.ok(e instanceof OperationalError, `not an OperationalError: ${String(e)}`);
        assert.equal(e.code, 'CP_ERR_POOL_RESIZE_FAILED');
        assert.match(e.message, pattern);
        return true;
    };
}
describe('CommandProvisioner', () => {
    it('runs the scale command with the new count and resolves with no addresses', async () => {
        const out = join(tempDir(), 'out');
        const p = new CommandProvisioner({
            scaleCommand: `echo "replicas={count} env=$CACHEPOOL_COUNT" >> "$OUT"`,
            env: { OUT: out },
        });
        assert.equal(p.kind, 'command');
        assert.deepEqual(await p.startNodes(specs(2), 3), []);
        assert.deepEqual(await p.startNodes([], 5), [], 'no specs, no command');
        assert.equal(readFileSync(out, 'utf8'), 'replicas=5 env=5\n');
        assert.deepEqual(p.addresses(), []);
    });
    it('scales down to the remaining count when no remove command is set', async () => {
        const out = join(tempDir(), 'out');
        const p = new CommandProvisioner({ scaleCommand: 'echo {count} >> "$OUT"', env: { OUT: out } });
        await p.stopNode('cachepool-node-2.cachepool-node:5001', 2);
        const result = await p.scaleTo(0);
        assert.equal(result.command, 'echo 0 >> "$OUT"');
        assert.equal(readFileSync(out, 'utf8'), '2\n0\n');
    });
    it('runs the remove command with the node address, host, port and remaining count', async () => {
        const out = join(tempDir(), 'out');
        const p = new CommandProvisioner({
            scaleCommand: 'echo scale {count} >> "$OUT"',
            removeCommand: 'echo remove {address} {host} {port} {count} $CACHEPOOL_ADDRESS >> "$OUT"',
            env: { OUT: out },
        });
        await p.stopNode('cachepool_node-3.example:5001', 3);
        assert.equal(readFileSync(out, 'utf8'), 'remove cachepool_node-3.example:5001 cachepool_node-3.example 5001 3 cachepool_node-3.example:5001\n');
    });
    it('never passes an address with shell syntax to the remove command', async () => {
        const out = join(tempDir(), 'out');
        const p = new CommandProvisioner({
            scaleCommand: 'true {count}',
            removeCommand: 'echo {address} >> "$OUT"',
            env: { OUT: out },
        });
        for (const bad of [
            '$(touch pwned):5001',
            'a;b:5001',
            'a b:5001',
            '`id`:1',
            'host:0',
            'host:99999',
            '[::1]:5001',
            'host',
            '-rf:5001',
            'a:5001\nb',
        ]) {
            await assert.rejects(p.stopNode(bad, 1), OptionError, bad);
        }
        assert.equal(existsSync(out), false, 'the command never ran');
    });
    it('refuses bad templates and counts, naming the option', async () => {
        assert.throws(() => new CommandProvisioner({ scaleCommand: '' }), /--scale-command must be a shell command/);
        assert.throws(() => new CommandProvisioner({ scaleCommand: 'kubectl scale --replicas=3' }), /--scale-command must contain \{count\}/);
        assert.throws(() => new CommandProvisioner({ scaleCommand: 'scale {count} {replicas}' }), /--scale-command may only use the placeholders \{count\}, got "\{replicas\}"/);
        assert.throws(() => new CommandProvisioner({ scaleCommand: 'scale {count}', removeCommand: 'rm {count}' }), /--remove-command must contain \{address\} or \{host\}/);
        assert.throws(() => new CommandProvisioner({ scaleCommand: 'scale {count}', timeoutMs: 0 }), OptionError);
        const p = new CommandProvisioner({ scaleCommand: 'true {count}' });
        await assert.rejects(p.scaleTo(-1), OptionError);
        await assert.rejects(p.scaleTo(1.5), OptionError);
        await assert.rejects(p.stopNode('a:1', Number.NaN), OptionError);
    });
    it('reports a failing command with its exit code and stderr', async () => {
        const p = new CommandProvisioner({
            scaleCommand: 'echo "statefulsets.apps \\"cachepool-node\\" not found" >&2; exit 3 # {count}',
        });
        await assert.rejects(p.startNodes(specs(1), 1), isResizeFailure(/exited with code 3: .*stderr: statefulsets\.apps "cachepool-node" not found/));
    });
    it('kills a command that runs past its timeout, with everything it started', async () => {
        const pidFile = join(tempDir(), 'pid');
        const p = new CommandProvisioner({
            scaleCommand: 'sleep 30 & echo $! > "$PIDFILE"; wait # {count}',
            timeoutMs: 300,
            env: { PIDFILE: pidFile },
        });
        await assert.rejects(p.scaleTo(1), isResizeFailure(/timed out after 300 ms/));
        const pid = Number(readFileSync(pidFile, 'utf8'));
        assert.ok(pid > 0);
        await until(`process ${pid} exited`, () => !isAlive(pid), 10_000);
    });
    it('finishes when the command leaves a process in the background that holds its output', { timeout: 20_000 }, async () => {
        const pidFile = join(tempDir(), 'pid');
        const p = new CommandProvisioner({
            scaleCommand: 'sleep 60 & echo $! > "$PIDFILE"; echo scaled to {count}',
            timeoutMs: 60_000,
            env: { PIDFILE: pidFile },
        });
        const result = await p.scaleTo(4);
        assert.equal(result.stdout, 'scaled to 4');
        const pid = Number(readFileSync(pidFile, 'utf8'));
        assert.equal(isAlive(pid), true, "a successful command's background process is left running");
        process.kill(pid, 'SIGKILL');
        await until(`process ${pid} exited`, () => !isAlive(pid), 10_000);
    });
    it('runs commands one at a time in call order', async () => {
        const out = join(tempDir(), 'out');
        const p = new CommandProvisioner({
            scaleCommand: 'echo start {count} >> "$OUT"; sleep 0.1; echo end {count} >> "$OUT"',
            env: { OUT: out },
        });
        const failing = new CommandProvisioner({ scaleCommand: 'exit 1 # {count}' });
        await Promise.all([
            p.scaleTo(1),
            p.scaleTo(2),
            p.scaleTo(3),
            assert.rejects(failing.scaleTo(1)),
        ]);
        await p.close();
        assert.equal(readFileSync(out, 'utf8'), 'start 1\nend 1\nstart 2\nend 2\nstart 3\nend 3\n');
    });
    it('keeps running commands after one failed', async () => {
        const out = join(tempDir(), 'out');
        const p = new CommandProvisioner({
            scaleCommand: 'test {count} -ne 2 && echo {count} >> "$OUT"',
            env: { OUT: out },
        });
        const results = await Promise.allSettled([p.scaleTo(1), p.scaleTo(2), p.scaleTo(3)]);
        assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
        assert.equal(readFileSync(out, 'utf8'), '1\n3\n');
    });
    it('names the node a scale-down removes: the highest StatefulSet ordinal, else the newest', () => {
        const sts = (ordinal, addedAtMs) => ({
            address: `cachepool-node-${ordinal}.cachepool-node.default.svc.cluster.local:5001`,
            addedAtMs,
        });
        assert.equal(nodeToDrain([]), undefined);
        // Ordinal 10 sorts below 9 as text; the newest registration is ordinal 2.
        assert.equal(nodeToDrain([sts(9, 1), sts(10, 2), sts(2, 3)]), sts(10, 0).address);
        assert.equal(nodeToDrain([sts(0, 5), { address: 'cachepool-node-1:5001', addedAtMs: 1 }]), 'cachepool-node-1:5001');
        // Not one StatefulSet: the most recently added.
        assert.equal(nodeToDrain([sts(3, 1), { address: 'other-7.x:5001', addedAtMs: 0 }]), sts(3, 0).address);
        assert.equal(nodeToDrain([
            { address: '10.0.0.9:5001', addedAtMs: 200 },
            { address: '10.0.0.3:5001', addedAtMs: 300 },
            { address: '10.0.0.5:5001', addedAtMs: 100 },
        ]), '10.0.0.3:5001');
    });
});
//# sourceMappingURL=provisioners-command.test.js.map