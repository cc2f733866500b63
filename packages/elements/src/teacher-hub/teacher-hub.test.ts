/// <reference types="mocha" />
import { HubClient } from '@teacher-hub/core';
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import { ADA, AMARA, CannedCalls, makeCall, withCalls } from '../../../../stories/support/canned-calls.ts';
import { CannedSessions, makeOccurrence, withSessions } from '../../../../stories/support/canned-sessions.ts';
import { devToken, hubServer } from '../testing/hub-test-server.ts';
import { parseHubLink } from './hub-links.ts';
import { buttonNamed, root, tab, text } from './teacher-hub-test-helpers.ts';
import type { TeacherHub } from './teacher-hub.ts';
import './teacher-hub.ts';
// The parts <teacher-hub> loads when an area or dialog first opens, defined up front: these tests are about
// what the parts do inside the hub, not about when they load.
import '../session-calendar/session-calendar.ts';
import '../session-scheduler/session-scheduler.ts';
import '../student-picker/student-picker.ts';
import '../upcoming-sessions/upcoming-sessions.ts';
import './hub-past-sessions.ts';

// The hub page against a real client for Ada on the test hub, with canned calls and sessions where a test
// needs a given state (something live, past sessions with attendance). What the hub itself does with the
// quick actions is in teacher-hub.hub.test.ts.

const WAIT = { timeout: 5_000 };

/** What a button's content gives its accessible name: its text without the `aria-hidden` parts. */
function nameFromContent(element: Element): string {
  const parts: string[] = [];
  const walk = (node: Node): void => {
    if (node instanceof Element && node.getAttribute('aria-hidden') === 'true') return;
    if (node.nodeType === Node.TEXT_NODE) parts.push(node.textContent ?? '');
    node.childNodes.forEach(walk);
  };
  walk(element);
  return parts.join(' ').replace(/\s+/g, ' ').trim();
}

function selectedTab(hub: TeacherHub): string {
  return text(root(hub).querySelector('[role="tab"][aria-selected="true"] .tab-label'));
}

function visibleArea(hub: TeacherHub): HTMLElement {
  const areas = [...root(hub).querySelectorAll<HTMLElement>('[role="tabpanel"]')].filter(
    (area) => !area.hidden,
  );
  expect(areas).to.have.length(1, 'exactly one area shows');
  return areas[0]!;
}

function dialogNamed(hub: TeacherHub, name: string): HTMLDialogElement {
  const found = [...root(hub).querySelectorAll('dialog')].find((dialog) => {
    const labelledBy = dialog.getAttribute('aria-labelledby');
    const label = labelledBy ? text(root(hub).getElementById(labelledBy)) : dialog.getAttribute('aria-label');
    return label === name;
  });
  if (!found) throw new Error(`no dialog named "${name}"`);
  return found;
}

function adaClient(): HubClient {
  return new HubClient({ server: hubServer(), tokenProvider: () => devToken('t-ada') });
}

async function hubFor(
  client: HubClient,
  attributes: { routing?: 'hash' | 'none'; theme?: 'light' | 'dark' } = {},
): Promise<TeacherHub> {
  const hub = await fixture<TeacherHub>(
    html`<teacher-hub
      .client=${client}
      routing=${attributes.routing ?? 'none'}
      theme=${attributes.theme ?? 'light'}
    ></teacher-hub>`,
  );
  await hub.updateComplete;
  return hub;
}

describe('parseHubLink', () => {
  it('reads the links notifications and push open', () => {
    expect(parseHubLink('#chat/c-1')).to.deep.equal({ kind: 'chat', chatId: 'c-1' });
    expect(parseHubLink('#call/call%201')).to.deep.equal({ kind: 'call', callId: 'call 1' });
    expect(parseHubLink('#session/s-1')).to.deep.equal({
      kind: 'session',
      sessionId: 's-1',
      occurrenceStart: undefined,
    });
    expect(parseHubLink(`#session/s-1/${encodeURIComponent('2026-12-01T08:00:00.000Z')}`)).to.deep.equal({
      kind: 'session',
      sessionId: 's-1',
      occurrenceStart: '2026-12-01T08:00:00.000Z',
    });
    expect(parseHubLink('#notifications')).to.deep.equal({ kind: 'notifications' });
  });

  it('ignores the host page’s own anchors and malformed links', () => {
    for (const hash of ['', '#', '#main', '#chat/', '#chat/a/b', '#call', '#session//x', '#chat/%E0%A4%A']) {
      expect(parseHubLink(hash), hash).to.equal(undefined);
    }
  });
});

describe('<teacher-hub>', () => {
  afterEach(async () => {
    await setViewport({ width: 800, height: 600 });
  });

  it('shows the three quick actions, the bell and the three areas as tabs, and is accessible', async () => {
    const hub = await hubFor(adaClient());
    const actions = root(hub).querySelector('[role="group"][aria-label="Quick actions"]')!;
    expect([...actions.querySelectorAll('button')].map((button) => text(button))).to.deep.equal([
      'Start instant session',
      'Schedule session',
      'New chat',
    ]);
    expect(root(hub).querySelector('notification-center') !== null).to.equal(true);
    expect(root(hub).querySelector('call-overlay') !== null).to.equal(true);
    const tabs = [...root(hub).querySelectorAll('[role="tablist"] [role="tab"]')];
    expect(tabs.map((each) => text(each.querySelector('.tab-label')))).to.deep.equal([
      'Chats',
      'Sessions',
      'Live now',
    ]);
    expect(selectedTab(hub)).to.equal('Chats');
    expect(visibleArea(hub).querySelector('hub-chat') !== null).to.equal(true);
    for (const area of root(hub).querySelectorAll('[role="tabpanel"]')) {
      const label = root(hub).getElementById(area.getAttribute('aria-labelledby')!);
      expect(label?.getAttribute('role')).to.equal('tab');
    }
    await expect(hub).to.be.accessible();
  });

  it('shares its one client with every element inside, in its shadow root and among its children', async () => {
    const client = adaClient();
    const hub = await fixture<TeacherHub>(
      html`<teacher-hub .client=${client} routing="none"
        ><upcoming-sessions></upcoming-sessions
      ></teacher-hub>`,
    );
    await hub.updateComplete;
    const inner = root(hub).querySelectorAll(
      'hub-chat, session-calendar, upcoming-sessions, hub-past-sessions, notification-center, call-overlay, student-picker',
    );
    expect(inner.length).to.be.at.least(7);
    for (const element of inner) {
      const shared = (element as unknown as { client: unknown }).client === client;
      expect(shared, element.localName).to.equal(true);
    }
    expect(hub.querySelector('upcoming-sessions')!.client === client).to.equal(true, 'light-DOM child');
  });

  it('moves between the tabs with the arrow keys, Home and End, and into an area on activation', async () => {
    const hub = await hubFor(adaClient());
    tab(hub, 'Chats').focus();
    await sendKeys({ press: 'ArrowRight' });
    await hub.updateComplete;
    expect(selectedTab(hub)).to.equal('Sessions');
    expect(root(hub).activeElement?.id).to.equal('tab-sessions');
    expect(visibleArea(hub).querySelector('session-calendar') !== null).to.equal(true);
    expect(tab(hub, 'Sessions').tabIndex).to.equal(0);
    expect(tab(hub, 'Chats').tabIndex).to.equal(-1);

    await sendKeys({ press: 'End' });
    await hub.updateComplete;
    expect(selectedTab(hub)).to.equal('Live now');
    await sendKeys({ press: 'ArrowRight' });
    await hub.updateComplete;
    expect(selectedTab(hub)).to.equal('Chats', 'wraps around');
    await sendKeys({ press: 'ArrowLeft' });
    await hub.updateComplete;
    expect(selectedTab(hub)).to.equal('Live now');
    await sendKeys({ press: 'Home' });
    await hub.updateComplete;
    expect(selectedTab(hub)).to.equal('Chats');

    tab(hub, 'Sessions').click();
    await hub.updateComplete;
    expect(root(hub).activeElement?.id).to.equal('area-sessions', 'focus moved into the area');
    expect(visibleArea(hub).id).to.equal('area-sessions');
  });

  it('goes to the next area with F6 and back with Shift+F6', async () => {
    const hub = await hubFor(adaClient());
    tab(hub, 'Chats').focus();
    await sendKeys({ press: 'F6' });
    await hub.updateComplete;
    expect(selectedTab(hub)).to.equal('Sessions');
    expect(root(hub).activeElement?.id).to.equal('area-sessions');
    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'F6' });
    await sendKeys({ up: 'Shift' });
    await hub.updateComplete;
    expect(selectedTab(hub)).to.equal('Chats');
    expect(root(hub).activeElement?.id).to.equal('area-chats');
  });

  it('opens Start instant session with a picker; Start session waits for a pick; Cancel closes', async () => {
    const hub = await hubFor(adaClient());
    buttonNamed(root(hub), 'Start instant session').click();
    await hub.updateComplete;
    const dialog = dialogNamed(hub, 'Start instant session');
    expect(dialog.open).to.equal(true);
    expect(dialog.querySelector('student-picker') !== null).to.equal(true);
    const start = buttonNamed(dialog, 'Start session');
    expect(start.disabled).to.equal(true);

    const picker = dialog.querySelector('student-picker')!;
    picker.value = ['s-01'];
    picker.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
    await hub.updateComplete;
    expect(start.disabled).to.equal(false);
    expect(text(dialog)).to.contain('1 student picked.');

    buttonNamed(dialog, 'Cancel').click();
    await oneEvent(dialog, 'close');
    await hub.updateComplete;
    expect(dialog.open).to.equal(false);
    expect(picker.value).to.deep.equal([], 'a new dialog starts with nobody picked');
    expect(buttonNamed(dialog, 'Start session').disabled).to.equal(true);
  });

  it('says in words when the instant session could not start', async () => {
    const calls = new CannedCalls(ADA);
    calls.failNext = new Error('The hub refused.');
    const hub = await hubFor(withCalls(adaClient(), calls));
    hub.openInstantSession();
    await hub.updateComplete;
    const dialog = dialogNamed(hub, 'Start instant session');
    const picker = dialog.querySelector('student-picker')!;
    picker.value = ['s-01', 's-02'];
    picker.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
    await hub.updateComplete;
    buttonNamed(dialog, 'Start session').click();
    await waitUntil(() => dialog.querySelector('[role="alert"]'), 'no error shown', WAIT);
    expect(text(dialog.querySelector('[role="alert"]'))).to.contain('could not be started');
    expect(calls.log.find((entry) => entry.method === 'startWith')?.args[0]).to.deep.equal(['s-01', 's-02']);
    expect(dialog.open).to.equal(true, 'stays open to try again');
  });

  it('opens Schedule session with the scheduler and closes it when the session is saved', async () => {
    const hub = await hubFor(adaClient());
    buttonNamed(root(hub), 'Schedule session').click();
    await hub.updateComplete;
    const dialog = dialogNamed(hub, 'Schedule session');
    expect(dialog.open).to.equal(true);
    const scheduler = dialog.querySelector('session-scheduler')!;
    expect(scheduler !== null).to.equal(true);
    expect(scheduler.hasAttribute('session-id')).to.equal(false);
    scheduler.dispatchEvent(new CustomEvent('hub-session-saved', { bubbles: true, composed: true }));
    expect(dialog.open).to.equal(false);
    await oneEvent(dialog, 'close');
    await hub.updateComplete;
    expect(dialog.querySelector('session-scheduler') === null).to.equal(true, 'a fresh form next time');
  });

  it('opens the scheduler on the session the calendar asks to edit', async () => {
    const hub = await hubFor(adaClient());
    const calendar = root(hub).querySelector('session-calendar')!;
    calendar.dispatchEvent(
      new CustomEvent('hub-session-edit', {
        detail: { sessionId: 'ses-9', occurrenceStart: '2026-12-01T08:00:00.000Z', scope: 'occurrence' },
        bubbles: true,
        composed: true,
      }),
    );
    await hub.updateComplete;
    const dialog = dialogNamed(hub, 'Edit session');
    expect(dialog.open).to.equal(true);
    const scheduler = dialog.querySelector('session-scheduler')!;
    expect(scheduler.getAttribute('session-id')).to.equal('ses-9');
    expect(scheduler.getAttribute('occurrence-start')).to.equal('2026-12-01T08:00:00.000Z');
    buttonNamed(dialog, 'Close').click();
    await hub.updateComplete;
    expect(dialog.open).to.equal(false);
  });

  it('New chat shows the Chats area with the new-chat form', async () => {
    const hub = await hubFor(adaClient());
    tab(hub, 'Live now').click();
    await hub.updateComplete;
    buttonNamed(root(hub), 'New chat').click();
    const chat = root(hub).querySelector('hub-chat')!;
    await waitUntil(() => chat.shadowRoot?.querySelector('hub-chat-new'), 'no new-chat form', WAIT);
    expect(selectedTab(hub)).to.equal('Chats');
  });

  it('follows deep links: a chat, the bell, and a call that is not live shows Live now', async () => {
    const hub = await hubFor(adaClient());
    hub.navigate('#chat/chat-42');
    await waitUntil(() => root(hub).querySelector('hub-chat')?.chatId === 'chat-42', 'chat not opened', WAIT);
    expect(selectedTab(hub)).to.equal('Chats');

    hub.navigate('#call/no-such-call');
    await waitUntil(() => selectedTab(hub) === 'Live now', 'Live now not shown', WAIT);

    hub.navigate('#notifications');
    const bell = root(hub).querySelector('notification-center')!;
    await waitUntil(() => bell.open, 'the bell did not open', WAIT);
  });

  it('opens a session link on the calendar, with the occurrence’s details', async () => {
    const occurrence = makeOccurrence({ title: 'Linked review', startsInMinutes: 3 * 24 * 60 });
    const sessions = new CannedSessions([occurrence]);
    const hub = await hubFor(withSessions(adaClient(), sessions));
    hub.navigate(`#session/${occurrence.sessionId}/${encodeURIComponent(occurrence.occurrenceStart)}`);
    const calendar = root(hub).querySelector('session-calendar')!;
    await waitUntil(
      () => calendar.shadowRoot?.querySelector('dialog[open]'),
      'the details did not open',
      WAIT,
    );
    expect(selectedTab(hub)).to.equal('Sessions');
    expect(text(calendar.shadowRoot!.querySelector('dialog[open] h2'))).to.equal('Linked review');
  });

  it('joins a ringing call from its link', async () => {
    const calls = new CannedCalls(ADA);
    const call = makeCall({ startedBy: AMARA, members: [AMARA, ADA] });
    calls.ring(call);
    const hub = await hubFor(withCalls(adaClient(), calls));
    hub.navigate(`#call/${call.id}`);
    await waitUntil(() => calls.log.some((entry) => entry.method === 'join'), 'did not join', WAIT);
    expect(calls.log.find((entry) => entry.method === 'join')?.args[0]).to.equal(call.id);
  });

  it('follows location.hash with routing="hash", and inner "open chat" links set it', async () => {
    const before = location.hash;
    try {
      const hub = await hubFor(adaClient(), { routing: 'hash' });
      location.hash = '#chat/from-hash';
      await waitUntil(
        () => root(hub).querySelector('hub-chat')?.chatId === 'from-hash',
        'not followed',
        WAIT,
      );

      tab(hub, 'Sessions').click();
      await hub.updateComplete;
      const upcoming = root(hub).querySelector('upcoming-sessions')!;
      const event = new CustomEvent('hub-open-chat', {
        detail: { chatId: 'session-chat' },
        bubbles: true,
        composed: true,
        cancelable: true,
      });
      upcoming.dispatchEvent(event);
      expect(event.defaultPrevented).to.equal(true);
      expect(location.hash).to.equal('#chat/session-chat');
      await waitUntil(() => selectedTab(hub) === 'Chats', 'Chats not shown', WAIT);
      expect(root(hub).querySelector('hub-chat')!.chatId).to.equal('session-chat');
    } finally {
      history.replaceState(null, '', before || location.pathname);
    }
  });

  it('opens the link of a browser notification clicked while the page is open', async () => {
    const before = location.hash;
    try {
      const hub = await hubFor(adaClient(), { routing: 'hash' });
      // What the service worker posts on a click (core/src/notifications/service-worker.ts).
      navigator.serviceWorker.dispatchEvent(
        new MessageEvent('message', {
          data: { type: 'teacher-hub:navigate', link: '#chat/pushed', notificationId: '' },
        }),
      );
      await waitUntil(() => root(hub).querySelector('hub-chat')?.chatId === 'pushed', 'not opened', WAIT);
      expect(selectedTab(hub)).to.equal('Chats');
    } finally {
      history.replaceState(null, '', before || location.pathname);
    }
  });

  it('ignores F6 while a dialog is open over the areas', async () => {
    const hub = await hubFor(adaClient());
    hub.openInstantSession();
    await hub.updateComplete;
    await sendKeys({ press: 'F6' });
    await hub.updateComplete;
    expect(selectedTab(hub)).to.equal('Chats');
    expect(dialogNamed(hub, 'Start instant session').open).to.equal(true);
  });

  it('leaves location.hash alone with routing="none"', async () => {
    const before = location.hash;
    const hub = await hubFor(adaClient(), { routing: 'none' });
    hub.navigate('#chat/quiet');
    await waitUntil(() => root(hub).querySelector('hub-chat')?.chatId === 'quiet', 'not opened', WAIT);
    expect(location.hash).to.equal(before);
  });

  it('lists live calls and sessions with Join, counts them on the tab, and says when nothing is live', async () => {
    const calls = new CannedCalls(ADA);
    const sessions = new CannedSessions();
    const hub = await hubFor(withSessions(withCalls(adaClient(), calls), sessions));
    tab(hub, 'Live now').click();
    await hub.updateComplete;
    expect(text(visibleArea(hub))).to.contain('Nothing is live');
    expect(root(hub).querySelector<HTMLElement>('[part~="live-count"]')!.hidden).to.equal(true);

    const call = makeCall({ status: 'active', chatName: 'Study group' });
    calls.store.set({ calls: { [call.id]: call } });
    const live = makeOccurrence({ title: 'Algebra live', startsInMinutes: -10, status: 'live' });
    sessions.store.set({ live: [live] });
    await hub.updateComplete;
    const items = [...visibleArea(hub).querySelectorAll('[part~="live-item"]')];
    expect(items.map((item) => text(item.querySelector('h3')))).to.deep.equal([
      'Study group',
      'Algebra live',
    ]);
    const count = root(hub).querySelector<HTMLElement>('[part~="live-count"]')!;
    expect(count.hidden).to.equal(false);
    expect(text(count)).to.equal('2');
    expect(nameFromContent(tab(hub, 'Live now'))).to.equal('Live now', 'the count is its description');
    const description = root(hub).getElementById(tab(hub, 'Live now').getAttribute('aria-describedby')!);
    expect(text(description)).to.equal('2 live');

    buttonNamed(items[1]!, 'Join').click();
    await waitUntil(() => sessions.log.some((entry) => entry.method === 'join'), 'did not join', WAIT);
    const callJoin = buttonNamed(items[0]!, 'Join');
    await waitUntil(() => !callJoin.disabled, 'Join stays disabled after the other join', WAIT);
    callJoin.click();
    await waitUntil(() => calls.log.some((entry) => entry.method === 'join'), 'did not join the call', WAIT);
    await expect(hub).to.be.accessible();
  });

  it('lists past sessions with who attended, loaded when opened', async () => {
    const past = makeOccurrence({ title: 'Last week’s review', startsInMinutes: -7 * 24 * 60 });
    const sessions = new CannedSessions([past]);
    sessions.attendance = async () => [
      { userId: 's-01', name: 'Amara Okafor', status: 'present', minutes: 45 },
      { userId: 's-02', name: 'Ben Carter', status: 'late', minutes: 30 },
      { userId: 's-03', name: 'Chen Wei', status: 'absent', minutes: 0 },
    ];
    const hub = await hubFor(withSessions(adaClient(), sessions));
    tab(hub, 'Sessions').click();
    const list = root(hub).querySelector('hub-past-sessions')!;
    await waitUntil(() => text(list.shadowRoot).includes('Last week’s review'), 'not listed', WAIT);
    const toggle = buttonNamed(list.shadowRoot!, 'Who attended');
    expect(toggle.getAttribute('aria-expanded')).to.equal('false');
    toggle.click();
    await waitUntil(() => text(list.shadowRoot).includes('Amara Okafor'), 'no attendance', WAIT);
    expect(text(list.shadowRoot)).to.contain('1 present · 1 late · 0 left early · 1 absent');
    expect(toggle.getAttribute('aria-expanded')).to.equal('true');
  });

  it('explains a failed load of past sessions and loads them again with Retry', async () => {
    const past = makeOccurrence({ title: 'Last week’s review', startsInMinutes: -7 * 24 * 60 });
    const sessions = new CannedSessions([past]);
    sessions.failLoads = 100;
    const hub = await hubFor(withSessions(adaClient(), sessions));
    tab(hub, 'Sessions').click();
    const list = root(hub).querySelector('hub-past-sessions')!;
    await waitUntil(() => list.shadowRoot?.querySelector('[role="alert"]'), 'no error shown', WAIT);
    expect(text(list.shadowRoot?.querySelector('[role="alert"]'))).to.contain(
      'Past sessions could not be loaded.',
    );
    sessions.failLoads = 0;
    buttonNamed(list.shadowRoot!, 'Retry').click();
    await waitUntil(
      () => text(list.shadowRoot).includes('Last week’s review'),
      'not listed after Retry',
      WAIT,
    );
    expect(list.shadowRoot?.querySelector('[role="alert"]')).to.equal(null);
  });

  it('fits a phone’s width without scrolling sideways', async () => {
    await setViewport({ width: 360, height: 740 });
    const hub = await hubFor(adaClient());
    for (const area of ['Chats', 'Sessions', 'Live now']) {
      tab(hub, area).click();
      await hub.updateComplete;
      await new Promise((resolve) => requestAnimationFrame(resolve));
      const base = root(hub).querySelector<HTMLElement>('.base')!;
      expect(base.scrollWidth, area).to.be.at.most(base.clientWidth + 1);
      expect(document.documentElement.scrollWidth, area).to.be.at.most(360);
    }
    const actions = [...root(hub).querySelectorAll<HTMLElement>('[part~="quick-action"]')];
    for (const action of actions) {
      expect(action.getBoundingClientRect().right, text(action)).to.be.at.most(360);
    }
  });

  it('keeps the top bar’s size when the area changes, and each area its height while it loads', async () => {
    const hub = await hubFor(adaClient());
    const minHeight = 36 * parseFloat(getComputedStyle(document.documentElement).fontSize);
    const bar = root(hub).querySelector<HTMLElement>('[part~="top-bar"]')!;
    const height = bar.getBoundingClientRect().height;
    for (const area of ['Sessions', 'Live now', 'Chats']) {
      tab(hub, area).click();
      await hub.updateComplete;
      expect(bar.getBoundingClientRect().height, area).to.equal(height);
      expect(visibleArea(hub).getBoundingClientRect().height, area).to.be.at.least(minHeight);
    }
  });

  it('applies the dark theme to itself and to every element inside', async () => {
    const hub = await hubFor(adaClient(), { theme: 'dark' });
    const bar = root(hub).querySelector<HTMLElement>('[part~="top-bar"]')!;
    expect(getComputedStyle(bar).backgroundColor).to.equal('rgb(15, 23, 42)');
    for (const element of root(hub).querySelectorAll('hub-chat, session-calendar, notification-center')) {
      expect(element.getAttribute('theme'), element.localName).to.equal('dark');
    }
    hub.theme = 'light';
    await hub.updateComplete;
    expect(getComputedStyle(bar).backgroundColor).to.equal('rgb(255, 255, 255)');
    expect(root(hub).querySelector('hub-chat')!.getAttribute('theme')).to.equal('light');
  });

  it('shows an area’s start below the sticky top bar when a tab is clicked, on a page scrolled or not', async () => {
    await setViewport({ width: 1100, height: 600 });
    const page = await fixture<HTMLElement>(
      html`<div>
        <div style="height: 300px">LMS header</div>
        <teacher-hub .client=${adaClient()} routing="none"></teacher-hub>
        <div style="height: 2000px">LMS footer</div>
      </div>`,
    );
    const hub = page.querySelector('teacher-hub')!;
    await hub.updateComplete;
    const bar = () => root(hub).querySelector<HTMLElement>('.top-bar')!.getBoundingClientRect();
    const areaTop = (id: string) => root(hub).getElementById(id)!.getBoundingClientRect().top;
    try {
      window.scrollTo(0, 0);
      tab(hub, 'Sessions').click();
      await hub.updateComplete;
      expect(window.scrollY).to.equal(0, 'nothing moves when the area’s start is in view');

      // Down the long Sessions area the bar sticks to the top; a new area starts just below it, not under it.
      window.scrollTo(0, 900);
      expect(bar().top).to.equal(0, 'the bar sticks');
      tab(hub, 'Live now').click();
      await hub.updateComplete;
      expect(areaTop('area-live')).to.be.at.least(bar().bottom);
      expect(areaTop('area-live') - bar().bottom).to.be.below(40);
    } finally {
      window.scrollTo(0, 0);
      await setViewport({ width: 800, height: 600 });
    }
  });

  it('fires hub-area-change when the area changes', async () => {
    const hub = await hubFor(adaClient());
    setTimeout(() => tab(hub, 'Sessions').click());
    const event = await oneEvent(hub, 'hub-area-change');
    expect(event.detail.area).to.equal('sessions');
    expect(hub.area).to.equal('sessions');
  });
});
