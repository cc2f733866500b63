import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { HubApiError } from '@teacher-hub/core';
import type { Occurrence } from '@teacher-hub/core';
import { html } from 'lit';
import '@teacher-hub/elements';
import { ADA_USER, AMARA_USER } from './support/canned-hub.ts';
import { CannedSessions, cannedSessionsClient, makeOccurrence } from './support/canned-sessions.ts';

/** What a story puts on its canned `client.sessions` (a fresh one per render). */
type Scene = (sessions: CannedSessions) => void;

interface UpcomingArgs {
  scene: Scene;
  /** Who is signed in. The list is the same for both; a teacher's holds her own sessions. */
  me: 'teacher' | 'student';
  days: number;
  limit: number;
  theme: 'light' | 'dark' | 'auto';
  /** The width of the dashboard column it sits in. */
  width: string;
}

/** A student's fortnight: one live now, one soon, a moved and a cancelled one, more later. */
const WEEK: Occurrence[] = [
  makeOccurrence({ title: 'Algebra review', startsInMinutes: -10, status: 'live' }),
  makeOccurrence({ title: 'Office hour with Ms Lovelace', type: 'one_on_one', startsInMinutes: 15 }),
  makeOccurrence({
    title: 'Biology lab prep',
    type: 'group',
    startsInMinutes: 24 * 60 + 120,
    movedByMinutes: 60,
  }),
  makeOccurrence({ title: 'Algebra review', startsInMinutes: 2 * 24 * 60, status: 'cancelled' }),
  makeOccurrence({ title: 'Geometry drills', startsInMinutes: 4 * 24 * 60 + 30, durationMinutes: 90 }),
  makeOccurrence({ title: 'Algebra review', startsInMinutes: 9 * 24 * 60 }),
  makeOccurrence({ title: 'Exam Q&A', type: 'group', startsInMinutes: 12 * 24 * 60 }),
];

const withWeek: Scene = (sessions) => {
  sessions.occurrences = WEEK;
};

const meta: Meta<UpcomingArgs> = {
  title: 'Elements/upcoming-sessions',
  component: 'upcoming-sessions',
  tags: ['autodocs'],
  args: { scene: withWeek, me: 'student', days: 14, limit: 5, theme: 'light', width: '34rem' },
  argTypes: {
    scene: { table: { disable: true } },
    me: { control: 'inline-radio', options: ['teacher', 'student'] },
    theme: { control: 'inline-radio', options: ['light', 'dark', 'auto'] },
    days: { control: { type: 'number', min: 1, max: 60 } },
    limit: { control: { type: 'number', min: 1, max: 20 } },
    width: { control: 'inline-radio', options: ['20rem', '34rem', '48rem'] },
  },
  parameters: { layout: 'fullscreen' },
  // On a student's dashboard, as in the demo LMS.
  render: ({ scene, me, days, limit, theme, width }) => {
    const sessions = new CannedSessions();
    scene(sessions);
    return html`
      <div
        style="min-height: 32rem; padding: 1.5rem; background: ${theme === 'dark' ? '#020617' : '#f1f5f9'};
          font: 15px system-ui, sans-serif"
      >
        <upcoming-sessions
          style="max-width: ${width}"
          .client=${cannedSessionsClient(sessions, me === 'teacher' ? ADA_USER : AMARA_USER)}
          days=${days}
          limit=${limit}
          theme=${theme}
          @hub-open-chat=${(event: CustomEvent) => {
            // The story stays where it is; a host would open the chat.
            event.preventDefault();
            console.info('hub-open-chat', event.detail);
          }}
        ></upcoming-sessions>
      </div>
    `;
  },
};
export default meta;

type Story = StoryObj<UpcomingArgs>;

/** A live session first with Join, then the next ones; "Show 2 more" reveals the rest. */
export const Student: Story = {};

/**
 * Ada's next sessions on her own dashboard: the class she is teaching now (Join takes her back in), one due
 * that she has not started yet, the rest of her week. The list has no Start: she starts sessions from her
 * calendar.
 */
export const Teacher: Story = {
  args: {
    me: 'teacher',
    scene: (sessions) => {
      sessions.occurrences = [
        makeOccurrence({ title: 'Quadratics Q&A', startsInMinutes: -10, status: 'live' }),
        makeOccurrence({ title: 'Catch-up with Diego', type: 'one_on_one', startsInMinutes: -2 }),
        makeOccurrence({ title: 'Algebra review', startsInMinutes: 3 * 60 }),
        makeOccurrence({ title: 'Biology lab prep', type: 'group', startsInMinutes: 24 * 60 + 60 }),
        makeOccurrence({ title: 'Parents evening', type: 'group', startsInMinutes: 3 * 24 * 60 }),
      ];
    },
  },
};

/** Twenty sessions in the fortnight: five show, "Show 15 more" reveals the rest. */
export const ManySessions: Story = {
  args: {
    scene: (sessions) => {
      // Two a day from tomorrow, at 09:00 and 14:00 on the viewer's clock.
      sessions.occurrences = Array.from({ length: 20 }, (_, index) => {
        const startsAt = new Date();
        startsAt.setDate(startsAt.getDate() + 1 + Math.floor(index / 2));
        startsAt.setHours(index % 2 === 0 ? 9 : 14, 0, 0, 0);
        return makeOccurrence({
          title: ['Algebra review', 'Geometry drills', 'Biology lab prep', 'Office hour'][index % 4],
          type: index % 4 === 2 ? 'group' : index % 4 === 3 ? 'one_on_one' : 'class',
          startsAt,
        });
      });
    },
  },
};

export const Dark: Story = { args: { theme: 'dark' } };

/** In a narrow sidebar the buttons go under each session's text. */
export const Narrow: Story = { args: { width: '20rem' } };

/** The skeleton while the sessions load. */
export const Loading: Story = {
  args: {
    scene: (sessions) => {
      sessions.hangLoads = true;
    },
  },
};

export const Empty: Story = { args: { scene: () => undefined } };

/** The load fails; Retry succeeds. */
export const Error: Story = {
  args: {
    scene: (sessions) => {
      sessions.occurrences = WEEK;
      sessions.failLoads = 1;
      sessions.latencyMs = 400;
    },
  },
};

/** A session the teacher cancelled, and one moved an hour later. */
export const CancelledAndMoved: Story = {
  args: {
    scene: (sessions) => {
      sessions.occurrences = [
        makeOccurrence({ title: 'Algebra review', startsInMinutes: 3 * 60, status: 'cancelled' }),
        makeOccurrence({
          title: 'Biology lab prep',
          type: 'group',
          startsInMinutes: 26 * 60,
          movedByMinutes: 60,
        }),
      ];
    },
  },
};

/** Joining fails (the teacher has just ended it): the reason shows under the session. */
export const JoinFails: Story = {
  args: {
    scene: (sessions) => {
      sessions.occurrences = [
        makeOccurrence({ title: 'Algebra review', startsInMinutes: -5, status: 'live' }),
      ];
      sessions.failNext = new HubApiError({
        status: 409,
        code: 'CONFLICT',
        message: 'The session is not live any more.',
        endpoint: 'POST /v1/sessions/:id/join',
      });
      sessions.latencyMs = 300;
    },
  },
};
