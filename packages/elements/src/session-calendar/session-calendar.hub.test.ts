/// <reference types="mocha" />
import { HubClient } from '@teacher-hub/core';
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../session-scheduler/session-scheduler.ts';
import type { SessionScheduler } from '../session-scheduler/session-scheduler.ts';
import { devToken, hubServer } from '../testing/hub-test-server.ts';
import { addDays, dayKeyOf } from './calendar-time.ts';
import type { SessionCalendar } from './session-calendar.ts';
import './session-calendar.ts';

// The two elements on the real hub and the real `client.sessions`: what Ada schedules in the form is on
// her calendar and on her invited student's, at the time she chose.

const WAIT = { timeout: 10_000 };
const ZONE = 'Europe/Berlin';

function clientFor(userId: string): HubClient {
  return new HubClient({ server: hubServer(), tokenProvider: () => devToken(userId) });
}

function text(node: ParentNode | null | undefined): string {
  return (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

async function fill(element: SessionScheduler, id: string, value: string): Promise<void> {
  const input = element.shadowRoot!.querySelector<HTMLInputElement | HTMLSelectElement>(`#field-${id}`)!;
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  input.dispatchEvent(new Event('change', { bubbles: true }));
  await element.updateComplete;
}

async function weekOf(userId: string, day: string): Promise<SessionCalendar> {
  const wrapper = await fixture<HTMLElement>(
    html`<div lang="en-GB">
      <session-calendar
        .client=${clientFor(userId)}
        view="week"
        date=${day}
        time-zone=${ZONE}
      ></session-calendar>
    </div>`,
  );
  return wrapper.querySelector('session-calendar')!;
}

function chipTitled(calendar: SessionCalendar, title: string): HTMLElement | undefined {
  return [...calendar.shadowRoot!.querySelectorAll<HTMLElement>('[part="occurrence"]')].find((chip) =>
    text(chip).includes(title),
  );
}

describe('<session-scheduler> and <session-calendar> on the hub', () => {
  it('shows what Ada schedules on her calendar and on her student’s, at the time she chose', async () => {
    const day = addDays(dayKeyOf(new Date(), ZONE), 3);
    const title = `Algebra review ${Date.now().toString(36)}`;
    const scheduler = await fixture<SessionScheduler>(
      html`<session-scheduler .client=${clientFor('t-ada')} time-zone=${ZONE}></session-scheduler>`,
    );
    await fill(scheduler, 'title', title);
    await fill(scheduler, 'date', day);
    await fill(scheduler, 'time', '16:00');
    await fill(scheduler, 'timeZone', ZONE);
    const picker = scheduler.shadowRoot!.querySelector('student-picker')!;
    const amara = (): HTMLInputElement | null =>
      picker.shadowRoot!.querySelector('[part="option-checkbox"][data-id="s-01"]');
    await waitUntil(amara, 'the roster did not load', WAIT);
    amara()!.click();
    const saved = oneEvent(scheduler, 'hub-session-saved');
    scheduler.shadowRoot!.querySelector<HTMLButtonElement>('[part="submit"]')!.click();
    const { session } = (await saved).detail;
    expect(session).to.include({ title, start: `${day}T16:00`, timeZone: ZONE, type: 'class' });
    expect(session.inviteeIds).to.deep.equal(['s-01']);

    for (const userId of ['t-ada', 's-01']) {
      const calendar = await weekOf(userId, day);
      await waitUntil(() => chipTitled(calendar, title), `not on ${userId}'s calendar`, WAIT);
      const chip = chipTitled(calendar, title)!;
      expect(text(chip)).to.equal(`16:00 – 17:00 ${title} Class`);
      expect(chip.closest('[data-day]')?.getAttribute('data-day')).to.equal(day);
    }
  });
});
