import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser.ts';
import { api, signIn } from './support/demo.ts';
import { startHub, type RunningHub } from './support/hub-server.ts';

const ARTEFACTS = resolve(import.meta.dirname, '../../test-results/host-isolation');

/** The elements both dashboards embed. */
const TAGS = ['notification-center', 'upcoming-sessions', 'hub-chat', 'call-overlay'];

/** What the host can pass on by inheritance, and what a leak would show in. */
const TEXT_PROPERTIES = [
  'font-family',
  'font-size',
  'font-weight',
  'font-style',
  'font-variant-ligatures',
  'font-feature-settings',
  'line-height',
  'color',
  'letter-spacing',
  'word-spacing',
  'text-transform',
  'text-align',
  'text-indent',
  'text-shadow',
  'white-space',
  'hyphens',
  'cursor',
  'box-sizing',
  'margin',
  'padding',
  'outline-style',
] as const;

/**
 * What the page may set on a hub element itself, without it showing inside: its box, and its `color`, which
 * the elements leave to inherit so a part can follow the host's text colour on purpose (the bell); their
 * own text sets its colour from the tokens.
 */
const HOST_OWNED = new Set<string>(['box-sizing', 'margin', 'padding', 'outline-style', 'color']);
const TAG_KEYS: Record<string, true> = Object.fromEntries([...TAGS, 'teacher-hub'].map((tag) => [tag, true]));

interface Measured {
  width: number;
  height: number;
  display: string;
  style: Record<string, string>;
}

/**
 * Every element of interest inside the hub elements' shadow roots (nested ones too): the hosts, everything
 * with a `part`, every form control, and every element with text of its own. Keyed by where it sits, so the
 * two pages' maps can be compared key by key.
 */
function measure(page: Page, tags: readonly string[]): Promise<Record<string, Measured>> {
  // No named functions inside: tsx compiles them with a `__name` helper the page does not have.
  return page.evaluate(
    ({ tags, properties }) => {
      const found: Record<string, Measured> = {};
      const queue: Array<[Element, string, boolean]> = [];
      for (const tag of tags) {
        const host = document.querySelector(tag);
        if (!host?.shadowRoot) throw new Error(`<${tag}> is missing or not rendered`);
        queue.push([host, tag, true]);
      }
      while (queue.length > 0) {
        const [element, key, wanted] = queue.shift()!;
        if (wanted) {
          let unique = key;
          for (let index = 2; unique in found; index++) unique = `${key} #${index}`;
          const box = element.getBoundingClientRect();
          const computed = getComputedStyle(element);
          found[unique] = {
            width: box.width,
            height: box.height,
            display: computed.display,
            style: Object.fromEntries(properties.map((name) => [name, computed.getPropertyValue(name)])),
          };
        }
        for (const inner of element.shadowRoot?.querySelectorAll('*') ?? []) {
          const part = inner.getAttribute('part');
          const ownText = [...inner.childNodes].some(
            (node) => node.nodeType === Node.TEXT_NODE && Boolean(node.textContent?.trim()),
          );
          const control = ['button', 'input', 'textarea', 'select'].includes(inner.localName);
          queue.push([
            inner,
            `${key} > ${inner.localName}${part ? `[part="${part}"]` : ''}`,
            Boolean(part) || ownText || control,
          ]);
        }
      }
      return found;
    },
    { tags, properties: TEXT_PROPERTIES },
  );
}

/** Waits until the student's data is on the page: the seeded session, both chats, two unread notifications. */
async function ready(page: Page): Promise<void> {
  await page.locator('upcoming-sessions').getByText('Algebra review').first().waitFor();
  await page.locator('hub-chat').getByText('Algebra study group').waitFor();
  await page.locator('notification-center [part="badge"]').getByText('2').waitFor();
}

/** Opens what can be opened, so the comparison covers more than first paint: a conversation and the bell. */
async function openEverything(page: Page): Promise<void> {
  await page.locator('hub-chat').getByText('Algebra study group').click();
  await page.locator('hub-chat [part="composer"]').waitFor();
  await page.locator('notification-center [part="bell"]').click();
  await page.locator('notification-center [part="panel"]').getByText('Algebra review').first().waitFor();
  // The panel opens with a short transition; measure where it ends (skeletons shimmer forever: not those).
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .concat(document.querySelector('notification-center')!.shadowRoot!.getAnimations())
        .filter((animation) => animation.effect?.getTiming().iterations !== Infinity)
        .map((animation) => animation.finished),
    ),
  );
}

describe('host isolation: the student dashboard in two very different host pages', () => {
  let hub: RunningHub;
  let browser: Browser;
  before(async () => {
    hub = await startHub();
    browser = await launchChromium();
    // Something to show: a group chat and a session for s-01, each with its notification.
    const chat = await api(hub, 't-ada', 'POST', '/v1/chats', {
      name: 'Algebra study group',
      memberIds: ['s-01', 's-02'],
    });
    assert.equal(chat.status, 201);
    const inTwoDays = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const session = await api(hub, 't-ada', 'POST', '/v1/sessions', {
      title: 'Algebra review',
      type: 'group',
      start: `${inTwoDays}T16:00`,
      timeZone: 'Europe/Berlin',
      durationMinutes: 45,
      inviteeIds: ['s-01', 's-02'],
    });
    assert.equal(session.status, 201);
  });
  after(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('renders every element, its parts and its text the same inside Bootstrap 5 with aggressive global CSS', async () => {
    const plain = await signIn(browser, hub, 's-01');
    const bootstrap = await signIn(browser, hub, 's-01');
    const problems: string[] = [];
    for (const page of [plain, bootstrap]) {
      page.on('pageerror', (error) => problems.push(error.message));
    }
    await plain.goto(`${hub.url}/student.html`);
    await bootstrap.goto(`${hub.url}/bootstrap.html`);

    // The hostile stylesheet really is on the Bootstrap page (else this test would prove nothing).
    const hostile = await bootstrap.evaluate(() => {
      const body = getComputedStyle(document.body);
      const navbar = getComputedStyle(document.querySelector('.navbar')!);
      const hiddenParagraph = getComputedStyle(document.querySelector('p[hidden]')!);
      return {
        font: body.fontFamily,
        transform: body.textTransform,
        spacing: body.letterSpacing,
        navbar: navbar.display,
        hidden: hiddenParagraph.display,
      };
    });
    assert.deepEqual(hostile, {
      font: 'Georgia, serif',
      transform: 'uppercase',
      spacing: '0.72px',
      navbar: 'flex',
      hidden: 'block',
    });

    for (const page of [plain, bootstrap]) await ready(page);
    // The host decides how wide an element is (Bootstrap's columns differ from the plain page's grid);
    // with the same width, everything inside must come out the same.
    for (const page of [plain, bootstrap]) {
      await page.addStyleTag({ content: 'upcoming-sessions, hub-chat { width: 720px !important; }' });
    }
    await compare(plain, bootstrap, 'first paint');

    for (const page of [plain, bootstrap]) await openEverything(page);
    await compare(plain, bootstrap, 'conversation and notification panel open');

    // The bell's icon follows the host's text colour on purpose (currentColor), so it fits any header.
    for (const page of [plain, bootstrap]) {
      const colours = await page.evaluate(() => {
        const center = document.querySelector('notification-center')!;
        const bell = center.shadowRoot!.querySelector('[part="bell"]')!;
        return [getComputedStyle(bell).color, getComputedStyle(center.parentElement!).color];
      });
      assert.equal(colours[0], colours[1]);
    }

    mkdirSync(ARTEFACTS, { recursive: true });
    // `animations: 'disabled'`: a full-page capture resizes the page, which replays the panel's fade-in.
    for (const [page, name] of [
      [plain, 'student-plain'],
      [bootstrap, 'student-bootstrap'],
    ] as const) {
      await page.screenshot({
        path: resolve(ARTEFACTS, `${name}.png`),
        fullPage: true,
        animations: 'disabled',
      });
    }
    assert.deepEqual(problems, []);
    await plain.context().close();
    await bootstrap.context().close();
  });

  it('renders <teacher-hub> the same when the teacher page gets Bootstrap and the same aggressive CSS', async () => {
    const plain = await signIn(browser, hub, 't-ada');
    const hostile = await signIn(browser, hub, 't-ada');
    const problems: string[] = [];
    for (const page of [plain, hostile]) page.on('pageerror', (error) => problems.push(error.message));
    await hostile.addStyleTag({ url: '/vendor/bootstrap.min.css' });
    await hostile.addStyleTag({ url: '/assets/bootstrap-page.css' });
    assert.equal(await hostile.evaluate(() => getComputedStyle(document.body).textTransform), 'uppercase');
    for (const page of [plain, hostile]) {
      await page.locator('teacher-hub').getByText('Algebra study group').first().waitFor();
      await page.locator('teacher-hub [part="quick-action"]').first().waitFor();
      await page.addStyleTag({ content: 'teacher-hub { width: 960px !important; }' });
    }
    await compare(plain, hostile, 'the teacher hub, Chats', ['teacher-hub']);
    for (const page of [plain, hostile]) {
      await page.locator('teacher-hub').getByRole('tab', { name: 'Sessions' }).click();
      await page.locator('teacher-hub session-calendar [part="grid"]').first().waitFor();
    }
    await compare(plain, hostile, 'the teacher hub, Sessions', ['teacher-hub']);

    mkdirSync(ARTEFACTS, { recursive: true });
    for (const [page, name] of [
      [plain, 'teacher-plain'],
      [hostile, 'teacher-bootstrap'],
    ] as const) {
      await page.screenshot({
        path: resolve(ARTEFACTS, `${name}.png`),
        fullPage: true,
        animations: 'disabled',
      });
    }
    assert.deepEqual(problems, []);
    await plain.context().close();
    await hostile.context().close();
  });

  it("keeps a hidden element hidden under the page's [hidden] { display: block !important }", async () => {
    const page = await signIn(browser, hub, 's-01');
    await page.goto(`${hub.url}/bootstrap.html`);
    await ready(page);
    for (const tag of TAGS) {
      const box = await page.evaluate((name) => {
        const element = document.querySelector<HTMLElement>(name)!;
        element.hidden = true;
        const { width, height } = element.getBoundingClientRect();
        return { display: getComputedStyle(element).display, width, height };
      }, tag);
      assert.deepEqual(box, { display: 'none', width: 0, height: 0 }, `<${tag} hidden>`);
    }
    await page.context().close();
  });
});

async function compare(plain: Page, bootstrap: Page, when: string, tags = TAGS): Promise<void> {
  const expected = await measure(plain, tags);
  const actual = await measure(bootstrap, tags);
  assert.deepEqual(Object.keys(actual), Object.keys(expected), `${when}: the same elements render`);
  assert.ok(Object.keys(expected).length > 20, `${when}: enough to compare`);
  const differences: string[] = [];
  for (const [key, want] of Object.entries(expected)) {
    const got = actual[key]!;
    if (Math.abs(got.width - want.width) > 1 || Math.abs(got.height - want.height) > 1) {
      differences.push(`${key}: ${got.width}×${got.height}, expected ${want.width}×${want.height}`);
    }
    if (got.display !== want.display)
      differences.push(`${key}: display ${got.display}, expected ${want.display}`);
    for (const name of TEXT_PROPERTIES) {
      // The host element's own box is the host's to lay out (lms.css and this theme both set `* { box-sizing }`).
      if (key in TAG_KEYS && HOST_OWNED.has(name)) continue;
      if (got.style[name] !== want.style[name]) {
        differences.push(`${key}: ${name} ${got.style[name]}, expected ${want.style[name]}`);
      }
    }
  }
  assert.deepEqual(differences, [], `${when}: the Bootstrap page differs from the plain one`);
}
