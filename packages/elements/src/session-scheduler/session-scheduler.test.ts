/// <reference types="mocha" />
import { HubClient } from '@teacher-hub/core';
import { createSessionSchema } from '@teacher-hub/protocol';
import type { Session } from '@teacher-hub/protocol';
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import {
  CannedSchedule,
  hubError,
  makeSession,
  withSessions,
} from '../../../../stories/support/canned-schedule.ts';
import type { StudentPicker } from '../student-picker/student-picker.ts';
import { devToken, hubServer } from '../testing/hub-test-server.ts';
import type { SessionScheduler } from './session-scheduler.ts';
import './session-scheduler.ts';

// The form against a canned `client.sessions` (recording what it is asked to create, change or cancel);
// the client is a real one for the test hub as Ada, so `<student-picker>` lists her real demo roster.

const WAIT = { timeout: 6_000 };

async function schedulerFor(
  sessions: CannedSchedule,
  options: { session?: Session; sessionId?: string; occurrenceStart?: string } = {},
): Promise<SessionScheduler> {
  const client = withSessions(
    new HubClient({ server: hubServer(), tokenProvider: () => devToken('t-ada') }),
    sessions,
  );
  const wrapper = await fixture<HTMLElement>(html`
    <div lang="en-GB">
      <session-scheduler
        .client=${client}
        .session=${options.session}
        session-id=${options.sessionId ?? ''}
        occurrence-start=${options.occurrenceStart ?? ''}
        time-zone="Europe/Berlin"
      ></session-scheduler>
    </div>
  `);
  const element = wrapper.querySelector('session-scheduler')!;
  if (!options.sessionId) element.removeAttribute('session-id');
  if (!options.occurrenceStart) element.removeAttribute('occurrence-start');
  await waitUntil(() => root(element).querySelector('form'), 'no form', WAIT);
  return element;
}

function root(element: SessionScheduler): ShadowRoot {
  return element.shadowRoot!;
}

function text(node: ParentNode | null | undefined): string {
  return (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

function field<T extends HTMLElement = HTMLInputElement>(element: SessionScheduler, id: string): T {
  const found = root(element).querySelector<T>(`#field-${id}`);
  if (!found) throw new Error(`no field ${id}`);
  return found;
}

function errorOf(element: SessionScheduler, id: string): string {
  return text(root(element).querySelector(`#error-${id}`));
}

function button(scope: ParentNode, label: string): HTMLButtonElement {
  const found = [...scope.querySelectorAll('button')].find(
    (candidate) =>
      text(candidate) === label ||
      text(candidate.querySelector('.visually-hidden')) === label ||
      candidate.getAttribute('aria-label') === label,
  );
  if (!found) throw new Error(`no "${label}" button`);
  return found;
}

function radio(element: SessionScheduler, label: string): HTMLInputElement {
  const found = [...root(element).querySelectorAll('label.choice')].find((candidate) =>
    `${text(candidate)} `.startsWith(`${label} `),
  );
  const input = found?.querySelector('input');
  if (!input) throw new Error(`no "${label}" choice`);
  return input;
}

/** Types into a field as a user would: the value, then `input` and `change`. */
async function fill(element: SessionScheduler, input: HTMLInputElement | HTMLSelectElement, value: string) {
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  input.dispatchEvent(new Event('change', { bubbles: true }));
  await element.updateComplete;
}

async function submit(element: SessionScheduler): Promise<void> {
  (root(element).querySelector('[part="submit"]') as HTMLButtonElement).click();
  await element.updateComplete;
}

function picker(element: SessionScheduler): StudentPicker {
  return root(element).querySelector('student-picker')!;
}

/** Ticks a checkbox in the student picker, once Ada's roster is there. */
async function tick(element: SessionScheduler, selector: string): Promise<void> {
  const checkbox = (): HTMLInputElement | null => picker(element).shadowRoot!.querySelector(selector);
  await waitUntil(checkbox, `no ${selector} in the picker`, WAIT);
  checkbox()!.click();
  await element.updateComplete;
}

function deepActive(): Element | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

/** Fills in Ada's "Algebra review": Monday 7 December 2026 16:00 in Berlin, all of Algebra I. */
async function algebraReview(element: SessionScheduler): Promise<void> {
  await fill(element, field(element, 'title'), 'Algebra review');
  await fill(element, field(element, 'date'), '2026-12-07');
  await fill(element, field(element, 'time'), '16:00');
  await fill(element, field<HTMLSelectElement>(element, 'timeZone'), 'Europe/Berlin');
  await tick(element, '[part="course-checkbox"][data-course="algebra-1"]');
}

describe('<session-scheduler>', () => {
  describe('validation', () => {
    it('names an empty title and missing invitees next to their fields, and sends nothing', async () => {
      const sessions = new CannedSchedule();
      const element = await schedulerFor(sessions);
      await submit(element);
      expect(errorOf(element, 'title')).to.equal('Enter a title.');
      expect(errorOf(element, 'inviteeIds')).to.equal('Invite at least one student.');
      const title = field(element, 'title');
      expect(title.getAttribute('aria-invalid')).to.equal('true');
      expect(title.getAttribute('aria-describedby')).to.equal('error-title');
      expect(root(element).querySelector('.invitees')!.getAttribute('aria-describedby')).to.equal(
        'error-inviteeIds invitees-hint',
      );
      await waitUntil(() => deepActive() === title, 'the title was not focused', WAIT);
      expect(sessions.calls('create')).to.have.length(0);
      await expect(element).to.be.accessible();
      // Fixed as the teacher types.
      await fill(element, title, 'Algebra review');
      expect(errorOf(element, 'title')).to.equal('');
      expect(title.getAttribute('aria-invalid')).to.equal('false');
    });

    it('takes exactly one student for a one-on-one', async () => {
      const sessions = new CannedSchedule();
      const element = await schedulerFor(sessions);
      await fill(element, field(element, 'title'), 'Catch-up');
      radio(element, 'One-on-one').click();
      await element.updateComplete;
      expect(text(root(element).querySelector('#invitees-hint'))).to.equal('Choose exactly one student.');
      await tick(element, '[part="option-checkbox"][data-id="s-01"]');
      await tick(element, '[part="option-checkbox"][data-id="s-02"]');
      await submit(element);
      expect(errorOf(element, 'inviteeIds')).to.equal(
        'A one-on-one session is with exactly one student; 2 are selected.',
      );
      expect(sessions.calls('create')).to.have.length(0);
      await tick(element, '[part="option-checkbox"][data-id="s-02"]');
      expect(errorOf(element, 'inviteeIds')).to.equal('');
    });

    it('refuses a last day before the first session', async () => {
      const sessions = new CannedSchedule();
      const element = await schedulerFor(sessions);
      await algebraReview(element);
      radio(element, 'Weekly').click();
      await element.updateComplete;
      radio(element, 'On').click();
      await element.updateComplete;
      await fill(element, field(element, 'until'), '2026-12-01');
      await submit(element);
      expect(errorOf(element, 'until')).to.equal('The last day must be on or after the first session.');
      expect(field(element, 'until').getAttribute('aria-invalid')).to.equal('true');
      expect(sessions.calls('create')).to.have.length(0);
    });
  });

  describe('creating', () => {
    it('sends the exact request of a weekly Monday and Wednesday 16:00 class in Berlin, then resets', async () => {
      const sessions = new CannedSchedule();
      const element = await schedulerFor(sessions);
      await algebraReview(element);
      radio(element, 'Weekly').click();
      await element.updateComplete;
      // The start's weekday is on already.
      expect(button(root(element), 'Monday').getAttribute('aria-pressed')).to.equal('true');
      button(root(element), 'Wednesday').click();
      await element.updateComplete;
      expect(text(root(element).querySelector('[part="summary"]'))).to.equal(
        'Every Monday and Wednesday at 16:00, 10 times',
      );
      await expect(element).to.be.accessible();
      const saved = oneEvent(element, 'hub-session-saved');
      await submit(element);
      const { session } = (await saved).detail;
      const request = sessions.calls('create')[0]!.request;
      expect(request).to.deep.equal({
        title: 'Algebra review',
        type: 'class',
        start: '2026-12-07T16:00',
        timeZone: 'Europe/Berlin',
        durationMinutes: 60,
        inviteeIds: ['s-01', 's-02', 's-03', 's-04', 's-05'],
        recurrence: { freq: 'weekly', byWeekday: ['MO', 'WE'], count: 10 },
        emailInvitees: true,
      });
      expect(createSessionSchema.safeParse(request).success).to.equal(true);
      expect(session.title).to.equal('Algebra review');
      await element.updateComplete;
      expect(field(element, 'title').value).to.equal('');
      expect(picker(element).value).to.deep.equal([]);
      expect(text(root(element).querySelector('[role="status"]'))).to.equal('“Algebra review” is scheduled.');
    });

    it('puts a 403 NOT_ENROLLED on the invitees, naming the students', async () => {
      const sessions = new CannedSchedule();
      const element = await schedulerFor(sessions);
      await algebraReview(element);
      sessions.failNext = hubError(403, 'NOT_ENROLLED', '"s-02" is not a student in any of your courses', [
        { path: 'inviteeIds.1', message: '"s-02" is not a student in any of your courses' },
      ]);
      await submit(element);
      await waitUntil(() => errorOf(element, 'inviteeIds'), 'no invitees error', WAIT);
      expect(errorOf(element, 'inviteeIds')).to.equal('Ben Carter is not enrolled in any of your courses.');
      expect(text(root(element).querySelector('[part="form-error"]'))).to.equal(
        'The hub could not save the session: see the marked fields.',
      );
      expect(field(element, 'title').value).to.equal('Algebra review');
    });

    it("puts a 400's details on their fields and the rest at the top", async () => {
      const sessions = new CannedSchedule();
      const element = await schedulerFor(sessions);
      await algebraReview(element);
      sessions.failNext = hubError(400, 'VALIDATION_FAILED', 'The request is not valid.', [
        { path: 'durationMinutes', message: 'must be at least 5 minutes' },
        { path: '', message: 'Unrecognized key: "colour"' },
      ]);
      await submit(element);
      await waitUntil(() => errorOf(element, 'durationMinutes'), 'no duration error', WAIT);
      expect(errorOf(element, 'durationMinutes')).to.equal('Must be at least 5 minutes.');
      expect(text(root(element).querySelector('[part="form-error"]'))).to.equal('Unrecognized key: "colour"');
    });
  });

  describe('editing', () => {
    const SERIES = makeSession({
      id: 'sess-algebra',
      start: '2026-12-07T16:00',
      recurrence: { freq: 'weekly', byWeekday: ['MO', 'WE'], count: 10 },
    });
    /** The Wednesday 9 December occurrence (16:00 Berlin). */
    const WEDNESDAY = '2026-12-09T15:00:00.000Z';

    it('loads the session by id and moves only the chosen occurrence when asked', async () => {
      const sessions = new CannedSchedule();
      sessions.sessions.set(SERIES.id, SERIES);
      const element = await schedulerFor(sessions, { sessionId: SERIES.id, occurrenceStart: WEDNESDAY });
      expect(sessions.calls('get')).to.deep.equal([{ method: 'get', sessionId: 'sess-algebra' }]);
      expect(field(element, 'title').value).to.equal('Algebra review');
      expect(field(element, 'date').value).to.equal('2026-12-09');
      expect(field(element, 'time').value).to.equal('16:00');
      await fill(element, field(element, 'time'), '17:30');
      await submit(element);
      expect(text(root(element).querySelector('#question'))).to.equal(
        'Only this occurrence or the whole series?',
      );
      expect(sessions.calls('update')).to.have.length(0);
      await expect(element).to.be.accessible();
      const saved = oneEvent(element, 'hub-session-saved');
      button(root(element), 'This occurrence').click();
      await saved;
      expect(sessions.calls('update')).to.deep.equal([
        {
          method: 'update',
          sessionId: 'sess-algebra',
          request: {
            scope: 'occurrence',
            occurrenceStart: WEDNESDAY,
            start: '2026-12-09T17:30',
            durationMinutes: 60,
          },
        },
      ]);
    });

    it('changes the whole series when asked', async () => {
      const sessions = new CannedSchedule();
      const element = await schedulerFor(sessions, { session: SERIES });
      expect(field(element, 'date').value).to.equal('2026-12-07');
      await fill(element, field(element, 'title'), 'Algebra review (room 4)');
      await submit(element);
      button(root(element), 'Whole series').click();
      await waitUntil(() => sessions.calls('update').length === 1, 'no update', WAIT);
      expect(sessions.calls('update')[0]!.request).to.deep.equal({
        scope: 'series',
        title: 'Algebra review (room 4)',
        description: '',
        type: 'class',
        timeZone: 'Europe/Berlin',
        durationMinutes: 60,
        inviteeIds: ['s-01', 's-02', 's-03', 's-04', 's-05'],
        recurrence: { freq: 'weekly', byWeekday: ['MO', 'WE'], count: 10 },
        emailInvitees: false,
      });
    });

    it('saves a one-off session without asking', async () => {
      const sessions = new CannedSchedule();
      const element = await schedulerFor(sessions, { session: makeSession({ id: 'sess-once' }) });
      await fill(element, field(element, 'time'), '10:15');
      await submit(element);
      await waitUntil(() => sessions.calls('update').length === 1, 'no update', WAIT);
      expect(root(element).querySelector('#question')).to.equal(null);
      expect(sessions.calls('update')[0]!.request).to.include({ scope: 'series', start: '2026-12-07T10:15' });
    });

    it('cancels one occurrence or the series of a repeating session', async () => {
      const sessions = new CannedSchedule();
      const element = await schedulerFor(sessions, { session: SERIES, occurrenceStart: WEDNESDAY });
      button(root(element), 'Cancel session').click();
      await element.updateComplete;
      expect(text(root(element).querySelector('#question'))).to.equal(
        'Cancel only this occurrence or the whole series?',
      );
      const cancelled = oneEvent(element, 'hub-session-cancelled');
      button(root(element), 'This occurrence').click();
      expect((await cancelled).detail.scope).to.equal('occurrence');
      expect(sessions.calls('cancel')).to.deep.equal([
        {
          method: 'cancel',
          sessionId: 'sess-algebra',
          request: { scope: 'occurrence', occurrenceStart: WEDNESDAY },
        },
      ]);
    });
  });
});
