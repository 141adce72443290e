import { defaults } from '../defaults.js';
import { CachePoolError } from '../errors.js';
import { formatFigures, formatSummary, loadLimits, runLoad } from '../load/index.js';
import { addOption, booleanOption, integerOption, positiveNumberOption } from './common.js';
function ratio(value) {
    const number = value.trim() === '' ? NaN : Number(value);
    if (!Number.isFinite(number) || number < 0 || number > 1) {
        throw new Error(`--read-ratio must be a number from 0 to 1, got ${JSON.stringify(value)}`);
    }
    return number;
}
/** Adds the `load` subcommand to `program`. */
export function registerLoadCommand(program) {
    const command = program
        .command('load')
        .description('send a bounded read/put workload to a pool gateway and report hits, misses and latency');
    addOption(command, '--gateway <url>', 'gateway base URL (loopback unless --allow-remote)', String, `http://${defaults.host}:${defaults.gatewayPort}`);
    addOption(command, '--rate <n>', `operations per second (1..${loadLimits.maxRate})`, integerOption('--rate', 1, loadLimits.maxRate), 100);
    addOption(command, '--keys <k>', 'distinct keys, picked uniformly', integerOption('--keys', 1, loadLimits.maxKeys), 1000);
    addOption(command, '--read-ratio <r>', 'share of reads, 0..1 (a read that misses puts the key)', ratio, 0.9);
    addOption(command, '--duration <s>', `seconds to run (at most ${loadLimits.maxDurationS})`, positiveNumberOption('--duration'), 10);
    addOption(command, '--value-bytes <b>', 'length of each value (a data URL)', integerOption('--value-bytes', 40, loadLimits.maxValueBytes), loadLimits.defaultValueBytes);
    addOption(command, '--concurrency <n>', 'most requests in flight', integerOption('--concurrency', 1, loadLimits.maxConcurrency), loadLimits.defaultConcurrency);
    addOption(command, '--allow-remote [bool]', 'allow a gateway that is not on loopback', booleanOption('--allow-remote'), false);
    command.action(async (opts) => {
        const controller = new AbortController();
        const stop = () => controller.abort();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        try {
            const summary = await runLoad({
                gateway: opts.gateway,
                rate: opts.rate,
                keys: opts.keys,
                readRatio: opts.readRatio,
                durationS: opts.duration,
                valueBytes: opts.valueBytes,
                concurrency: opts.concurrency,
                allowRemote: opts.allowRemote,
            }, { onProgress: (figures) => console.log(formatFigures(figures)), signal: controller.signal });
            console.log(formatSummary(summary));
            if (summary.operations > 0 && summary.errors === summary.operations)
                process.exitCode = 1;
        }
        catch (error) {
            console.error(error instanceof CachePoolError ? error.message : `load failed: ${String(error)}`);
            process.exitCode = 1;
        }
        finally {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
        }
    });
}
//# sourceMappingURL=load.js.map