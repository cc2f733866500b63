/// <reference types="mocha" />
import { ClientCache, HubClient, IdbHubCache } from '@teacher-hub/core';
import type { FetchLike, Roster } from '@teacher-hub/core';
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { hubServer, withDirectoryAdditions, withLargeClass } from './testing/hub-test-server.ts';
import type { StudentPicker } from './student-picker/student-picker.ts';
import './student-picker/student-picker.ts';

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

/** A `fetch` that holds `GET /v1/roster` back until `release()`; `asked` turns true when it is requested. */
function holdingRoster() {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  const state = { asked: false, release };
  const fetch: FetchLike = async (input, init) => {
    if (new URL(input).pathname === '/v1/roster') {
      state.asked = true;
      await released;
    }
    return globalThis.fetch(input, init);
  };
  return { state, fetch };
}

describe('the client cache (real hub, real IndexedDB)', () => {
  let databaseName = '';
  afterEach(async () => {
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(databaseName);
      request.onsuccess = request.onerror = request.onblocked = resolve;
    });
  });

  it('paints the roster from the last visit while the hub is asked, then the hub’s answer', async () => {
    databaseName = `teacher-hub-cache-test-${Math.random().toString(36).slice(2)}`;
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
          const roster = holdingRoster();
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
});
