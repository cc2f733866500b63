/// <reference types="mocha" />
import { HubClient } from '@teacher-hub/core';
import type { Occurrence } from '@teacher-hub/protocol';
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import {
  CannedSchedule,
  hubError,
  makeOccurrence,
  makeSession,
  withSessions,
} from '../../../../stories/support/canned-schedule.ts';
import { devToken, hubServer } from '../testing/hub-test-server.ts';
import type { SessionCalendar } from './session-calendar.ts';
import './session-calendar.ts';

// The calendar against a canned `client.sessions` (a store the test sets, and a log of the intents): the
// element's behaviour, not the hub's. The client is a real one for the test hub, so who is signed in (a
// teacher or a student) comes from a real dev token.

const WAIT = { timeout: 4_000 };
const ZONE = 'Europe/Berlin';

/** Ada's weekly Algebra review, Mondays 16:00 Berlin (15:00 UTC in December). */
const MONDAY = makeOccurrence({ startsAt: '2026-12-07T15:00:00Z' });
/** Late on Wednesday in UTC: already Thursday 00:30 in Berlin, still Wednesday 18:30 in New York. */
const LATE = makeOccurrence({
  sessionId: 'sess-bio',
  title: 'Biology lab prep',
  type: 'group',
  startsAt: '2026-12-09T23:30:00Z',
  minutes: 45,
});

async function calendarFor(
  userId: string,
  sessions: CannedSchedule,
  attributes: { date?: string; timeZone?: string; view?: string } = {},
): Promise<SessionCalendar> {
  const client = withSessions(
    new HubClient({ server: hubServer(), tokenProvider: () => devToken(userId) }),
    sessions,
  );
  const element = await fixture<SessionCalendar>(html`
    <div lang="en-GB">
      <session-calendar
        .client=${client}
        date=${attributes.date ?? '2026-12-01'}
        time-zone=${attributes.timeZone ?? ZONE}
        view=${attributes.view ?? 'month'}
      ></session-calendar>
    </div>
  `);
  const calendar = element.querySelector('session-calendar')!;
  await waitUntil(() => !root(calendar).querySelector('[part="skeleton"]'), 'still loading', WAIT);
  return calendar;
}

function root(element: SessionCalendar): ShadowRoot {
  return element.shadowRoot!;
}

function text(node: ParentNode | null | undefined): string {
  return (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

function day(element: SessionCalendar, key: string): HTMLElement {
  const found = root(element).querySelector<HTMLElement>(`[data-day="${key}"]`);
  if (!found) throw new Error(`no day ${key}`);
  return found;
}

function chip(element: SessionCalendar, occurrence: Occurrence): HTMLButtonElement {
  const found = root(element).querySelector<HTMLButtonElement>(
    `[part="occurrence"][data-key="${occurrence.sessionId}|${occurrence.occurrenceStart}"]`,
  );
  if (!found) throw new Error(`no chip for ${occurrence.title}`);
  return found;
}

function button(scope: ParentNode, label: string): HTMLButtonElement {
  const found = buttons(scope).find(
    (candidate) => text(candidate) === label || candidate.getAttribute('aria-label') === label,
  );
  if (!found) throw new Error(`no "${label}" button`);
  return found;
}

function buttons(scope: ParentNode): HTMLButtonElement[] {
  return [...scope.querySelectorAll('button')];
}

function dialog(element: SessionCalendar): HTMLDialogElement {
  return root(element).querySelector('dialog')!;
}

/** Opens an occurrence's details and waits for the owner's or invitee's actions to settle. */
async function openDetails(element: SessionCalendar, occurrence: Occurrence): Promise<HTMLDialogElement> {
  chip(element, occurrence).click();
  await waitUntil(
    () => dialog(element).open && text(dialog(element)).includes('Open chat'),
    'no details',
    WAIT,
  );
  return dialog(element);
}

function deepActive(): Element | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

describe('<session-calendar>', () => {
  afterEach(async () => {
    await setViewport({ width: 1280, height: 800 });
  });

  describe('month', () => {
    it('puts occurrences in the day cells of their local start, with local times', async () => {
      const element = await calendarFor('t-ada', new CannedSchedule([MONDAY, LATE]));
      expect(text(root(element).querySelector('[part="heading"]'))).to.equal('December 2026');
      expect(text(chip(element, MONDAY))).to.equal('16:00 Algebra review');
      expect(day(element, '2026-12-07').contains(chip(element, MONDAY))).to.equal(true);
      expect(day(element, '2026-12-10').contains(chip(element, LATE))).to.equal(true);
      expect(text(chip(element, LATE))).to.equal('00:30 Biology lab prep');
      expect(text(day(element, '2026-12-07').querySelector('.day-name'))).to.equal(
        'Monday 7 December, 1 session',
      );
    });

    it('follows the time-zone attribute', async () => {
      const element = await calendarFor('t-ada', new CannedSchedule([MONDAY, LATE]), {
        timeZone: 'America/New_York',
      });
      expect(day(element, '2026-12-09').contains(chip(element, LATE))).to.equal(true);
      expect(text(chip(element, LATE))).to.equal('18:30 Biology lab prep');
      expect(text(chip(element, MONDAY))).to.equal('10:00 Algebra review');
    });

    it('loads the visible weeks, and the next month on Next', async () => {
      const sessions = new CannedSchedule([MONDAY]);
      const element = await calendarFor('t-ada', sessions);
      // Monday 30 November to Monday 4 January, Berlin midnights.
      expect(sessions.calls('load')).to.deep.equal([
        { method: 'load', from: '2026-11-29T23:00:00.000Z', to: '2027-01-03T23:00:00.000Z' },
      ]);
      button(root(element), 'Next month').click();
      await waitUntil(() => sessions.calls('load').length === 2, 'no second load', WAIT);
      expect(sessions.calls('load')[1]).to.deep.equal({
        method: 'load',
        from: '2026-12-27T23:00:00.000Z',
        to: '2027-01-31T23:00:00.000Z',
      });
      await element.updateComplete;
      expect(text(root(element).querySelector('[part="heading"]'))).to.equal('January 2027');
      expect(element.date).to.equal('2027-01-01');
    });

    it('shows a skeleton while loading and the error with a Retry that loads again', async () => {
      const sessions = new CannedSchedule([MONDAY]);
      sessions.latencyMs = 300;
      sessions.failNext = hubError(503, 'UNAVAILABLE', 'The hub is restarting.');
      const client = withSessions(
        new HubClient({ server: hubServer(), tokenProvider: () => devToken('t-ada') }),
        sessions,
      );
      const element = await fixture<SessionCalendar>(
        html`<session-calendar .client=${client} date="2026-12-01" time-zone=${ZONE}></session-calendar>`,
      );
      expect(root(element).querySelector('[part="skeleton"]')?.getAttribute('aria-label')).to.equal(
        'Loading sessions',
      );
      await waitUntil(() => root(element).querySelector('[part="retry-button"]'), 'no error', WAIT);
      expect(text(root(element).querySelector('[role="alert"]'))).to.contain('The hub is restarting.');
      button(root(element), 'Retry').click();
      await waitUntil(() => root(element).querySelector('[part="occurrence"]'), 'no retry', WAIT);
      expect(sessions.calls('load')).to.have.length(2);
    });

    it('moves between days with the arrow keys', async () => {
      const element = await calendarFor('t-ada', new CannedSchedule([MONDAY]));
      day(element, '2026-12-01').focus();
      await sendKeys({ press: 'ArrowRight' });
      await element.updateComplete;
      expect(deepActive()).to.equal(day(element, '2026-12-02'));
      await sendKeys({ press: 'ArrowDown' });
      await element.updateComplete;
      expect(deepActive()).to.equal(day(element, '2026-12-09'));
      expect(day(element, '2026-12-09').tabIndex).to.equal(0);
      expect(day(element, '2026-12-01').tabIndex).to.equal(-1);
      await sendKeys({ press: 'Tab' });
      // Tab leaves the grid's one tab stop for the next control, or an occurrence in the focused day.
      expect(deepActive()).not.to.equal(day(element, '2026-12-10'));
    });

    it('updates an occurrence when a live event changes it', async () => {
      const sessions = new CannedSchedule([MONDAY]);
      const element = await calendarFor('t-ada', sessions);
      expect(sessions.holders).to.equal(1);
      sessions.put({ ...MONDAY, status: 'live' });
      await element.updateComplete;
      expect(text(chip(element, MONDAY))).to.equal('16:00 Algebra review Live');
      expect(chip(element, MONDAY).querySelector('[part="live-mark"]')).not.to.equal(null);
      sessions.put({ ...MONDAY, status: 'cancelled' });
      await element.updateComplete;
      expect(chip(element, MONDAY).classList.contains('status-cancelled')).to.equal(true);
      expect(text(chip(element, MONDAY))).to.equal('16:00 Algebra review , Cancelled');
      element.remove();
      expect(sessions.holders).to.equal(0);
    });

    it('passes an accessibility audit', async () => {
      const element = await calendarFor('t-ada', new CannedSchedule([MONDAY, LATE]));
      await expect(element).to.be.accessible();
    });
  });

  describe('week and agenda', () => {
    it('lists a week by day with time ranges and type', async () => {
      const element = await calendarFor('t-ada', new CannedSchedule([MONDAY, LATE]), {
        date: '2026-12-08',
        view: 'week',
      });
      expect(text(root(element).querySelector('[part="heading"]'))).to.equal('7 Dec – 13 Dec 2026');
      expect(text(chip(element, MONDAY))).to.equal('16:00 – 17:00 Algebra review Class');
      expect(day(element, '2026-12-10').contains(chip(element, LATE))).to.equal(true);
      await expect(element).to.be.accessible();
    });

    it('switches views with the segmented control', async () => {
      const sessions = new CannedSchedule([MONDAY]);
      const element = await calendarFor('t-ada', sessions);
      const agenda = button(root(element), 'Agenda');
      agenda.click();
      await element.updateComplete;
      expect(element.view).to.equal('agenda');
      expect(agenda.getAttribute('aria-pressed')).to.equal('true');
      await waitUntil(() => root(element).querySelector('[part="agenda"]'), 'no agenda', WAIT);
      expect(text(root(element).querySelector('[part="agenda"] h3'))).to.equal('Monday 7 December');
      await expect(element).to.be.accessible();
    });

    it('opens on the agenda on a phone', async () => {
      await setViewport({ width: 390, height: 800 });
      const sessions = new CannedSchedule([MONDAY]);
      const client = withSessions(
        new HubClient({ server: hubServer(), tokenProvider: () => devToken('t-ada') }),
        sessions,
      );
      const element = await fixture<SessionCalendar>(
        html`<session-calendar .client=${client} date="2026-12-01" time-zone=${ZONE}></session-calendar>`,
      );
      await waitUntil(() => root(element).querySelector('[part="agenda"]'), 'no agenda', WAIT);
      expect(button(root(element), 'Agenda').getAttribute('aria-pressed')).to.equal('true');
    });
  });

  describe('details', () => {
    it('fires hub-occurrence-select and shows time, type, invitees and status; Escape closes', async () => {
      const element = await calendarFor('t-ada', new CannedSchedule([MONDAY]));
      const selected = oneEvent(element, 'hub-occurrence-select');
      chip(element, MONDAY).focus();
      await sendKeys({ press: 'Enter' });
      expect((await selected).detail.occurrence).to.deep.equal(MONDAY);
      await waitUntil(() => dialog(element).open, 'no dialog', WAIT);
      const facts = text(dialog(element).querySelector('dl'));
      expect(facts).to.equal(
        'When Monday, 7 December 2026, 16:00 – 17:00 (Europe/Berlin) Type Class Invited 5 students Status Scheduled',
      );
      await sendKeys({ press: 'Escape' });
      await waitUntil(() => !dialog(element).open, 'the dialog stayed open', WAIT);
      expect(deepActive()).to.equal(chip(element, MONDAY));
    });

    it('gives the teacher Edit and Cancel, and asks which part of a series to cancel', async () => {
      const sessions = new CannedSchedule([MONDAY]);
      sessions.sessions.set(
        'sess-algebra',
        makeSession({ recurrence: { freq: 'weekly', byWeekday: ['MO', 'WE'], count: 10 } }),
      );
      const element = await calendarFor('t-ada', sessions);
      const details = await openDetails(element, MONDAY);
      expect(buttons(details.querySelector('.actions')!).map(text)).to.deep.equal([
        'Open chat',
        'Edit',
        'Cancel session',
      ]);
      await waitUntil(() => sessions.calls('get').length === 1, 'the session was not read', WAIT);
      button(details, 'Cancel session').click();
      await element.updateComplete;
      expect(text(details.querySelector('#confirm-question'))).to.equal(
        'Cancel only this occurrence or the whole series? Invitees are told.',
      );
      await expect(element).to.be.accessible();
      button(details, 'This occurrence').click();
      await waitUntil(() => sessions.calls('cancel').length === 1, 'no cancel', WAIT);
      expect(sessions.calls('cancel')[0]).to.deep.equal({
        method: 'cancel',
        sessionId: 'sess-algebra',
        request: { scope: 'occurrence', occurrenceStart: MONDAY.occurrenceStart },
      });
      await waitUntil(() => text(details.querySelector('.status')) === 'Cancelled', 'not cancelled', WAIT);
      expect(chip(element, MONDAY).classList.contains('status-cancelled')).to.equal(true);
    });

    it('asks nothing more before cancelling a one-off session', async () => {
      const sessions = new CannedSchedule([MONDAY]);
      sessions.sessions.set('sess-algebra', makeSession());
      const element = await calendarFor('t-ada', sessions);
      const details = await openDetails(element, MONDAY);
      await waitUntil(() => sessions.calls('get').length === 1, 'the session was not read', WAIT);
      button(details, 'Cancel session').click();
      await element.updateComplete;
      expect(text(details.querySelector('#confirm-question'))).to.equal(
        'Cancel this session? Invitees are told.',
      );
      button(details.querySelector('.confirm')!, 'Cancel session').click();
      await waitUntil(() => sessions.calls('cancel').length === 1, 'no cancel', WAIT);
      expect(sessions.calls('cancel')[0]!.request).to.deep.equal({ scope: 'series' });
    });

    it('asks the scope of an edit of a series and fires hub-session-edit', async () => {
      const sessions = new CannedSchedule([MONDAY]);
      sessions.sessions.set('sess-algebra', makeSession({ recurrence: { freq: 'weekly', count: 10 } }));
      const element = await calendarFor('t-ada', sessions);
      const details = await openDetails(element, MONDAY);
      await waitUntil(() => sessions.calls('get').length === 1, 'the session was not read', WAIT);
      button(details, 'Edit').click();
      await element.updateComplete;
      const edit = oneEvent(element, 'hub-session-edit');
      button(details, 'This occurrence').click();
      expect((await edit).detail).to.deep.equal({
        sessionId: 'sess-algebra',
        occurrenceStart: MONDAY.occurrenceStart,
        scope: 'occurrence',
      });
      await waitUntil(() => !dialog(element).open, 'the dialog stayed open', WAIT);
    });

    it('lets the teacher start an occurrence that is due, and join it', async () => {
      const due = makeOccurrence({ startsAt: new Date(Date.now() + 5 * 60_000) });
      const sessions = new CannedSchedule([due]);
      const element = await calendarFor('t-ada', sessions, { date: '', timeZone: ZONE });
      const details = await openDetails(element, due);
      button(details, 'Start').click();
      await waitUntil(() => sessions.calls('join').length === 1, 'no join', WAIT);
      expect(sessions.log.filter((call) => call.method !== 'load' && call.method !== 'get')).to.deep.equal([
        { method: 'start', sessionId: 'sess-algebra', occurrenceStart: due.occurrenceStart },
        { method: 'join', sessionId: 'sess-algebra' },
      ]);
      await waitUntil(() => chip(element, due).querySelector('[part="live-mark"]'), 'not live', WAIT);
    });

    it('lets the owner of a live occurrence join it or end it for everyone', async () => {
      const live = makeOccurrence({ startsAt: new Date(Date.now() - 10 * 60_000), status: 'live' });
      const sessions = new CannedSchedule([live]);
      const element = await calendarFor('t-ada', sessions, { date: '' });
      const details = await openDetails(element, live);
      expect(buttons(details.querySelector('.actions')!).map(text)).to.deep.equal([
        'Join',
        'End for everyone',
        'Open chat',
      ]);
      button(details, 'End for everyone').click();
      await waitUntil(() => text(details.querySelector('.status')) === 'Ended', 'not ended', WAIT);
      expect(sessions.calls('end')).to.deep.equal([
        { method: 'end', sessionId: 'sess-algebra', occurrenceStart: live.occurrenceStart },
      ]);
    });

    it('lists the attendance of a past occurrence', async () => {
      const past = makeOccurrence({ startsAt: '2026-11-02T15:00:00Z', status: 'ended' });
      const sessions = new CannedSchedule([past]);
      sessions.attendanceList = [
        { userId: 's-01', name: 'Amara Okafor', status: 'present', minutes: 58 },
        { userId: 's-02', name: 'Ben Carter', status: 'late', minutes: 41 },
        { userId: 's-03', name: 'Chloé Dubois', status: 'left_early', minutes: 20 },
        { userId: 's-04', name: 'Diego Ramírez', status: 'absent', minutes: 0 },
      ];
      const element = await calendarFor('t-ada', sessions, { date: '2026-11-02' });
      expect(chip(element, past).classList.contains('past')).to.equal(true);
      const details = await openDetails(element, past);
      expect(buttons(details.querySelector('.actions')!).map(text)).to.deep.equal([
        'Open chat',
        'Attendance',
      ]);
      button(details, 'Attendance').click();
      await waitUntil(() => details.querySelector('[part="attendance"]'), 'no attendance', WAIT);
      expect(sessions.calls('attendance')).to.deep.equal([
        { method: 'attendance', sessionId: 'sess-algebra', occurrenceStart: past.occurrenceStart },
      ]);
      const rows = [...details.querySelectorAll('tbody tr')].map((row) => text(row));
      expect(rows).to.deep.equal([
        'Amara Okafor Present 58',
        'Ben Carter Late 41',
        'Chloé Dubois Left early 20',
        'Diego Ramírez Absent 0',
      ]);
      await expect(element).to.be.accessible();
    });

    it('gives a student Join and Open chat only', async () => {
      const live = makeOccurrence({ startsAt: new Date(Date.now() - 10 * 60_000), status: 'live' });
      const sessions = new CannedSchedule([live]);
      const element = await calendarFor('s-01', sessions, { date: '' });
      const details = await openDetails(element, live);
      expect(buttons(details.querySelector('.actions')!).map(text)).to.deep.equal(['Join', 'Open chat']);
      const chat = oneEvent(element, 'hub-open-chat');
      button(details, 'Open chat').click();
      expect((await chat).detail).to.deep.equal({ chatId: 'chat-sess-algebra' });
      await waitUntil(() => !dialog(element).open, 'the dialog stayed open', WAIT);
      await openDetails(element, live);
      button(dialog(element), 'Join').click();
      await waitUntil(() => sessions.calls('join').length === 1, 'no join', WAIT);
      expect(sessions.calls('get')).to.have.length(0);
    });

    it('says why an action failed', async () => {
      const sessions = new CannedSchedule([MONDAY]);
      const element = await calendarFor('t-ada', sessions);
      const details = await openDetails(element, MONDAY);
      await waitUntil(() => sessions.calls('get').length === 1, 'the session was not read', WAIT);
      sessions.failNext = hubError(403, 'FORBIDDEN', 'Only the owner can cancel this session.');
      button(details, 'Cancel session').click();
      await element.updateComplete;
      button(details.querySelector('.confirm')!, 'Cancel session').click();
      await waitUntil(() => details.querySelector('[role="alert"]'), 'no error', WAIT);
      expect(text(details.querySelector('[role="alert"]'))).to.equal(
        'Only the owner can cancel this session.',
      );
    });
  });
});
