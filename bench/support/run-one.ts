/**
 * Runs one bench file in a process of its own, so that one bench's servers, sockets, heap and JIT state do
 * not colour the next one's figures, and a bench that hangs or crashes takes only itself down.
 *
 * `node --import tsx bench/support/run-one.ts <bench file> <rows.json>`: imports the file, awaits its
 * default export's `run()` and writes the rows to `<rows.json>`. A throw exits 1 with the error on stderr.
 * Progress goes to stderr (the runner forwards it), since stdout is the table's.
 */
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { Bench } from '../types.ts';

const [file, out] = process.argv.slice(2);
if (!file || !out) {
  console.error('usage: run-one.ts <bench file> <rows.json>');
  process.exit(2);
}
// Bench code logs with console.log; keep stdout for the runner's table.
console.log = console.error;
const bench = ((await import(pathToFileURL(resolve(file)).href)) as { default: Bench }).default;
const rows = await bench.run();
await writeFile(out, JSON.stringify(rows));
// Servers or agents a bench forgot to close must not keep the process (and the run) alive.
process.exit(0);
