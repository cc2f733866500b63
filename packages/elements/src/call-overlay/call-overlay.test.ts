/// <reference types="mocha" />
import { HubClient } from '@teacher-hub/core';
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys, sendMouse } from '@web/test-runner-commands';
import {
  ADA,
  AMARA,
  CannedCalls,
  DIEGO,
  FARAH,
  makeCall,
  participant,
  withCalls,
} from '../../../../stories/support/canned-calls.ts';
import type { Person } from '../../../../stories/support/canned-calls.ts';
import { devToken, hubServer } from '../testing/hub-test-server.ts';
import type { CallOverlay } from './call-overlay.ts';
import './call-overlay.ts';

// The overlay against a canned `client.calls` (a store the test sets, and a log of the intents): the
// element's behaviour, not the hub's; the call lifecycle is tested against the real hub in core and e2e.
// The client itself is a real one for the test hub, as a page would have.

const WAIT = { timeout: 4_000 };

async function overlayFor(calls: CannedCalls, options: { muted?: boolean } = {}): Promise<CallOverlay> {
  const client = withCalls(
    new HubClient({ server: hubServer(), tokenProvider: () => devToken(calls.me.userId) }),
    calls,
  );
  return fixture<CallOverlay>(
    html`<call-overlay .client=${client} ?muted=${options.muted ?? true}></call-overlay>`,
  );
}

function shadow(element: CallOverlay): ShadowRoot {
  return element.shadowRoot!;
}

function ring(element: CallOverlay): HTMLElement | null {
  return shadow(element).querySelector('[part="ring"]');
}

/** The call view's shadow root (a lazily defined inner element), once it is there. */
function view(element: CallOverlay): ShadowRoot | null {
  return shadow(element).querySelector('hub-call-view')?.shadowRoot ?? null;
}

async function callView(element: CallOverlay): Promise<ShadowRoot> {
  await waitUntil(
    () => view(element)?.querySelector('[part~="controls"]'),
    'the call view did not open',
    WAIT,
  );
  return view(element)!;
}

function button(root: ParentNode, text: string): HTMLButtonElement {
  const found = [...root.querySelectorAll('button')].find(
    (candidate) => candidate.textContent?.trim() === text || candidate.getAttribute('aria-label') === text,
  );
  if (!found) throw new Error(`no "${text}" button`);
  return found;
}

function text(node: ParentNode | null | undefined): string {
  return (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/** The focused element, looking into open shadow roots. */
function deepActive(): Element | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

describe('<call-overlay>', () => {
  describe('ringing', () => {
    it('holds the calls connection while on the page and lets go when removed', async () => {
      const calls = new CannedCalls(AMARA);
      const element = await overlayFor(calls);
      expect(calls.holders).to.equal(1);
      element.remove();
      expect(calls.holders).to.equal(0);
    });

    it('names the caller and the chat, counts down, and focuses Accept', async () => {
      const calls = new CannedCalls(AMARA);
      const element = await overlayFor(calls);
      calls.ring(makeCall({ ringSeconds: 24 }));
      await waitUntil(() => ring(element), 'no ring', WAIT);
      const card = ring(element)!;
      expect(card.getAttribute('role')).to.equal('alertdialog');
      expect(text(card.querySelector('h2'))).to.equal('Ada Lovelace is calling · Algebra study group');
      expect(text(card.querySelector('[part="countdown"]'))).to.match(/^Rings for (23|24) s more$/);
      expect(deepActive()).to.equal(card.querySelector('[part="ring-accept"]'));
      await waitUntil(
        () => /Rings for (21|22) s more/.test(text(card.querySelector('[part="countdown"]'))),
        'the countdown did not move',
        WAIT,
      );
    });

    it('leaves the chat name out of a direct call (it is the callee’s own name)', async () => {
      const calls = new CannedCalls(AMARA);
      const element = await overlayFor(calls);
      calls.ring(makeCall({ chatName: AMARA.name, members: [ADA, AMARA] }));
      await waitUntil(() => ring(element), 'no ring', WAIT);
      expect(text(ring(element)!.querySelector('h2'))).to.equal('Ada Lovelace is calling');
    });

    it('Accept fires hub-call-accept, joins the call, and the ring gives way to the call view', async () => {
      const calls = new CannedCalls(AMARA, [participant(ADA)]);
      const element = await overlayFor(calls);
      const call = makeCall();
      calls.ring(call);
      await waitUntil(() => ring(element), 'no ring', WAIT);
      const accepted = oneEvent(element, 'hub-call-accept');
      button(ring(element)!, 'Accept').click();
      const event = await accepted;
      expect(event.detail).to.deep.equal({ callId: call.id });
      expect(event.bubbles && event.composed).to.equal(true);
      expect(calls.log.filter((entry) => entry.method === 'join')).to.deep.equal([
        { method: 'join', args: [call.id] },
      ]);
      await callView(element);
      expect(ring(element)).to.equal(null);
    });

    it('Decline fires hub-call-decline and declines; the ring goes', async () => {
      const calls = new CannedCalls(AMARA);
      const element = await overlayFor(calls);
      const call = makeCall();
      calls.ring(call);
      await waitUntil(() => ring(element), 'no ring', WAIT);
      const declined = oneEvent(element, 'hub-call-decline');
      button(ring(element)!, 'Decline').click();
      expect((await declined).detail).to.deep.equal({ callId: call.id });
      await waitUntil(() => !ring(element), 'the ring stayed', WAIT);
      expect(calls.log.at(-1)).to.deep.equal({ method: 'decline', args: [call.id] });
    });

    it('says so when joining fails, and keeps the ring', async () => {
      const calls = new CannedCalls(AMARA);
      const element = await overlayFor(calls);
      calls.ring(makeCall());
      await waitUntil(() => ring(element), 'no ring', WAIT);
      calls.failNext = new Error('The call is full.');
      button(ring(element)!, 'Accept').click();
      await waitUntil(() => ring(element)?.querySelector('[role="alert"]'), 'no error', WAIT);
      expect(text(ring(element)!.querySelector('[role="alert"]'))).to.equal(
        'The call could not be joined: The call is full.',
      );
    });

    it('disappears when the ring window closes, then shows the next ring', async () => {
      const calls = new CannedCalls(AMARA);
      const element = await overlayFor(calls);
      calls.ring(makeCall({ ringSeconds: 1.2 }));
      calls.ring(makeCall({ chatName: 'Biology lab', ringSeconds: 30 }));
      await waitUntil(() => ring(element), 'no ring', WAIT);
      expect(text(ring(element)))
        .to.contain('Algebra study group')
        .and.contain('1 more waiting');
      await waitUntil(() => text(ring(element)).includes('Biology lab'), 'the first ring did not end', WAIT);
      expect(text(ring(element))).not.to.contain('more waiting');
    });

    it('disappears when the live state takes the ring away', async () => {
      const calls = new CannedCalls(AMARA);
      const element = await overlayFor(calls);
      calls.ring(makeCall());
      await waitUntil(() => ring(element), 'no ring', WAIT);
      calls.store.set({ incoming: [] });
      await element.updateComplete;
      expect(ring(element)).to.equal(null);
    });

    it('says that the browser blocks the ringtone until the page is clicked', async () => {
      const calls = new CannedCalls(AMARA);
      const element = await overlayFor(calls, { muted: false });
      calls.ring(makeCall());
      // A page nobody has interacted with may not play sound (the test page never gets a real gesture).
      await waitUntil(() => ring(element)?.querySelector('[part="sound-hint"]'), 'no hint', WAIT);
      expect(text(ring(element)!.querySelector('[part="sound-hint"]'))).to.equal(
        'Sound is blocked by the browser — click anywhere to allow.',
      );
      // A real click anywhere on the page lets the tone start.
      await sendMouse({ type: 'click', position: [5, 5] });
      await waitUntil(() => !ring(element)?.querySelector('[part="sound-hint"]'), 'still blocked', WAIT);
      // …and stays allowed (a context that failed to resume would bring the hint back).
      await new Promise((resolve) => setTimeout(resolve, 300));
      await element.updateComplete;
      expect(ring(element)!.querySelector('[part="sound-hint"]')).to.equal(null);
    });

    it('is accessible', async () => {
      const calls = new CannedCalls(AMARA);
      const element = await overlayFor(calls);
      calls.ring(makeCall());
      await waitUntil(() => ring(element), 'no ring', WAIT);
      await expect(element).to.be.accessible();
    });
  });

  describe('in a call', () => {
    async function inCall(me: Person = ADA, others = [participant(AMARA), participant(FARAH)]) {
      const calls = new CannedCalls(me, others);
      const element = await overlayFor(calls);
      const call = makeCall({ members: [ADA, AMARA, FARAH, DIEGO] });
      calls.enter(call);
      return { calls, element, call, root: await callView(element) };
    }

    it('shows a tile per participant with their names, and plays each remote microphone', async () => {
      const { root } = await inCall();
      const names = [...root.querySelectorAll('[part="tile-name"]')].map((name) => text(name));
      expect(names).to.deep.equal(['Ada Lovelace (you)', 'Amara Okafor', 'Farah Haddad']);
      const videos = [...root.querySelectorAll<HTMLVideoElement>('[part="tile"] video')];
      expect(videos).to.have.length(3);
      expect(videos.every((video) => video.srcObject instanceof MediaStream && video.muted)).to.equal(true);
      expect(root.querySelectorAll('audio')).to.have.length(2, 'one <audio> per remote audio track');
      expect(text(root.querySelector('[role="dialog"] h2'))).to.equal('Call · Algebra study group');
    });

    it('marks a muted microphone and shows initials for a camera that is off', async () => {
      const { calls, root } = await inCall();
      expect(root.querySelectorAll('[part="mute-mark"]')).to.have.length(0);
      calls.update((active) => ({
        participants: active.participants.map((each) =>
          each.userId === AMARA.userId ? { ...each, audio: false, video: false } : each,
        ),
      }));
      await waitUntil(() => root.querySelector('[part="mute-mark"]'), 'no mute mark', WAIT);
      const tile = root.querySelector('[part="mute-mark"]')!.closest('[part="tile"]')!;
      expect(text(tile.querySelector('[part="tile-name"]'))).to.contain('Amara Okafor');
      expect(root.querySelector('[part="mute-mark"]')!.getAttribute('aria-label')).to.equal('Microphone off');
      expect(text(tile.querySelector('[part="avatar"]'))).to.equal('AO');
      expect(tile.querySelector('video')).to.equal(null);
    });

    it('toggles the microphone, camera and screen share through the API, with aria-pressed', async () => {
      const { calls, root } = await inCall();
      const microphone = button(root, 'Microphone');
      expect(microphone.getAttribute('aria-pressed')).to.equal('true');
      microphone.click();
      await waitUntil(() => microphone.getAttribute('aria-pressed') === 'false', 'still pressed', WAIT);
      button(root, 'Camera').click();
      await waitUntil(() => button(root, 'Camera').getAttribute('aria-pressed') === 'false', 'camera', WAIT);
      button(root, 'Share screen').click();
      await waitUntil(() => root.querySelector('[part="screen"] video'), 'no shared screen', WAIT);
      expect(text(root.querySelector('[part="screen"]'))).to.equal('You are sharing your screen');
      expect(calls.log.slice(-3)).to.deep.equal([
        { method: 'setMicrophone', args: [false] },
        { method: 'setCamera', args: [false] },
        { method: 'setScreenShare', args: [true] },
      ]);
    });

    it('shows a remote screen share large with the people in a strip', async () => {
      const { calls, root } = await inCall();
      calls.update((active) => ({
        participants: active.participants.map((each) =>
          each.userId === AMARA.userId
            ? { ...each, screen: true, screenTrack: participant(DIEGO).videoTrack }
            : each,
        ),
      }));
      await waitUntil(() => root.querySelector('[part="screen"]'), 'no screen', WAIT);
      expect(text(root.querySelector('[part="screen"] figcaption'))).to.equal(
        'Amara Okafor is sharing their screen',
      );
      expect(root.querySelectorAll('.strip [part="tile"]')).to.have.length(3);
    });

    it('lets the teacher end the call for everyone after confirming; the overlay closes', async () => {
      const { calls, element, call, root } = await inCall();
      button(root, 'End for everyone').click();
      await waitUntil(() => text(root).includes('End the call for everyone?'), 'no confirmation', WAIT);
      expect(calls.log.some((entry) => entry.method === 'end')).to.equal(false, 'not before confirming');
      const ended = oneEvent(element, 'hub-call-end');
      button(root, 'End call').click();
      expect((await ended).detail).to.deep.equal({ callId: call.id });
      await waitUntil(() => !shadow(element).querySelector('hub-call-view'), 'the view stayed', WAIT);
      expect(calls.log.at(-1)).to.deep.equal({ method: 'end', args: [call.id] });
      expect(text(shadow(element).querySelector('[part="toast"]'))).to.equal('The call has ended');
    });

    it('shows a session occurrence by its title; only its owner ends it for everyone', async () => {
      const session = {
        sessionId: 'session-1',
        occurrenceStart: '2026-12-08T16:00:00.000Z',
        title: 'Algebra review',
        ownerId: ADA.userId,
      };
      const callId = `session:${session.sessionId}|${session.occurrenceStart}`;
      const grace: Person = { userId: 't-grace', name: 'Grace Hopper', role: 'teacher' };
      const guest = new CannedCalls(grace, [participant(ADA)]);
      const guestElement = await overlayFor(guest);
      guest.enter(makeCall({ id: callId, members: [ADA, grace] }), { callId, session });
      const guestRoot = await callView(guestElement);
      expect(text(guestRoot.querySelector('[role="dialog"] h2'))).to.equal('Session · Algebra review');
      expect(text(guestRoot)).not.to.contain('End for everyone', 'another teacher may only leave');

      const owner = new CannedCalls(ADA, [participant(AMARA)]);
      const element = await overlayFor(owner);
      owner.enter(makeCall({ id: callId, members: [ADA, AMARA] }), { callId, session });
      const root = await callView(element);
      button(root, 'End for everyone').click();
      await waitUntil(() => text(root).includes('End the session for everyone?'), 'no confirmation', WAIT);
      button(root, 'End session').click();
      await waitUntil(() => !shadow(element).querySelector('hub-call-view'), 'the view stayed', WAIT);
      expect(owner.log.at(-1)).to.deep.equal({ method: 'end', args: [callId] });
      expect(text(shadow(element).querySelector('[part="toast"]'))).to.equal('The session has ended');
    });

    it('backs out of the end confirmation with Cancel or Escape', async () => {
      const { calls, root } = await inCall();
      button(root, 'End for everyone').click();
      await waitUntil(() => text(root).includes('End the call for everyone?'), 'no confirmation', WAIT);
      button(root, 'Cancel').click();
      await waitUntil(() => !text(root).includes('End the call for everyone?'), 'still confirming', WAIT);
      button(root, 'End for everyone').click();
      await waitUntil(() => text(root).includes('End the call for everyone?'), 'no confirmation', WAIT);
      await sendKeys({ press: 'Escape' });
      await waitUntil(
        () => !text(root).includes('End the call for everyone?'),
        'Escape did not cancel',
        WAIT,
      );
      expect(calls.log.some((entry) => entry.method === 'end')).to.equal(false);
    });

    it('gives a student Leave but no "End for everyone"; Leave leaves and the overlay closes', async () => {
      const { calls, element, call, root } = await inCall(AMARA, [participant(ADA), participant(FARAH)]);
      expect(() => button(root, 'End for everyone')).to.throw();
      const left = oneEvent(element, 'hub-call-leave');
      button(root, 'Leave').click();
      expect((await left).detail).to.deep.equal({ callId: call.id });
      await waitUntil(() => !shadow(element).querySelector('hub-call-view'), 'the view stayed', WAIT);
      expect(calls.log.at(-1)).to.deep.equal({ method: 'leave', args: [] });
      expect(shadow(element).querySelector('[part="toast"]')).to.equal(null, 'leaving is no news');
    });

    it('closes with "The call has ended" when the teacher ends it from elsewhere', async () => {
      const { calls, element } = await inCall(AMARA, [participant(ADA)]);
      calls.update(() => ({ connection: 'ended', participants: [] }));
      await waitUntil(() => !shadow(element).querySelector('hub-call-view'), 'the view stayed', WAIT);
      expect(text(shadow(element).querySelector('[part="toast"]'))).to.equal('The call has ended');
    });

    it('shows the connection state', async () => {
      const { calls, root } = await inCall();
      calls.update(() => ({ connection: 'reconnecting' }));
      await waitUntil(() => text(root.querySelector('.connection')) === 'Reconnecting…', 'no state', WAIT);
      calls.update(() => ({ connection: 'joining' }));
      await waitUntil(() => text(root.querySelector('.connection')) === 'Connecting…', 'no state', WAIT);
    });

    it('explains a refused camera in words, with what to do, and can be dismissed', async () => {
      const { calls, root } = await inCall();
      calls.update(() => ({
        error: { code: 'permission-denied', message: 'Camera and microphone are blocked.' },
      }));
      await waitUntil(() => root.querySelector('[part="error"]'), 'no error', WAIT);
      const error = root.querySelector('[part="error"]')!;
      expect(error.getAttribute('role')).to.equal('alert');
      expect(text(error)).to.contain('The browser is not allowing your camera or microphone.');
      expect(text(error)).to.contain('set Camera and Microphone to "Allow" for this site');
      button(error, 'Dismiss').click();
      await waitUntil(() => !root.querySelector('[part="error"]'), 'still shown', WAIT);
    });

    it('minimises to a floating tile and restores; Escape does not end the call', async () => {
      const { calls, element, root } = await inCall();
      await sendKeys({ press: 'Escape' });
      expect(calls.log.some((entry) => entry.method === 'leave' || entry.method === 'end')).to.equal(false);
      button(root, 'Minimise').click();
      await waitUntil(() => root.querySelector('[part="minimised"]'), 'not minimised', WAIT);
      expect(element.minimised).to.equal(true);
      expect(root.querySelector('[part="call"]')).to.equal(null);
      const mini = root.querySelector('[part="minimised"]')!;
      expect(text(mini)).to.contain('Amara Okafor');
      expect(mini.querySelector('video')).not.to.equal(null, 'the first remote camera');
      expect(root.querySelectorAll('audio')).to.have.length(2, 'the others are still heard');
      expect(deepActive()).to.equal(button(mini, 'Restore call'));
      button(mini, 'Restore call').click();
      await waitUntil(() => root.querySelector('[part="call"]'), 'not restored', WAIT);
      expect(element.minimised).to.equal(false);
    });

    it('reaches every control with Tab', async () => {
      const { root } = await inCall();
      const wanted = ['Minimise', 'Microphone', 'Camera', 'Share screen', 'Leave', 'End for everyone'].map(
        (label) => button(root, label),
      );
      const reached = new Set<Element | null>();
      for (let i = 0; i < 12; i++) {
        await sendKeys({ press: 'Tab' });
        reached.add(deepActive());
      }
      for (const control of wanted) expect(reached.has(control), text(control)).to.equal(true);
    });

    it('is accessible, in full and minimised', async () => {
      const { element, root } = await inCall();
      await expect(element).to.be.accessible();
      button(root, 'Minimise').click();
      await waitUntil(() => root.querySelector('[part="minimised"]'), 'not minimised', WAIT);
      await expect(element).to.be.accessible();
    });
  });
});
