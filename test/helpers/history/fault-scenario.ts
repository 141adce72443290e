/**
 * A seeded scenario of resizes under faults, recorded and checked: a local pool (`cachepool
 * start` on loopback, 1..4 nodes), a few clients doing random puts, gets and deletes through the
 * gateway, and a schedule of steps — each a manual resize (grow or shrink) with a fault:
 * - `plain`: the resize alone;
 * - `kill-member`: a member SIGKILLed just before the resize (the local provisioner restarts it);
 * - `stop-member`: a member SIGSTOPped during the resize, SIGCONTed after a short or a long pause
 *   (a long one outlasts the nodes' 10 s peer timeout, so the resize fails and rolls back);
 * - `kill-destination`: a grow whose new node is SIGKILLed while keys move to it (rollback);
 * - `concurrent`: two resizes at once, one of which must be refused as busy;
 * - `clear`: the manager's cache clear during the resize (recorded: it removes every key);
 * - `config`: a cache config change (same capacity, another policy) during the resize.
 * The keys a killed node held, and those of a node the manager declared down, are loss windows:
 * misses of them are allowed. Everything else is checked by `checkHistory`.
 */
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { errors } from '../../../src/errors.js';
import { legacyStatus } from '../../../src/http/index.js';
import { call, type EnvelopeAnswer } from '../http.js';
import { startPool } from '../pool.js';
import { seededRandom } from '../seeded-random.js';
import { checkHistory, type CheckResult } from './checker.js';
import { LegacySource } from './gateway-source.js';
import { HistoryRecorder } from './recorder.js';
import type { LossWindow, Operation } from './types.js';
import { readAll, startWorkload } from './workload.js';

export type FaultKind =
  'plain' | 'kill-member' | 'stop-member' | 'kill-destination' | 'concurrent' | 'clear' | 'config';

export interface FaultScenarioOptions {
  seed: number;
  /** Steps to run (each one resize with its fault); the schedule ends at the first of the bounds. */
  steps: number;
  /** Longest time the schedule may run, in ms (checked between steps). */
  durationMs: number;
  /** Clients running at once (default 4). */
  clients?: number;
  /** Keys the clients use (default 40). */
  keys?: number;
  /** Keys of ballast (never read) that make each move take a while (default 300). */
  ballastKeys?: number;
  /** Pause of a short SIGSTOP, and of a long one, in ms (default 1500 and 12000). */
  shortStopMs?: number;
  longStopMs?: number;
  /** Every this many steps, a stop is a long one (default 15). */
  longStopEvery?: number;
  /** Client timeout of each operation, in ms (default 3000). */
  operationTimeoutMs?: number;
  /** Where progress lines go (default: nowhere). */
  log?: (line: string) => void;
}

/** One step of the schedule as it ran. */
export interface StepRecord {
  step: number;
  fault: FaultKind;
  change: 'increase' | 'decrease';
  /** Status and message of the resize call(s). */
  answers: string[];
  victim?: string;
  ms: number;
  /** When the step began and ended, on the recorder's clock (as the operations' times). */
  startMs: number;
  endMs: number;
}

export interface FaultScenarioResult {
  seed: number;
  history: readonly Operation[];
  lossWindows: LossWindow[];
  steps: StepRecord[];
  /** Resizes that ran (not refused): succeeded, and failed (rolled back). */
  resizesSucceeded: number;
  resizesFailed: number;
  /**
   * Resizes the pool refused, with its answer: at a bound its own repair had reached meanwhile
   * (a fail-over shrinks it, the grow back grows it), or busy after every retry.
   */
  resizesRefused: string[];
  /** What the schedule expected of the pool and did not see (e.g. no busy refusal). */
  unmet: string[];
  check: CheckResult;
  /** Distinct error messages of failed operations (up to 10) and how often each came. */
  errorSamples: string[];
  durationMs: number;
  /**
   * The pool's log lines (one JSON object each, pino's `time` in ms since the epoch) and the
   * epoch time of the recorder's 0, for the story behind a violation.
   */
  poolLines: readonly Record<string, unknown>[];
  epochAtZeroMs: number;
}

/** The distinct errors of `history` ("get: <message>"), most frequent first, with counts. */
function errorSamples(history: readonly Operation[]): string[] {
  const seen = new Map<string, number>();
  for (const op of history) {
    if (op.error === undefined) continue;
    // Addresses and key lists vary; the shape of the message is what tells errors apart.
    const shape = `${op.kind} ${op.outcome}: ${op.error.replace(/"[^"]*"(, )?/g, '').slice(0, 160)}`;
    seen.set(shape, (seen.get(shape) ?? 0) + 1);
  }
  return [...seen]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 10)
    .map(([shape, n]) => `${n}× ${shape}`);
}

interface NodeView {
  address: string;
  status: string;
  pid: number | null;
}

const busyStatus = legacyStatus(errors.poolBusy());

/** Sends `signal` to `pid`; false when no such process exists any more (it died meanwhile). */
function signalProcess(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Runs the scenario on a pool it starts and stops; resolves with the checked history. */
export async function runFaultScenario(
  options: FaultScenarioOptions,
): Promise<FaultScenarioResult> {
  const log = options.log ?? (() => {});
  const random = seededRandom(options.seed);
  const recorder = new HistoryRecorder({ timeoutMs: options.operationTimeoutMs ?? 3_000 });
  const now = recorder.now;
  const startedAt = now();
  const epochAtZero = Date.now() - startedAt;
  const pool = await startPool([
    '--nodes',
    '2',
    '--min',
    '1',
    '--max',
    '4',
    '--move-chunk-keys',
    '5',
  ]);
  const source = new LegacySource(pool.gateway, { connections: 16 });
  const ballast = new LegacySource(pool.gateway, { connections: 8 });
  const lossWindows: LossWindow[] = [];
  const steps: StepRecord[] = [];
  const unmet: string[] = [];
  let resizesSucceeded = 0;
  let resizesFailed = 0;
  const resizesRefused: string[] = [];
  const killsOf = new Map<string, number[]>();
  let policy = 'lru';
  let phase = 'starting';
  const heartbeat = setInterval(
    () => log(`… ${phase}, ${recorder.operations.length} operations so far`),
    10_000,
  );
  try {
    const keys = Array.from({ length: options.keys ?? 40 }, (_, i) => `h${i}`);
    const ballastKeys = Array.from({ length: options.ballastKeys ?? 300 }, (_, i) => `b${i}`);
    const fillBallast = async () => {
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < ballastKeys.length) {
            const key = ballastKeys[next++]!;
            await ballast.put(key, `ballast-${key}`, AbortSignal.timeout(5_000)).catch(() => {});
          }
        }),
      );
    };
    await fillBallast();
    const workload = startWorkload({
      recorder,
      source,
      clients: options.clients ?? 4,
      keys,
      seed: options.seed,
    });

    const manager = pool.manager;
    const nodes = async (): Promise<NodeView[]> =>
      (
        (await call('GET', `${manager}/api/manager/nodes`, undefined, 10_000)).json.content as {
          nodes: NodeView[];
        }
      ).nodes;
    const size = async () =>
      (
        (await call('GET', `${manager}/api/manager/poolsize`, undefined, 10_000)).json.content as {
          size: number;
        }
      ).size;
    /** Partitions whose keys `address` may hold: owned, or moving from or to it. */
    const heldBy = async (address: string): Promise<number[]> => {
      const table = (await call('GET', `${manager}/api/manager/partitions`, undefined, 10_000)).json
        .content as {
        partitions: string[];
        moving?: { partition: number; from: string; to: string }[];
      };
      const held = new Set<number>();
      table.partitions.forEach((owner, partition) => {
        if (owner === address) held.add(partition);
      });
      for (const move of table.moving ?? [])
        if (move.from === address || move.to === address) held.add(move.partition);
      return [...held].sort((a, b) => a - b);
    };
    const resize = (change: 'increase' | 'decrease') =>
      call('POST', `${manager}/api/manager/poolsize/manual`, { change }, 90_000).catch(
        (error: unknown): EnvelopeAnswer => ({
          status: 0,
          json: { success: 'false', error: { code: 0, message: String(error) } },
        }),
      );
    /**
     * A resize that the pool refused as busy because it was repairing itself (failing a dead
     * member over, growing back after it) is asked again once that repair is over, for up to 45 s
     * (a repair that moves keys on a loaded machine can take more than 10 s).
     */
    const resizeWhenFree = async (change: 'increase' | 'decrease'): Promise<EnvelopeAnswer> => {
      const deadline = now() + 45_000;
      for (;;) {
        const answer = await resize(change);
        if (answer.status !== 409 || now() > deadline) return answer;
        await sleep(250);
      }
    };
    /** Waits (45 s at most) until no resize or repair runs. */
    const idle = async () => {
      const deadline = now() + 45_000;
      while (now() < deadline) {
        const { migration } = (
          await call('GET', `${manager}/api/manager/migration`, undefined, 10_000).catch(() => ({
            json: { content: { migration: { running: true } } },
          }))
        ).json.content as { migration: { running: boolean } | null };
        if (!migration?.running) return;
        await sleep(100);
      }
    };
    const noteResize = (answer: EnvelopeAnswer): string => {
      if (answer.status === 200) resizesSucceeded++;
      else if (/failed/.test(answer.json.error?.message ?? '')) resizesFailed++;
      // (The concurrent case's second resize, refused as busy, is that case's own check.)
      else if (!/already running/.test(answer.json.error?.message ?? ''))
        resizesRefused.push(`${answer.status} ${answer.json.error?.message ?? ''}`);
      return `${answer.status} ${answer.status === 200 ? JSON.stringify(answer.json.content) : answer.json.error?.message}`;
    };
    /** Waits until a resize runs (or 5 s passed): for faults that must land during one. */
    const migrationRunning = async () => {
      for (let i = 0; i < 250; i++) {
        const { migration } = (
          await call('GET', `${manager}/api/manager/migration`, undefined, 10_000)
        ).json.content as { migration: { running: boolean } | null };
        if (migration?.running) return true;
        await sleep(20);
      }
      return false;
    };
    /**
     * Waits until every member is up (and its process alive) and no resize runs (60 s at most);
     * resolves with whether the pool settled, and whether `watch` was ever seen not up meanwhile.
     */
    const settle = async (watch?: string): Promise<{ settled: boolean; downSeen: boolean }> => {
      let downSeen = false;
      for (let i = 0; i < 600; i++) {
        const list = await nodes().catch(() => []);
        if (watch && list.some((n) => n.address === watch && n.status !== 'up')) downSeen = true;
        const { migration } = (
          await call('GET', `${manager}/api/manager/migration`, undefined, 10_000).catch(() => ({
            json: { content: { migration: { running: true } } },
          }))
        ).json.content as { migration: { running: boolean } | null };
        // A member listed up whose process is gone is not up (the manager may not know yet).
        const up = (n: NodeView) =>
          n.status === 'up' && (n.pid === null || signalProcess(n.pid, 0));
        if (list.length > 0 && list.every(up) && !migration?.running)
          return { settled: true, downSeen };
        await sleep(100);
      }
      return { settled: false, downSeen };
    };
    const pickMember = async (): Promise<NodeView | undefined> => {
      const list = (await nodes()).filter((n) => n.pid !== null && n.status === 'up');
      return list[Math.floor(random() * list.length)];
    };
    /** Whether `address` may be killed without the provisioner giving it up (5 deaths a minute). */
    const mayKill = (address: string) =>
      (killsOf.get(address) ?? []).filter((t) => now() - t < 70_000).length < 3;
    const noteKill = (address: string) =>
      killsOf.set(address, [...(killsOf.get(address) ?? []), now()]);

    for (let step = 0; step < options.steps && now() - startedAt < options.durationMs; step++) {
      const stepStart = now();
      // A repair the last step's fault set off (a grow back) may start after it settled: the
      // step's resize and fault belong to a pool at rest.
      await idle();
      const current = await size();
      const change: 'increase' | 'decrease' =
        current <= 1
          ? 'increase'
          : current >= 4
            ? 'decrease'
            : random() < 0.5
              ? 'increase'
              : 'decrease';
      const roll = random();
      let fault: FaultKind =
        roll < 0.15
          ? 'plain'
          : roll < 0.3
            ? 'kill-member'
            : roll < 0.5
              ? 'stop-member'
              : roll < 0.65
                ? 'kill-destination'
                : roll < 0.77
                  ? 'concurrent'
                  : roll < 0.89
                    ? 'clear'
                    : 'config';
      if (step % (options.longStopEvery ?? 15) === 7) fault = 'stop-member';
      if (fault === 'kill-destination' && change === 'decrease') fault = 'kill-member';
      const record: StepRecord = {
        step,
        fault,
        change,
        answers: [],
        ms: 0,
        startMs: Math.round(stepStart),
        endMs: 0,
      };
      phase = `step ${step} ${fault} ${change}`;
      let watch: string | undefined;
      let held: number[] = [];
      let faultAt = 0;
      let killed = false;

      switch (fault) {
        case 'plain':
          record.answers.push(noteResize(await resizeWhenFree(change)));
          break;
        case 'kill-member': {
          const victim = await pickMember();
          if (victim && !mayKill(victim.address))
            record.victim = `none (${victim.address} was killed 3 times in the last 70 s)`;
          if (victim && mayKill(victim.address)) {
            record.victim = victim.address;
            held = await heldBy(victim.address);
            faultAt = now();
            killed = signalProcess(victim.pid!, 'SIGKILL');
            if (killed) noteKill(victim.address);
            else record.victim += ' (already gone)';
            watch = victim.address;
          }
          record.answers.push(noteResize(await resizeWhenFree(change)));
          break;
        }
        case 'stop-member': {
          const victim = await pickMember();
          const pauseMs =
            step % (options.longStopEvery ?? 15) === 7
              ? (options.longStopMs ?? 12_000)
              : (options.shortStopMs ?? 1_500);
          const resizing = resizeWhenFree(change);
          if (victim) {
            record.victim = `${victim.address} for ${pauseMs} ms`;
            await migrationRunning();
            held = await heldBy(victim.address);
            faultAt = now();
            if (!signalProcess(victim.pid!, 'SIGSTOP')) record.victim += ' (already gone)';
            watch = victim.address;
            // The pause is the fault itself; watch the manager's view of the node meanwhile.
            const until = now() + pauseMs;
            let downSeen = false;
            while (now() < until) {
              const list = await nodes().catch(() => []);
              if (list.some((n) => n.address === victim.address && n.status !== 'up'))
                downSeen = true;
              // Partitions that begin to move to it while it is stopped are in its keeping too:
              // the table read before the pause may predate the moving state's publication.
              const holding = await heldBy(victim.address).catch(() => []);
              held = [...new Set([...held, ...holding])].sort((a, b) => a - b);
              await sleep(Math.min(250, Math.max(0, until - now())));
            }
            signalProcess(victim.pid!, 'SIGCONT');
            if (downSeen) killed = true;
          }
          record.answers.push(noteResize(await resizing));
          break;
        }
        case 'kill-destination': {
          const seen = pool.process.lines.length;
          const resizing = resizeWhenFree(change);
          const started = await pool.process
            .waitForLine(
              (line) => line.msg === 'node started' && pool.process.lines.indexOf(line) >= seen,
              15_000,
            )
            .catch(() => undefined);
          if (started) {
            const address = started.address as string;
            record.victim = address;
            await migrationRunning();
            held = await heldBy(address);
            faultAt = now();
            killed = signalProcess(started.node_pid as number, 'SIGKILL');
            if (killed) noteKill(address);
            else record.victim += ' (already gone)';
            watch = address;
          }
          record.answers.push(noteResize(await resizing));
          break;
        }
        case 'concurrent': {
          // Two resizes at once, while no repair runs (one that started meanwhile refuses both
          // as busy: the pair is asked again once it is over). A repair can hold the resize lock
          // with no migration running (a fail-over stopping the dead process, a grow back
          // starting its node), which idle() does not see: hence the pause between attempts.
          let answers: EnvelopeAnswer[] = [];
          for (let attempt = 0; attempt < 40; attempt++) {
            await idle();
            answers = await Promise.all([resize(change), resize(change)]);
            if (answers.some((a) => a.status !== busyStatus)) break;
            await sleep(250);
          }
          // A repair that took the pool to a bound after the step chose its change (a fail-over,
          // the grow back after it) has both refused there, before either looks for a resize
          // running (src/manager/routes.ts): one ask refused at a bound, as in the other cases,
          // and nothing to learn about two at once.
          if (
            answers.every((a) => /reached to (maximum|minimum)/.test(a.json.error?.message ?? ''))
          ) {
            record.answers.push(noteResize(answers[0]!), `the same: ${answers[1]!.status}`);
            break;
          }
          for (const answer of answers) record.answers.push(noteResize(answer));
          const busy = answers.filter(
            (a) => a.status === busyStatus && /already running/.test(a.json.error?.message ?? ''),
          );
          if (busy.length !== 1)
            unmet.push(
              `step ${step}: two resizes at once, ${busy.length} refused as busy: ${record.answers.join('; ')}`,
            );
          break;
        }
        case 'clear':
        case 'config': {
          const resizing = resizeWhenFree(change);
          await migrationRunning();
          if (fault === 'clear') {
            const outcome = await recorder.clear('manager', async (signal) => {
              const answer = await call(
                'DELETE',
                `${manager}/api/manager/cache/clear`,
                undefined,
                10_000,
              );
              if (signal.aborted || answer.status !== 200)
                throw new Error(`clear answered ${answer.status} ${answer.json.error?.message}`);
            });
            record.answers.push(`clear ${outcome}`);
          } else {
            policy = policy === 'lru' ? 'sieve' : 'lru';
            const answer = await call(
              'POST',
              `${manager}/api/manager/cache/config`,
              { capacity: 64, replacement_policy: policy },
              30_000,
            );
            record.answers.push(
              `config ${policy}: ${answer.status} ${answer.json.error?.message ?? ''}`,
            );
          }
          record.answers.unshift(noteResize(await resizing));
          if (fault === 'clear') await fillBallast();
          break;
        }
      }
      phase = `step ${step} ${fault} ${change}: settling`;
      const { settled, downSeen } = await settle(watch);
      if (!settled) unmet.push(`step ${step} (${fault}): the pool did not settle within 60 s`);
      if (watch !== undefined && (killed || downSeen)) {
        lossWindows.push({
          partitions: held,
          from: faultAt,
          to: now(),
          reason: `step ${step} ${fault} ${watch}${downSeen && !killed ? ' (declared down)' : ''}`,
        });
      }
      record.ms = Math.round(now() - stepStart);
      record.endMs = Math.round(now());
      steps.push(record);
      log(
        `step ${step} ${fault} ${change}${record.victim ? ` ${record.victim}` : ''}: ${record.answers.join('; ')} (${record.ms} ms, ${recorder.operations.length} ops)`,
      );
      if (!settled) break;
    }
    phase = 'stopping the clients';
    await workload.stop();
    phase = 'settling';
    await settle();
    phase = 'reading every key';
    await readAll(recorder, source, keys);
  } finally {
    clearInterval(heartbeat);
    await source.close();
    await ballast.close();
    await pool.process.stop();
    // For a replay that needs the pool's side of the story: its log lines, one JSON a line.
    if (process.env.CACHEPOOL_HISTORY_POOL_LOG)
      writeFileSync(
        process.env.CACHEPOOL_HISTORY_POOL_LOG,
        pool.process.lines.map((line) => JSON.stringify(line)).join('\n'),
      );
  }
  const history = recorder.operations;
  return {
    seed: options.seed,
    history,
    lossWindows,
    steps,
    resizesSucceeded,
    resizesFailed,
    resizesRefused,
    unmet,
    check: checkHistory(history, { lossWindows }),
    errorSamples: errorSamples(history),
    durationMs: Math.round(now() - startedAt),
    poolLines: pool.process.lines,
    epochAtZeroMs: epochAtZero,
  };
}
