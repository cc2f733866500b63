import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import '@teacher-hub/elements';
import { ifDefined } from 'lit/directives/if-defined.js';
import { ADA_ROSTER, largeRoster } from './support/canned-hub.ts';
import {
  ADA_USER,
  CannedSchedule,
  cannedScheduleClient,
  hubError,
  makeSession,
} from './support/canned-schedule.ts';
import type { Roster } from '@teacher-hub/core';
import type { Session } from '@teacher-hub/protocol';

/** What a story puts on its canned `client.sessions` (a fresh one per render). */
type Scene = (sessions: CannedSchedule) => void;

interface SchedulerArgs {
  /** The session to edit, given by the host. */
  session: Session | undefined;
  /** The session to edit, by id (the element loads it). */
  sessionId: string;
  scene: Scene;
  roster: Roster;
  theme: 'light' | 'dark' | 'auto';
}

/** Ada's "Algebra review", Mondays and Wednesdays at 16:00 in Berlin, ten times. */
const ALGEBRA_SERIES = makeSession({
  id: 'sess-algebra',
  title: 'Algebra review',
  description: 'Bring your questions on chapter 4.',
  start: '2026-12-07T16:00',
  recurrence: { freq: 'weekly', byWeekday: ['MO', 'WE'], count: 10 },
  emailInvitees: true,
});

const meta: Meta<SchedulerArgs> = {
  title: 'Elements/session-scheduler',
  component: 'session-scheduler',
  tags: ['autodocs'],
  args: { session: undefined, sessionId: '', scene: () => undefined, roster: ADA_ROSTER, theme: 'light' },
  argTypes: {
    session: { table: { disable: true } },
    scene: { table: { disable: true } },
    roster: { table: { disable: true } },
    theme: { control: 'inline-radio', options: ['light', 'dark', 'auto'] },
  },
  render: ({ session, sessionId, scene, roster, theme }) => {
    const sessions = new CannedSchedule();
    sessions.latencyMs = 400;
    sessions.sessions.set(ALGEBRA_SERIES.id, ALGEBRA_SERIES);
    scene(sessions);
    const client = cannedScheduleClient(sessions, ADA_USER, roster);
    return html`<session-scheduler
      .client=${client}
      .session=${session}
      session-id=${ifDefined(sessionId || undefined)}
      theme=${theme}
      @hub-session-saved=${(event: CustomEvent) => console.info('hub-session-saved', event.detail)}
      @hub-session-cancelled=${(event: CustomEvent) => console.info('hub-session-cancelled', event.detail)}
    ></session-scheduler>`;
  },
};
export default meta;

type Story = StoryObj<SchedulerArgs>;

function schedulerIn(canvas: HTMLElement): HTMLElementTagNameMap['session-scheduler'] {
  return canvas.querySelector('session-scheduler')!;
}

/** A new session: the browser's time zone, tomorrow at 09:00, an hour, a class. */
export const Create: Story = {};

/** Editing a weekly series: saving asks "Only this occurrence or the whole series?". */
export const Edit: Story = { args: { session: ALGEBRA_SERIES } };

/** Submitting the empty form: the errors sit next to their fields. */
export const ValidationErrors: Story = {
  play: async ({ canvasElement }) => {
    const scheduler = schedulerIn(canvasElement);
    await scheduler.updateComplete;
    scheduler.shadowRoot!.querySelector<HTMLButtonElement>('[part="submit"]')!.click();
  },
};

/** A one-on-one takes exactly one student: two selected is an error. */
export const OneOnOne: Story = {
  play: async ({ canvasElement }) => {
    const scheduler = schedulerIn(canvasElement);
    await scheduler.updateComplete;
    const root = scheduler.shadowRoot!;
    const oneOnOne = [...root.querySelectorAll('label.choice')].find((label) =>
      label.textContent?.includes('One-on-one'),
    );
    oneOnOne?.querySelector('input')?.click();
    const picker = root.querySelector('student-picker')!;
    for (
      let attempt = 0;
      attempt < 40 && !picker.shadowRoot?.querySelector('[data-id="s-01"]');
      attempt += 1
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    picker.shadowRoot?.querySelector<HTMLInputElement>('[part="option-checkbox"][data-id="s-01"]')?.click();
    picker.shadowRoot?.querySelector<HTMLInputElement>('[part="option-checkbox"][data-id="s-02"]')?.click();
    root.querySelector<HTMLButtonElement>('[part="submit"]')!.click();
  },
};

/** Editing by `session-id`: the form waits for the session. */
export const Loading: Story = {
  args: {
    sessionId: ALGEBRA_SERIES.id,
    scene: (sessions) => {
      sessions.get = () => new Promise<Session>(() => undefined);
    },
  },
};

/** The session to edit cannot be loaded; Retry loads it. */
export const Error: Story = {
  args: {
    sessionId: ALGEBRA_SERIES.id,
    scene: (sessions) => {
      sessions.failNext = hubError(503, 'UNAVAILABLE', 'The hub is restarting. Try again.');
    },
  },
};

/** A teacher without students yet: the invitee list says so, and the form cannot be sent. */
export const NoStudents: Story = { args: { roster: { courses: [] } } };

/** Three courses of forty students to invite from: the invitee list scrolls inside the form. */
export const ManyStudents: Story = { args: { roster: largeRoster(3, 40) } };

export const Dark: Story = {
  args: { session: ALGEBRA_SERIES, theme: 'dark' },
  globals: { backgrounds: { value: 'dark' } },
};
