/// <reference types="mocha" />
import { HubClient } from '@teacher-hub/core';
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { devToken, hubServer } from '../testing/hub-test-server.ts';
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

// Ada's hub page against the REAL hub (dev mode, started by web-test-runner.config.mjs): her chats, the
// instant session ringing a student, a session she scheduled in Upcoming, and a session link. The instant
// session rings s-08, whom no notification-count test watches.

const WAIT = { timeout: 15_000 };

async function adaHub(client: HubClient): Promise<TeacherHub> {
  const hub = await fixture<TeacherHub>(html`<teacher-hub .client=${client} routing="none"></teacher-hub>`);
  await hub.updateComplete;
  return hub;
}

/** Local `YYYY-MM-DDTHH:mm` in UTC, as the session body takes it with `timeZone: 'UTC'`. */
function utcLocal(date: Date): string {
  return date.toISOString().slice(0, 16);
}

describe('<teacher-hub> with the real hub', function () {
  this.timeout(60_000);

  it('lists Ada’s chats in the Chats area', async () => {
    const client = new HubClient({ server: hubServer(), token: await devToken('t-ada') });
    const name = `Hub page chat ${Date.now().toString(36)}`;
    await client.api.createGroupChat({ name, memberIds: ['s-01'] });
    const hub = await adaHub(client);
    const chat = root(hub).querySelector('hub-chat')!;
    await waitUntil(
      () => text(chat.shadowRoot?.querySelector('hub-chat-list')?.shadowRoot).includes(name),
      'the chat is not listed',
      WAIT,
    );
  });

  it('Start instant session rings the picked student', async () => {
    const client = new HubClient({ server: hubServer(), token: await devToken('t-ada') });
    const hub = await adaHub(client);
    buttonNamed(root(hub), 'Start instant session').click();
    await hub.updateComplete;
    const dialog = root(hub).querySelector<HTMLDialogElement>('#instant-dialog')!;
    expect(dialog.open).to.equal(true);
    const picker = dialog.querySelector('student-picker')!;
    const student = (): HTMLInputElement | null =>
      picker.shadowRoot!.querySelector('[part="option-checkbox"][data-id="s-08"]');
    await waitUntil(student, 'the roster did not load', WAIT);
    student()!.click();
    await hub.updateComplete;
    const start = buttonNamed(dialog, 'Start session');
    expect(start.disabled).to.equal(false);
    start.click();
    try {
      await waitUntil(
        () =>
          Object.values(client.calls.store.get().calls).some((call) =>
            call.members.some((member) => member.userId === 's-08' && member.state === 'ringing'),
          ),
        's-08 is not rung',
        WAIT,
      );
      await waitUntil(() => !dialog.open, 'the dialog stayed open', WAIT);
      // The live list shows the call Ada is in.
      tab(hub, 'Live now').click();
      await hub.updateComplete;
      await waitUntil(
        () => root(hub).querySelector('#area-live [part~="live-item"]'),
        'not in Live now',
        WAIT,
      );
      expect(text(root(hub).querySelector('#area-live [part~="join-button"]'))).to.equal('Joined');
    } finally {
      await client.calls.end().catch(() => undefined);
    }
  });

  it('shows a session scheduled through the API in Upcoming, and a #session link opens its details', async () => {
    const client = new HubClient({ server: hubServer(), token: await devToken('t-ada') });
    const title = `Hub page review ${Date.now().toString(36)}`;
    const start = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 2 * 86_400_000);
    const { session } = await client.api.createSession({
      title,
      type: 'class',
      start: utcLocal(start),
      timeZone: 'UTC',
      durationMinutes: 45,
      inviteeIds: ['s-01'],
    });
    const hub = await adaHub(client);
    tab(hub, 'Sessions').click();
    const upcoming = root(hub).querySelector('upcoming-sessions')!;
    await waitUntil(() => text(upcoming.shadowRoot).includes(title), 'not in Upcoming', WAIT);

    tab(hub, 'Chats').click();
    await hub.updateComplete;
    hub.navigate(`#session/${encodeURIComponent(session.id)}/${encodeURIComponent(start.toISOString())}`);
    const calendar = root(hub).querySelector('session-calendar')!;
    await waitUntil(() => calendar.shadowRoot?.querySelector('dialog[open]'), 'no details', WAIT);
    expect(root(hub).querySelector('[role="tab"][aria-selected="true"]')?.id).to.equal('tab-sessions');
    const details = calendar.shadowRoot!.querySelector('dialog[open]')!;
    expect(text(details.querySelector('h2'))).to.equal(title);
    const closed = oneEvent(details, 'close');
    buttonNamed(details, 'Close').click();
    await closed;
  });

  it('lists a session Ada ran and ended under Past, with who attended', async () => {
    const client = new HubClient({ server: hubServer(), token: await devToken('t-ada') });
    const title = `Hub page past ${Date.now().toString(36)}`;
    const start = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const { session } = await client.api.createSession({
      title,
      type: 'one_on_one',
      start: utcLocal(start),
      timeZone: 'UTC',
      durationMinutes: 30,
      inviteeIds: ['s-08'],
    });
    await client.sessions.start(session.id);
    await client.sessions.end(session.id);

    const hub = await adaHub(client);
    tab(hub, 'Sessions').click();
    const past = root(hub).querySelector('hub-past-sessions')!;
    const item = (): HTMLElement | undefined =>
      [...(past.shadowRoot?.querySelectorAll<HTMLElement>('[part~="past-item"]') ?? [])].find((each) =>
        text(each).includes(title),
      );
    await waitUntil(item, 'not under Past', WAIT);
    buttonNamed(item()!, 'Who attended').click();
    await waitUntil(() => text(item()).includes('absent'), 'no attendance', WAIT);
    expect(text(item()!.querySelector('[part~="attendance-summary"]'))).to.equal(
      '0 present · 0 late · 0 left early · 1 absent',
    );
    expect(text(item()!.querySelector('[part~="attendance-names"]'))).to.match(/^absent \S+/);
  });
});
