/**
 * Helpers shared by every subcommand: options that also read `CACHEPOOL_<OPTION>` from the
 * environment, value parsers with messages that name the option, the rule and the value, the
 * pino logger (JSON lines on stdout; readable lines through pino-pretty when stdout is a
 * terminal), listening with a one-line answer for a busy port, and a clean shutdown on
 * SIGTERM/SIGINT or after a failed start.
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import { destination, pino } from 'pino';
import { defaults } from '../defaults.js';
import { CachePoolError, OptionError } from '../errors.js';
import { listen, resolveToken, TOKEN_WARN_BELOW_CHARS } from '../http/index.js';
/** The environment variable an option reads: `--gateway-port` → `CACHEPOOL_GATEWAY_PORT`. */
export function envNameOf(longFlag) {
    return `CACHEPOOL_${longFlag.replace(/^--/, '').replace(/-/g, '_').toUpperCase()}`;
}
/**
 * Adds `--flag` to `command`, also read from its environment variable (the command line wins).
 * `parse` turns the text into a value (throwing InvalidArgumentError on bad input).
 */
export function addOption(command, flags, description, parse, defaultValue) {
    const option = new Option(flags, description);
    const long = option.long;
    if (long)
        option.env(envNameOf(long));
    if (parse)
        option.argParser((value) => parse(value));
    if (defaultValue !== undefined)
        option.default(defaultValue);
    return command.addOption(option);
}
/** A parser of integers within [min, max]: `--capacity must be an integer >= 0, got "abc"`. */
export function integerOption(name, min = 0, max = Number.MAX_SAFE_INTEGER) {
    return (value) => {
        const number = /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
        if (!Number.isSafeInteger(number) || number < min || number > max) {
            const rule = max === Number.MAX_SAFE_INTEGER
                ? `an integer >= ${min}`
                : `an integer from ${min} to ${max}`;
            throw new InvalidArgumentError(`${name} must be ${rule}, got ${JSON.stringify(value)}`);
        }
        return number;
    };
}
/** A parser of numbers > `min` (exclusive) such as intervals in seconds. */
export function positiveNumberOption(name, min = 0) {
    return (value) => {
        const number = value.trim() === '' ? NaN : Number(value);
        if (!Number.isFinite(number) || number <= min) {
            throw new InvalidArgumentError(`${name} must be a number > ${min}, got ${JSON.stringify(value)}`);
        }
        return number;
    };
}
/** A parser of one value among `choices`. */
export function choiceOption(name, choices) {
    return (value) => {
        if (!choices.includes(value)) {
            throw new InvalidArgumentError(`${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
        }
        return value;
    };
}
/** A parser of comma-separated lists (empty entries dropped). */
export function listOption(value, previous = []) {
    return [
        ...previous,
        ...value
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== ''),
    ];
}
/** A parser of booleans from the environment or the command line (`1`, `true`, `yes`). */
export function booleanOption(name) {
    return (value) => {
        const v = value.trim().toLowerCase();
        if (['1', 'true', 'yes', 'on', ''].includes(v))
            return true;
        if (['0', 'false', 'no', 'off'].includes(v))
            return false;
        throw new InvalidArgumentError(`${name} must be true or false, got ${JSON.stringify(value)}`);
    };
}
/**
 * Whether logs are for a person: stdout is a terminal, unless `CACHEPOOL_LOG_FORMAT=json` asks
 * for JSON anyway (`CACHEPOOL_LOG_FORMAT=pretty` asks for readable lines on a pipe).
 */
export function logsForPeople() {
    const format = process.env.CACHEPOOL_LOG_FORMAT;
    if (format === 'json')
        return false;
    if (format === 'pretty')
        return true;
    return process.stdout.isTTY === true;
}
/**
 * The process logger on stdout, level from CACHEPOOL_LOG_LEVEL (default info): JSON lines, which
 * tests, the local provisioner and log collectors read, or, for a terminal (`logsForPeople`),
 * the same records made readable by pino-pretty.
 */
export function createLogger(bindings = {}) {
    const level = process.env.CACHEPOOL_LOG_LEVEL ?? 'info';
    const options = { level, base: { pid: process.pid, ...bindings } };
    if (logsForPeople()) {
        // Loaded only for a terminal: node processes (a pipe) do not pay for it at every start.
        const { PinoPretty } = createRequire(import.meta.url)('pino-pretty');
        return pino(options, PinoPretty({
            sync: true,
            destination: 1,
            ignore: 'pid,hostname',
            translateTime: 'SYS:HH:MM:ss',
        }));
    }
    return pino(options, destination({ dest: 1, sync: true }));
}
/**
 * Creates `dir` and its missing parents one level at a time, then checks that it is a writable
 * directory; throws an OptionError naming `option` in one line otherwise. One level at a time,
 * because a recursive mkdir under a pseudo file system (`/proc/x`) loops forever in Node 20.
 * Returns the absolute path.
 */
export function ensureDirectory(option, dir) {
    const absolute = resolve(dir);
    const missing = [];
    let existing = absolute;
    // Bounded by the depth of the path: dirname of the root is the root.
    for (;;) {
        try {
            statSync(existing);
            break;
        }
        catch {
            missing.unshift(existing);
            const parent = dirname(existing);
            if (parent === existing)
                break;
            existing = parent;
        }
    }
    const refuse = (why) => {
        throw new OptionError(option, `must be a writable directory (${why})`, dir);
    };
    if (!statSync(existing, { throwIfNoEntry: false })?.isDirectory())
        refuse(`${existing} is not a directory`);
    for (const path of missing) {
        try {
            mkdirSync(path);
        }
        catch (error) {
            const code = error.code ?? 'error';
            refuse(`cannot create ${path}: ${code}`);
        }
    }
    try {
        accessSync(absolute, constants.W_OK);
    }
    catch {
        refuse(`${absolute} is not writable`);
    }
    return absolute;
}
/**
 * `listen`, with a port that is already taken (or not ours to bind) turned into one OptionError
 * naming `option` instead of a stack.
 */
export async function listenOn(app, options, option) {
    try {
        return await listen(app, options);
    }
    catch (error) {
        const code = error.code;
        const where = `${options.host}:${options.port}`;
        if (code === 'EADDRINUSE')
            throw new OptionError(option, `must name a free port (${where} is already in use)`, options.port);
        if (code === 'EACCES')
            throw new OptionError(option, `must name a port this user may bind (${where})`, options.port);
        if (code === 'EADDRNOTAVAIL')
            throw new OptionError('--host', `must be an address of this machine (${where})`, options.host);
        throw error;
    }
}
const steps = [];
let installed = false;
let stopping = false;
/**
 * Registers `step` to run on SIGTERM/SIGINT; steps run in reverse order of registration (the
 * last started stops first), each bounded by `timeoutMs`, then the process exits 0 (1 when a step
 * failed).
 */
export function onShutdown(step, logger, timeoutMs = defaults.shutdownStepTimeoutMs) {
    steps.push(step);
    if (installed)
        return;
    installed = true;
    const stop = (signal) => {
        if (stopping)
            return;
        stopping = true;
        logger?.info({ signal }, 'stopping');
        void runSteps(timeoutMs, logger).then((failed) => {
            logger?.info({ signal }, 'stopped');
            logger?.flush?.();
            process.exit(failed ? 1 : 0);
        });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
}
async function runSteps(timeoutMs, logger) {
    let failed = false;
    // Each step runs once, whether a signal or a failed start ran them first.
    const pending = steps.splice(0).reverse();
    for (const step of pending) {
        let timer;
        try {
            await Promise.race([
                Promise.resolve().then(step),
                new Promise((resolve) => {
                    timer = setTimeout(resolve, timeoutMs);
                    timer.unref();
                }),
            ]);
        }
        catch (error) {
            failed = true;
            logger?.error({ err: error }, 'shutdown step failed');
        }
        finally {
            clearTimeout(timer);
        }
    }
    return failed;
}
/**
 * Runs `main`; a startup failure first stops whatever `main` had started (the shutdown steps
 * registered so far: nodes, servers, databases), then prints its message as one line on stderr
 * and exits 1. A deliberate error (a CachePoolError: a bad option, a busy port, a corrupt
 * database) is logged without a stack, and not at all when the logs go to the same terminal;
 * anything else is logged with its stack for the JSON log.
 */
export async function runMain(logger, main) {
    try {
        await main();
    }
    catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const deliberate = error instanceof CachePoolError;
        if (!stopping) {
            stopping = true;
            await runSteps(defaults.shutdownStepTimeoutMs, logger);
        }
        if (!deliberate)
            logger.fatal({ err: error }, message);
        else if (!logsForPeople())
            logger.fatal({ code: error.code }, message);
        logger.flush?.();
        process.stderr.write(`cachepool: ${message}\n`);
        process.exit(1);
    }
}
/**
 * Adds the token options every server command has: `--token`, `--token-file` and
 * `--protect-data` (what it protects is the command's own `protectDataHelp`).
 */
export function addTokenOptions(command, tokenHelp, protectDataHelp) {
    addOption(command, '--token <token>', tokenHelp);
    addOption(command, '--token-file <path>', 'file holding the pool token (read once at start, trimmed)');
    addOption(command, '--protect-data [bool]', protectDataHelp, booleanOption('--protect-data'));
}
/**
 * The pool token from `--token` or `--token-file` (undefined when neither); `--protect-data`
 * without one is an OptionError, and a short token is logged as a warning for `role`.
 */
export function tokenOf(options, logger, role) {
    const token = resolveToken(options.token, options.tokenFile);
    if (options.protectData && !token)
        throw new OptionError('--protect-data', 'needs a token (--token or --token-file)', true);
    if (token && token.length < TOKEN_WARN_BELOW_CHARS) {
        logger.warn({ role }, `the token is shorter than ${TOKEN_WARN_BELOW_CHARS} characters: use a long random one`);
    }
    return token;
}
//# sourceMappingURL=common.js.map