import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, loadConfigFromFile } from 'vite';
import type { Rolldown, UserConfig } from 'vite';
import { gzipSize } from './gzip.ts';

const REPO = resolve(import.meta.dirname, '../..');

export const BASELINE_PAGES = {
  lit: resolve(import.meta.dirname, 'baselines/lit-page.ts'),
  streamChatReact: resolve(import.meta.dirname, 'baselines/stream-chat-react-page.ts'),
} as const;

export interface BuiltBaseline {
  /** gzip bytes of the entry and every chunk it imports statically: what a browser fetches before it runs. */
  gzipBytes: number;
  /** The files counted, relative to the build's output, with their gzip bytes. */
  files: Record<string, number>;
}

/**
 * Builds one baseline page with the SDK's own `vite.config.ts` (same target, same minifier and settings;
 * only the entry and output folder differ, and React's `process.env.NODE_ENV` is set to production) into
 * a temporary folder, and measures the JS that loads before the page can run. Chunks behind a dynamic
 * `import()` are not counted: the baseline gets the benefit of every doubt.
 */
export async function buildBaseline(entry: string): Promise<BuiltBaseline> {
  const loaded = await loadConfigFromFile(
    { command: 'build', mode: 'production' },
    resolve(REPO, 'vite.config.ts'),
    REPO,
    'silent',
  );
  if (!loaded) throw new Error('vite.config.ts did not load');
  const sdk: UserConfig = loaded.config;
  const outDir = mkdtempSync(join(tmpdir(), 'teacher-hub-baseline-'));
  try {
    const result = await build({
      ...sdk,
      configFile: false,
      root: REPO,
      logLevel: 'silent',
      define: { ...sdk.define, 'process.env.NODE_ENV': JSON.stringify('production') },
      build: {
        ...sdk.build,
        outDir,
        emptyOutDir: true,
        sourcemap: false,
        lib: { ...sdk.build!.lib!, entry: { page: entry }, fileName: (_format, name) => `${name}.js` },
      },
    });
    const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
    const chunks = new Map<string, Rolldown.OutputChunk>();
    for (const output of outputs) {
      for (const item of output.output) if (item.type === 'chunk') chunks.set(item.fileName, item);
    }
    const entryChunk = [...chunks.values()].find((chunk) => chunk.isEntry);
    if (!entryChunk) throw new Error(`no entry chunk built for ${entry}`);
    const files: Record<string, number> = {};
    const visit = (chunk: Rolldown.OutputChunk): void => {
      if (chunk.fileName in files) return;
      files[chunk.fileName] = gzipSize(chunk.code);
      for (const name of chunk.imports) {
        const imported = chunks.get(name);
        if (imported) visit(imported);
      }
    };
    visit(entryChunk);
    return { gzipBytes: Object.values(files).reduce((sum, bytes) => sum + bytes, 0), files };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
