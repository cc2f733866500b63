import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

let template: Promise<Blob> | undefined;

/**
 * A freshly initialised, empty PGlite data directory, as a dump that `openDatabase` can start an
 * in-memory database from in about 0.5 s instead of running `initdb` (about 2–3 s) for every test app.
 * Kept per PGlite version in the temp directory, so only the first test process of a machine pays.
 * It holds no hub tables: every test database still runs the real migrations.
 */
export function pgliteTemplate(): Promise<Blob> {
  template ??= loadOrCreate();
  return template;
}

async function loadOrCreate(): Promise<Blob> {
  // The package does not export its package.json; it sits one level above the entry module.
  const manifest = new URL('../package.json', import.meta.resolve('@electric-sql/pglite'));
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  const file = join(tmpdir(), `teacher-hub-pglite-${version}-initdb.tar`);
  if (existsSync(file)) return new Blob([readFileSync(file)]);
  const pglite = await PGlite.create();
  const dump = await pglite.dumpDataDir('none');
  await pglite.close();
  const bytes = new Uint8Array(await dump.arrayBuffer());
  // Write-then-rename, so a concurrent test process never reads half a file.
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, bytes);
  renameSync(partial, file);
  return new Blob([bytes]);
}
