/**
 * What every benchmark returns: table rows. `bench/index.ts` prints them as one markdown table,
 * so a new benchmark (rebalance, gateway) only has to return rows of this shape.
 */

/** One line of the benchmark table. */
export interface BenchRow {
  /** The benchmark's name (`store`, `http`, …). */
  benchmark: string;
  /** What was measured (`get hit, 10 KB, 16 conns`). */
  case: string;
  /** Our figure, formatted with its unit. */
  result: string;
  /** The reference figure in the same unit (lru-cache, the plain node:http ceiling, …), or ''. */
  reference: string;
  /** result / reference as measured in the same run (a median of per-run ratios), if any. */
  ratio?: number;
  /** The target as text (`≥ 1.0×`), or ''. */
  target: string;
  /** Whether the target was met; undefined when there is no target. */
  met?: boolean;
  /** Anything a reader needs to trust the number (errors seen, runs, …). */
  note?: string;
}

/** A benchmark: a name and a function producing rows. */
export interface Benchmark {
  name: string;
  /** One-line description for `--list`. */
  description: string;
  run(options: BenchOptions): Promise<BenchRow[]>;
}

/** Knobs shared by every benchmark (from the command line or the environment). */
export interface BenchOptions {
  /** Repetitions whose median is reported; default 3. */
  runs: number;
  /** Length of one HTTP load run in seconds; default 3. */
  durationS: number;
}
