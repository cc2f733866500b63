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

  it('signs Ada in and finds her 8 students in 2 course groups when she starts an instant session', async () => {
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

    // Her page is one <teacher-hub>; its "Start instant session" asks whom to ring with a picker.
    const teacherHub = page.locator('teacher-hub');
    await teacherHub
      .locator('[part~="quick-actions"]')
      .getByRole('button', { name: 'Start instant session' })
      .click();
    const dialog = teacherHub.getByRole('dialog', { name: 'Start instant session' });
    const picker = dialog.locator('student-picker');
    const start = dialog.getByRole('button', { name: 'Start session' });
    assert.equal(await start.isDisabled(), true, 'nobody picked yet');
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

    // Select Algebra I as a whole: the picker's value is its five students and Start is enabled.
    await picker
      .getByRole('group', { name: 'Algebra I' })
      .getByRole('checkbox', { name: 'Algebra I' })
      .check();
    assert.deepEqual(
      await picker.evaluate((element: HTMLElement & { value: string[] }) => element.value.toSorted()),
      ids(1, 5),
    );
    assert.equal(await start.isEnabled(), true);
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
