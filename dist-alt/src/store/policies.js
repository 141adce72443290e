/**
 * The built-in policies by name. A store is given a name and, optionally, extra factories; there
 * is no process-global registry to mutate.
 */
import { OptionError } from '../errors.js';
import { LfuPolicy } from './lfu.js';
import { LruPolicy } from './lru.js';
import { RandomPolicy } from './random.js';
import { SievePolicy } from './sieve.js';
/** `lru` (least recently used), `rr` (uniform random), `sieve` (SIEVE, NSDI '24), `lfu` (least
 * frequently used, ties by recency). */
export const builtinPolicies = Object.freeze({
    lru: () => new LruPolicy(),
    rr: (options) => new RandomPolicy(options.random),
    sieve: () => new SievePolicy(),
    lfu: () => new LfuPolicy(),
});
/** Names of the built-in policies, in a stable order (for docs and error messages). */
export const policyNames = (factories = builtinPolicies) => Object.keys(factories);
/** Creates a policy by name; an unknown name is an OptionError naming the known ones. */
export function createPolicy(name, options = {}, factories = builtinPolicies) {
    const factory = Object.hasOwn(factories, name) ? factories[name] : undefined;
    if (!factory) {
        throw new OptionError('replacement_policy', `must be one of ${policyNames(factories).join(', ')}`, name);
    }
    return factory(options);
}
//# sourceMappingURL=policies.js.map