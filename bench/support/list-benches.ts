/**
 * Reads each bench file's id and order for the runner, in a process of its own: importing every bench loads
 * its whole tree (vite, rollup, playwright, pg, autocannon …), several hundred MB of heap that, kept in the
 * runner, V8 would later shrink with major collections in the middle of another bench's timed phase.
 *
 * `node --import tsx bench/support/list-benches.ts <out.json> <bench file>…` writes, per file in order,
 * `{ file, id, order }` or `{ file, error }` (importing a bench must not run it).
 */
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import type { Bench } from '../types.ts';

export type ListedBench = { file: string; id: string; order: number } | { file: string; error: string };

const [out, ...files] = process.argv.slice(2);
if (!out) {
  console.error('usage: list-benches.ts <out.json> <bench file>…');
  process.exit(2);
}
const listed: ListedBench[] = [];
for (const file of files) {
  try {
    const bench = ((await import(pathToFileURL(file).href)) as { default?: Bench }).default;
    if (!bench || typeof bench.run !== 'function' || typeof bench.id !== 'string') {
      throw new Error('its default export is not a Bench ({ id, order, run })');
    }
    listed.push({ file, id: bench.id, order: bench.order });
  } catch (error) {
    listed.push({ file, error: String(error) });
  }
}
await writeFile(out, JSON.stringify(listed));
process.exit(0);
