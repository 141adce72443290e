/**
 * Options of the workload generator, checked once with messages that name the option, the rule
 * and the value. The run is always bounded: by its duration and by rate × duration requests.
 */
import { defaults } from '../defaults.js';
import { OptionError } from '../errors.js';
import { isLoopbackHost } from '../http/listen.js';
/** Limits and defaults of `cachepool load`: `defaults.load`, under the name this module exports. */
export const loadLimits = defaults.load;
function check(name, value, min, max, integer) {
    const ok = typeof value === 'number' &&
        Number.isFinite(value) &&
        value >= min &&
        value <= max &&
        (!integer || Number.isInteger(value));
    if (!ok)
        throw new OptionError(name, `must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`, value);
    return value;
}
/** Validates `options`; throws an OptionError naming the first bad one. */
export function checkLoadOptions(options) {
    let gateway;
    try {
        gateway = new URL(options.gateway);
    }
    catch {
        throw new OptionError('--gateway', 'must be a URL such as http://127.0.0.1:5000', options.gateway);
    }
    if (gateway.protocol !== 'http:' && gateway.protocol !== 'https:') {
        throw new OptionError('--gateway', 'must be an http:// or https:// URL', options.gateway);
    }
    const allowRemote = options.allowRemote ?? false;
    if (!allowRemote && !isLoopbackHost(gateway.hostname)) {
        throw new OptionError('--gateway', 'must be a loopback address unless --allow-remote is given', options.gateway);
    }
    const rate = check('--rate', options.rate, 1, loadLimits.maxRate, true);
    const durationS = check('--duration', options.durationS, 0.1, loadLimits.maxDurationS, false);
    return {
        gateway,
        rate,
        keys: check('--keys', options.keys, 1, loadLimits.maxKeys, true),
        readRatio: check('--read-ratio', options.readRatio, 0, 1, false),
        durationS,
        valueBytes: check('--value-bytes', options.valueBytes ?? loadLimits.defaultValueBytes, 40, loadLimits.maxValueBytes, true),
        concurrency: check('--concurrency', options.concurrency ?? loadLimits.defaultConcurrency, 1, loadLimits.maxConcurrency, true),
        allowRemote,
        maxOperations: Math.max(1, Math.round(rate * durationS)),
    };
}
//# sourceMappingURL=load-options.js.map