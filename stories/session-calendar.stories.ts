import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import '@teacher-hub/elements';
import {
  ADA_USER,
  ALGEBRA_ATTENDANCE,
  AMARA_USER,
  CannedSchedule,
  busyMonth,
  cannedScheduleClient,
  hubError,
  makeOccurrence,
  makeSession,
} from './support/canned-schedule.ts';

/** What a story puts on its canned `client.sessions` (a fresh one per render). */
type Scene = (sessions: CannedSchedule) => void;

interface CalendarArgs {
  scene: Scene;
  me: 'teacher' | 'student';
  view: 'month' | 'week' | 'agenda' | '';
  timeZone: string;
  theme: 'light' | 'dark' | 'auto';
}

const busy: Scene = (sessions) => {
  sessions.put(...busyMonth());
  sessions.sessions.set(
    'sess-algebra',
    makeSession({ recurrence: { freq: 'weekly', byWeekday: ['MO', 'WE'], count: 30 } }),
  );
  sessions.attendanceList = ALGEBRA_ATTENDANCE;
};

const meta: Meta<CalendarArgs> = {
  title: 'Elements/session-calendar',
  component: 'session-calendar',
  tags: ['autodocs'],
  args: { scene: busy, me: 'teacher', view: 'month', timeZone: '', theme: 'light' },
  argTypes: {
    scene: { table: { disable: true } },
    me: { control: 'inline-radio', options: ['teacher', 'student'] },
    view: { control: 'inline-radio', options: ['', 'month', 'week', 'agenda'] },
    theme: { control: 'inline-radio', options: ['light', 'dark', 'auto'] },
  },
  render: ({ scene, me, view, timeZone, theme }) => {
    const sessions = new CannedSchedule();
    scene(sessions);
    const client = cannedScheduleClient(sessions, me === 'teacher' ? ADA_USER : AMARA_USER);
    return html`<session-calendar
      .client=${client}
      view=${ifDefined(view || undefined)}
      time-zone=${ifDefined(timeZone || undefined)}
      theme=${theme}
      @hub-occurrence-select=${(event: CustomEvent) => console.info('hub-occurrence-select', event.detail)}
      @hub-session-edit=${(event: CustomEvent) => console.info('hub-session-edit', event.detail)}
      @hub-open-chat=${(event: CustomEvent) => console.info('hub-open-chat', event.detail)}
    ></session-calendar>`;
  },
};
export default meta;

type Story = StoryObj<CalendarArgs>;

/**
 * Ada's month: classes, group sessions and one-on-ones; one Algebra review is live now. Her own sessions
 * offer Start, Edit, Cancel and End for everyone.
 */
export const Teacher: Story = { name: 'Teacher (busy month)' };

/** No sessions scheduled yet. */
export const Empty: Story = { args: { scene: () => undefined } };

/** This week, with a live session and a cancelled one struck through. */
export const WeekWithLiveAndCancelled: Story = { args: { view: 'week' } };

/** The next two weeks as a list. */
export const Agenda: Story = { args: { view: 'agenda' } };

/** A student sees the sessions they are invited to: Join when live and Open chat only. */
export const Student: Story = {
  args: {
    me: 'student',
    scene: (sessions) => {
      sessions.put(...busyMonth().filter((occurrence) => occurrence.inviteeIds.includes(AMARA_USER.id)));
    },
  },
};

/**
 * Exam season: six sessions every weekday for six weeks. Month cells list the first few and "+N more"
 * (which opens the week); the week view stacks them.
 */
export const ManySessions: Story = {
  args: {
    scene: (sessions) => {
      const midnight = new Date();
      midnight.setUTCHours(0, 0, 0, 0);
      for (let day = -21; day <= 21; day += 1) {
        const date = new Date(midnight.getTime() + day * 86_400_000);
        if (date.getUTCDay() === 0 || date.getUTCDay() === 6) continue;
        for (let slot = 0; slot < 6; slot += 1) {
          const startsAt = new Date(date.getTime() + (7 + slot * 1.5) * 3_600_000);
          sessions.put(
            makeOccurrence({
              sessionId: `sess-exam-${day}-${slot}`,
              title: ['Exam prep', 'Office hours', 'Mock exam', 'Revision', 'Q&A', 'Catch-up'][slot],
              type: slot % 3 === 0 ? 'class' : slot % 3 === 1 ? 'group' : 'one_on_one',
              startsAt,
              minutes: 60,
              status: startsAt.getTime() + 3_600_000 < Date.now() ? 'ended' : 'scheduled',
            }),
          );
        }
      }
    },
  },
};

/** The same month in New York time. */
export const OtherTimeZone: Story = { args: { timeZone: 'America/New_York' } };

export const Dark: Story = { args: { theme: 'dark' }, globals: { backgrounds: { value: 'dark' } } };

/** The skeleton while the month loads. */
export const Loading: Story = {
  args: {
    scene: (sessions) => {
      sessions.hang = true;
    },
  },
};

/** The first load fails; Retry loads the month. */
export const Error: Story = {
  args: {
    scene: (sessions) => {
      busy(sessions);
      sessions.failNext = hubError(503, 'UNAVAILABLE', 'The hub is restarting. Try again.');
    },
  },
};

/** On a phone the agenda is the default view. */
export const Mobile: Story = {
  args: { view: '' },
  globals: { viewport: { value: 'mobile1' } },
  parameters: { viewport: { defaultViewport: 'mobile1' } },
};
