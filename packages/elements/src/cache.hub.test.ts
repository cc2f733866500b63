/// <reference types="mocha" />
import { ClientCache, HubClient, IdbHubCache } from '@teacher-hub/core';
import type { FetchLike, Roster } from '@teacher-hub/core';
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import {
  hubServer,
  withDirectoryAdditions,
  withLargeClass,
  withTeacherWithoutCourses,
} from './testing/hub-test-server.ts';
import type { HubChatElement } from './hub-chat/hub-chat.component.ts';
import './hub-chat/hub-chat.ts';
import type { NotificationCenter } from './notification-center/notification-center.ts';
import './notification-center/notification-center.ts';
import type { SessionCalendar } from './session-calendar/session-calendar.ts';
import './session-calendar/session-calendar.ts';
import type { StudentPicker } from './student-picker/student-picker.ts';
import './student-picker/student-picker.ts';
import type { UpcomingSessions } from './upcoming-sessions/upcoming-sessions.ts';
import './upcoming-sessions/upcoming-sessions.ts';

/*
 * The client cache as a user sees it, against the real hub: the second visit paints the roster from
 * IndexedDB while the hub has not answered, then shows the hub's answer. The clients use a database of
 * their own (real IndexedDB all the same): the other test files' clients, for other users on this hub,
 * clear the shared default database as they start, exactly as a user switch on one browser should.
 */

const WAIT = { timeout: 8_000 };

function studentNames(picker: StudentPicker): string[] {
  return [...picker.shadowRoot!.querySelectorAll('[part="option-label"]')].map(
    (label) => label.textContent?.trim() ?? '',
  );
}

function text(node: ParentNode | null | undefined): string {
  return (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/** A `fetch` that holds requests for `path` back until `release()`; `asked` turns true when one is made. */
function holding(path: string) {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  const state = { asked: false, release };
  const fetch: FetchLike = async (input, init) => {
    if (new URL(input).pathname === path) {
      state.asked = true;
      await released;
    }
    return globalThis.fetch(input, init);
  };
  return { state, fetch };
}

describe('the client cache (real hub, real IndexedDB)', () => {
  let databaseName = '';
  beforeEach(() => {
    databaseName = `teacher-hub-cache-test-${Math.random().toString(36).slice(2)}`;
  });
  afterEach(async () => {
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(databaseName);
      request.onsuccess = request.onerror = request.onblocked = resolve;
    });
  });

  it('paints the roster from the last visit while the hub is asked, then the hub’s answer', async () => {
    await withLargeClass(1, 2, async (teacher) => {
      const firstVisit = new HubClient({
        server: hubServer(),
        token: teacher.token,
        cache: new IdbHubCache(databaseName),
      });
      const first = await fixture<StudentPicker>(
        html`<student-picker .client=${firstVisit}></student-picker>`,
      );
      await waitUntil(() => studentNames(first).length === 2, 'the first visit shows the roster', WAIT);
      const saved = new ClientCache({
        cache: new IdbHubCache(databaseName),
        server: hubServer(),
        tokens: firstVisit.tokens,
      });
      await waitUntil(async () => (await saved.slot<Roster>('roster').read()) !== undefined, 'saved', WAIT);
      first.remove();

      // Meanwhile a student joins the course.
      const newcomer = `${teacher.id}-newcomer`;
      await withDirectoryAdditions(
        {
          users: [{ id: newcomer, name: 'Zed Newcomer', role: 'student' }],
          enrollments: [{ courseId: `${teacher.id}-course-1`, userId: newcomer, role: 'student' }],
        },
        async () => {
          const roster = holding('/v1/roster');
          const nextVisit = new HubClient({
            server: hubServer(),
            token: teacher.token,
            cache: new IdbHubCache(databaseName),
            fetch: roster.fetch,
          });
          const picker = await fixture<StudentPicker>(
            html`<student-picker .client=${nextVisit}></student-picker>`,
          );
          await waitUntil(() => studentNames(picker).length > 0, 'the cached roster is painted', WAIT);
          expect(roster.state.asked, 'the roster was asked for at once').to.equal(true);
          expect(studentNames(picker)).to.deep.equal(['Student 1', 'Student 2']);
          expect(picker.shadowRoot!.querySelector('[part="skeleton"]')).to.equal(null);

          roster.state.release();
          await waitUntil(() => studentNames(picker).length === 3, 'the hub’s roster replaces it', WAIT);
          expect(studentNames(picker)).to.deep.equal(['Student 1', 'Student 2', 'Zed Newcomer']);
          await expect(picker).to.be.accessible();
        },
      );
    });
  });

  /** The client of a visit: this test's IndexedDB database, the user's token, perhaps a holding fetch. */
  const visit = (token: string, fetch?: FetchLike) =>
    new HubClient({ server: hubServer(), token, cache: new IdbHubCache(databaseName), fetch });

  /** Resolves once the value `name` of the user behind `client` is in the cache. */
  async function savedFor(client: HubClient, name: 'chats' | 'sessions' | 'notifications'): Promise<void> {
    const saved = new ClientCache({
      cache: new IdbHubCache(databaseName),
      server: hubServer(),
      tokens: client.tokens,
    });
    await waitUntil(async () => (await saved.slot(name).read()) !== undefined, `${name} not saved`, WAIT);
  }

  it('paints the upcoming sessions and the calendar from the last visit, then the hub’s answer', async function () {
    this.timeout(30_000);
    await withLargeClass(1, 1, async (teacher) => {
      const tomorrow = new Date(Date.now() + 24 * 3_600_000).toISOString().slice(0, 11);
      const schedule = (client: HubClient, title: string, hour: string) =>
        client.sessions.create({
          title,
          type: 'class',
          start: `${tomorrow}${hour}`,
          timeZone: 'UTC',
          durationMinutes: 30,
          inviteeIds: [`${teacher.id}-s-1`],
        });
      const firstVisit = visit(teacher.token);
      await schedule(firstVisit, 'Cached review', '09:00');
      const first = await fixture<UpcomingSessions>(
        html`<upcoming-sessions .client=${firstVisit}></upcoming-sessions>`,
      );
      await waitUntil(() => first.shadowRoot!.querySelector('[part~="item"]'), 'first visit lists it', WAIT);
      await savedFor(firstVisit, 'sessions');
      first.remove();
      // Scheduled elsewhere (a client without this cache), so the next visit's cache does not know it.
      await schedule(
        new HubClient({ server: hubServer(), token: teacher.token, cache: false }),
        'Fresh review',
        '11:00',
      );

      const sessions = holding('/v1/sessions');
      const nextVisit = visit(teacher.token, sessions.fetch);
      const page = await fixture<HTMLDivElement>(
        html`<div>
          <upcoming-sessions .client=${nextVisit}></upcoming-sessions>
          <session-calendar view="agenda" time-zone="UTC" .client=${nextVisit}></session-calendar>
        </div>`,
      );
      const upcoming = page.querySelector('upcoming-sessions') as UpcomingSessions;
      const calendar = page.querySelector('session-calendar') as SessionCalendar;
      const titles = () =>
        [...upcoming.shadowRoot!.querySelectorAll('[part="item-title"]')].map((title) => text(title));
      await waitUntil(() => titles().length > 0, 'the cached sessions are painted', WAIT);
      expect(sessions.state.asked).to.equal(true);
      expect(titles()).to.deep.equal(['Cached review']);
      await waitUntil(() => text(calendar.shadowRoot).includes('Cached review'), 'the calendar paints', WAIT);
      expect(calendar.shadowRoot!.querySelector('[part="skeleton"]')).to.equal(null);
      expect(text(calendar.shadowRoot)).not.to.contain('Fresh review');

      sessions.state.release();
      await waitUntil(() => titles().length === 2, 'the hub’s sessions replace them', WAIT);
      expect(titles()).to.deep.equal(['Cached review', 'Fresh review']);
      await waitUntil(() => text(calendar.shadowRoot).includes('Fresh review'), 'the calendar too', WAIT);
    });
  });

  it('paints the notifications from the last visit, then the hub’s page', async () => {
    await withTeacherWithoutCourses(async (user) => {
      const firstVisit = visit(user.token);
      await firstVisit.notifications.sendTest();
      await firstVisit.notifications.load();
      await savedFor(firstVisit, 'notifications');
      await firstVisit.notifications.sendTest();

      const notifications = holding('/v1/notifications');
      const nextVisit = visit(user.token, notifications.fetch);
      const center = await fixture<NotificationCenter>(
        html`<notification-center .client=${nextVisit}></notification-center>`,
      );
      const badge = () => text(center.shadowRoot!.querySelector('[part="badge"]'));
      const items = () => center.shadowRoot!.querySelectorAll('[part~="item"]').length;
      center.show();
      await waitUntil(() => items() === 1, 'the cached page is painted', WAIT);
      expect(notifications.state.asked).to.equal(true);
      expect(center.shadowRoot!.querySelector('[part="skeleton"]')).to.equal(null);

      notifications.state.release();
      await waitUntil(() => items() === 2, 'the hub’s page replaces it', WAIT);
      // The count is the hub's (the live stream's), never the cached one.
      expect(badge()).to.equal('2');
    });
  });

  it('paints the chat list from the last visit while stream-chat connects, then the live list', async function () {
    this.timeout(30_000);
    await withLargeClass(1, 1, async (teacher) => {
      const firstVisit = visit(teacher.token);
      await firstVisit.api.createGroupChat({ name: 'Cached club', memberIds: [`${teacher.id}-s-1`] });
      const first = await fixture<HubChatElement>(html`<hub-chat .client=${firstVisit}></hub-chat>`);
      const names = (element: HubChatElement) =>
        [
          ...(element
            .shadowRoot!.querySelector('hub-chat-list')
            ?.shadowRoot?.querySelectorAll('.chat-name') ?? []),
        ].map((name) => text(name));
      await waitUntil(() => names(first).length === 1, 'the first visit lists the chat', WAIT);
      await savedFor(firstVisit, 'chats');
      first.remove();
      await firstVisit.api.createGroupChat({ name: 'Fresh club', memberIds: [`${teacher.id}-s-1`] });

      const token = holding('/v1/chat/token');
      const nextVisit = visit(teacher.token, token.fetch);
      const chat = await fixture<HubChatElement>(html`<hub-chat .client=${nextVisit}></hub-chat>`);
      await waitUntil(() => names(chat).length > 0, 'the cached list is painted', WAIT);
      expect(token.state.asked, 'connecting has begun').to.equal(true);
      expect(names(chat)).to.deep.equal(['Cached club']);
      expect(text(chat.shadowRoot!.querySelector('[role="status"]'))).to.equal('Connecting to chat…');

      token.state.release();
      await waitUntil(() => names(chat).length === 2, 'the live list replaces it', WAIT);
      expect([...names(chat)].sort()).to.deep.equal(['Cached club', 'Fresh club']);
    });
  });
});
