/**
 * The pure parts of `npm run bench` (`bench/run.ts`): which benches a command line selects, the row a
 * thrown bench leaves, the table, the JSON results and the exit code. Kept apart from the runner, which
 * spawns processes and reads the clock, so that they are tested without running a benchmark.
 */
import { cpus, freemem, release, totalmem, type as osType } from 'node:os';
import type { BenchRow } from '../types.ts';

/** A bench file as the runner found it: its default export's id and order, and where it lives. */
export interface BenchEntry {
  id: string;
  order: number;
  /** Relative to the repository, e.g. `bench/server/token-route.bench.ts`. */
  file: string;
}

export interface Machine {
  cpuModel: string;
  cpuCount: number;
  memoryGiB: number;
  freeMemoryGiB: number;
  node: string;
  os: string;
}

export interface BenchResults {
  date: string;
  machine: Machine;
  /** The bench ids that ran, in order (a subset when the command line named some). */
  benches: string[];
  rows: BenchRow[];
  passed: boolean;
}

/**
 * The benches to run, in `order` (then id). With no arguments, all of them; otherwise those whose id is
 * one of `args`, or whose file lies under a folder named by one (`server` runs `bench/server/**`).
 * An argument that selects nothing is an error: a typo must not pass as a green run of nothing.
 */
export function selectBenches(
  entries: readonly BenchEntry[],
  args: readonly string[],
): { selected: BenchEntry[]; unknown: string[] } {
  const sorted = [...entries].sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
  if (args.length === 0) return { selected: sorted, unknown: [] };
  const matches = (entry: BenchEntry, arg: string) =>
    entry.id === arg || entry.file.split('/').slice(0, -1).includes(arg);
  return {
    selected: sorted.filter((entry) => args.some((arg) => matches(entry, arg))),
    unknown: args.filter((arg) => !entries.some((entry) => matches(entry, arg))),
  };
}

/** The row a bench leaves when it throws (or its process dies): failed, with the reason in details. */
export function failedRow(entry: Pick<BenchEntry, 'id' | 'file'>, error: string): BenchRow {
  return {
    id: entry.id,
    figure: `${entry.id} (${entry.file})`,
    ours: 'threw',
    value: Number.NaN,
    unit: '',
    budget: '—',
    pass: false,
    details: { error: error.slice(0, 2_000) },
  };
}

const COLUMNS = ['figure', 'ours', 'baseline', 'ratio', 'budget', 'result'] as const;

/** The cells of one row as the table shows them. */
export function rowCells(row: BenchRow): string[] {
  return [
    row.figure,
    row.ours,
    row.baseline ?? '—',
    row.ratio === undefined || !Number.isFinite(row.ratio) ? '—' : `${formatRatio(row.ratio)}×`,
    row.budget,
    row.pass ? 'pass' : 'FAIL',
  ];
}

function formatRatio(ratio: number): string {
  return ratio >= 10 ? ratio.toFixed(1) : ratio >= 0.1 ? ratio.toFixed(2) : ratio.toPrecision(2);
}

/** Column widths for a set of rows (at least the headers'), so rows printed as they come line up. */
export function columnWidths(rows: readonly BenchRow[], minimum: readonly number[] = []): number[] {
  return COLUMNS.map((header, column) =>
    Math.max(
      header.length,
      minimum[column] ?? 0,
      ...rows.map((row) => [...(rowCells(row)[column] as string)].length),
    ),
  );
}

const pad = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - [...text].length));

export function formatHeader(widths: readonly number[]): string {
  const header = COLUMNS.map((name, column) => pad(name, widths[column] ?? 0)).join(' | ');
  const rule = widths.map((width) => '-'.repeat(width)).join('-|-');
  return `${header.trimEnd()}\n${rule}`;
}

export function formatRow(row: BenchRow, widths: readonly number[]): string {
  return rowCells(row)
    .map((cell, column) => pad(cell, widths[column] ?? 0))
    .join(' | ')
    .trimEnd();
}

/** The whole table: header, rule, one line per row, and a count of what failed. */
export function formatTable(rows: readonly BenchRow[]): string {
  const widths = columnWidths(rows);
  const failed = rows.filter((row) => !row.pass).length;
  return [
    formatHeader(widths),
    ...rows.map((row) => formatRow(row, widths)),
    '',
    failed === 0 ? `all ${rows.length} rows within budget` : `${failed} of ${rows.length} rows FAILED`,
  ].join('\n');
}

/** What the JSON carries about the machine, since every figure depends on it. */
export function describeMachine(): Machine {
  const processors = cpus();
  const gib = (bytes: number) => Math.round((bytes / 1024 ** 3) * 10) / 10;
  return {
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    cpuCount: processors.length,
    memoryGiB: gib(totalmem()),
    freeMemoryGiB: gib(freemem()),
    node: process.version,
    os: `${osType()} ${release()} ${process.arch}`,
  };
}

export function buildResults(
  rows: readonly BenchRow[],
  benches: readonly string[],
  machine: Machine,
  date: Date,
): BenchResults {
  return {
    date: date.toISOString(),
    machine,
    benches: [...benches],
    rows: rows.map((row) => ({ ...row })),
    passed: rows.length > 0 && rows.every((row) => row.pass),
  };
}

/** 0 when every row is within budget; 1 when any failed or threw, or nothing ran. */
export function exitCode(rows: readonly BenchRow[]): number {
  return rows.length > 0 && rows.every((row) => row.pass) ? 0 : 1;
}

/** `JSON.stringify` writes NaN as null; keep the JSON valid and say so in the row instead. */
export function toJson(results: BenchResults): string {
  return `${JSON.stringify(results, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2)}\n`;
}
