/// <reference types="mocha" />
import { HubClient } from '@teacher-hub/core';
import type { HubChat } from '@teacher-hub/core';
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { ADA, CannedCalls, makeCall, withCalls } from '../../../../stories/support/canned-calls.ts';
import type { Person } from '../../../../stories/support/canned-calls.ts';
import { devToken, hubServer } from '../testing/hub-test-server.ts';
import type { HubChatElement } from './hub-chat.ts';
import './hub-chat.ts';

// The call button of <hub-chat>'s conversation header: the real hub and its chat emulator for the chat, a
// canned `client.calls` for the calls (what the button asks for, and the live calls it is shown).

const WAIT = { timeout: 8_000 };
const STUDENT: Person = { userId: 's-02', name: 'Student Two', role: 'student' };

async function directChat(): Promise<HubChat> {
  const ada = new HubClient({ server: hubServer(), tokenProvider: () => devToken('t-ada') });
  return (await ada.api.openDirectChat(STUDENT.userId)).chat;
}

async function openChat(calls: CannedCalls, chatId: string): Promise<HubChatElement> {
  const client = withCalls(
    new HubClient({ server: hubServer(), tokenProvider: () => devToken(calls.me.userId) }),
    calls,
  );
  return fixture<HubChatElement>(
    html`<hub-chat .client=${client} chat-id=${chatId} style="--hub-chat-height: 30rem"></hub-chat>`,
  );
}

/** The call button's shadow root, once the conversation has loaded. */
async function callButton(element: HubChatElement): Promise<ShadowRoot> {
  let root: ShadowRoot | null | undefined;
  await waitUntil(
    () => {
      root = element.shadowRoot
        ?.querySelector('hub-chat-conversation')
        ?.shadowRoot?.querySelector('hub-chat-call-button')?.shadowRoot;
      return root;
    },
    'the conversation did not load',
    WAIT,
  );
  return root!;
}

function buttonText(root: ShadowRoot): string {
  return (root.querySelector('button')?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

describe('<hub-chat> call button', () => {
  it('lets a teacher start a call in the chat; the button then says she is in it', async () => {
    const chat = await directChat();
    const calls = new CannedCalls(ADA);
    calls.latencyMs = 300;
    const element = await openChat(calls, chat.id);
    const root = await callButton(element);
    await waitUntil(() => buttonText(root) === 'Start call', 'no "Start call"', WAIT);
    root.querySelector('button')!.click();
    await waitUntil(() => buttonText(root) === 'Starting…', 'no busy state', WAIT);
    expect(root.querySelector('button')!.disabled).to.equal(true);
    await waitUntil(() => buttonText(root) === 'In call', 'not in the call', WAIT);
    expect(calls.log.filter((entry) => entry.method === 'start')).to.deep.equal([
      { method: 'start', args: [chat.id] },
    ]);
    expect(calls.holders).to.be.greaterThan(0, 'the button holds the calls connection');
  });

  it('offers the teacher "Join call" when a call is already going in the chat', async () => {
    const chat = await directChat();
    const calls = new CannedCalls(ADA);
    const call = makeCall({ chatId: chat.id, members: [ADA, STUDENT], status: 'active' });
    calls.store.set({ calls: { [call.id]: call } });
    const element = await openChat(calls, chat.id);
    const root = await callButton(element);
    await waitUntil(() => buttonText(root) === 'Join call', 'no "Join call"', WAIT);
    root.querySelector('button')!.click();
    await waitUntil(() => calls.log.some((entry) => entry.method === 'join'), 'did not join', WAIT);
    expect(calls.log.find((entry) => entry.method === 'join')).to.deep.equal({
      method: 'join',
      args: [call.id],
    });
  });

  it('shows a student no "Start call", and "Join call" only while a call in the chat is live', async () => {
    const chat = await directChat();
    const calls = new CannedCalls(STUDENT);
    const element = await openChat(calls, chat.id);
    const root = await callButton(element);
    // Give the role lookup time to finish: the button must stay absent, not merely not yet shown.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(root.querySelector('button')).to.equal(null);
    const call = makeCall({ chatId: chat.id, members: [ADA, STUDENT] });
    calls.ring(call);
    await waitUntil(() => buttonText(root) === 'Join call', 'no "Join call"', WAIT);
    calls.store.set({ calls: { [call.id]: { ...call, status: 'ended' } }, incoming: [] });
    await waitUntil(() => !root.querySelector('button'), 'the button stayed after the call ended', WAIT);
  });

  it('says in words when the call cannot start', async () => {
    const chat = await directChat();
    const calls = new CannedCalls(ADA);
    calls.failNext = new Error('No camera was found.');
    const element = await openChat(calls, chat.id);
    const root = await callButton(element);
    await waitUntil(() => buttonText(root) === 'Start call', 'no "Start call"', WAIT);
    root.querySelector('button')!.click();
    await waitUntil(() => root.querySelector('[role="alert"]'), 'no error', WAIT);
    expect(root.querySelector('[role="alert"]')!.textContent).to.equal(
      'The call could not start: No camera was found.',
    );
    expect(buttonText(root)).to.equal('Start call', 'and it can be tried again');
  });
});
