import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { findVideoCode } from '../../bench/bundle/video-code.ts';
import { measureBundles, SDK_DIR, type BundleFigures } from '../../bench/bundle/measure.ts';
import { bundleRows } from '../../bench/bundle/rows.ts';
import type { BenchRow } from '../../bench/types.ts';

// Bundle budgets of issue 9, checked on every build: sizes are not timings, so they belong in `npm test`.
// The measurement is `npm run bench`'s (bench/bundle): the SDK that `npm test` just built (built here when
// dist/sdk is missing), a real hub, host pages in headless Chromium, gzip of every JS response.

describe('bundle budgets (what a host page downloads for the SDK)', () => {
  let figures: BundleFigures;
  let rows: Map<string, BenchRow>;

  before(async () => {
    figures = await measureBundles({ build: 'if-missing' });
    rows = new Map(bundleRows(figures).map((row) => [row.id, row]));
    for (const row of rows.values()) {
      const baseline = row.baseline ? `, baseline ${row.baseline}, ratio ${row.ratio}` : '';
      console.log(
        `${row.pass ? 'pass' : 'FAIL'}  ${row.figure}: ${row.ours}${baseline} (budget ${row.budget})`,
      );
    }
    const list = (scripts: BundleFigures['teacherHub']['scripts']) =>
      scripts.map((script) => `  ${script.gzipBytes} ${new URL(script.url).pathname}`).join('\n');
    console.log(`student widgets:\n${list(figures.studentWidgets.scripts)}`);
    console.log(`teacher hub:\n${list(figures.teacherHub.scripts)}`);
  });

  const expectPass = (id: string) => {
    const row = rows.get(id)!;
    assert.ok(
      row.pass,
      `${row.figure}: ${row.ours} breaks the budget ${row.budget} (${JSON.stringify(row.details)})`,
    );
  };

  it('<upcoming-sessions> + <notification-center> download at most 35 KB of JS (gzip)', () => {
    expectPass('bundle.student-widgets');
  });

  it('<teacher-hub> with its chat list downloads at most 160 KB and 0.3 × a stream-chat-react page', () => {
    expectPass('bundle.teacher-hub-chats');
  });

  it('the video check sees video code in the build: the 100ms engine, the mesh engine and the call view', () => {
    const found = findVideoCode(SDK_DIR, figures.videoFilesInBuild).videoFiles.join(' ');
    assert.match(found, /hms-engine/);
    assert.match(found, /mesh-engine/);
    assert.match(found, /call-view/);
  });

  it('no video code loads before a call starts', () => {
    assert.deepEqual(figures.videoFiles, []);
    assert.deepEqual(figures.unmapped, [], 'every loaded script has a sourcemap to check');
    expectPass('bundle.video-before-call');
  });
});
