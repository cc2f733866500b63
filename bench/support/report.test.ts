import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BenchRow } from '../types.ts';
import {
  buildResults,
  describeMachine,
  exitCode,
  failedRow,
  formatTable,
  rowCells,
  selectBenches,
  toJson,
  type BenchEntry,
} from './report.ts';

const entries: BenchEntry[] = [
  { id: 'ring', order: 34, file: 'bench/server/ring.bench.ts' },
  { id: 'bundle', order: 10, file: 'bench/bundle/bundle.bench.ts' },
  { id: 'token-route', order: 30, file: 'bench/server/token-route.bench.ts' },
  { id: 'chat-render', order: 20, file: 'bench/chat-render/chat-render.bench.ts' },
];

const row = (overrides: Partial<BenchRow> = {}): BenchRow => ({
  id: 'token-route.p99',
  figure: 'token route p99 at 1,000 req/s',
  ours: 'p50 2.0 ms / p99 9.0 ms',
  value: 9,
  unit: 'ms',
  baseline: 'p50 1.0 ms / p99 3.0 ms',
  baselineValue: 3,
  ratio: 3,
  budget: '≤ 25 ms',
  pass: true,
  ...overrides,
});

describe('bench runner: which benches run', () => {
  it('runs every bench in order, then by id, when no argument names some', () => {
    const { selected, unknown } = selectBenches(entries, []);
    assert.deepEqual(
      selected.map((entry) => entry.id),
      ['bundle', 'chat-render', 'token-route', 'ring'],
    );
    assert.deepEqual(unknown, []);
  });

  it('selects by id or by the folder a bench lives in, keeping the order', () => {
    assert.deepEqual(
      selectBenches(entries, ['ring', 'bundle']).selected.map((entry) => entry.id),
      ['bundle', 'ring'],
    );
    assert.deepEqual(
      selectBenches(entries, ['server']).selected.map((entry) => entry.id),
      ['token-route', 'ring'],
    );
  });

  it('reports an argument that names no bench instead of running nothing', () => {
    const { selected, unknown } = selectBenches(entries, ['ring', 'rnig']);
    assert.deepEqual(
      selected.map((entry) => entry.id),
      ['ring'],
    );
    assert.deepEqual(unknown, ['rnig']);
    // A file name is not a folder.
    assert.deepEqual(selectBenches(entries, ['ring.bench.ts']).unknown, ['ring.bench.ts']);
  });
});

describe('bench runner: the table', () => {
  it('shows figure, ours, baseline, ratio, budget and the result, in aligned columns', () => {
    const table = formatTable([
      row(),
      row({ id: 'live', figure: 'live fan-out', baseline: undefined, ratio: undefined, pass: false }),
    ]);
    const lines = table.split('\n');
    assert.match(lines[0] as string, /^figure +\| ours +\| baseline +\| ratio +\| budget +\| result$/);
    assert.match(lines[1] as string, /^-+-\|-+/);
    assert.match(
      lines[2] as string,
      /token route p99 at 1,000 req\/s \| p50 2\.0 ms.*\| 3\.00× \| ≤ 25 ms +\| pass$/,
    );
    assert.match(lines[3] as string, /^live fan-out +\| .* \| — +\| — +\| ≤ 25 ms +\| FAIL$/);
    // The separators line up: every cell of a column is padded to the widest one.
    const bars = (line: string) => [...line].flatMap((char, index) => (char === '|' ? [index] : []));
    assert.deepEqual(bars(lines[2] as string), bars(lines[0] as string));
    assert.deepEqual(bars(lines[3] as string), bars(lines[0] as string));
    assert.equal(lines.at(-1), '1 of 2 rows FAILED');
  });

  it('prints ratios with sensible precision and none when there is no finite ratio', () => {
    assert.equal(rowCells(row({ ratio: 12.345 }))[3], '12.3×');
    assert.equal(rowCells(row({ ratio: 0.0123 }))[3], '0.012×');
    assert.equal(rowCells(row({ ratio: Number.NaN }))[3], '—');
    assert.equal(formatTable([row()]).split('\n').at(-1), 'all 1 rows within budget');
  });
});

describe('bench runner: pass, fail and the JSON', () => {
  it('a thrown bench is a failed row with the reason, and fails the run', () => {
    const failed = failedRow({ id: 'ring', file: 'bench/server/ring.bench.ts' }, 'Error: boom');
    assert.equal(failed.pass, false);
    assert.equal(failed.ours, 'threw');
    assert.equal(failed.details?.['error'], 'Error: boom');
    assert.equal(exitCode([row(), failed]), 1);
    assert.equal(exitCode([row()]), 0);
    assert.equal(exitCode([]), 1, 'a run that measured nothing is no pass');
  });

  it('writes the rows, the machine and the date as valid JSON', () => {
    const machine = describeMachine();
    assert.ok(machine.cpuCount >= 1);
    assert.match(machine.node, /^v\d+\./);
    assert.ok(machine.memoryGiB > 0);
    const failed = failedRow({ id: 'ring', file: 'bench/server/ring.bench.ts' }, 'boom');
    const results = buildResults([row(), failed], ['token-route', 'ring'], machine, new Date(0));
    const parsed = JSON.parse(toJson(results)) as Record<string, unknown>;
    assert.equal(parsed['date'], '1970-01-01T00:00:00.000Z');
    assert.equal(parsed['passed'], false);
    assert.deepEqual(parsed['benches'], ['token-route', 'ring']);
    assert.deepEqual(Object.keys(parsed['machine'] as object).sort(), [
      'cpuCount',
      'cpuModel',
      'freeMemoryGiB',
      'memoryGiB',
      'node',
      'os',
    ]);
    const rows = parsed['rows'] as Array<Record<string, unknown>>;
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[0], { ...row() });
    assert.equal(rows[1]?.['value'], null, 'NaN is written as null, keeping the JSON valid');
    assert.equal(buildResults([row()], ['token-route'], machine, new Date()).passed, true);
  });
});
