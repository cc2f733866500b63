import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, ConsoleMessage, Page, Request, Response } from 'playwright-core';
import { launchChromium } from './support/browser.ts';

// The component catalogue (issue 7): every element in custom-elements.json has stories and a docs page,
// each has the states that apply to it, and every story renders in Chromium without a page or console
// error. `npm test` builds the catalogue before the e2e tests; run alone, this builds it when missing.

const ROOT = resolve(import.meta.dirname, '../..');
const CATALOGUE = resolve(ROOT, 'dist/storybook');
const INDEX = resolve(CATALOGUE, 'index.json');
const MANIFEST = resolve(ROOT, 'custom-elements.json');

/**
 * The states each element must have a story for, by story id (`elements-<tag>--<state>`). Where a state
 * does not exist for an element it is left out, and why is said here:
 * - `session-scheduler` is a teacher's form (no student view); it has no list to be empty, so its empty
 *   state is a teacher without students, and "many" is a roster of many students.
 * - `student-picker` is the same for everyone who sees it (teachers); so is `teacher-hub`, a teacher's page,
 *   which is shown at phone width too.
 * - `call-overlay` has no list to load: its loading state is Connecting…, its empty state is no call.
 */
const EXPECTED_STATES: Record<string, string[]> = {
  'call-overlay': ['connecting', 'idle', 'error', 'many-people', 'teacher', 'student', 'dark'],
  'hub-chat': ['loading', 'empty', 'error', 'many-messages', 'many-chats', 'teacher', 'student', 'dark'],
  'notification-center': ['loading', 'empty', 'error', 'many-items', 'teacher', 'student', 'dark'],
  'session-calendar': ['loading', 'empty', 'error', 'many-sessions', 'teacher', 'student', 'dark'],
  'session-scheduler': ['loading', 'no-students', 'error', 'many-students', 'create', 'edit', 'dark'],
  'student-picker': ['loading', 'empty', 'error', 'many-students', 'dark'],
  'upcoming-sessions': ['loading', 'empty', 'error', 'many-sessions', 'teacher', 'student', 'dark'],
  'teacher-hub': ['loading', 'empty', 'error', 'teacher', 'dark', 'phone'],
};

/**
 * Console errors a story shows on purpose, each with why. A story that logs anything else fails.
 * (Keep this short: a story that logs an error is usually a story to fix.)
 */
const BENIGN_CONSOLE_ERRORS: RegExp[] = [];

interface IndexEntry {
  type: 'story' | 'docs';
  id: string;
  title: string;
  name: string;
}

function run(script: string): void {
  const result = spawnSync('npm', ['run', script], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, STORYBOOK_DISABLE_TELEMETRY: '1' },
  });
  assert.equal(result.status, 0, `npm run ${script} failed`);
}

/** The elements in custom-elements.json, with the attributes their docs page must list. */
function manifestElements(): Map<string, string[]> {
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as {
    modules: Array<{ declarations?: Array<{ tagName?: string; attributes?: Array<{ name: string }> }> }>;
  };
  const elements = new Map<string, string[]>();
  for (const declaration of manifest.modules.flatMap((module) => module.declarations ?? [])) {
    if (declaration.tagName) {
      elements.set(
        declaration.tagName,
        (declaration.attributes ?? []).map((attribute) => attribute.name),
      );
    }
  }
  return new Map([...elements].sort(([a], [b]) => a.localeCompare(b)));
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** The built catalogue over HTTP on a free loopback port (assets cached, so each story loads fast). */
function serveCatalogue(): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    // Chromium asks for /favicon.ico on its own; the catalogue has an SVG one in its pages.
    if (pathname === '/favicon.ico') {
      response.writeHead(204).end();
      return;
    }
    const file = resolve(CATALOGUE, `.${pathname.endsWith('/') ? `${pathname}index.html` : pathname}`);
    if (!file.startsWith(CATALOGUE + sep) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': extname(file) === '.html' ? 'no-cache' : 'max-age=3600',
    });
    response.end(readFileSync(file));
  });
  return new Promise((done) => {
    server.listen(0, '127.0.0.1', () =>
      done({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    );
  });
}

/** Elements whose stories are rendered at the same time, one page each. */
const PAGES = 2;
/** After an element has rendered: long enough for the canned hubs to answer (they take at most 400 ms). */
const SETTLE_MS = 300;

/**
 * Runs `open` on `page` and returns what went wrong meanwhile: page errors, console errors (but the benign
 * ones), failed requests and HTTP errors.
 */
async function problemsWhile(page: Page, open: (problems: string[]) => Promise<void>): Promise<string[]> {
  const problems: string[] = [];
  const onPageError = (error: Error) => problems.push(`page error: ${error.message}`);
  const onConsole = (message: ConsoleMessage) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    if (!BENIGN_CONSOLE_ERRORS.some((benign) => benign.test(text))) problems.push(`console: ${text}`);
  };
  const onResponse = (response: Response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
  };
  const onRequestFailed = (request: Request) => {
    // Going to the next page cancels what the last one still loads (the docs page fetches index.json late).
    if (request.failure()?.errorText !== 'net::ERR_ABORTED')
      problems.push(`request failed: ${request.url()}`);
  };
  page.on('pageerror', onPageError);
  page.on('console', onConsole);
  page.on('response', onResponse);
  page.on('requestfailed', onRequestFailed);
  try {
    await open(problems);
  } finally {
    page.off('pageerror', onPageError);
    page.off('console', onConsole);
    page.off('response', onResponse);
    page.off('requestfailed', onRequestFailed);
  }
  return problems;
}

/** What Storybook's preview says when it has shown a story, or could not. */
type Outcome = 'rendered' | 'errored' | 'missing';

/**
 * Shows `storyId` in the preview already on `page`, as Storybook's own UI does (the manager tells the
 * preview frame through its channel), and resolves with how that went.
 */
function switchStory(page: Page, storyId: string): Promise<Outcome> {
  return page.evaluate(
    (id) =>
      new Promise<Outcome>((done) => {
        interface Channel {
          on(event: string, listener: (arg: unknown) => void): void;
          off(event: string, listener: (arg: unknown) => void): void;
          emit(event: string, ...args: unknown[]): void;
        }
        const channel = (window as unknown as { __STORYBOOK_ADDONS_CHANNEL__: Channel })
          .__STORYBOOK_ADDONS_CHANNEL__;
        const outcomes: Record<string, Outcome> = {
          storyRendered: 'rendered',
          storyErrored: 'errored',
          storyThrewException: 'errored',
          playFunctionThrewException: 'errored',
          storyMissing: 'missing',
        };
        // No named functions in here: tsx would wrap them in a helper the page does not have.
        const handlers: Array<[string, (arg: unknown) => void]> = [];
        for (const [event, outcome] of Object.entries(outcomes)) {
          handlers.push([
            event,
            (arg: unknown) => {
              // The last story's late "rendered" is not this one's.
              if (event === 'storyRendered' && arg !== id) return;
              for (const [each, handler] of handlers) channel.off(each, handler);
              done(outcome);
            },
          ]);
        }
        for (const [event, handler] of handlers) channel.on(event, handler);
        channel.emit('setCurrentStory', { storyId: id, viewMode: 'story' });
      }),
    storyId,
  );
}

/**
 * Shows one story on `page`: by opening its `iframe.html` when `open` (the first of an element's stories),
 * else by switching the preview to it. Its element must then be defined and have rendered something into
 * its shadow root.
 */
function renderStory(page: Page, base: string, story: IndexEntry, open: boolean): Promise<string[]> {
  const tag = story.title.split('/').at(-1)!;
  return problemsWhile(page, async (problems) => {
    if (open) {
      await page.goto(`${base}/iframe.html?id=${story.id}&viewMode=story`);
    } else {
      const outcome = await switchStory(page, story.id);
      if (outcome !== 'rendered') problems.push(`Storybook says the story ${outcome}`);
    }
    const shown = await page
      .waitForFunction(
        (name) => {
          if (document.body.classList.contains('sb-show-errordisplay')) return 'error';
          const element = document.querySelector(`#storybook-root ${name}`);
          const rendered =
            customElements.get(name) !== undefined && (element?.shadowRoot?.childElementCount ?? 0) > 0;
          return rendered ? 'rendered' : false;
        },
        tag,
        { timeout: 5_000 },
      )
      .then((handle) => handle.jsonValue())
      .catch(() => 'timeout');
    if (shown === 'error') {
      problems.push(`Storybook shows an error: ${await page.locator('#error-message').innerText()}`);
    } else if (shown === 'timeout') {
      problems.push(`<${tag}> was not defined and rendered within 5 s`);
    }
    await page.waitForTimeout(SETTLE_MS);
  });
}

describe('the Storybook catalogue', () => {
  let entries: IndexEntry[];
  let elements: Map<string, string[]>;
  let tags: string[];
  let served: { server: Server; url: string };
  let browser: Browser;

  before(async () => {
    if (!existsSync(INDEX)) run('build-storybook');
    if (!existsSync(MANIFEST)) run('manifest');
    entries = Object.values(
      (JSON.parse(readFileSync(INDEX, 'utf8')) as { entries: Record<string, IndexEntry> }).entries,
    );
    elements = manifestElements();
    tags = [...elements.keys()];
    served = await serveCatalogue();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    served?.server.close();
  });

  const storiesOf = (tag: string) =>
    entries.filter((entry) => entry.type === 'story' && entry.title === `Elements/${tag}`);

  it('has stories and a docs page for every element in custom-elements.json', () => {
    assert.ok(tags.length > 0, 'custom-elements.json lists no elements');
    for (const tag of tags) {
      assert.ok(storiesOf(tag).length > 0, `<${tag}> has no stories (stories/${tag}.stories.ts)`);
      assert.ok(
        entries.some((entry) => entry.type === 'docs' && entry.title === `Elements/${tag}`),
        `<${tag}> has no docs page (tags: ['autodocs'])`,
      );
    }
  });

  it('shows each element in the states that apply to it', () => {
    for (const tag of tags) {
      const expected = EXPECTED_STATES[tag];
      assert.ok(expected, `EXPECTED_STATES has no entry for <${tag}>: say which states it has`);
      const have = new Set(storiesOf(tag).map((entry) => entry.id));
      const missing = expected.filter((state) => !have.has(`elements-${tag}--${state}`));
      assert.deepEqual(missing, [], `<${tag}> has no story for these states`);
    }
  });

  it("renders each element's docs page with its attributes from custom-elements.json", async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    const failures: string[] = [];
    for (const [tag, attributes] of elements) {
      // A missing docs page is the first test's failure.
      if (!entries.some((entry) => entry.id === `elements-${tag}--docs`)) continue;
      const problems = await problemsWhile(page, async (problems) => {
        await page.goto(`${served.url}/iframe.html?id=elements-${tag}--docs&viewMode=docs`);
        const table = page.locator('.docblock-argstable').first();
        await table.waitFor({ timeout: 10_000 });
        const text = await table.innerText();
        const missing = attributes.filter((attribute) => !text.includes(attribute));
        if (missing.length > 0) problems.push(`the API table lacks the attributes ${missing.join(', ')}`);
      });
      if (problems.length > 0) failures.push(`${tag} docs:\n    ${problems.join('\n    ')}`);
    }
    await page.close();
    assert.deepEqual(failures, [], `docs pages with problems:\n  ${failures.join('\n  ')}`);
  });

  it('renders every story without page or console errors', { timeout: 120_000 }, async () => {
    // Each element's stories in one preview, opened at its first story and switched from story to story
    // as Storybook's UI does: a fresh page per element, and no reloading the catalogue for every story.
    const queue = tags.map((tag) => storiesOf(tag));
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: PAGES }, async () => {
        const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
        for (let stories = queue.shift(); stories; stories = queue.shift()) {
          for (const [index, story] of stories.entries()) {
            const problems = await renderStory(page, served.url, story, index === 0);
            if (problems.length > 0) failures.push(`${story.id}:\n    ${problems.join('\n    ')}`);
          }
        }
        await page.close();
      }),
    );
    assert.deepEqual(failures, [], `stories with problems:\n  ${failures.join('\n  ')}`);
  });
});
