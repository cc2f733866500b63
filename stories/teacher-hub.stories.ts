import type { Meta, StoryObj } from '@storybook/web-components-vite';
import type { HubClient } from '@teacher-hub/core';
import { html } from 'lit';
import '@teacher-hub/elements';
import { ADA, AMARA, CannedCalls, FARAH, makeCall, withCalls } from './support/canned-calls.ts';
import { withChat } from './support/canned-chat.ts';
import type { CannedChatOptions } from './support/canned-chat.ts';
import { ADA_ROSTER, ADA_USER } from './support/canned-hub.ts';
import type { CannedHubOptions } from './support/canned-hub.ts';
import { TEACHER_NOTIFICATIONS, cannedNotificationsClient } from './support/canned-notifications.ts';
import type { CannedNotificationsOptions } from './support/canned-notifications.ts';
import {
  ALGEBRA_ATTENDANCE,
  CannedSchedule,
  busyMonth,
  hubError,
  withSessions,
} from './support/canned-schedule.ts';

/** What a story's hub has: each service canned, Ada signed in. */
interface HubScene {
  hub?: CannedHubOptions;
  notifications?: CannedNotificationsOptions;
  chat?: CannedChatOptions;
  /** Sets up the sessions (a fresh `CannedSchedule` per render). */
  sessions?: (sessions: CannedSchedule) => void;
  /** Sets up the calls (a fresh `CannedCalls` per render). */
  calls?: (calls: CannedCalls) => void;
}

interface TeacherHubArgs {
  scene: HubScene;
  area: 'chats' | 'sessions' | 'live';
  theme: 'light' | 'dark' | 'auto';
  /** The width of the host page's column. */
  width: string;
}

/** Ada's hub: her chats, a busy month with one session live, a call going on in a study group. */
const ADA_HUB: HubScene = {
  sessions: (sessions) => {
    sessions.put(...busyMonth());
    sessions.attendanceList = ALGEBRA_ATTENDANCE;
  },
  calls: (calls) => {
    // Going on without Ada (she has not joined), so Live now offers Join and no ring or call covers the hub.
    const call = makeCall({ members: [ADA, AMARA, FARAH], status: 'active', startedBy: AMARA });
    calls.store.set({ calls: { [call.id]: call } });
  },
};

/** One client for the whole hub, as a host page gives it: every service answers from canned state. */
function hubClient(scene: HubScene): HubClient {
  const client = cannedNotificationsClient({
    notifications: TEACHER_NOTIFICATIONS,
    ...scene.notifications,
    hub: { user: ADA_USER, roster: ADA_ROSTER, ...scene.hub },
  });
  const sessions = new CannedSchedule();
  scene.sessions?.(sessions);
  const calls = new CannedCalls(ADA);
  scene.calls?.(calls);
  return withSessions(withCalls(withChat(client, scene.chat), calls), sessions);
}

const meta: Meta<TeacherHubArgs> = {
  title: 'Elements/teacher-hub',
  component: 'teacher-hub',
  tags: ['autodocs'],
  args: { scene: ADA_HUB, area: 'chats', theme: 'light', width: '100%' },
  argTypes: {
    scene: { table: { disable: true } },
    area: { control: 'inline-radio', options: ['chats', 'sessions', 'live'] },
    theme: { control: 'inline-radio', options: ['light', 'dark', 'auto'] },
    width: { control: 'inline-radio', options: ['100%', '60rem', '24rem'] },
  },
  parameters: { layout: 'fullscreen' },
  // `routing="none"`: the catalogue's own URL is not the hub's to follow.
  render: ({ scene, area, theme, width }) => html`
    <div
      style="min-height: 100vh; padding: 1rem; box-sizing: border-box;
        background: ${theme === 'dark' ? '#020617' : '#f1f5f9'}"
    >
      <teacher-hub
        style="display: block; max-width: ${width}; margin: 0 auto"
        .client=${hubClient(scene)}
        area=${area}
        theme=${theme}
        routing="none"
        @hub-area-change=${(event: CustomEvent) => console.info('hub-area-change', event.detail)}
      ></teacher-hub>
    </div>
  `,
};
export default meta;

type Story = StoryObj<TeacherHubArgs>;

/** Opens the Algebra group's chat, as its deep link (`#chat/chat-algebra`) would. */
const openAlgebraChat: Story['play'] = async ({ canvasElement }) => {
  const hub = canvasElement.querySelector('teacher-hub');
  await hub?.updateComplete;
  hub?.navigate('#chat/chat-algebra');
};

/** Ada's hub on her Chats: the Algebra group open; the bell has news; Live now counts what is going on. */
export const Teacher: Story = { play: openAlgebraChat };

/** Sessions: her month on the calendar, with the next and the past sessions (and who attended) beside it. */
export const Sessions: Story = { args: { area: 'sessions' } };

/** Live now: the study group's call and the live Quadratics Q&A, each with Join. */
export const LiveNow: Story = { args: { area: 'live' } };

/** Everything loading: each area keeps its size with skeletons, and the top bar is already there. */
export const Loading: Story = {
  args: {
    area: 'sessions',
    scene: {
      notifications: { hang: true },
      chat: { hang: true },
      hub: { hang: true },
      sessions: (sessions) => {
        sessions.hang = true;
      },
      calls: (calls) => calls.store.set({ loaded: false }),
    },
  },
};

/** A new teacher: no chats, no sessions, nothing live, no notifications. */
export const Empty: Story = {
  args: {
    area: 'live',
    scene: { notifications: { notifications: [] }, chat: { chats: [] } },
  },
};

/** The hub is restarting: chat cannot connect and the sessions and notifications cannot load; Retry works. */
export const Error: Story = {
  args: {
    area: 'sessions',
    scene: {
      ...ADA_HUB,
      notifications: { failures: 1 },
      chat: { error: 'The hub is restarting. Try again.' },
      sessions: (sessions) => {
        ADA_HUB.sessions?.(sessions);
        // The calendar's, the upcoming and the past sessions' first loads fail; Retry loads.
        let failures = 3;
        const load = sessions.load.bind(sessions);
        sessions.load = async (range) => {
          if (failures === 0) return load(range);
          failures -= 1;
          throw hubError(503, 'UNAVAILABLE', 'The hub is restarting. Try again.');
        };
      },
    },
  },
};

export const Dark: Story = {
  args: { theme: 'dark' },
  play: openAlgebraChat,
  globals: { backgrounds: { value: 'dark' } },
};

/** In a phone-wide column: the areas stack and nothing scrolls sideways. */
export const Phone: Story = { args: { width: '24rem' }, play: openAlgebraChat };
