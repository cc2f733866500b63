import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import '@teacher-hub/elements';
import {
  ADA,
  AMARA,
  CannedCalls,
  DIEGO,
  FARAH,
  cannedCallsClient,
  fakeScreenTrack,
  makeCall,
  participant,
} from './support/canned-calls.ts';
import type { Person } from './support/canned-calls.ts';
import { largeRoster } from './support/canned-hub.ts';

/** What a story sets up on its canned `client.calls` (a fresh one per render). */
type Scene = (calls: CannedCalls) => void;

interface OverlayArgs {
  scene: Scene;
  /** Who is signed in. */
  me: 'teacher' | 'student';
  muted: boolean;
  minimised: boolean;
  theme: 'light' | 'dark' | 'auto';
}

const GROUP = makeCall({ members: [ADA, AMARA, FARAH, DIEGO], status: 'active' });

/** In Ada's group call with Amara and Farah (cameras on). */
const inCall: Scene = (calls) => calls.enter(GROUP);

const meta: Meta<OverlayArgs> = {
  title: 'Elements/call-overlay',
  component: 'call-overlay',
  tags: ['autodocs'],
  args: { scene: inCall, me: 'teacher', muted: true, minimised: false, theme: 'light' },
  argTypes: {
    scene: { table: { disable: true } },
    me: { control: 'inline-radio', options: ['teacher', 'student'] },
    theme: { control: 'inline-radio', options: ['light', 'dark', 'auto'] },
  },
  parameters: {
    layout: 'fullscreen',
    // The overlay is fixed-position: each story gets a frame of its own on the docs page.
    docs: { story: { inline: false, iframeHeight: 560 } },
  },
  // Over a host page, as in the demo LMS.
  render: ({ scene, me, muted, minimised, theme }) => {
    const calls = new CannedCalls(
      me === 'teacher' ? ADA : AMARA,
      me === 'teacher' ? [participant(AMARA), participant(FARAH)] : [participant(ADA), participant(FARAH)],
    );
    scene(calls);
    return html`
      <div style="min-height: 100vh; background: #f1f5f9; font: 15px system-ui, sans-serif; color: #0f172a">
        <div
          style="display: flex; align-items: center; padding: 0.6rem 1.5rem; min-height: 3.5rem; background: #0f766e; color: #fff"
        >
          <strong>Riverside LMS</strong>
        </div>
        <main style="padding: 1.5rem; max-width: 48rem">
          <h1 style="margin-top: 0">Algebra I</h1>
          <p>Week 6 · Quadratic equations. Read chapter 4 and try the exercises before Thursday.</p>
        </main>
        <call-overlay
          .client=${cannedCallsClient(calls)}
          ?muted=${muted}
          ?minimised=${minimised}
          theme=${theme}
          @hub-call-accept=${(event: CustomEvent) => console.info('hub-call-accept', event.detail)}
          @hub-call-decline=${(event: CustomEvent) => console.info('hub-call-decline', event.detail)}
          @hub-call-leave=${(event: CustomEvent) => console.info('hub-call-leave', event.detail)}
          @hub-call-end=${(event: CustomEvent) => console.info('hub-call-end', event.detail)}
        ></call-overlay>
      </div>
    `;
  },
};
export default meta;

type Story = StoryObj<OverlayArgs>;

/**
 * Ada calls the study group: the student's page rings for 30 s. Accept joins (the canned call has Ada and
 * Farah in it), Decline makes it go away. Unmute it to hear the ringtone (after a click on the page).
 */
export const Ringing: Story = {
  args: {
    me: 'student',
    scene: (calls) => calls.ring(makeCall({ members: [ADA, AMARA, FARAH] })),
  },
};

/** The teacher in a call with two students: her own camera first (mirrored), "End for everyone". */
export const Teacher: Story = { name: 'In call (teacher, 3 people)' };

/** A student in the same call: no "End for everyone". */
export const Student: Story = { name: 'In call (student)', args: { me: 'student' } };

/** Joining: the call view is there at once with your own camera, and says Connecting… until the others are. */
export const Connecting: Story = {
  args: {
    scene: (calls) => {
      calls.enter(GROUP, { connection: 'joining' });
      calls.update((active) => ({ participants: active.participants.filter((each) => each.isLocal) }));
    },
  },
};

/** No call and no ring: the overlay shows nothing (it sits on every page, waiting). */
export const Idle: Story = { args: { scene: () => undefined } };

/** Twelve students in Ada's class call: the tiles shrink to fit; some have their camera off or are muted. */
export const ManyPeople: Story = {
  name: 'Many people (13)',
  args: {
    scene: (calls) => {
      const students = largeRoster(1, 12).courses[0]!.students.map((student): Person => ({
        userId: student.id,
        name: student.name,
        role: 'student',
      }));
      calls.enter(makeCall({ members: [ADA, ...students], status: 'active' }));
      calls.update((active) => ({
        participants: [
          ...active.participants.filter((each) => each.isLocal),
          ...students.map((student, index) =>
            participant(student, { video: index % 3 !== 2, audio: index % 4 !== 3 }),
          ),
        ],
      }));
    },
  },
};

/** Amara shares her screen: it is shown large, the people in a strip. */
export const ScreenShare: Story = {
  args: {
    scene: (calls) => {
      calls.enter(GROUP);
      calls.update((active) => ({
        participants: active.participants.map((each) =>
          each.userId === AMARA.userId ? { ...each, screen: true, screenTrack: fakeScreenTrack() } : each,
        ),
      }));
    },
  },
};

/** Farah is muted and has her camera off; the teacher's own microphone is off too. */
export const MutedAndCameraOff: Story = {
  name: 'Muted & camera off',
  args: {
    scene: (calls) => {
      calls.enter(GROUP, { media: { audio: false, video: true, screen: false } });
      calls.update((active) => ({
        participants: active.participants.map((each) =>
          each.userId === FARAH.userId
            ? { ...each, audio: false, video: false, audioTrack: null, videoTrack: null }
            : each,
        ),
      }));
    },
  },
};

/** The browser refused the camera and microphone: what to do, in words; the call goes on without them. */
export const Error: Story = {
  name: 'Permission error',
  args: {
    scene: (calls) =>
      calls.enter(GROUP, {
        media: { audio: false, video: false, screen: false },
        error: { code: 'permission-denied', message: 'Camera and microphone are blocked.' },
      }),
  },
};

/** Reconnecting after a network hiccup. */
export const Reconnecting: Story = {
  args: { scene: (calls) => calls.enter(GROUP, { connection: 'reconnecting' }) },
};

/** Minimised to a floating tile showing the first remote camera; Restore brings the call back. */
export const Minimised: Story = { args: { minimised: true } };

/** On a phone: the call fills the screen and the controls are icon buttons (with labels for readers). */
export const Mobile: Story = {
  globals: { viewport: { value: 'mobile2', isRotated: false } },
};

/** A phone ringing: the card spans the bottom of the screen. */
export const MobileRinging: Story = {
  ...Ringing,
  globals: { viewport: { value: 'mobile2', isRotated: false } },
};

export const Dark: Story = {
  args: {
    theme: 'dark',
    me: 'student',
    scene: (calls) => calls.ring(makeCall({ members: [ADA, AMARA, FARAH] })),
  },
};
