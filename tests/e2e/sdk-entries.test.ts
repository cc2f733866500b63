import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { serveHostPages, type HostPage } from '../../bench/bundle/host-pages.ts';
import { launchChromium } from './support/browser.ts';
import { tokenFor } from './support/demo.ts';
import { startHub, type RunningHub } from './support/hub-server.ts';

// The two ways to load the built SDK from the hub (README "Embedding"): `/sdk/teacher-hub.js` defines a tag
// when it appears and exports the headless client; `/sdk/teacher-hub.all.js` defines every tag at once and
// exports the classes. Host pages on an origin of their own, as an LMS is.

const TAGS = [
  'teacher-hub',
  'student-picker',
  'session-calendar',
  'session-scheduler',
  'upcoming-sessions',
  'hub-chat',
  'call-overlay',
  'notification-center',
];

describe('the SDK entries served by the hub', () => {
  let hub: RunningHub;
  let browser: Browser;
  let host: Awaited<ReturnType<typeof serveHostPages>>;

  before(async () => {
    hub = await startHub();
    const token = await tokenFor(hub, 's-01');
    const page = (path: string, script: string): Pick<HostPage, 'path' | 'html'> => ({
      path,
      html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${path}</title>
        <script type="module" src="${hub.url}/sdk/${script}"></script></head>
        <body><upcoming-sessions token="${token}"></upcoming-sessions></body></html>`,
    });
    host = await serveHostPages([
      page('/lazy.html', 'teacher-hub.js'),
      page('/eager.html', 'teacher-hub.all.js'),
    ]);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await host?.close();
    await hub?.stop();
  });

  it('/sdk/teacher-hub.js defines the tags on the page, later ones as they come, and no others', async () => {
    const page = await browser.newPage();
    await page.goto(`${host.origin}/lazy.html`);
    await page.locator('upcoming-sessions [part="heading"]').waitFor();
    const defined = await page.evaluate((tags) => tags.filter((tag) => customElements.get(tag)), TAGS);
    assert.deepEqual(defined, ['upcoming-sessions']);

    const later = await page.evaluate(async () => {
      document.body.append(document.createElement('notification-center'));
      await customElements.whenDefined('notification-center');
      return customElements.get('session-calendar') === undefined;
    });
    assert.equal(later, true, 'a tag added later is defined, one never added is not');

    const exports = await page.evaluate(
      async (sdk) => Object.keys(await import(sdk)),
      `${hub.url}/sdk/teacher-hub.js`,
    );
    for (const name of ['HubClient', 'discover', 'define']) assert.ok(exports.includes(name), name);
    assert.ok(!exports.includes('TeacherHub'), 'the element classes stay in their own chunks');
    await page.close();
  });

  it('/sdk/teacher-hub.all.js defines every tag at once and exports the classes', async () => {
    const page = await browser.newPage();
    await page.goto(`${host.origin}/eager.html`);
    const result = await page.evaluate(
      async ({ tags, sdk }) => {
        const module = (await import(sdk)) as Record<string, unknown>;
        return {
          defined: tags.filter((tag) => customElements.get(tag)),
          sameClass: module.TeacherHub === customElements.get('teacher-hub'),
          client: typeof module.HubClient,
        };
      },
      { tags: TAGS, sdk: `${hub.url}/sdk/teacher-hub.all.js` },
    );
    assert.deepEqual(result.defined, TAGS);
    assert.equal(result.sameClass, true);
    assert.equal(result.client, 'function');
    await page.close();
  });
});
