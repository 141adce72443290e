/**
 * The `command` provisioner: the pool runs under an orchestrator (Kubernetes, Docker Compose, …)
 * and the manager scales it with a user-given shell command, such as
 * `kubectl scale statefulset cachepool-node --replicas={count}`. The nodes it starts register
 * themselves with the manager (`cachepool node --manager URL`), so this provisioner never learns
 * their addresses: it only runs the command and reports how it ended.
 *
 * Only validated values ever reach the shell: `{count}` is a non-negative integer, and
 * `{address}`, `{host}`, `{port}` (for `--remove-command`) match a strict host:port pattern.
 * The same values are also in the command's environment (CACHEPOOL_COUNT, CACHEPOOL_ADDRESS, …).
 */
import { spawn } from 'node:child_process';
import { pino } from 'pino';
import { defaults } from '../../defaults.js';
import { errors, OptionError } from '../../errors.js';
/** How long one command may run before its whole process group is killed, in ms. */
export const COMMAND_TIMEOUT_MS = defaults.commandTimeoutMs;
// A host name or IPv4 address (letters, digits, '.', '-', '_' only: nothing a shell interprets),
// then a port. IPv6 literals are refused: their brackets are shell glob characters.
const SAFE_ADDRESS = /^([A-Za-z0-9](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9])?):([0-9]{1,5})$/;
// `<set>-<ordinal>` as the first DNS label: a StatefulSet pod's stable name.
const STATEFUL_POD = /^([a-z0-9-]*[a-z0-9])-(\d+)(?:\.[^:]*)?:\d+$/;
const PLACEHOLDER = /\{([A-Za-z_]+)\}/g;
const OUTPUT_TAIL_BYTES = 4096;
// After the shell exits, how long to wait for its output pipes to close. A process it left in the
// background may hold them open forever; the outcome is known at exit, so waiting longer is moot.
const PIPE_CLOSE_GRACE_MS = 1000;
/** Scales an orchestrated pool by running a command. */
export class CommandProvisioner {
    kind = 'command';
    awaitsRegistrations = true;
    replacesFailed = true;
    #scaleCommand;
    #removeCommand;
    #timeoutMs;
    #env;
    #logger;
    // Commands run one at a time, in call order: two scale commands racing could leave the
    // orchestrator at the older count.
    #queue = Promise.resolve();
    /** Throws an OptionError naming the option when a template or the timeout is invalid. */
    constructor(options) {
        this.#scaleCommand = checkTemplate('--scale-command', options.scaleCommand, ['count'], ['count']);
        this.#removeCommand =
            options.removeCommand === undefined || options.removeCommand === ''
                ? undefined
                : checkTemplate('--remove-command', options.removeCommand, ['address', 'host', 'port', 'count'], ['address', 'host']);
        const timeoutMs = options.timeoutMs ?? COMMAND_TIMEOUT_MS;
        if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
            throw new OptionError('command timeout', 'must be an integer >= 1 (ms)', timeoutMs);
        }
        this.#timeoutMs = timeoutMs;
        this.#env = options.env ?? {};
        this.#logger = options.logger ?? pino({ level: 'silent' });
    }
    /**
     * Runs the scale command with `{count}` = `currentCount + specs.length` and resolves `[]` once
     * it exits 0: the new nodes register themselves. Does nothing for no specs. Rejects with an
     * OperationalError (CP_ERR_POOL_RESIZE_FAILED) carrying the exit code and stderr otherwise.
     */
    async startNodes(specs, currentCount) {
        if (specs.length === 0)
            return [];
        await this.scaleTo(currentCount + specs.length);
        return [];
    }
    /**
     * Runs `--remove-command` for `address` when one is set, else the scale command with
     * `{count}` = `newCount` (the orchestrator picks which node goes: a StatefulSet removes its
     * highest ordinal, so the manager drains the most recently registered node first).
     */
    async stopNode(address, newCount) {
        checkCount(newCount);
        if (this.#removeCommand === undefined) {
            await this.scaleTo(newCount);
            return;
        }
        const match = SAFE_ADDRESS.exec(address);
        const port = Number(match?.[2]);
        if (match === null || port < 1 || port > 65535) {
            throw new OptionError('node address', 'must be host:port (letters, digits, ".", "-", "_")', address);
        }
        await this.#run(this.#removeCommand, {
            address,
            host: match[1],
            port: String(port),
            count: String(newCount),
        });
    }
    /** Runs the scale command with `{count}` = `count` (an integer >= 0). */
    async scaleTo(count) {
        checkCount(count);
        return this.#run(this.#scaleCommand, { count: String(count) });
    }
    /**
     * Puts the manager's URL in the commands' environment as `CACHEPOOL_MANAGER`, which is what
     * `cachepool node` reads for `--manager`: a script that starts nodes needs no argument for it.
     */
    setManagerUrl(url) {
        this.#env = { ...this.#env, CACHEPOOL_MANAGER: url };
    }
    /** The command provisioner cannot see its nodes: they announce themselves by registering. */
    /** The nodes the scale command will remove, one after the other (nodeToDrain). */
    chooseLeaving(members, count) {
        const leaving = [];
        for (let i = 0; i < count; i++) {
            const next = nodeToDrain(members.filter((member) => !leaving.includes(member.address)));
            if (next)
                leaving.push(next);
        }
        return leaving;
    }
    /**
     * A failed node is left to the orchestrator: it recreates the pod (empty) and the new node
     * registers again. Scaling down here would remove the highest ordinal, not the failed node.
     */
    async forgetFailed(_address, _newCount) { }
    addresses() {
        return [];
    }
    /** No events: the orchestrator restarts crashed nodes, and they register again. */
    onEvent(_listener) { }
    /** Waits for a command still running. */
    async close() {
        await this.#queue.catch(() => { });
    }
    #run(template, values) {
        const command = template.replace(PLACEHOLDER, (_, name) => values[name]);
        const env = { ...this.#env };
        for (const [name, value] of Object.entries(values))
            env[`CACHEPOOL_${name.toUpperCase()}`] = value;
        const run = this.#queue.catch(() => { }).then(() => this.#exec(command, env));
        this.#queue = run;
        return run;
    }
    async #exec(command, env) {
        this.#logger.info({ command }, 'running provisioner command');
        const outcome = await execShell(command, { ...inheritedEnv(), ...env }, this.#timeoutMs);
        if (outcome.kind === 'ok') {
            this.#logger.info({ command }, 'provisioner command succeeded');
            return outcome.result;
        }
        this.#logger.error({ command, err: outcome.error }, 'provisioner command failed');
        throw outcome.error;
    }
}
/**
 * The node a scale-down by the scale command will remove, so the manager drains that one first:
 * when every address is a StatefulSet pod name of one set (`<set>-<ordinal>.…:port`), the highest
 * ordinal (the pod Kubernetes removes); otherwise the most recently added node (ties: the last in
 * `nodes`). Undefined for no nodes. Pure.
 */
export function nodeToDrain(nodes) {
    if (nodes.length === 0)
        return undefined;
    const ordinals = nodes.map((n) => STATEFUL_POD.exec(n.address));
    const sets = new Set(ordinals.map((m) => m?.[1]));
    if (ordinals.every((m) => m !== null) && sets.size === 1) {
        let best = 0;
        ordinals.forEach((m, i) => {
            if (Number(m[2]) > Number(ordinals[best][2]))
                best = i;
        });
        return nodes[best].address;
    }
    let latest = nodes[0];
    for (const node of nodes)
        if (node.addedAtMs >= latest.addedAtMs)
            latest = node;
    return latest.address;
}
/**
 * Runs `/bin/sh -c command` in its own process group. Resolves when the shell has exited and its
 * pipes closed (or `PIPE_CLOSE_GRACE_MS` after the exit). On timeout the whole group is killed.
 *
 * Not `execFile`: it resolves only when every holder of the output pipes exits (a command that
 * starts a node in the background would never resolve) and its timeout kills the shell alone.
 */
function execShell(command, env, timeoutMs) {
    return new Promise((resolve) => {
        const child = spawn('/bin/sh', ['-c', command], {
            env,
            stdio: ['ignore', 'pipe', 'pipe'],
            detached: true,
        });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout = tail(stdout + chunk)));
        child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr = tail(stderr + chunk)));
        let timedOut = false;
        let settled = false;
        let exit;
        let graceTimer;
        const killGroup = () => {
            try {
                if (child.pid !== undefined)
                    process.kill(-child.pid, 'SIGKILL');
            }
            catch {
                // The group is already gone.
            }
        };
        const timer = setTimeout(() => {
            timedOut = true;
            killGroup();
        }, timeoutMs);
        const settle = (outcome) => {
            if (settled)
                return;
            settled = true;
            clearTimeout(timer);
            clearTimeout(graceTimer);
            child.stdout.destroy();
            child.stderr.destroy();
            resolve(outcome);
        };
        const finish = () => {
            if (exit === undefined)
                return;
            const result = { command, stdout: stdout.trim(), stderr: stderr.trim() };
            if (timedOut) {
                settle(failed(`command timed out after ${timeoutMs} ms and was killed: ${command}`, result.stderr));
            }
            else if (exit.code === 0) {
                settle({ kind: 'ok', result });
            }
            else {
                const how = exit.code === null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
                settle(failed(`command ${how}: ${command}`, result.stderr));
            }
        };
        child.on('error', (error) => {
            clearTimeout(timer);
            settle({
                kind: 'failed',
                error: errors.resizeFailed(`could not run command: ${command}`, error),
            });
        });
        child.on('exit', (code, signal) => {
            exit = { code, signal };
            clearTimeout(timer);
            graceTimer = setTimeout(finish, PIPE_CLOSE_GRACE_MS);
        });
        child.on('close', finish);
    });
}
/**
 * This process's environment without its `CACHEPOOL_*` settings (`CACHEPOOL_PORT` is the
 * manager's port, not the port of a node the command starts), but with the log level.
 */
function inheritedEnv() {
    const env = {};
    for (const [name, value] of Object.entries(process.env))
        if (!name.startsWith('CACHEPOOL_'))
            env[name] = value;
    if (process.env.CACHEPOOL_LOG_LEVEL)
        env.CACHEPOOL_LOG_LEVEL = process.env.CACHEPOOL_LOG_LEVEL;
    return env;
}
function failed(message, stderr) {
    const detail = stderr === '' ? '' : `; stderr: ${stderr.slice(-1000)}`;
    return {
        kind: 'failed',
        error: errors.resizeFailed(`${message}${detail}`),
    };
}
function tail(text) {
    return text.length > OUTPUT_TAIL_BYTES ? text.slice(-OUTPUT_TAIL_BYTES) : text;
}
function checkCount(count) {
    if (!Number.isSafeInteger(count) || count < 0)
        throw new OptionError('node count', 'must be an integer >= 0', count);
}
/**
 * Checks a command template: a non-empty string whose `{name}` placeholders are all `allowed`
 * and which holds at least one of `required`. Returns it unchanged.
 */
function checkTemplate(option, template, allowed, required) {
    if (typeof template !== 'string' || template.trim() === '') {
        throw new OptionError(option, 'must be a shell command', template);
    }
    const used = [...template.matchAll(PLACEHOLDER)].map((m) => m[1]);
    const unknown = used.find((name) => !allowed.includes(name));
    if (unknown !== undefined) {
        throw new OptionError(option, `may only use the placeholders ${allowed.map((n) => `{${n}}`).join(', ')}`, `{${unknown}}`);
    }
    if (!used.some((name) => required.includes(name))) {
        throw new OptionError(option, `must contain ${required.map((n) => `{${n}}`).join(' or ')}`, template);
    }
    return template;
}
//# sourceMappingURL=command.js.map