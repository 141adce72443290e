/**
 * The one check a pushed node snapshot passes before the manager uses it (the stats route
 * refuses it with a 400 naming the field; the metrics store records only what passes): every
 * field a node sends (src/metrics/snapshot.ts) is present and in range — counts and counters are
 * non-negative safe integers, times are within the range of a Date, rates and the utilization
 * are in [0, 1] — so that no absurd figure (`items: 1e300`) reaches the dashboard, `/metrics` or
 * the auto-scaler. Pure; an outcome, never an exception.
 */
import { isNodeId } from '../partition/index.js';
/** Counts and monotonic counters: non-negative safe integers. */
const COUNTS = [
    'cacheIndex',
    'items',
    'usedBytes',
    'capacityBytes',
    'requestsTotal',
    'getRequestsTotal',
    'hitsTotal',
    'missesTotal',
    'evictionsTotal',
];
/** Times in ms since the epoch. */
const TIMES = ['timeMs', 'startedAtMs'];
/** Fractions in [0, 1]. */
const FRACTIONS = ['utilization', 'hitRate', 'missRate'];
/** The legacy, resettable figures (the `legacy` object): non-negative safe integers. */
const LEGACY = ['num_request_served', 'num_GET_request_served', 'num_hit'];
/** The largest time a Date holds, in ms since the epoch. */
const MAX_TIME_MS = 8.64e15;
/** The longest policy name accepted (names are short words: lru, rr, lfu, …). */
const MAX_POLICY_CHARS = 64;
function isCount(value) {
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
function isTime(value) {
    return typeof value === 'number' && value >= 0 && value <= MAX_TIME_MS;
}
function isFraction(value) {
    return typeof value === 'number' && value >= 0 && value <= 1;
}
const refused = (message) => ({ ok: false, message });
/**
 * Checks a pushed snapshot against the shape a node sends; the message names the first field
 * that fails and its rule, e.g. `snapshot.items must be an integer >= 0`.
 */
export function checkSnapshot(value) {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
        return refused('snapshot must be a JSON object');
    const s = value;
    if (!isNodeId(s.address))
        return refused('snapshot.address must be "host:port"');
    for (const field of COUNTS)
        if (!isCount(s[field]))
            return refused(`snapshot.${field} must be an integer >= 0`);
    for (const field of TIMES)
        if (!isTime(s[field]))
            return refused(`snapshot.${field} must be a time in ms since the epoch (a number >= 0)`);
    for (const field of FRACTIONS)
        if (!isFraction(s[field]))
            return refused(`snapshot.${field} must be a number in [0, 1]`);
    if (typeof s.policy !== 'string' || s.policy.length === 0 || s.policy.length > MAX_POLICY_CHARS)
        return refused(`snapshot.policy must be a policy name (1 to ${MAX_POLICY_CHARS} characters)`);
    const legacy = s.legacy;
    if (typeof legacy !== 'object' || legacy === null)
        return refused('snapshot.legacy must be an object of the legacy figures');
    for (const field of LEGACY)
        if (!isCount(legacy[field]))
            return refused(`snapshot.legacy.${field} must be an integer >= 0`);
    return { ok: true };
}
//# sourceMappingURL=check-snapshot.js.map