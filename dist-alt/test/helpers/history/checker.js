/**
 * A pure checker of a recorded history against what a cache promises its clients: each read is
 * checked against the writes of its key (puts, deletes, clears) and the loss windows, and every
 * read that no legal order of those writes explains is reported with the operations involved.
 *
 * The model: each write takes effect at one instant between its invocation and its
 * acknowledgement. A write that failed or timed out is indeterminate: it may take effect at any
 * instant after its invocation, or never. A put whose value a read returned took effect before
 * that read ended. A loss window is an indeterminate removal of its partitions' keys. Reads are
 * judged one by one against the writes (no read is used to order another, except through the
 * value it returned), so every violation reported is a real one; some orders that only several
 * reads together rule out are not reported. Values must be unique per key (`c<client>-<seq>`):
 * that makes every read name the one put it came from.
 */
import { partitionOf } from '../../../src/partition/index.js';
import { violationKinds, } from './types.js';
/**
 * Effects sorted by `sortBy`, with at each position the effect of largest `maxOf` among those up
 * to it: "the largest `maxOf` of the effects whose `sortBy` is below x" in O(log n).
 */
class PrefixMax {
    #keys = [];
    #best = [];
    constructor(effects, sortBy, maxOf) {
        const sorted = effects.filter((e) => Number.isFinite(sortBy(e)));
        sorted.sort((a, b) => sortBy(a) - sortBy(b));
        let best;
        for (const effect of sorted) {
            if (best === undefined || maxOf(effect) > maxOf(best))
                best = effect;
            this.#keys.push(sortBy(effect));
            this.#best.push(best);
        }
    }
    /** The effect of largest `maxOf` among those with `sortBy` < `bound` (or <= when `inclusive`). */
    bestBelow(bound, inclusive = false) {
        let low = 0;
        let high = this.#keys.length;
        while (low < high) {
            const mid = (low + high) >> 1;
            const key = this.#keys[mid];
            if (key < bound || (inclusive && key === bound))
                low = mid + 1;
            else
                high = mid;
        }
        return low === 0 ? undefined : this.#best[low - 1];
    }
}
/** `#12 c3 put k7="c3-40" [1200.1..1203.9] ok` — for messages. */
export function describeOperation(op) {
    const value = op.value === undefined ? '' : `=${JSON.stringify(op.value)}`;
    const key = op.kind === 'clear' ? '(all keys)' : op.key;
    const error = op.error ? ` (${op.error})` : '';
    return `#${op.id} ${op.client} ${op.kind} ${key}${value} [${op.invokedAt.toFixed(1)}..${op.completedAt.toFixed(1)} ms] ${op.outcome}${error}`;
}
const acknowledged = (op) => op.outcome === 'ok';
/**
 * Checks `history` (any order) and returns every violation found. Throws when two puts of one key
 * wrote the same value (the check needs unique values).
 */
export function checkHistory(history, options = {}) {
    const counts = {};
    for (const op of history) {
        const name = `${op.kind} ${op.outcome}`;
        counts[name] = (counts[name] ?? 0) + 1;
    }
    const clears = history.filter((op) => op.kind === 'clear');
    const byKey = new Map();
    for (const op of history) {
        if (op.kind === 'clear')
            continue;
        let ops = byKey.get(op.key);
        if (!ops)
            byKey.set(op.key, (ops = []));
        ops.push(op);
    }
    const violations = [];
    for (const [key, ops] of byKey) {
        const windows = (options.lossWindows ?? []).filter((w) => w.partitions.includes(partitionOf(key)));
        violations.push(...checkKey(key, ops, clears, windows));
    }
    violations.sort((a, b) => a.read.invokedAt - b.read.invokedAt);
    const byKind = Object.fromEntries(violationKinds.map((kind) => [kind, 0]));
    for (const violation of violations)
        byKind[violation.kind]++;
    return { violations, byKind, counts };
}
function checkKey(key, ops, clears, windows) {
    const violations = [];
    const puts = new Map();
    for (const op of ops) {
        if (op.kind !== 'put' || op.value === undefined)
            continue;
        const seen = puts.get(op.value);
        if (seen)
            throw new Error(`values must be unique per key: ${describeOperation(seen.op)} and ${describeOperation(op)}`);
        puts.set(op.value, {
            op,
            earliest: op.invokedAt,
            latest: acknowledged(op) ? op.completedAt : Infinity,
        });
    }
    const reads = ops.filter((op) => op.kind === 'get');
    // A value read took effect before the read ended (a read before its put began proves nothing
    // about it: it is reported as never written below).
    for (const read of reads) {
        const put = read.outcome === 'ok' && read.value !== undefined && puts.get(read.value);
        if (put && put.earliest <= read.completedAt)
            put.latest = Math.min(put.latest, read.completedAt);
    }
    const removals = [...ops.filter((op) => op.kind === 'delete'), ...clears].map((op) => ({
        op,
        earliest: op.invokedAt,
        latest: acknowledged(op) ? op.completedAt : Infinity,
    }));
    const putEffects = [...puts.values()];
    // "Which effect that surely happened before x began last?": sorted by latest, max earliest.
    const putsDoneBefore = new PrefixMax(putEffects, (e) => e.latest, (e) => e.earliest);
    const removalsDoneBefore = new PrefixMax(removals, (e) => e.latest, (e) => e.earliest);
    // "Which removal that may have happened by x can come last?": sorted by earliest, max latest.
    const lossEffects = windows.map((w) => ({
        op: undefined,
        earliest: w.from,
        latest: w.to,
        loss: w,
    }));
    const removalsStartedBy = new PrefixMax([...removals, ...lossEffects], (e) => e.earliest, (e) => e.latest);
    for (const read of reads) {
        if (read.outcome === 'error' || read.outcome === 'timeout') {
            violations.push({
                kind: 'read-error',
                read,
                involved: [],
                message: `a read of ${key} failed instead of hitting or missing: ${describeOperation(read)}`,
            });
            continue;
        }
        if (read.outcome === 'miss') {
            // Every put that surely took effect before the read began; the one that can come last.
            const lastPut = putsDoneBefore.bestBelow(read.invokedAt);
            if (lastPut === undefined)
                continue;
            // A removal that can come after it and before the read ended explains the miss.
            const removal = removalsStartedBy.bestBelow(read.completedAt, true);
            if (removal !== undefined && removal.latest >= lastPut.earliest)
                continue;
            violations.push({
                kind: 'lost-write',
                read,
                involved: [lastPut.op],
                message: `${key} missed although ${describeOperation(lastPut.op)} took effect before the read ` +
                    `began and no delete, clear or loss window can come after it: ${describeOperation(read)}`,
            });
            continue;
        }
        const put = read.value === undefined ? undefined : puts.get(read.value);
        if (put === undefined || put.earliest > read.completedAt) {
            violations.push({
                kind: 'never-written',
                read,
                involved: put?.op ? [put.op] : [],
                message: put === undefined
                    ? `${key} read a value no put of ${key} wrote: ${describeOperation(read)}`
                    : `${key} read a value whose put began after the read ended: ${describeOperation(read)}, ${describeOperation(put.op)}`,
            });
            continue;
        }
        // A write that surely took effect before the read began, and surely after this put: the
        // put's value cannot be the current one any more.
        const removal = removalsDoneBefore.bestBelow(read.invokedAt);
        if (removal !== undefined && removal.earliest > put.latest) {
            violations.push({
                kind: 'resurrected-delete',
                read,
                involved: [put.op, removal.op],
                message: `${key} read a value written before an acknowledged ${removal.op.kind} that ended ` +
                    `before the read began: ${describeOperation(read)}; value from ${describeOperation(put.op)}; ` +
                    `then ${describeOperation(removal.op)}`,
            });
            continue;
        }
        const later = putsDoneBefore.bestBelow(read.invokedAt);
        if (later !== undefined && later.earliest > put.latest) {
            violations.push({
                kind: 'stale-read',
                read,
                involved: [put.op, later.op],
                message: `${key} read an older value after a later put took effect: ${describeOperation(read)}; ` +
                    `value from ${describeOperation(put.op)}; later ${describeOperation(later.op)}` +
                    (acknowledged(later.op) ? '' : ' (its value was read before this read began)'),
            });
        }
    }
    return violations;
}
/** A short report of a check: counts per kind and the first `limit` violations of each kind. */
export function summarizeCheck(result, limit = 3) {
    const lines = [
        `operations: ${Object.entries(result.counts)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([name, n]) => `${name} ${n}`)
            .join(', ')}`,
        `violations: ${violationKinds.map((kind) => `${kind} ${result.byKind[kind]}`).join(', ')}`,
    ];
    for (const kind of violationKinds) {
        for (const violation of result.violations.filter((v) => v.kind === kind).slice(0, limit))
            lines.push(`  ${kind}: ${violation.message}`);
    }
    return lines.join('\n');
}
//# sourceMappingURL=checker.js.map