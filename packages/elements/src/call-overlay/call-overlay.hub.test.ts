/// <reference types="mocha" />
import { HubClient } from '@teacher-hub/core';
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { devToken, hubServer, withDirectoryAdditions } from '../testing/hub-test-server.ts';
import type { CallOverlay } from './call-overlay.ts';
import './call-overlay.ts';

// Two people, each with a <call-overlay> on a client of their own, call each other through the REAL hub:
// its call routes, live stream and mesh relay, with Chromium's fake camera and microphone. A teacher and
// a student added for the occasion, so that no other test file's notification counts see the rings.

const WAIT = { timeout: 15_000 };

function shadow(element: CallOverlay): ShadowRoot {
  return element.shadowRoot!;
}

function view(element: CallOverlay): ShadowRoot | null {
  return shadow(element).querySelector('hub-call-view')?.shadowRoot ?? null;
}

function text(node: ParentNode | null | undefined): string {
  return (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

function tileNames(element: CallOverlay): string[] {
  return [...(view(element)?.querySelectorAll('[part="tile-name"]') ?? [])].map((name) => text(name));
}

function button(root: ParentNode | null, label: string): HTMLButtonElement {
  const found = [...(root?.querySelectorAll('button') ?? [])].find((each) => text(each) === label);
  if (!found) throw new Error(`no "${label}" button`);
  return found;
}

describe('<call-overlay> with the real hub', function () {
  this.timeout(60_000);

  it('rings the student, who accepts and sees the teacher; mute shows; the teacher ends it for both', async () => {
    const suffix = Math.random().toString(36).slice(2, 8);
    const teacher = { id: `t-call-${suffix}`, name: 'Tess Caller', role: 'teacher' as const };
    const student = { id: `s-call-${suffix}`, name: 'Sam Answer', role: 'student' as const };
    const courseId = `call-course-${suffix}`;
    await withDirectoryAdditions(
      {
        users: [
          { ...teacher, email: `${teacher.id}@example.edu` },
          { ...student, email: `${student.id}@example.edu` },
        ],
        courses: [{ id: courseId, name: 'Calls 101' }],
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
            <call-overlay muted .client=${teacherClient}></call-overlay>
            <call-overlay muted .client=${studentClient}></call-overlay>
          </div>`,
        );
        const [teacherOverlay, studentOverlay] = [...container.querySelectorAll('call-overlay')] as [
          CallOverlay,
          CallOverlay,
        ];
        try {
          const { chat } = await teacherClient.api.createGroupChat({
            name: 'Office hour',
            memberIds: [student.id],
          });
          await waitUntil(() => studentClient.calls.store.get().loaded, 'the live calls did not load', WAIT);

          await teacherClient.calls.start(chat.id);
          await waitUntil(
            () => view(teacherOverlay)?.querySelector('[part~="controls"]'),
            'no call view',
            WAIT,
          );

          const ring = () => shadow(studentOverlay).querySelector('[part="ring"]');
          await waitUntil(ring, 'the student was not rung', WAIT);
          expect(text(ring()!.querySelector('h2'))).to.equal('Tess Caller is calling · Office hour');
          button(ring(), 'Accept').click();

          await waitUntil(
            () => tileNames(studentOverlay).includes('Tess Caller'),
            'the student does not see the teacher',
            WAIT,
          );
          await waitUntil(
            () => tileNames(teacherOverlay).includes('Sam Answer'),
            'the teacher does not see the student',
            WAIT,
          );
          expect(tileNames(studentOverlay)).to.deep.equal(['Sam Answer (you)', 'Tess Caller']);
          expect(() => button(view(studentOverlay), 'End for everyone')).to.throw();
          await waitUntil(
            () => (view(studentOverlay)?.querySelectorAll('[part="tile"] video') ?? []).length === 2,
            'the student has no videos',
            WAIT,
          );
          await waitUntil(
            () => view(studentOverlay)?.querySelectorAll('audio').length === 1,
            'the teacher is not played',
            WAIT,
          );

          // The student mutes: the teacher's tile of the student gets the mark.
          button(view(studentOverlay), 'Microphone').click();
          await waitUntil(
            () => text(view(teacherOverlay)?.querySelector('[part="mute-mark"]')?.closest('[part="tile"]')),
            'the teacher does not see the mute',
            WAIT,
          );
          expect(
            text(view(teacherOverlay)!.querySelector('[part="mute-mark"]')!.closest('[part="tile"]')),
          ).to.contain('Sam Answer');

          // The teacher ends the call for everyone; the student's overlay closes and says so.
          button(view(teacherOverlay), 'End for everyone').click();
          await waitUntil(
            () => text(view(teacherOverlay)).includes('End the call for everyone?'),
            'no confirm',
          );
          button(view(teacherOverlay), 'End call').click();
          await waitUntil(
            () => !shadow(studentOverlay).querySelector('hub-call-view'),
            'the student is still in the call',
            WAIT,
          );
          expect(text(shadow(studentOverlay).querySelector('[part="toast"]'))).to.equal('The call has ended');
          await waitUntil(
            () => !shadow(teacherOverlay).querySelector('hub-call-view'),
            'the teacher is still in the call',
            WAIT,
          );
        } finally {
          await Promise.all([
            teacherClient.calls.leave().catch(() => undefined),
            studentClient.calls.leave().catch(() => undefined),
          ]);
          container.remove();
        }
      },
    );
  });
});
