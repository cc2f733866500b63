// Runs Node's test runner on the test files under the given folders. Node 20's `--test` does not expand
// globs, so this finds the files itself: `node scripts/node-test.mjs server/src packages/core/src`.
// Files named `*.test.ts` run, except browser tests (`*.browser.test.ts`, and the elements' tests, which
// @web/test-runner runs in Chromium).
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const roots = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const passThrough = process.argv.slice(2).filter((arg) => arg.startsWith('--'));
const skipDirs = new Set(['node_modules', 'dist', '.hub-data']);

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!skipDirs.has(entry.name)) yield* walk(join(dir, entry.name));
    } else if (entry.name.endsWith('.test.ts') && !entry.name.endsWith('.browser.test.ts')) {
      yield join(dir, entry.name);
    }
  }
}

const files = roots.flatMap((root) => [...walk(root)]).sort();
if (files.length === 0) {
  console.error(`No test files under ${roots.join(', ')}.`);
  process.exit(1);
}
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=1',
    ...passThrough,
    ...files.map((file) => relative('.', file)),
  ],
  { stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
