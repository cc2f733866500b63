import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What counts as video code, matched against the `sources` of a chunk's sourcemap: the 100ms SDK
 * (`@100mslive/*`), our two call engines and the 100ms state mapping (`packages/core/src/calls/hms-*.ts`,
 * `mesh-engine.ts`), and the in-call view (`call-overlay/call-view*.ts`: tiles, controls, screen share).
 * The ring (`call-overlay.component.ts`) and the calls service are not: they must be there before a call
 * starts, to ring and to start one.
 */
export const VIDEO_SOURCES: readonly RegExp[] = [
  /node_modules\/@100mslive\//,
  /packages\/core\/src\/calls\/(hms-engine|hms-mapping|mesh-engine)\.ts$/,
  /packages\/elements\/src\/call-overlay\/call-view[\w.-]*\.ts$/,
];

export interface VideoCheck {
  /** Files (paths under the SDK folder) holding video code. */
  videoFiles: string[];
  /** Files without a sourcemap: nothing can be said about them, so the check fails on them too. */
  unmapped: string[];
}

/** Which of `files` (paths under `sdkDir`, e.g. `chunks/x.js`) contain video code, from their sourcemaps. */
export function findVideoCode(sdkDir: string, files: readonly string[]): VideoCheck {
  const videoFiles: string[] = [];
  const unmapped: string[] = [];
  for (const file of files) {
    const mapPath = join(sdkDir, `${file}.map`);
    if (!existsSync(mapPath)) {
      // Rolldown's runtime helper chunk carries no module code and gets no map.
      if (!/(^|\/)rolldown-runtime-[\w-]+\.js$/.test(file)) unmapped.push(file);
      continue;
    }
    const { sources } = JSON.parse(readFileSync(mapPath, 'utf8')) as { sources: string[] };
    if (sources.some((source) => VIDEO_SOURCES.some((pattern) => pattern.test(source))))
      videoFiles.push(file);
  }
  return { videoFiles, unmapped };
}
