import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import '@teacher-hub/elements';
import {
  STUDENT_NOTIFICATIONS,
  TEACHER_NOTIFICATIONS,
  cannedNotificationsClient,
  manyNotifications,
  notification,
} from './support/canned-notifications.ts';
import type { CannedNotificationsOptions } from './support/canned-notifications.ts';

interface CenterArgs {
  hub: CannedNotificationsOptions;
  open: boolean;
  theme: 'light' | 'dark' | 'auto';
  placement: 'bottom-end' | 'bottom-start';
}

const meta: Meta<CenterArgs> = {
  title: 'Elements/notification-center',
  component: 'notification-center',
  tags: ['autodocs'],
  args: {
    hub: { notifications: STUDENT_NOTIFICATIONS },
    open: false,
    theme: 'light',
    placement: 'bottom-end',
  },
  argTypes: {
    hub: { table: { disable: true } },
    theme: { control: 'inline-radio', options: ['light', 'dark', 'auto'] },
    placement: { control: 'inline-radio', options: ['bottom-end', 'bottom-start'] },
  },
  parameters: { layout: 'fullscreen' },
  // Each story opens its panel on the canvas; the docs page shows the bells closed (play does not run
  // there), so a dozen panels do not cover each other.
  play: async ({ canvasElement }) => {
    canvasElement.querySelector('notification-center')?.show();
  },
  // In a host's top bar, as the demo LMS has it. A fresh client per render: each story loads on its own.
  render: ({ hub, open, theme, placement }) => html`
    <div
      style="display: flex; align-items: center; gap: 0.75rem; padding: 0.6rem 1.5rem; min-height: 3.5rem;
        background: ${theme === 'dark' ? '#0b1220' : '#0f766e'}; color: #fff; font: 15px system-ui, sans-serif"
    >
      <strong style="flex: 1">Riverside LMS</strong>
      <notification-center
        .client=${cannedNotificationsClient(hub)}
        ?open=${open}
        theme=${theme}
        placement=${placement}
        style="--hub-notification-center-badge-ring: ${theme === 'dark' ? '#0b1220' : '#0f766e'}"
        @hub-notification-open=${(event: CustomEvent) => {
          // The story stays where it is; a host would route to the link.
          event.preventDefault();
          console.info('hub-notification-open', event.detail);
        }}
      ></notification-center>
      <span>Diego Ramírez</span>
    </div>
    <div style="height: 40rem"></div>
  `,
};
export default meta;

type Story = StoryObj<CenterArgs>;

/** A student's morning: a live session (urgent), a message, a reminder, older read items. */
export const Student: Story = {};

/** A teacher's: a ringing call stands out with a stripe and an "Urgent" label, not colour alone. */
export const Teacher: Story = { args: { hub: { notifications: TEACHER_NOTIFICATIONS } } };

/** The skeleton while the first page loads. */
export const Loading: Story = { args: { hub: { hang: true } } };

export const Empty: Story = { args: { hub: { notifications: [] } } };

/** The list fails with the contract's error body; Retry succeeds. */
export const Error: Story = { args: { hub: { notifications: STUDENT_NOTIFICATIONS, failures: 1 } } };

/** Thirty items (two urgent): the panel scrolls, and "Show older notifications" pages on. */
export const ManyItems: Story = { args: { hub: { notifications: manyNotifications(30) } } };

/** A new notification arrives every 4 s: it slides in at the top and is announced to screen readers. */
export const LiveUpdates: Story = {
  args: {
    hub: {
      notifications: TEACHER_NOTIFICATIONS.slice(1),
      liveEveryMs: 4000,
      live: [
        notification('chat.message', 'Ben Carter', 'Is the quiz open-book?', 0),
        notification('call.ringing', 'Chloé Dubois is calling', 'In “Algebra I”.', 0),
      ],
    },
  },
};

/** The bell alone, with 3 unread. */
export const Closed: Story = { play: async () => undefined };

export const Dark: Story = {
  args: { theme: 'dark', hub: { notifications: TEACHER_NOTIFICATIONS } },
  globals: { backgrounds: { value: 'dark' } },
};

/** Browser notifications are on for this browser; "Turn off" is offered. */
export const PushOn: Story = { args: { hub: { notifications: STUDENT_NOTIFICATIONS, push: 'subscribed' } } };

/** The user blocked notifications: how to allow them again in the browser's site settings. */
export const PushBlocked: Story = { args: { hub: { notifications: STUDENT_NOTIFICATIONS, push: 'denied' } } };

/** Allowed but off (turned off here, or another user's subscription). */
export const PushOff: Story = {
  args: { hub: { notifications: STUDENT_NOTIFICATIONS, push: 'unsubscribed' } },
};

/** No Push API in this browser. */
export const PushUnsupported: Story = {
  args: { hub: { notifications: STUDENT_NOTIFICATIONS, push: 'unsupported', pushReason: 'no-push-api' } },
};

/** The page is not on the hub's origin and the host has not set `service-worker-url`. */
export const PushNeedsServiceWorker: Story = {
  args: {
    hub: {
      notifications: STUDENT_NOTIFICATIONS,
      push: 'unsupported',
      pushReason: 'needs-service-worker-url',
    },
  },
};
