import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import '@teacher-hub/elements';
import { ADA_CHATS, ALGEBRA_MESSAGES, cannedChatClient, manyChats, message } from './support/canned-chat.ts';
import { AMARA_USER } from './support/canned-hub.ts';
import type { CannedChatOptions } from './support/canned-chat.ts';

interface ChatArgs {
  hub: CannedChatOptions;
  chatId: string;
  theme: 'light' | 'dark' | 'auto';
  width: string;
}

const meta: Meta<ChatArgs> = {
  title: 'Elements/hub-chat',
  component: 'hub-chat',
  tags: ['autodocs'],
  args: { hub: {}, chatId: 'chat-algebra', theme: 'light', width: '60rem' },
  argTypes: {
    hub: { table: { disable: true } },
    theme: { control: 'inline-radio', options: ['light', 'dark', 'auto'] },
  },
  render: ({ hub, chatId, theme, width }) => html`
    <div
      style="max-width: ${width}; padding: 1rem; background: ${theme === 'dark' ? '#0b1220' : 'transparent'}"
    >
      <hub-chat .client=${cannedChatClient(hub)} chat-id=${chatId || ''} theme=${theme}></hub-chat>
    </div>
  `,
};
export default meta;

type Story = StoryObj<ChatArgs>;

/**
 * Ada's chats with the Algebra group open: grouped messages, a link, a file, reactions, a pin, a thread.
 * A teacher can start a call in the chat and make new chats.
 */
export const Teacher: Story = {};

/** Someone is typing. */
export const Typing: Story = { args: { hub: { typing: ['Amara Okafor'] } } };

/** Only the list, nothing opened yet. */
export const ListOnly: Story = { args: { chatId: '' } };

/** A phone-sized host column: the list and the conversation one at a time, with a back button. */
export const Narrow: Story = { args: { width: '24rem' } };

export const Dark: Story = { args: { theme: 'dark' } };

/** Amara's view: her group and Ada; no Start call (a student joins a call a teacher started). */
export const Student: Story = {
  args: {
    hub: {
      me: AMARA_USER,
      chats: ADA_CHATS.slice(0, 2).map((chat) =>
        chat.kind === 'direct' ? { ...chat, name: 'Ada Lovelace' } : chat,
      ),
    },
  },
};

/** Markup, script and `javascript:` links in messages show as text; only http(s) and mailto link. */
export const HostileText: Story = {
  args: {
    hub: {
      messages: {
        'chat-algebra': [
          message('x1', 's-06', "Finn O'Brien", '<script>alert(1)</script>', 5),
          message('x2', 's-06', "Finn O'Brien", '<img src=x onerror=alert(1)> and javascript:alert(1)', 4),
          message('x3', 's-06', "Finn O'Brien", `A very long word: ${'a'.repeat(200)}`, 3),
          message(
            'x4',
            's-01',
            'Amara Okafor',
            'مرحبا بالصف https://example.edu/rtl mailto:ada@example.edu',
            2,
          ),
        ],
      },
    },
  },
};

/** No chats yet. */
export const Empty: Story = { args: { chatId: '', hub: { chats: [] } } };

/** Connecting to chat. */
export const Loading: Story = { args: { hub: { hang: true } } };

/** Chat cannot connect (here: the hub could not reach GetStream). */
export const Error: Story = { args: { hub: { error: 'The hub could not reach GetStream.' } } };

/** Thirty chats: the list scrolls, the four with unread messages show their counts. */
export const ManyChats: Story = { args: { chatId: '', hub: { chats: manyChats(30) } } };

/** Forty more messages before the usual ones: the conversation scrolls and opens at the newest. */
export const ManyMessages: Story = {
  args: {
    hub: {
      messages: {
        'chat-algebra': [
          ...Array.from({ length: 40 }, (_, index) =>
            message(
              `many-${index}`,
              index % 3 === 0 ? 't-ada' : 's-01',
              index % 3 === 0 ? 'Ada Lovelace' : 'Amara Okafor',
              `Message ${index + 1}`,
              60 * 50 - index * 70,
            ),
          ),
          ...ALGEBRA_MESSAGES,
        ],
      },
    },
  },
};
