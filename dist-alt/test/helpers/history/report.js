/**
 * The story behind the violations of a fault scenario, written to a file when a check fails: for
 * each of the first few violations, the key's operations around it, the steps that ran then and
 * the pool's log lines of that time. A seeded replay rarely reproduces a race; this file is what a
 * failed run leaves for whoever looks into it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describeOperation } from './checker.js';
import { partitionOf } from '../../../src/partition/index.js';
/** Writes the report of `result`'s violations to `path` (nothing when there are none). */
export function writeViolationReport(result, path) {
    const violations = result.check.violations.filter((v) => v.kind !== 'read-error').slice(0, 3);
    if (violations.length === 0)
        return false;
    const out = [`seed ${result.seed}; times are ms of the history's clock`, ''];
    out.push('loss windows:');
    for (const w of result.lossWindows)
        out.push(`  [${Math.round(w.from)}..${Math.round(w.to)}] partitions ${w.partitions.join(',')}: ${w.reason}`);
    for (const violation of violations) {
        const key = violation.read.key;
        const from = Math.min(violation.read.invokedAt, ...violation.involved.map((op) => op.invokedAt)) - 3_000;
        const to = violation.read.completedAt + 500;
        out.push('', `== ${violation.kind}: ${violation.message}`, `partition of ${key}: ${partitionOf(key)}`);
        out.push('steps around it:');
        for (const step of result.steps)
            if (step.endMs >= from - 10_000 && step.startMs <= to)
                out.push(`  [${step.startMs}..${step.endMs}] step ${step.step} ${step.fault} ${step.change}` +
                    `${step.victim ? ` ${step.victim}` : ''}: ${step.answers.join('; ')}`);
        out.push(`operations of ${key} in [${Math.round(from)}..${Math.round(to)}]:`);
        for (const op of result.history)
            if ((op.key === key || op.kind === 'clear') && op.completedAt >= from && op.invokedAt <= to)
                out.push(`  ${describeOperation(op)}`);
        out.push('pool log in that time (ms of the history clock):');
        for (const line of result.poolLines) {
            const at = typeof line.time === 'number' ? line.time - result.epochAtZeroMs : NaN;
            if (at >= from - 10_000 && at <= to) {
                const { time: _time, pid: _pid, hostname: _host, ...rest } = line;
                out.push(`  ${Math.round(at)} ${JSON.stringify(rest)}`);
            }
        }
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, out.join('\n') + '\n');
    return true;
}
//# sourceMappingURL=report.js.map