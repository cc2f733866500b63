/// <reference types="mocha" />
import { HubClient, HubApiError } from '@teacher-hub/core';
import type { Occurrence } from '@teacher-hub/core';
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { CannedSessions, makeOccurrence, withSessions } from '../../../../stories/support/canned-sessions.ts';
import { devToken, hubServer } from '../testing/hub-test-server.ts';
import type { UpcomingSessions } from './upcoming-sessions.ts';
import './upcoming-sessions.ts';

// The element against a canned `client.sessions` (occurrences the test sets, and a log of the intents):
// its states and behaviour, not the hub's. The same list against the real hub is in
// upcoming-sessions.hub.test.ts. The client itself is a real one for the test hub, as a page would have.

const WAIT = { timeout: 4_000 };
const DAY_MINUTES = 24 * 60;

const fromNow = (seconds: number): Date => new Date(Date.now() + seconds * 1000);

async function listFor(
  sessions: CannedSessions,
  attributes: { days?: number; limit?: number; as?: string } = {},
): Promise<UpcomingSessions> {
  const client = withSessions(
    new HubClient({ server: hubServer(), tokenProvider: () => devToken(attributes.as ?? 's-01') }),
    sessions,
  );
  return fixture<UpcomingSessions>(
    html`<upcoming-sessions
      .client=${client}
      days=${attributes.days ?? 14}
      limit=${attributes.limit ?? 5}
    ></upcoming-sessions>`,
  );
}

function root(element: UpcomingSessions): ShadowRoot {
  return element.shadowRoot!;
}

function text(node: ParentNode | null | undefined): string {
  return (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

function items(element: UpcomingSessions): HTMLElement[] {
  return [...root(element).querySelectorAll<HTMLElement>('[part~="item"]')];
}

function titles(element: UpcomingSessions): string[] {
  return items(element).map((item) => text(item.querySelector('[part="item-title"]')));
}

async function listed(element: UpcomingSessions, count: number): Promise<void> {
  await waitUntil(() => items(element).length === count, `expected ${count} sessions`, WAIT);
}

function button(node: ParentNode, label: string): HTMLButtonElement {
  const found = [...node.querySelectorAll('button')].find((candidate) => text(candidate) === label);
  if (!found) throw new Error(`no "${label}" button`);
  return found;
}

describe('<upcoming-sessions>', () => {
  it('holds the sessions connection while on the page and lets go when removed', async () => {
    const sessions = new CannedSessions();
    const element = await listFor(sessions);
    expect(sessions.holders).to.equal(1);
    element.remove();
    expect(sessions.holders).to.equal(0);
  });

  it('loads the next `days` days (and what is still going on) once', async () => {
    const sessions = new CannedSessions();
    const before = Date.now();
    await listFor(sessions, { days: 7 });
    await waitUntil(() => sessions.log.some((entry) => entry.method === 'load'), 'no load', WAIT);
    const loads = sessions.log.filter((entry) => entry.method === 'load');
    expect(loads).to.have.length(1);
    const { from, to } = loads[0]!.args[0] as { from: Date; to: Date };
    expect(from.getTime()).to.be.below(before - 11 * 3_600_000, 'from 12 hours back: sessions going on');
    expect(to.getTime()).to.be.within(before + 7 * 86_400_000, before + 7 * 86_400_000 + 3_600_000);
  });

  it('lists the live session first, then the next ones by start, with type and relative time', async () => {
    const sessions = new CannedSessions([
      makeOccurrence({ title: 'Geometry drills', startsInMinutes: 3 * DAY_MINUTES }),
      // A few seconds past the whole minute, so the minutes read the same however long the test takes.
      makeOccurrence({ title: 'Office hour', type: 'one_on_one', startsAt: fromNow(15 * 60 + 20) }),
      makeOccurrence({ title: 'Algebra review', startsAt: fromNow(-(10 * 60 + 10)), status: 'live' }),
      makeOccurrence({ title: 'Too far ahead', startsInMinutes: 20 * DAY_MINUTES }),
      makeOccurrence({ title: 'Already over', startsInMinutes: -120, durationMinutes: 60 }),
    ]);
    const element = await listFor(sessions);
    await listed(element, 3);

    expect(titles(element)).to.deep.equal(['Algebra review', 'Office hour', 'Geometry drills']);
    const [live, soon] = items(element) as [HTMLElement, HTMLElement];
    expect(text(live.querySelector('[part="status"]'))).to.equal('Live now');
    expect(text(live.querySelector('[part="time"]'))).to.equal('Started 10 minutes ago');
    expect(text(soon.querySelector('[part="type"]'))).to.equal('One-on-one');
    const time = soon.querySelector('time')!;
    expect(text(time)).to.equal('In 15 minutes');
    const startsAt = sessions.occurrences.find((each) => each.title === 'Office hour')!.startsAt;
    expect(time.getAttribute('datetime')).to.equal(startsAt);
    expect(time.title).to.contain(String(new Date(startsAt).getFullYear()), 'the full date in the tooltip');
    expect(text(soon.querySelector('[part="duration"]'))).to.equal('· 45 min');
    expect(root(element).querySelector('h2')?.textContent).to.equal('Upcoming sessions');
    expect(items(element).every((item) => item.querySelector('h3'))).to.equal(true);
  });

  it('says "tomorrow at" with the local time for a session on the next day', async () => {
    const tomorrow = new Date();
    tomorrow.setDate(tomorrow.getDate() + 1);
    tomorrow.setHours(16, 0, 0, 0);
    const sessions = new CannedSessions([makeOccurrence({ startsAt: tomorrow })]);
    const element = await listFor(sessions);
    await listed(element, 1);
    const clock = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' }).format(tomorrow);
    expect(text(items(element)[0]!.querySelector('time'))).to.equal(`Tomorrow at ${clock}`);
  });

  it('says a session past its start is waiting for the teacher until she starts it', async () => {
    const due = fromNow(-5 * 60);
    const sessions = new CannedSessions([makeOccurrence({ startsAt: due })]);
    const element = await listFor(sessions);
    await listed(element, 1);
    const clock = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' }).format(due);
    expect(text(items(element)[0]!.querySelector('time'))).to.equal(
      `Due at ${clock}, waiting for the teacher`,
    );
    expect(root(element).querySelector('[part="join-button"]')).to.equal(null);
  });

  it('offers the owner Start for her session that is due (and only then), and starts and joins it', async () => {
    const due = makeOccurrence({ title: 'Algebra review', startsInMinutes: 10, ownerId: 't-ada' });
    const later = makeOccurrence({ title: 'Biology lab', startsInMinutes: 60 * 24, ownerId: 't-ada' });
    const sessions = new CannedSessions([due, later]);
    const element = await listFor(sessions, { as: 't-ada' });
    await listed(element, 2);
    await waitUntil(() => root(element).querySelector('[part="start-button"]'), 'no Start for Ada', WAIT);
    expect(root(element).querySelectorAll('[part="start-button"]')).to.have.length(1, 'only the due one');
    expect(items(element)[0]!.querySelector('[part="start-button"]')).not.to.equal(null);

    button(root(element), 'Start').click();
    await waitUntil(
      () => sessions.log.some((entry) => entry.method === 'join'),
      'she did not go in after starting',
      WAIT,
    );
    expect(sessions.log.filter((entry) => entry.method === 'start' || entry.method === 'join')).to.deep.equal(
      [
        { method: 'start', args: [due.sessionId, due.occurrenceStart] },
        { method: 'join', args: [due.sessionId] },
      ],
    );
  });

  it('offers a student no Start for a due session', async () => {
    const sessions = new CannedSessions([makeOccurrence({ startsInMinutes: 5, ownerId: 't-ada' })]);
    const element = await listFor(sessions);
    await listed(element, 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(root(element).querySelector('[part="start-button"]')).to.equal(null);
  });

  it('shows `limit` sessions and reveals the rest on demand', async () => {
    const sessions = new CannedSessions(
      Array.from({ length: 7 }, (_, index) =>
        makeOccurrence({ title: `Session ${index + 1}`, startsInMinutes: (index + 1) * 120 }),
      ),
    );
    const element = await listFor(sessions, { limit: 5 });
    await listed(element, 5);
    const more = button(root(element), 'Show 2 more');
    expect(more.getAttribute('aria-expanded')).to.equal('false');
    more.click();
    await listed(element, 7);
    expect(titles(element).at(-1)).to.equal('Session 7');
    button(root(element), 'Show fewer').click();
    await listed(element, 5);
  });

  it('marks cancelled and moved sessions, and offers no Join for them', async () => {
    const sessions = new CannedSessions([
      makeOccurrence({ title: 'Cancelled one', startsInMinutes: 180, status: 'cancelled' }),
      makeOccurrence({ title: 'Moved one', startsInMinutes: 2 * DAY_MINUTES, movedByMinutes: 60 }),
    ]);
    const element = await listFor(sessions);
    await listed(element, 2);
    const [cancelled, moved] = items(element) as [HTMLElement, HTMLElement];
    expect(text(cancelled.querySelector('[part="status"]'))).to.equal('Cancelled');
    expect(cancelled.getAttribute('part')).to.equal('item cancelled');
    expect(text(moved.querySelector('[part="status"]'))).to.equal('Moved');
    expect(text(moved)).to.match(/was .+ at /);
    expect(root(element).querySelector('[part="join-button"]')).to.equal(null);
  });

  it('shows Join as soon as a session goes live, and announces it', async () => {
    const upcoming = makeOccurrence({ title: 'Algebra review', startsInMinutes: 5 });
    const sessions = new CannedSessions([upcoming]);
    const element = await listFor(sessions);
    await listed(element, 1);
    expect(root(element).querySelector('[part="join-button"]')).to.equal(null);

    sessions.put({ ...upcoming, status: 'live' });

    await waitUntil(() => root(element).querySelector('[part="join-button"]'), 'no Join', WAIT);
    expect(text(root(element).querySelector('[aria-live]'))).to.equal('Algebra review is live now.');
  });

  it('Join fires hub-session-join and joins through client.sessions; a failure is explained', async () => {
    const live = makeOccurrence({ title: 'Algebra review', startsInMinutes: -3, status: 'live' });
    const sessions = new CannedSessions([live]);
    const element = await listFor(sessions);
    await listed(element, 1);

    sessions.failNext = new HubApiError({
      status: 409,
      code: 'CONFLICT',
      message: 'The session has ended.',
      endpoint: 'POST /v1/sessions/x/join',
    });
    const joining = oneEvent(element, 'hub-session-join');
    button(root(element), 'Join').click();
    const event = await joining;
    expect(event.detail).to.deep.equal({ sessionId: live.sessionId, occurrenceStart: live.occurrenceStart });
    expect(event.bubbles && event.composed).to.equal(true);
    await waitUntil(() => root(element).querySelector('[part="error"]'), 'no error', WAIT);
    expect(text(root(element).querySelector('[part="error"]'))).to.equal(
      'Could not join: The session has ended.',
    );

    button(root(element), 'Join').click();
    await waitUntil(() => !root(element).querySelector('[part="error"]'), 'the error stayed', WAIT);
    expect(sessions.log.filter((entry) => entry.method === 'join')).to.deep.equal([
      { method: 'join', args: [live.sessionId] },
      { method: 'join', args: [live.sessionId] },
    ]);
  });

  it('links each session to its chat and fires hub-open-chat (cancelable)', async () => {
    const occurrence: Occurrence = makeOccurrence({ startsInMinutes: 90 });
    const sessions = new CannedSessions([occurrence]);
    const element = await listFor(sessions);
    await listed(element, 1);
    const link = root(element).querySelector<HTMLAnchorElement>('[part="chat-link"]')!;
    expect(link.getAttribute('href')).to.equal(`#chat/${occurrence.chatId}`);
    const hash = location.hash;
    element.addEventListener('hub-open-chat', (event) => event.preventDefault(), { once: true });
    const opened = oneEvent(element, 'hub-open-chat');
    link.click();
    expect((await opened).detail).to.deep.equal({ chatId: occurrence.chatId });
    expect(location.hash).to.equal(hash, 'a cancelled event keeps the page where it is');
  });

  it('says so when there is nothing in the next `days` days', async () => {
    const element = await listFor(new CannedSessions(), { days: 7 });
    await waitUntil(() => root(element).querySelector('[part="message"]'), 'no message', WAIT);
    expect(text(root(element).querySelector('[part="message"]'))).to.equal(
      'No sessions in the next 7 days Scheduled sessions will appear here.',
    );
    await expect(element).to.be.accessible();
  });

  it('shows a skeleton while loading', async () => {
    const sessions = new CannedSessions();
    sessions.hangLoads = true;
    const element = await listFor(sessions);
    expect(root(element).querySelector('[part="skeleton"]')).not.to.equal(null);
    expect(text(root(element).querySelector('[role="status"]'))).to.equal('Loading sessions…');
  });

  it('explains a failed load and loads again with Retry', async () => {
    const sessions = new CannedSessions([makeOccurrence({ title: 'Algebra review', startsInMinutes: 30 })]);
    sessions.failLoads = 1;
    sessions.loadError = new HubApiError({
      status: 503,
      code: 'UNAVAILABLE',
      message: 'The hub is restarting. Try again.',
      endpoint: 'GET /v1/sessions',
      requestId: 'req-42',
    });
    const element = await listFor(sessions);
    await waitUntil(() => root(element).querySelector('[role="alert"]'), 'no error', WAIT);
    const alert = text(root(element).querySelector('[role="alert"]'));
    expect(alert).to.contain('Your sessions could not be loaded.');
    expect(alert).to.contain('The hub is restarting. Try again.');
    expect(alert).to.contain('req-42');

    button(root(element), 'Retry').click();
    await listed(element, 1);
    expect(titles(element)).to.deep.equal(['Algebra review']);
  });

  it('is accessible with live, moved and cancelled sessions, in light and dark', async () => {
    const sessions = new CannedSessions([
      makeOccurrence({ startsInMinutes: -5, status: 'live' }),
      makeOccurrence({ startsInMinutes: 60, status: 'cancelled' }),
      makeOccurrence({ startsInMinutes: 600, movedByMinutes: 30, type: 'group' }),
    ]);
    const element = await listFor(sessions);
    await listed(element, 3);
    await expect(element).to.be.accessible();
    element.theme = 'dark';
    await element.updateComplete;
    // Colours ease into the theme (a 120 ms transition): judge them once they are there.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expect(element).to.be.accessible();
  });
});
