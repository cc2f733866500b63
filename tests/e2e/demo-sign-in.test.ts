import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, screenshot } from './support/browser.ts';
import { startHub, type RunningHub } from './support/hub-server.ts';

const ids = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => `s-${String(from + index).padStart(2, '0')}`);

describe('the demo LMS', () => {
  let hub: RunningHub;
  let browser: Browser;
  before(async () => {
    hub = await startHub();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('signs Ada in and finds her 8 students in 2 course groups on her Teacher sessions page', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
    });

    await page.goto(hub.url);
    await page.getByRole('button', { name: /Ada Lovelace/ }).click();
    await page.waitForURL(/\/teacher\.html$/);

    // The page's own picker (the scheduler further down has one of its own).
    const picker = page.locator('section[aria-labelledby="pick-heading"] student-picker');
    const groups = picker.locator('[part="course"]');
    await groups.first().waitFor();
    const courses = await groups.evaluateAll((elements) =>
      elements.map((group) => ({
        name: group.querySelector('[part="course-name"]')?.textContent?.trim(),
        students: [...group.querySelectorAll<HTMLInputElement>('input[data-id]')].map(
          (input) => input.dataset.id,
        ),
      })),
    );
    assert.deepEqual(
      courses.map((course) => course.name),
      ['Algebra I', 'Biology'],
    );
    assert.deepEqual(courses[0]?.students.toSorted(), ids(1, 5));
    assert.deepEqual(courses[1]?.students.toSorted(), ids(4, 8));
    assert.equal(new Set(courses.flatMap((course) => course.students)).size, 8);
    assert.match(await picker.locator('[part="summary"]').innerText(), /8 students in 2 courses/);

    // The host page hears the picker like any form control: select Algebra I as a whole.
    await picker
      .getByRole('group', { name: 'Algebra I' })
      .getByRole('checkbox', { name: 'Algebra I' })
      .check();
    await page.waitForFunction(() =>
      document.querySelector('#picked')?.textContent?.startsWith('5 selected'),
    );
    assert.match(await page.locator('#picked').innerText(), /5 selected: s-01, s-02, s-03, s-04, s-05/);
    await screenshot(page, 'issue-2-ada-student-picker');
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('does not let a student into the teacher page', async () => {
    const page = await browser.newPage();
    await page.goto(hub.url);
    await page.getByRole('button', { name: /s-01/ }).click();
    await page.waitForURL(/\/student\.html$/);
    await page.goto(`${hub.url}/teacher.html`);
    await page.waitForURL((url) => url.pathname === '/');
    await page.close();
  });
});
