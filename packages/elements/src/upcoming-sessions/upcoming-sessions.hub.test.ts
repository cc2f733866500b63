/// <reference types="mocha" />
import { HubClient } from '@teacher-hub/core';
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import type { CallOverlay } from '../call-overlay/call-overlay.ts';
import '../call-overlay/call-overlay.ts';
import { devToken, hubServer, withDirectoryAdditions } from '../testing/hub-test-server.ts';
import type { UpcomingSessions } from './upcoming-sessions.ts';
import './upcoming-sessions.ts';

// The student's list against the REAL hub: its session routes, live stream and mesh room. A teacher and a
// student added for the occasion, so that other test files' notification counts do not see this session.

const WAIT = { timeout: 15_000 };

function text(node: ParentNode | null | undefined): string {
  return (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

function button(root: ParentNode | null | undefined, label: string): HTMLButtonElement {
  const found = [...(root?.querySelectorAll('button') ?? [])].find((each) => text(each) === label);
  if (!found) throw new Error(`no "${label}" button`);
  return found;
}

function view(overlay: CallOverlay): ShadowRoot | null {
  return overlay.shadowRoot!.querySelector('hub-call-view')?.shadowRoot ?? null;
}

/** `YYYY-MM-DDTHH:mm` in UTC, `minutes` from now: a local start for a session in the `UTC` time zone. */
function utcLocalStart(minutes: number): string {
  return new Date(Date.now() + minutes * 60_000).toISOString().slice(0, 16);
}

describe('<upcoming-sessions> with the real hub', function () {
  this.timeout(60_000);

  it('lists a session the teacher schedules, shows Join when she starts it, and joins its room', async () => {
    const suffix = Math.random().toString(36).slice(2, 8);
    const teacher = { id: `t-up-${suffix}`, name: 'Tess Planner', role: 'teacher' as const };
    const student = { id: `s-up-${suffix}`, name: 'Sam Dashboard', role: 'student' as const };
    const courseId = `up-course-${suffix}`;
    await withDirectoryAdditions(
      {
        users: [
          { ...teacher, email: `${teacher.id}@example.edu` },
          { ...student, email: `${student.id}@example.edu` },
        ],
        courses: [{ id: courseId, name: 'Sessions 101' }],
        enrollments: [
          { courseId, userId: teacher.id, role: 'teacher' },
          { courseId, userId: student.id, role: 'student' },
        ],
      },
      async () => {
        const teacherClient = new HubClient({ server: hubServer(), token: await devToken(teacher.id) });
        const studentClient = new HubClient({ server: hubServer(), token: await devToken(student.id) });
        const container = await fixture<HTMLDivElement>(
          html`<div>
            <upcoming-sessions .client=${studentClient}></upcoming-sessions>
            <call-overlay muted .client=${studentClient}></call-overlay>
            <call-overlay muted .client=${teacherClient}></call-overlay>
          </div>`,
        );
        const list = container.querySelector('upcoming-sessions') as UpcomingSessions;
        const [studentOverlay, teacherOverlay] = [...container.querySelectorAll('call-overlay')] as [
          CallOverlay,
          CallOverlay,
        ];
        const root = list.shadowRoot!;
        let sessionId: string | undefined;
        try {
          await waitUntil(() => root.querySelector('[part="message"]'), 'the empty list did not load', WAIT);
          expect(text(root.querySelector('[part="message"]'))).to.contain('No sessions in the next 14 days');

          // The teacher schedules a class 20 minutes from now: the student's list shows it live.
          const session = await teacherClient.sessions.create({
            title: 'Algebra review',
            type: 'class',
            start: utcLocalStart(20),
            timeZone: 'UTC',
            durationMinutes: 45,
            inviteeIds: [student.id],
          });
          sessionId = session.id;
          await waitUntil(() => root.querySelector('[part~="item"]'), 'the session is not listed', WAIT);
          const item = root.querySelector('[part~="item"]')!;
          expect(text(item.querySelector('[part="item-title"]'))).to.equal('Algebra review');
          expect(text(item.querySelector('time'))).to.match(/^In (19|20) minutes$/);
          expect(text(item.querySelector('[part="type"]'))).to.equal('Class');
          expect(item.querySelector('[part="chat-link"]')!.getAttribute('href')).to.equal(
            `#chat/${session.chatId}`,
          );
          expect(root.querySelector('[part="join-button"]')).to.equal(null);

          // She starts it: Join appears through the live stream.
          await teacherClient.sessions.start(session.id);
          await waitUntil(() => root.querySelector('[part="join-button"]'), 'no Join after the start', WAIT);
          expect(text(root.querySelector('[part="status"]'))).to.equal('Live now');

          button(root, 'Join').click();
          await waitUntil(
            () => studentClient.calls.store.get().active?.connection === 'connected',
            'the student did not join the room',
            WAIT,
          );
          expect(studentClient.calls.store.get().active?.session).to.include({
            sessionId: session.id,
            title: 'Algebra review',
            ownerId: teacher.id,
          });
          await waitUntil(() => view(studentOverlay)?.querySelector('h2'), 'no call view', WAIT);
          expect(text(view(studentOverlay)!.querySelector('h2'))).to.equal('Session · Algebra review');
          expect(text(button(root, 'Joined'))).to.equal('Joined');
          expect(() => button(view(studentOverlay), 'End for everyone')).to.throw();

          // The teacher joins too and ends it for everyone from her overlay.
          await teacherClient.sessions.join(session.id);
          await waitUntil(() => view(teacherOverlay)?.querySelector('[part~="controls"]'), 'no view', WAIT);
          button(view(teacherOverlay), 'End for everyone').click();
          await waitUntil(
            () => text(view(teacherOverlay)).includes('End the session for everyone?'),
            'no ask',
          );
          button(view(teacherOverlay), 'End session').click();

          await waitUntil(
            () => !studentOverlay.shadowRoot!.querySelector('hub-call-view'),
            'the student is still in the session',
            WAIT,
          );
          expect(text(studentOverlay.shadowRoot!.querySelector('[part="toast"]'))).to.equal(
            'The session has ended',
          );
          await waitUntil(() => root.querySelector('[part="message"]'), 'the ended session is listed', WAIT);
        } finally {
          await Promise.all([
            teacherClient.calls.leave().catch(() => undefined),
            studentClient.calls.leave().catch(() => undefined),
          ]);
          if (sessionId) {
            await teacherClient.sessions.cancel(sessionId, { scope: 'series' }).catch(() => undefined);
          }
          container.remove();
        }
      },
    );
  });
});
