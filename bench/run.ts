/**
 * `npm run bench [-- <id|folder>…]`: finds every `bench/**\/*.bench.ts`, runs each default export's `run()`
 * in `order`, one at a time, each in a process of its own (`bench/support/run-one.ts`), prints the table to
 * stdout as rows arrive and again whole at the end, and writes the results as JSON (`bench-results.json`
 * at the repository root, or `BENCH_OUT`). Exits 1 when a row fails its budget or a bench throws (its row
 * is a failed one; the others still run), 2 for an argument that names no bench.
 *
 * Progress lines of the benches go to stderr, so `npm run bench > table.txt` keeps the table alone.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './types.ts';
import type { ListedBench } from './support/list-benches.ts';
import {
  buildResults,
  describeMachine,
  exitCode,
  failedRow,
  formatHeader,
  formatRow,
  formatTable,
  selectBenches,
  toJson,
  type BenchEntry,
} from './support/report.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));
/** A bench still running after this is killed and failed, so one hang cannot stall CI. */
const BENCH_TIMEOUT_MS = Number(process.env['BENCH_TIMEOUT_S'] ?? 300) * 1000;
/** Widths for the rows printed as they come (the final table is fitted to its rows). */
const LIVE_WIDTHS = [64, 34, 30, 7, 22, 6];

async function findBenchFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') found.push(...(await findBenchFiles(path)));
    } else if (entry.name.endsWith('.bench.ts')) found.push(path);
  }
  return found.sort();
}

/**
 * Seconds between two benches (`BENCH_SETTLE_S` to change). A bench's teardown goes on after its process has
 * exited: measured on the 2-core CI machine, the token route's p99 right after the `<hub-chat>` bench (its
 * Chromium and hub gone, no other process busy) was 23–31 ms in three full runs, and 9.6 ms with 20 s
 * between the two, as when it runs alone (11–12 ms). The likeliest cause is the kernel and the VM's host
 * taking back the memory the browser gave up; it was not traced further.
 */
const SETTLE_S = Number(process.env['BENCH_SETTLE_S'] ?? 20);

function settle(): Promise<void> {
  console.error(`# settling for ${SETTLE_S} s`);
  return new Promise((resolve) => setTimeout(resolve, SETTLE_S * 1000));
}

/**
 * Reads each file's id and order in a child (`support/list-benches.ts`), so the runner never holds the benches'
 * modules. A file that fails to load is failed.
 */
async function loadEntries(
  files: readonly string[],
  scratch: string,
): Promise<{ entries: BenchEntry[]; broken: BenchRow[] }> {
  const out = join(scratch, 'benches.json');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO, 'bench/support/list-benches.ts'), out, ...files],
    { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const code = await new Promise<number | null>((done) => child.on('exit', (exitCode) => done(exitCode)));
  if (code !== 0) throw new Error(`listing the benches exited with ${code}`);
  const entries: BenchEntry[] = [];
  const broken: BenchRow[] = [];
  for (const listed of JSON.parse(await readFile(out, 'utf8')) as ListedBench[]) {
    const file = relative(REPO, listed.file);
    if ('error' in listed) broken.push(failedRow({ id: file, file }, `could not load: ${listed.error}`));
    else entries.push({ id: listed.id, order: listed.order, file });
  }
  return { entries, broken };
}

/** Runs one bench in its own process; its rows, or one failed row saying why there are none. */
async function runInChild(entry: BenchEntry, scratch: string): Promise<BenchRow[]> {
  const out = join(scratch, `${entry.id}.json`);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO, 'bench/support/run-one.ts'), join(REPO, entry.file), out],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let tail = '';
  const forward = (chunk: Buffer) => {
    process.stderr.write(chunk);
    tail = (tail + chunk.toString()).slice(-4_000);
  };
  child.stdout.on('data', forward);
  child.stderr.on('data', forward);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, BENCH_TIMEOUT_MS);
  const code = await new Promise<number | null>((done) => child.on('exit', (exitCode) => done(exitCode)));
  clearTimeout(timer);
  if (timedOut) return [failedRow(entry, `still running after ${BENCH_TIMEOUT_MS / 1000} s: killed`)];
  if (code !== 0) return [failedRow(entry, `exited with ${code}: ${lastLines(tail)}`)];
  try {
    const rows = JSON.parse(await readFile(out, 'utf8')) as BenchRow[];
    if (!Array.isArray(rows) || rows.length === 0) throw new Error('run() returned no rows');
    return rows.map((row) => ({ ...row, value: row.value ?? Number.NaN }));
  } catch (error) {
    return [failedRow(entry, String(error))];
  }
}

const lastLines = (text: string) => text.trim().split('\n').slice(-8).join('\n');

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const scratch = await mkdtemp(join(tmpdir(), 'hub-bench-'));
  try {
    return await runBenches(args, scratch);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function runBenches(args: readonly string[], scratch: string): Promise<number> {
  const { entries, broken } = await loadEntries(await findBenchFiles(join(REPO, 'bench')), scratch);
  const { selected, unknown } = selectBenches(entries, args);
  if (unknown.length > 0) {
    console.error(
      `No bench is called ${unknown.join(', ')}. Benches: ${entries.map((entry) => entry.id).join(', ')}`,
    );
    return 2;
  }
  const machine = describeMachine();
  console.error(
    `# ${selected.length} benches on ${machine.cpuCount} × ${machine.cpuModel}, ` +
      `${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.os}`,
  );
  const rows: BenchRow[] = args.length === 0 ? [...broken] : [];
  const started = Date.now();
  console.log(formatHeader(LIVE_WIDTHS));
  for (const row of rows) console.log(formatRow(row, LIVE_WIDTHS));
  for (const [index, entry] of selected.entries()) {
    if (index > 0) await settle();
    console.error(`# ${entry.id} (${entry.file})`);
    const benchStarted = Date.now();
    const produced = await runInChild(entry, scratch);
    console.error(`# ${entry.id} took ${((Date.now() - benchStarted) / 1000).toFixed(1)} s`);
    for (const row of produced) console.log(formatRow(row, LIVE_WIDTHS));
    rows.push(...produced);
  }
  const results = buildResults(
    rows,
    selected.map((entry) => entry.id),
    machine,
    new Date(),
  );
  const out = resolve(REPO, process.env['BENCH_OUT'] ?? 'bench-results.json');
  await writeFile(out, toJson(results));
  console.log(`\n${formatTable(rows)}`);
  console.error(
    `# ${((Date.now() - started) / 1000).toFixed(0)} s in all; results in ${relative(REPO, out)}`,
  );
  return exitCode(rows);
}

process.exitCode = await main();
