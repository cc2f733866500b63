import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { startHubProcess } from '../../server/src/testing/hub-process.ts';
import { launchChromium } from '../../tests/e2e/support/browser.ts';
import { api, tokenFor } from '../../tests/e2e/support/demo.ts';
import { BASELINE_PAGES, buildBaseline } from './baselines.ts';
import { hostHtml, scriptsLoadedBy, serveHostPages, type HostPage, type LoadedScript } from './host-pages.ts';
import { findVideoCode } from './video-code.ts';

const REPO = resolve(import.meta.dirname, '../..');
export const SDK_DIR = resolve(REPO, 'dist/sdk');
/** How long a host page may take to show its data (a cold hub compiles on first use). */
const RENDERED = { timeout: 60_000 };

export interface PageFigures {
  gzipBytes: number;
  scripts: LoadedScript[];
}

export interface BundleFigures {
  /** `<upcoming-sessions>` + `<notification-center>` as a signed-in student, until both show their data. */
  studentWidgets: PageFigures;
  /** `<teacher-hub>` as the demo teacher, until the chat list shows chats. */
  teacherHub: PageFigures;
  litBaseline: number;
  streamChatReactBaseline: number;
  /** Bytes (as served) of the scripts of either page that contain video code, and which they are. */
  videoBytes: number;
  videoFiles: string[];
  /** All video chunks of the build: proof that the check can see video code where there is some. */
  videoFilesInBuild: string[];
  unmapped: string[];
}

export interface MeasureOptions {
  /** `always`: `npm run build:sdk` first (the bench); `if-missing`: reuse `dist/sdk` (`npm test` built it). */
  build: 'always' | 'if-missing';
  log?: (line: string) => void;
}

function buildSdk(options: MeasureOptions): void {
  if (options.build === 'if-missing' && existsSync(resolve(SDK_DIR, 'teacher-hub.js'))) return;
  options.log?.('building the SDK (npm run build:sdk)');
  execFileSync('npm', ['run', 'build:sdk'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
}

const sum = (scripts: readonly LoadedScript[]) =>
  scripts.reduce((total, script) => total + script.gzipBytes, 0);

/** Every JS file under `dir`, relative to it. */
function builtScripts(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js'));
}

/**
 * Measures what a host page downloads for the SDK, and the baselines, in one run: builds the SDK (see
 * `options.build`), starts a real hub in dev mode with a chat and a session to show, opens the two host
 * pages in headless Chromium and sums the gzip size of every JS response; builds the baselines with the
 * same Vite configuration.
 */
export async function measureBundles(options: MeasureOptions): Promise<BundleFigures> {
  buildSdk(options);
  const hub = await startHubProcess();
  let browser;
  let host;
  try {
    // Something for each element to show: a chat with s-01 (and its notification) and a session.
    const chat = await api(hub, 't-ada', 'POST', '/v1/chats', {
      name: 'Algebra study group',
      memberIds: ['s-01'],
    });
    if (chat.status !== 201) throw new Error(`could not create the demo chat: ${chat.status}`);
    const inTwoDays = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const session = await api(hub, 't-ada', 'POST', '/v1/sessions', {
      title: 'Algebra review',
      type: 'group',
      start: `${inTwoDays}T16:00`,
      timeZone: 'Europe/Berlin',
      durationMinutes: 45,
      inviteeIds: ['s-01'],
    });
    if (session.status !== 201) throw new Error(`could not create the demo session: ${session.status}`);

    const student = await tokenFor(hub, 's-01');
    const teacher = await tokenFor(hub, 't-ada');
    const studentPage: HostPage = {
      path: '/bench/student-widgets.html',
      html: hostHtml(
        hub.url,
        'Student widgets',
        `<notification-center token="${student}"></notification-center>
    <upcoming-sessions token="${student}"></upcoming-sessions>`,
      ),
      rendered: async (page) => {
        await page.locator('upcoming-sessions [part~="item"]').first().waitFor(RENDERED);
        await page.locator('notification-center [part="badge"]:not([hidden])').waitFor(RENDERED);
      },
    };
    const teacherPage: HostPage = {
      path: '/bench/teacher-hub.html',
      html: hostHtml(hub.url, 'Teacher hub', `<teacher-hub token="${teacher}" routing="none"></teacher-hub>`),
      rendered: (page) => page.locator('teacher-hub [part~="chat-item"]').first().waitFor(RENDERED),
    };

    host = await serveHostPages([studentPage, teacherPage]);
    browser = await launchChromium();
    options.log?.('loading the student widgets page');
    const studentScripts = await scriptsLoadedBy(browser, host.origin, studentPage);
    options.log?.('loading the teacher hub page');
    const teacherScripts = await scriptsLoadedBy(browser, host.origin, teacherPage);

    const sdkPath = (script: LoadedScript) => {
      const path = new URL(script.url).pathname;
      return path.startsWith('/sdk/') ? path.slice('/sdk/'.length) : undefined;
    };
    const loaded = [...studentScripts, ...teacherScripts];
    const foreign = loaded.filter((script) => sdkPath(script) === undefined).map((script) => script.url);
    const loadedFiles = [...new Set(loaded.map(sdkPath).filter((path) => path !== undefined))];
    const video = findVideoCode(SDK_DIR, loadedFiles);
    const inBuild = findVideoCode(SDK_DIR, builtScripts(SDK_DIR));
    const videoBytes = loaded
      .filter((script) => video.videoFiles.includes(sdkPath(script) ?? ''))
      .reduce((total, script) => total + script.bytes, 0);

    options.log?.('building the baselines');
    const lit = await buildBaseline(BASELINE_PAGES.lit);
    const streamChatReact = await buildBaseline(BASELINE_PAGES.streamChatReact);
    return {
      studentWidgets: { gzipBytes: sum(studentScripts), scripts: studentScripts },
      teacherHub: { gzipBytes: sum(teacherScripts), scripts: teacherScripts },
      litBaseline: lit.gzipBytes,
      streamChatReactBaseline: streamChatReact.gzipBytes,
      videoBytes,
      videoFiles: video.videoFiles,
      videoFilesInBuild: inBuild.videoFiles,
      unmapped: [...video.unmapped, ...foreign],
    };
  } finally {
    await browser?.close();
    await host?.close();
    await hub.stop();
  }
}
