/**
 * `cachepool get KEY`, `cachepool set KEY [VALUE | --file PATH] [--ttl S]`, `cachepool del KEY`
 * (SPEC §5): one key through the package's client (src/client), for operators. The pool is
 * reached through `--manager` (the client routes by itself) or `--gateway`; the token comes
 * from `--token` or `--token-file`. `get` writes the value's bytes to stdout as they are and
 * exits 1 on a miss; a refused call prints the error's code and message and exits 1.
 */
import { readFileSync } from 'node:fs';
import { CachePool } from '../client/index.js';
import { CachePoolError, OptionError } from '../errors.js';
import { resolveToken } from '../http/index.js';
import { addOption, integerOption } from './common.js';
import { MAX_TTL_S } from '../node/ttl.js';
/** Registers `get`, `set` and `del`. */
export function registerKeyCommands(program) {
    const get = program.command('get <key>').description('print the value of a key');
    addPoolOptions(get);
    get.action((key, options) => withClient(options, async (pool) => {
        const value = await pool.get(key);
        if (value === undefined) {
            process.stderr.write(`cachepool: ${JSON.stringify(key)} is not in the pool\n`);
            return 1;
        }
        process.stdout.write(value);
        return 0;
    }));
    const set = program
        .command('set <key> [value]')
        .description('store a value (the argument, or the bytes of --file)');
    addPoolOptions(set);
    addOption(set, '--file <path>', 'store the bytes of this file');
    addOption(set, '--ttl <s>', 'time to live in seconds', integerOption('--ttl', 1, MAX_TTL_S));
    addOption(set, '--content-type <type>', "the value's Content-Type");
    set.action((key, value, options) => withClient(options, async (pool) => {
        if ((value === undefined) === (options.file === undefined))
            throw new OptionError('VALUE or --file', 'exactly one must be given', options.file);
        const bytes = options.file !== undefined ? readFileSync(options.file) : value;
        await pool.set(key, bytes, {
            ...(options.ttl !== undefined ? { ttl: options.ttl } : {}),
            ...(options.contentType !== undefined ? { contentType: options.contentType } : {}),
        });
        return 0;
    }));
    const del = program.command('del <key>').description('remove a key');
    addPoolOptions(del);
    del.action((key, options) => withClient(options, async (pool) => {
        await pool.delete(key);
        return 0;
    }));
}
function addPoolOptions(command) {
    addOption(command, '--manager <url>', 'the manager (the client routes by its table)');
    addOption(command, '--gateway <url>', 'a gateway (instead of --manager)');
    addOption(command, '--token <token>', 'the pool token');
    addOption(command, '--token-file <path>', 'file holding the pool token');
}
/** Connects, runs `work`, closes, and exits with its code (1 and a message on an error). */
async function withClient(options, work) {
    let code = 1;
    try {
        const token = resolveToken(options.token, options.tokenFile);
        const connect = {
            ...(options.manager !== undefined ? { manager: options.manager } : {}),
            ...(options.gateway !== undefined ? { gateway: options.gateway } : {}),
            ...(token !== undefined ? { token } : {}),
            refreshIntervalMs: 0,
        };
        const pool = await CachePool.connect(connect);
        try {
            code = await work(pool);
        }
        finally {
            await pool.close();
        }
    }
    catch (error) {
        const text = error instanceof CachePoolError ? `${error.code}: ${error.message}` : String(error);
        process.stderr.write(`cachepool: ${text}\n`);
    }
    process.exitCode = code;
}
//# sourceMappingURL=keys.js.map