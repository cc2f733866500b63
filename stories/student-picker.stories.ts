import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import '@teacher-hub/elements';
import { ADA_ROSTER, cannedClient, largeRoster } from './support/canned-hub.ts';
import type { CannedHubOptions } from './support/canned-hub.ts';

interface PickerArgs {
  hub: CannedHubOptions;
  value: string[];
  disabled: boolean;
  theme: 'light' | 'dark' | 'auto';
  maxHeight: string;
}

const meta: Meta<PickerArgs> = {
  title: 'Elements/student-picker',
  component: 'student-picker',
  tags: ['autodocs'],
  args: { hub: { roster: ADA_ROSTER }, value: [], disabled: false, theme: 'light', maxHeight: '22rem' },
  argTypes: {
    hub: { table: { disable: true } },
    theme: { control: 'inline-radio', options: ['light', 'dark', 'auto'] },
    maxHeight: { name: '--hub-student-picker-max-height', control: 'text' },
  },
  // A fresh client per render: each story shows its own load, as a page would.
  render: ({ hub, value, disabled, theme, maxHeight }) => html`
    <div style="max-width: 26rem">
      <student-picker
        .client=${cannedClient(hub)}
        .value=${value}
        ?disabled=${disabled}
        theme=${theme}
        style="--hub-student-picker-max-height: ${maxHeight}"
        @change=${(event: Event) =>
          console.info('change', (event.currentTarget as HTMLElementTagNameMap['student-picker']).value)}
      ></student-picker>
    </div>
  `,
};
export default meta;

type Story = StoryObj<PickerArgs>;

/** Ada's two courses from the demo directory: Diego and Emma are in both. */
export const Default: Story = {};

/** The skeleton keeps the layout of the loaded picker, so nothing jumps when the roster arrives. */
export const Loading: Story = { args: { hub: { hang: true } } };

export const Empty: Story = { args: { hub: { roster: { courses: [] } } } };

/** The first call fails with the contract's error body; Retry succeeds. */
export const Error: Story = { args: { hub: { roster: ADA_ROSTER, failures: 1 } } };

/** Three courses of forty students; neighbouring courses share ten students. */
export const ManyStudents: Story = { args: { hub: { roster: largeRoster(3, 40) } } };

/** A thousand students in twenty-five courses: still one tab stop, cheap to re-render. */
export const ThousandStudents: Story = { args: { hub: { roster: largeRoster(25, 48), latencyMs: 400 } } };

/** `value` set by the host: no `change` event, and course checkboxes show mixed states. */
export const WithSelection: Story = { args: { value: ['s-01', 's-04', 's-06', 's-07', 's-08'] } };

export const Dark: Story = {
  args: { theme: 'dark', value: ['s-02', 's-05'] },
  globals: { backgrounds: { value: 'dark' } },
};

export const Disabled: Story = { args: { disabled: true, value: ['s-03'] } };
