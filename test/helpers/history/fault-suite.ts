/**
 * The CI suite of the fault scenario, in parts: each part is one test file running `steps` steps
 * of the schedule with its own seed (the run's seed + part), so that the parts run side by side
 * and each stays within the test runner's per-file time limit. Together they run at least 50
 * resizes with faults. Replay a run with CACHEPOOL_HISTORY_SEED=<seed> (every part prints it);
 * CACHEPOOL_HISTORY_LOG=1 prints each step.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { stopAll } from '../process.js';
import { summarizeCheck } from './checker.js';
import { runFaultScenario, type FaultScenarioResult } from './fault-scenario.js';
import { writeViolationReport } from './report.js';
import type { ViolationKind } from './types.js';

const runSeed = Number(process.env.CACHEPOOL_HISTORY_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** Declares the suite of part `part` (1-based): `steps` steps, at most `maxMs` of schedule. */
export function describeFaultHistory(part: number, steps: number, maxMs: number): void {
  const seed = runSeed + part - 1;
  const replay = `CACHEPOOL_HISTORY_SEED=${runSeed} node scripts/run-tests.mjs history-faults-${part}`;

  /** The first violations of `kind`, for an assertion message that says how to replay them. */
  const shown = (result: FaultScenarioResult, kind: ViolationKind) => {
    const found = result.check.violations.filter((v) => v.kind === kind);
    return [
      `${found.length} ${kind} violation(s) (seed ${seed}; replay: ${replay})`,
      ...found.slice(0, 5).map((v) => `  ${v.message}`),
    ].join('\n');
  };

  describe(`history under resizes and faults, part ${part}`, { timeout: 230_000 }, () => {
    let result: FaultScenarioResult | undefined;
    let failure: unknown;
    before(
      async () => {
        try {
          result = await runFaultScenario({
            seed,
            steps,
            durationMs: maxMs,
            longStopEvery: 25,
            ...(process.env.CACHEPOOL_HISTORY_LOG
              ? { log: (line: string) => process.stdout.write(`# part ${part}: ${line}\n`) }
              : {}),
          });
        } catch (error) {
          failure = error;
        } finally {
          await stopAll();
        }
      },
      { timeout: 230_000 },
    );
    const run = (): FaultScenarioResult => {
      if (!result) throw new Error(`the scenario did not run (seed ${seed}): ${String(failure)}`);
      return result;
    };

    it(`runs ${steps} resizes with faults, seeded, and the pool settles after each`, (t) => {
      const r = run();
      const report = `test-artifacts/history-part-${part}-seed-${seed}.txt`;
      if (writeViolationReport(r, report))
        t.diagnostic(`violations found: their operations, steps and pool log are in ${report}`);
      const faults = new Map<string, number>();
      for (const step of r.steps) faults.set(step.fault, (faults.get(step.fault) ?? 0) + 1);
      t.diagnostic(
        `seed ${r.seed} (replay: ${replay}): ${r.steps.length} steps in ${r.durationMs} ms, ` +
          `resizes succeeded ${r.resizesSucceeded}, failed and rolled back ${r.resizesFailed}; ` +
          `faults ${JSON.stringify(Object.fromEntries(faults))}; ${r.lossWindows.length} loss windows`,
      );
      t.diagnostic(summarizeCheck(r.check));
      for (const sample of r.errorSamples) t.diagnostic(`error: ${sample}`);
      assert.equal(
        r.steps.length,
        steps,
        `only ${r.steps.length} of ${steps} steps ran within ${maxMs} ms (seed ${seed})`,
      );
      // Every step asked for one resize (two in the concurrent case, one refused as busy). The
      // pool may refuse one only at a bound that its own repair reached meanwhile (a fail-over or
      // the grow back after it changed its size between the step's choice and the call).
      for (const refusal of r.resizesRefused)
        assert.match(refusal, /reached to (maximum|minimum)/, `a resize was refused: ${refusal}`);
      assert.equal(
        r.resizesSucceeded + r.resizesFailed + r.resizesRefused.length,
        steps,
        'every step asked for one resize',
      );
      assert.ok(
        r.resizesSucceeded + r.resizesFailed >= steps - 2,
        `only ${r.resizesSucceeded + r.resizesFailed} of ${steps} resizes ran: ${r.resizesRefused.join('; ')}`,
      );
      assert.deepEqual(r.unmet, [], `seed ${seed}`);
      assert.ok((r.check.counts['get ok'] ?? 0) > 0 && (r.check.counts['put ok'] ?? 0) > 0);
    });

    it('never serves a stale value, a deleted key, or a value never written', () => {
      const r = run();
      for (const kind of ['stale-read', 'resurrected-delete', 'never-written'] as const)
        assert.equal(r.check.byKind[kind], 0, shown(r, kind));
    });

    // Issue 9 ("a rolled-back resize loses acknowledged writes") and issue 10 ("reads degrade to
    // misses"): these fail on a pool without a rollback that keeps writes and without failover.
    describe('issues 9 and 10: what a fault may cost', () => {
      // Until the fix of a move that turns back (routing.ts turnedBack, node/ownership.ts), a
      // few seeded runs read acknowledged writes as misses here (1–10 of about 12,000 operations).
      // One race was found and fixed: a write routed by a forward move invalidates the old owner
      // after writing the new one, and landing late it removed a value written to the old owner
      // once the move was rolled back. After it, 2 of about 45 seeded runs still read one write
      // as a miss. The report of one (test-artifacts/, seed 28757774) showed the value was not
      // lost: a restarted node's breaker stayed open for a second after its last failed trial,
      // a resize moved the key's partition onto it meanwhile, and reads missed until the breaker
      // let a call through (the same value was read again 160 ms later). The manager's health
      // probes now close the breaker of a node they reach (Routing.onReachable). Of 27 later
      // seeded runs, two reported lost writes. One (seed 564210998) was a key moving to a node
      // SIGSTOPped and declared down, read while it was down: the scenario's loss window now
      // counts partitions that begin to move to a stopped node during its pause. The other (seed
      // 151292893, part 2) is a real loss: a put acknowledged just after a manager clear that ran
      // during a grow went to the old owner; the clear had marked the new owner's fence cleared,
      // which refuses every import, so the hand-off skipped the key and the old owner dropped it.
      // A pool-wide clear now runs between resizes (Manager.clear takes the resize lock).
      // Since that fix, and the one that refuses a write of a moving partition whose old owner's
      // breaker is open (moving-pair.ts), 16 seeded runs (about 400 resizes with faults) showed
      // no violation of any kind: the check counts.
      it('issue 9: misses only keys removed or held by a node that died (no acknowledged write lost)', () => {
        const r = run();
        assert.equal(r.check.byKind['lost-write'], 0, shown(r, 'lost-write'));
      });

      it('issue 10: a read never fails while members die or hang (misses, not errors)', () => {
        const r = run();
        assert.equal(r.check.byKind['read-error'], 0, shown(r, 'read-error'));
      });
    });
  });
}
