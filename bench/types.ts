/**
 * What every benchmark of `npm run bench` returns. `bench/run.ts` finds every `bench/**\/*.bench.ts`, runs
 * the default export's `run()` in `order`, prints one table (figure, ours, baseline, ratio, budget, pass/fail)
 * and writes it as JSON (`bench-results.json`, or `BENCH_OUT`).
 *
 * Every figure is measured in the run that prints it: no constants, no figures carried over from elsewhere.
 */
export interface BenchRow {
  /** Stable key for CI to compare runs, e.g. `bundle.upcoming-notifications`. */
  id: string;
  /** What is measured, as the table shows it. */
  figure: string;
  /** Our figure as shown, e.g. `31.2 KB` or `p50 3.1 ms / p99 9.8 ms`. */
  ours: string;
  /** The number the budget is checked against, in `unit`. */
  value: number;
  unit: string;
  /** The baseline measured in the same run, as shown; absent where the table has none. */
  baseline?: string;
  baselineValue?: number;
  /** ours / baseline (or baseline / ours where more is better; say which in `figure`). */
  ratio?: number;
  /** The budget as shown, e.g. `≤ 35 KB`. */
  budget: string;
  pass: boolean;
  /** Anything else worth keeping (percentiles, counts, machine notes). */
  details?: Record<string, number | string | boolean>;
}

export interface Bench {
  /** e.g. `bundle`, `token-route`. */
  id: string;
  /** Lower runs first (bundles 10, browser 20, server 30+). */
  order: number;
  run(): Promise<BenchRow[]>;
}
