/**
 * A multi-host test bed on Linux network namespaces: every "host" is a namespace this helper
 * makes, with one veth link to a bridge that lives in a namespace of its own (never in the root
 * namespace). The hosts' addresses (10.231.77.0/24) exist only inside those namespaces. Processes
 * run on a host with `ip netns exec <ns> node …`.
 *
 * The test process itself stays in the root namespace and reaches the hosts through a relay: a
 * small HTTP forwarder started on the `client` host that listens on a Unix socket (a file, seen
 * from every namespace) and forwards each request to the host and port of its Host header. So all
 * the test's traffic to the pool goes out from inside a namespace made here.
 *
 * Namespaces are named `cpmh<pid>-…`; `createTestBed` removes stale ones of an earlier run whose
 * process is gone, and `destroy()` removes everything it made (call it from an `after` hook).
 * Run as a script (`node netns.js relay <socket>`), this file is the relay.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, rmSync } from 'node:fs';
import { request as httpRequest, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Agent, request } from 'undici';
import { onJsonLines } from './json-lines.js';
import { CLI } from './process.js';
const PREFIX = 'cpmh';
const SUBNET = '10.231.77';
/** Why namespaces cannot be made here, or undefined when they can. */
export function netnsUnavailable() {
    if (process.platform !== 'linux')
        return 'network namespaces need Linux';
    if (process.getuid?.() !== 0)
        return 'making network namespaces needs root';
    try {
        execFileSync('ip', ['-V'], { stdio: 'ignore' });
    }
    catch {
        return 'the `ip` command (iproute2) is not installed';
    }
    const probe = `${PREFIX}${process.pid}-probe`;
    try {
        ip(['netns', 'add', probe]);
        ip(['netns', 'del', probe]);
    }
    catch (error) {
        return `cannot make a network namespace: ${error.message.split('\n')[0]}`;
    }
    return undefined;
}
function ip(args) {
    return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
/** Removes namespaces of an earlier run (`cpmh<pid>-…`) whose process no longer exists. */
function removeStale() {
    const names = ip(['netns', 'list'])
        .split('\n')
        .map((line) => line.split(' ')[0])
        .filter((name) => name.startsWith(PREFIX));
    for (const name of names) {
        const pid = Number(/^cpmh(\d+)-/.exec(name)?.[1]);
        if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) {
            // Processes an earlier run left in its namespace (this test started them) go first.
            for (const p of ip(['netns', 'pids', name]).split('\n').filter(Boolean)) {
                try {
                    process.kill(Number(p), 'SIGKILL');
                }
                catch {
                    // gone already
                }
            }
            ip(['netns', 'del', name]);
        }
    }
}
function alive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch {
        return false;
    }
}
/**
 * Makes a bridge namespace and one namespace per name in `hostNames` (plus `client`, for the
 * relay), each host with address 10.231.77.<10 + i>/24, and starts the relay.
 */
export async function createTestBed(hostNames) {
    removeStale();
    const base = `${PREFIX}${process.pid}-`;
    const bridge = `${base}br`;
    const made = [];
    const processes = new Set();
    const hosts = new Map();
    const socketPath = join(tmpdir(), `${base}relay.sock`);
    let relay;
    const destroy = async () => {
        await Promise.all([...processes].map((p) => p.stop(2_000)));
        for (const ns of made.reverse()) {
            try {
                ip(['netns', 'del', ns]);
            }
            catch {
                // already gone
            }
        }
        rmSync(socketPath, { force: true });
    };
    try {
        ip(['netns', 'add', bridge]);
        made.push(bridge);
        ip(['-n', bridge, 'link', 'add', 'br0', 'type', 'bridge']);
        ip(['-n', bridge, 'link', 'set', 'br0', 'up']);
        [...hostNames, 'client'].forEach((name, i) => {
            const ns = `${base}${name}`;
            ip(['netns', 'add', ns]);
            made.push(ns);
            const address = `${SUBNET}.${10 + i}`;
            // Both ends are made inside the bridge namespace, then one moves to the host's.
            ip([
                '-n',
                bridge,
                'link',
                'add',
                `vb${i}`,
                'type',
                'veth',
                'peer',
                'name',
                'eth0',
                'netns',
                ns,
            ]);
            ip(['-n', bridge, 'link', 'set', `vb${i}`, 'master', 'br0', 'up']);
            ip(['-n', ns, 'link', 'set', 'lo', 'up']);
            ip(['-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
            ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
            const host = {
                name,
                ns,
                address,
                start: (args, env = {}) => {
                    const started = startIn(ns, [CLI, ...args], env);
                    processes.add(started);
                    return started;
                },
                linkDown: () => ip(['-n', ns, 'link', 'set', 'eth0', 'down']),
                linkUp: () => ip(['-n', ns, 'link', 'set', 'eth0', 'up']),
            };
            hosts.set(name, host);
        });
        rmSync(socketPath, { force: true });
        relay = startIn(`${base}client`, [fileURLToPath(import.meta.url), 'relay', socketPath], {});
        processes.add(relay);
        await relay.waitForLine((line) => line.msg === 'relay listening', 15_000);
    }
    catch (error) {
        await destroy();
        throw error;
    }
    const dispatcher = new Agent({ connect: { socketPath }, connections: 64 });
    // A test process ended from outside (the runner's timeout) runs no `after` hook: leave nothing
    // behind then either. Synchronous, as exit handlers must be.
    const destroyNow = () => {
        for (const p of processes) {
            p.child.kill('SIGCONT');
            p.child.kill('SIGKILL');
        }
        for (const ns of made) {
            try {
                ip(['netns', 'del', ns]);
            }
            catch {
                // already gone
            }
        }
        rmSync(socketPath, { force: true });
    };
    const onSignal = () => {
        destroyNow();
        process.exit(1);
    };
    process.once('exit', destroyNow);
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    return {
        hosts,
        dispatcher,
        socketPath,
        destroy: async () => {
            process.off('exit', destroyNow);
            process.off('SIGTERM', onSignal);
            process.off('SIGINT', onSignal);
            await dispatcher.close().catch(() => { });
            await destroy();
        },
    };
}
/** Starts `node <args>` in namespace `ns`; its stdout is read as JSON lines. */
function startIn(ns, args, env) {
    // `ip netns exec` enters the namespace and execs the command: the pid is node's own.
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], {
        env: { ...process.env, CACHEPOOL_LOG_LEVEL: 'info', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = [];
    const waiters = new Set();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
        stderr = (stderr + chunk).slice(-4000);
    });
    onJsonLines(child.stdout, (line) => {
        lines.push(line);
        for (const waiter of [...waiters]) {
            if (waiter.match(line)) {
                waiters.delete(waiter);
                waiter.resolve(line);
            }
        }
    });
    let exited = false;
    const exit = once(child, 'exit').then(() => {
        exited = true;
    });
    return {
        child,
        pid: child.pid,
        lines,
        get exited() {
            return exited;
        },
        waitForLine: (match, timeoutMs = 30_000) => {
            const seen = lines.find(match);
            if (seen)
                return Promise.resolve(seen);
            return new Promise((resolve, reject) => {
                const waiter = {
                    match,
                    resolve: (line) => {
                        clearTimeout(timer);
                        resolve(line);
                    },
                };
                const timer = setTimeout(() => {
                    waiters.delete(waiter);
                    reject(new Error(`timed out waiting for a log line of ${args.join(' ')} in ${ns}; stderr: ${stderr}`));
                }, timeoutMs);
                waiters.add(waiter);
                // exit rejects only when the spawn failed, which the wait for its log line reports.
                void exit.then(() => {
                    if (!waiters.has(waiter))
                        return;
                    waiters.delete(waiter);
                    clearTimeout(timer);
                    reject(new Error(`${args.join(' ')} in ${ns} exited; stderr: ${stderr}`));
                });
            });
        },
        stop: async (graceMs = 5_000) => {
            if (exited)
                return;
            child.kill('SIGCONT');
            child.kill('SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
            await exit;
            clearTimeout(timer);
        },
    };
}
/** Calls `method url` through the bed's relay; parses the envelope. Bounded by `timeoutMs`. */
export async function callOnBed(bed, method, url, body, options = {}) {
    const answer = await request(url, {
        method,
        dispatcher: bed.dispatcher,
        headers: {
            ...(body ? { 'content-type': 'application/json' } : {}),
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
    const text = await answer.body.text();
    let json;
    try {
        json = JSON.parse(text);
    }
    catch {
        json = undefined;
    }
    return { status: answer.statusCode, json };
}
/**
 * The relay: forwards each request on the Unix socket `socketPath` to the host:port of its Host
 * header, which must be on the bed's subnet (anything else is refused with 421).
 */
function runRelay(socketPath) {
    const server = createServer((req, res) => {
        const [hostname, port] = (req.headers.host ?? '').split(':');
        if (!hostname?.startsWith(`${SUBNET}.`) || !port) {
            res.writeHead(421).end('the relay only forwards to the test bed');
            return;
        }
        // Only the end-to-end headers that matter here; hop-by-hop ones stay on this hop.
        const headers = { host: req.headers.host };
        for (const name of [
            'content-type',
            'content-length',
            'authorization',
            'if-match',
            'if-none-match',
        ]) {
            const value = req.headers[name];
            if (typeof value === 'string')
                headers[name] = value;
        }
        const upstream = httpRequest({ hostname, port: Number(port), method: req.method, path: req.url, headers }, (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
        });
        upstream.on('error', (error) => {
            if (!res.headersSent)
                res.writeHead(502).end(`relay: ${error.message}`);
            else
                res.destroy();
        });
        // A client that gives up (its timeout) closes the answer early: give up upstream too.
        res.on('close', () => {
            if (!res.writableFinished)
                upstream.destroy();
        });
        req.pipe(upstream);
    });
    server.listen(socketPath, () => process.stdout.write(`${JSON.stringify({ msg: 'relay listening' })}\n`));
    process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
    if (process.argv[2] === 'relay' && process.argv[3] && !existsSync(process.argv[3]))
        runRelay(process.argv[3]);
    else
        throw new Error('usage: netns.js relay <socket path (must not exist)>');
}
//# sourceMappingURL=netns.js.map