import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import type { Occurrence, OccurrenceList } from '@teacher-hub/protocol';
import type { Browser, Locator, Page } from 'playwright-core';
import { ARTEFACTS, launchChromium } from './support/browser.ts';
import { api, signIn } from './support/demo.ts';
import { startHub, type RunningHub } from './support/hub-server.ts';

/** Everyone's browser runs in one time zone, so "16:05" on Ada's screen is 16:05 on the students'. */
const ZONE = 'Europe/Berlin';
const GROUP = 'Algebra & Biology study group';
const CLASS = 'Weekly problem class';
/** Short, so the ring-out is seen in seconds; the hub's floor is 5 s. */
const RING_S = 8;
const WAIT = { timeout: 20_000 };
const STORY = resolve(ARTEFACTS, 'story');

/**
 * The mission in one run, as its people live it, in the demo LMS with three browsers (Ada, Amara in
 * Algebra I, Finn in Biology): Ada creates a group across her two courses from `<teacher-hub>`; the
 * students are notified and chat with every messaging feature (text, a file and an image, typing,
 * read receipts, reactions, a thread, a pin); Ada calls the group from the chat, Amara joins and Finn
 * misses it; Ada schedules a weekly class with the student picker; the students see it on their
 * dashboards and get its reminder; Ada starts it, both join, Ada ends it. Each step saves a screenshot
 * under test-results/e2e/story/.
 */
describe('the whole story in the demo', () => {
  let hub: RunningHub;
  let browser: Browser;
  let step = 0;
  before(async () => {
    hub = await startHub({ HUB_RING_TIMEOUT_S: String(RING_S) });
    browser = await launchChromium();
    mkdirSync(STORY, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await hub?.stop();
  });

  /** Saves the pages of one step of the story as `NN-<who>-<what>.png`. */
  async function shoot(what: string, pages: Record<string, Page>): Promise<void> {
    step += 1;
    const prefix = String(step).padStart(2, '0');
    for (const [who, page] of Object.entries(pages)) {
      await page.screenshot({ path: resolve(STORY, `${prefix}-${who}-${what}.png`), animations: 'disabled' });
    }
  }

  async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check().catch(() => false)) return;
      await new Promise((done) => setTimeout(done, 150));
    }
    assert.fail(`timed out waiting for ${what}`);
  }

  const hubOf = (page: Page) => page.locator('teacher-hub');
  /** One of `<teacher-hub>`'s quick actions, always in reach above its areas. */
  const quickAction = (page: Page, name: string) =>
    hubOf(page).locator('[part~="quick-actions"]').getByRole('button', { name, exact: true });
  const area = (page: Page, name: 'Chats' | 'Sessions' | 'Live now') =>
    hubOf(page).getByRole('tab', { name: new RegExp(`^${name}`) });

  const chat = (page: Page) => page.locator('hub-chat');
  const chatItem = (page: Page, name: string) => chat(page).locator('[part="chat-item"]', { hasText: name });
  const message = (page: Page, text: string) => chat(page).locator('[part="message"]', { hasText: text });
  async function send(page: Page, text: string): Promise<void> {
    const composer = chat(page).locator('[part="composer"] textarea').first();
    await composer.fill(text);
    await composer.press('Enter');
    await message(page, text).waitFor(WAIT);
  }
  /** The message's action toolbar shows on hover and focus. */
  async function messageAction(page: Page, text: string, name: string | RegExp): Promise<Locator> {
    const target = message(page, text).first();
    await target.hover();
    return target.getByRole('button', { name });
  }

  const bell = (page: Page) => page.locator('notification-center').first();
  async function bellShows(page: Page, title: RegExp): Promise<void> {
    const center = bell(page);
    if ((await center.getAttribute('open')) === null) await center.locator('[part="bell"]').click();
    await until(
      async () =>
        (await center.locator('[part="item-title"]').allInnerTexts()).some((text) => title.test(text)),
      `the bell to show ${title}`,
    );
  }
  async function closeBell(page: Page): Promise<void> {
    if ((await bell(page).getAttribute('open')) !== null) await page.keyboard.press('Escape');
  }

  const overlay = (page: Page) => page.locator('call-overlay').first();
  const tile = (page: Page, name: string) => overlay(page).locator('[part="tile"]', { hasText: name });
  const videoPlays = (page: Page, name: string) =>
    tile(page, name)
      .locator('video')
      .first()
      .evaluate((video: HTMLVideoElement) => video.videoWidth > 0);

  it('Ada and her students, from a group chat to a weekly class', async () => {
    const [ada, amara, finn] = await Promise.all([
      signIn(browser, hub, 't-ada', { timezoneId: ZONE }),
      signIn(browser, hub, 's-01', { timezoneId: ZONE }),
      signIn(browser, hub, 's-06', { timezoneId: ZONE }),
    ]);
    await hubOf(ada).waitFor(WAIT);
    await chat(ada).locator('[part="list"]').waitFor(WAIT);
    await shoot('arrive', { ada, amara });

    // 1. Ada creates a group across her two courses: Amara (Algebra I) and Finn (Biology).
    await quickAction(ada, 'New chat').click();
    await chat(ada).locator('#group-name').fill(GROUP);
    const groupPicker = chat(ada).locator('student-picker');
    assert.equal(await groupPicker.locator('input[data-id="s-09"]').count(), 0, 's-09 is not Ada’s');
    await groupPicker.locator('input[data-id="s-01"]').first().check();
    await groupPicker.locator('input[data-id="s-06"]').first().check();
    await shoot('ada-creates-group', { ada });
    await chat(ada).getByRole('button', { name: 'Create group' }).click();
    await chatItem(ada, GROUP).click();
    await send(ada, 'Welcome to the study group! Quiz on Friday.');

    // 2. The students are notified, open the chat and use every messaging feature.
    for (const student of [amara, finn]) {
      await bellShows(student, new RegExp(GROUP));
      await closeBell(student);
      await chatItem(student, GROUP).click();
      await message(student, 'Quiz on Friday').waitFor(WAIT);
    }
    await shoot('students-notified', { amara, finn });

    // Typing: Ada sees Amara typing before the message arrives.
    await chat(amara).locator('[part="composer"] textarea').first().pressSequentially('Which ch', {
      delay: 30,
    });
    await until(
      async () => /is typing/.test(await chat(ada).locator('[part="typing"]').innerText()),
      'Ada to see Amara typing',
    );
    await shoot('ada-sees-typing', { ada });
    await chat(amara).locator('[part="composer"] textarea').first().fill('');
    await send(amara, 'Which chapters are in the quiz?');
    await message(ada, 'Which chapters are in the quiz?').waitFor(WAIT);

    // A file and an image.
    const composerFiles = chat(ada).locator('#file-input').first();
    await composerFiles.setInputFiles([
      { name: 'chapters.txt', mimeType: 'text/plain', buffer: Buffer.from('Chapters 3 and 4') },
      { name: 'diagram.png', mimeType: 'image/png', buffer: solidPng(64, 48, [79, 70, 229]) },
    ]);
    await send(ada, 'Chapters 3 and 4, and the diagram');
    for (const student of [amara, finn]) {
      const sent = message(student, 'Chapters 3 and 4, and the diagram');
      await sent.locator('a.attachment', { hasText: 'chapters.txt' }).waitFor(WAIT);
      // Lazily loaded: it loads once scrolled into view, as a reader would.
      const image = sent.locator('img[alt="diagram.png"]');
      await image.waitFor({ state: 'attached', ...WAIT });
      await image.scrollIntoViewIfNeeded();
      await until(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth > 0), 'the image to load');
    }

    // Read receipts: both students have the chat open, so Ada's last message is seen by both.
    await until(
      async () => /Amara/.test(await chat(ada).locator('[part="seen"]').innerText()),
      'Ada to see “Seen by” Amara',
    );
    await shoot('files-and-seen', { ada, amara });

    // A reaction from Finn reaches Ada with its count.
    await (await messageAction(finn, 'Chapters 3 and 4', 'React with Party')).click();
    await until(
      async () =>
        /1/.test(await message(ada, 'Chapters 3 and 4').locator('.reaction[data-type="tada"]').innerText()),
      'the reaction to reach Ada',
    );

    // A thread: Ada answers Amara's question in a thread; Amara sees the reply count and opens it.
    await (await messageAction(ada, 'Which chapters are in the quiz?', 'Reply in thread')).click();
    const threadInput = chat(ada).locator('#thread-input');
    await threadInput.fill('Only 3 and 4, no proofs.');
    await threadInput.press('Enter');
    const replies = message(amara, 'Which chapters are in the quiz?').locator('.replies');
    await until(async () => /1 reply/.test(await replies.innerText()), 'Amara to see one reply');
    await replies.click();
    await chat(amara).locator('[part="thread"]', { hasText: 'Only 3 and 4, no proofs.' }).waitFor(WAIT);
    await shoot('thread', { amara });
    await chat(amara).getByRole('button', { name: 'Close thread' }).click();

    // A pin: Ada pins the quiz message; Finn's pinned panel lists it.
    await (await messageAction(ada, 'Welcome to the study group!', 'Pin')).click();
    const pins = chat(finn).getByRole('button', { name: /Pinned \(1\)/ });
    await pins.waitFor(WAIT);
    await pins.click();
    await chat(finn).locator('[part="pins"]', { hasText: 'Quiz on Friday' }).waitFor(WAIT);
    await shoot('reaction-and-pin', { ada, finn });
    await chat(finn).getByRole('button', { name: 'Close pinned messages' }).click();

    // 3. Ada calls the group from the chat: both ring, Amara joins, Finn lets it ring out.
    await chat(ada).getByRole('button', { name: 'Start call' }).click();
    for (const student of [amara, finn]) {
      await overlay(student)
        .locator('[part="ring"]')
        .waitFor({ state: 'visible', ...WAIT });
    }
    assert.match(await overlay(amara).locator('[part="ring"]').innerText(), /Ada Lovelace/);
    await shoot('students-ringing', { amara, finn });
    await overlay(amara)
      .locator('[part="ring"]')
      .getByRole('button', { name: /Accept/ })
      .click();
    await until(() => videoPlays(ada, 'Amara Okafor'), 'Ada to see Amara');
    await until(() => videoPlays(amara, 'Ada Lovelace'), 'Amara to see Ada');
    await shoot('in-call', { ada, amara });
    await overlay(finn)
      .locator('[part="ring"]')
      .waitFor({ state: 'hidden', timeout: (RING_S + 15) * 1000 });
    await bellShows(finn, /Missed call from Ada Lovelace/);
    await shoot('finn-missed-call', { finn });
    await closeBell(finn);
    await overlay(ada).getByRole('button', { name: 'End for everyone' }).click();
    await overlay(ada)
      .getByRole('button', { name: /End for everyone|End call/ })
      .last()
      .click();
    await tile(amara, 'Ada Lovelace').waitFor({ state: 'detached', ...WAIT });

    // 4. Ada schedules a weekly class with the student picker, starting in a few minutes.
    const startsAt = soonOnTheFiveMinutes(8);
    await quickAction(ada, 'Schedule session').click();
    const dialog = hubOf(ada).getByRole('dialog', { name: 'Schedule session' });
    await dialog.waitFor(WAIT);
    const scheduler = dialog.locator('session-scheduler');
    await scheduler.locator('#field-title').fill(CLASS);
    await scheduler.locator('#field-date').fill(startsAt.date);
    await scheduler.locator('#field-time').fill(startsAt.time);
    await scheduler.getByLabel('Weekly').check();
    await scheduler.locator('student-picker input[data-id="s-01"]').first().check();
    await scheduler.locator('student-picker input[data-id="s-06"]').first().check();
    await shoot('ada-schedules', { ada });
    await scheduler.locator('[part="submit"]').click();
    await dialog.waitFor({ state: 'hidden', ...WAIT });

    const occurrences = async (userId: string): Promise<Occurrence[]> => {
      const from = new Date(Date.now() - 3_600_000).toISOString();
      const to = new Date(Date.now() + 15 * 86_400_000).toISOString();
      const { body } = await api<OccurrenceList>(hub, userId, 'GET', `/v1/sessions?from=${from}&to=${to}`);
      return (body?.occurrences ?? []).filter((occurrence) => occurrence.title === CLASS);
    };
    let ours: Occurrence[] = [];
    await until(async () => (ours = await occurrences('t-ada')).length >= 3, 'the weekly class at the hub');
    const [first] = ours as [Occurrence];
    assert.deepEqual(first.inviteeIds.toSorted(), ['s-01', 's-06']);
    assert.equal(
      ours.slice(0, 3).every((occurrence) => localTime(occurrence.startsAt) === startsAt.time),
      true,
      'every week at the same local time',
    );

    // 5. The students see it on their dashboards, with its chat, and the reminder arrives (the class is
    // inside the reminder's lead already, so it is due at once).
    for (const student of [amara, finn]) {
      const upcoming = student.locator('upcoming-sessions');
      await upcoming.locator('[part~="item"]', { hasText: CLASS }).first().waitFor(WAIT);
      await chatItem(student, CLASS).waitFor(WAIT);
      await bellShows(student, new RegExp(`${CLASS} starts in`));
    }
    await shoot('students-dashboards-and-reminder', { amara, finn });
    await closeBell(amara);
    await closeBell(finn);

    // 6. Ada starts it from her hub; both students join from their dashboards.
    await area(ada, 'Sessions').click();
    const calendar = hubOf(ada).locator('session-calendar');
    await calendar.getByRole('button', { name: 'Agenda' }).click();
    await calendar.locator('[part="occurrence"]', { hasText: CLASS }).first().click();
    await calendar.locator('[part="dialog"]').getByRole('button', { name: 'Start' }).click();
    for (const student of [amara, finn]) {
      const join = student.locator('upcoming-sessions [part="join-button"]').first();
      await join.waitFor(WAIT);
      await join.click();
    }
    await until(() => videoPlays(ada, 'Amara Okafor'), 'Ada to see Amara in class');
    await until(() => videoPlays(ada, "Finn O'Brien"), 'Ada to see Finn in class');
    await until(() => videoPlays(finn, 'Ada Lovelace'), 'Finn to see Ada in class');
    await shoot('class-live', { ada, finn });

    // 7. Ada ends it: the students' rooms close and the hub keeps who attended.
    await overlay(ada).getByRole('button', { name: 'End for everyone' }).click();
    await overlay(ada).getByRole('button', { name: 'End session' }).last().click();
    for (const student of [amara, finn]) {
      await tile(student, 'Ada Lovelace').waitFor({ state: 'detached', ...WAIT });
    }
    const ended = (await occurrences('s-01')).find(
      (occurrence) => occurrence.occurrenceStart === first.occurrenceStart,
    );
    assert.equal(ended?.status, 'ended');
    const attendance = await api<{ attendance: Array<{ userId: string; status: string }> }>(
      hub,
      't-ada',
      'GET',
      `/v1/sessions/${first.sessionId}/attendance?occurrenceStart=${encodeURIComponent(first.occurrenceStart)}`,
    );
    assert.equal(attendance.status, 200);
    assert.deepEqual(
      attendance.body.attendance.map((entry) => entry.userId).toSorted(),
      ['s-01', 's-06'],
      'both invitees are on the attendance list',
    );
    assert.ok(
      attendance.body.attendance.every((entry) => entry.status !== 'absent'),
      `both attended: ${JSON.stringify(attendance.body.attendance)}`,
    );
    // Her hub lists it under Past, with who attended.
    const past = hubOf(ada).locator('[part="past-item"]', { hasText: CLASS }).first();
    await past.getByRole('button', { name: 'Who attended' }).click();
    const summary = past.locator('[part="attendance-summary"]');
    await summary.waitFor(WAIT);
    assert.match(await summary.innerText(), /0 absent/);
    const names = await past.locator('[part="attendance-names"]').innerText();
    assert.match(names, /Amara Okafor/);
    assert.match(names, /Finn O'Brien/);
    await shoot('class-ended', { ada, amara });
  });
});

/** Wall-clock `HH:mm` of an instant in the story's zone. */
function localTime(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit' }).format(
    new Date(iso),
  );
}

/** The first five-minute mark at least `minutes` from now, as the scheduler's date and time fields take it. */
function soonOnTheFiveMinutes(minutes: number): { date: string; time: string } {
  const step = 5 * 60_000;
  const at = new Date(Math.ceil((Date.now() + minutes * 60_000) / step) * step);
  const date = new Intl.DateTimeFormat('en-CA', {
    timeZone: ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
  return { date, time: localTime(at.toISOString()) };
}

/** A real PNG of one colour (the chat takes PNG, JPEG, GIF, WebP, BMP and AVIF images, not SVG). */
function solidPng(width: number, height: number, [red, green, blue]: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed));
    return Buffer.concat([length, typed, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.concat([
    Buffer.from([0]),
    Buffer.alloc(width * 3).map((_, i) => [red, green, blue][i % 3]!),
  ]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(Array.from({ length: height }, () => row)))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
