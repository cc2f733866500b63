/// <reference types="mocha" />
import { HubClient, PushServiceTimeoutError } from '@teacher-hub/core';
import type { HubNotification } from '@teacher-hub/core';
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { executeServerCommand, sendKeys, setViewport } from '@web/test-runner-commands';
import { devToken, hubServer } from '../testing/hub-test-server.ts';
import type { NotificationCenter } from './notification-center.ts';
import './notification-center.ts';

// Every test works as its own seeded user, so counts do not depend on the order tests run in.

async function apiFor(userId: string): Promise<HubClient['api']> {
  return new HubClient({ server: hubServer(), token: await devToken(userId) }).api;
}

async function serverUnread(userId: string): Promise<number> {
  return (await (await apiFor(userId)).notifications({ limit: 1 })).unreadCount;
}

/** Sends `userId` a test notification through the hub, as another tab or device would. */
async function sendTestFromElsewhere(userId: string): Promise<HubNotification> {
  return (await (await apiFor(userId)).sendTestNotification()).notification;
}

function shadow(center: NotificationCenter): ShadowRoot {
  return center.shadowRoot!;
}

function bell(center: NotificationCenter): HTMLButtonElement {
  return shadow(center).querySelector<HTMLButtonElement>('[part="bell"]')!;
}

function badge(center: NotificationCenter): HTMLElement {
  return shadow(center).querySelector<HTMLElement>('[part="badge"]')!;
}

function panel(center: NotificationCenter): HTMLElement {
  return shadow(center).querySelector<HTMLElement>('[part="panel"]')!;
}

function items(center: NotificationCenter): HTMLElement[] {
  return [...shadow(center).querySelectorAll<HTMLElement>('[part="item"]')];
}

function itemButton(center: NotificationCenter, id: string): HTMLButtonElement {
  return shadow(center).querySelector<HTMLButtonElement>(`[part="item-button"][data-id="${id}"]`)!;
}

/** A `<notification-center>` for `userId` whose list is loaded and whose live stream is open. */
async function centerFor(userId: string): Promise<NotificationCenter> {
  const token = await devToken(userId);
  const center = await fixture<NotificationCenter>(
    html`<notification-center server=${hubServer()} token=${token}></notification-center>`,
  );
  await live(center);
  return center;
}

async function live(center: NotificationCenter): Promise<NotificationCenter> {
  await waitUntil(
    () =>
      center.client?.notifications.state.status === 'ready' &&
      center.client.notifications.state.live === 'open',
    'the center did not load and connect',
    { timeout: 8000 },
  );
  await center.updateComplete;
  return center;
}

async function openPanel(center: NotificationCenter): Promise<void> {
  center.show();
  await center.updateComplete;
  await waitUntil(() => shadow(center).querySelector('[part="list"], [part="message"]'), 'no list');
}

describe('<notification-center>', () => {
  describe('unread count', () => {
    it('shows the unread count from the hub on the bell, and names it for screen readers', async () => {
      await sendTestFromElsewhere('s-01');
      await sendTestFromElsewhere('s-01');
      const expected = await serverUnread('s-01');
      expect(expected).to.be.at.least(2);

      const center = await centerFor('s-01');
      await waitUntil(() => badge(center).textContent?.trim() === String(expected), 'wrong badge');
      expect(badge(center).hidden).to.equal(false);
      expect(bell(center).getAttribute('aria-label')).to.equal(`Notifications, ${expected} unread`);
    });

    it('hides the badge at zero', async () => {
      await (await apiFor('s-02')).markNotificationsRead({ all: true });
      const center = await centerFor('s-02');
      expect(badge(center).hidden).to.equal(true);
      expect(bell(center).getAttribute('aria-label')).to.equal('Notifications');
    });
  });

  describe('live updates', () => {
    it('shows a notification sent elsewhere at the top, live, and raises the count', async () => {
      const center = await centerFor('s-03');
      await openPanel(center);
      const before = center.client!.notifications.state.unreadCount;

      const sent = await sendTestFromElsewhere('s-03');

      await waitUntil(() => itemButton(center, sent.id), 'the notification did not arrive live');
      expect(items(center)[0]!.querySelector('[part="item-button"]')!.getAttribute('data-id')).to.equal(
        sent.id,
      );
      await waitUntil(() => badge(center).textContent?.trim() === String(before + 1), 'count did not rise');
      const announcer = shadow(center).querySelector('[aria-live="polite"]')!;
      expect(announcer.textContent).to.equal(`New notification: ${sent.title}`);
    });

    it('"Send me a test" adds the test to the list and says where to look', async () => {
      const center = await centerFor('s-04');
      await openPanel(center);
      const before = await serverUnread('s-04');

      shadow(center).querySelector<HTMLButtonElement>('[part="test-button"]')!.click();

      await waitUntil(
        () => shadow(center).querySelector('[part="feedback"]')!.textContent!.startsWith('Sent'),
        'no feedback',
      );
      await waitUntil(
        () => center.client!.notifications.state.items.some((item) => item.kind === 'test' && !item.readAt),
        'the test did not appear',
      );
      await waitUntil(() => badge(center).textContent?.trim() === String(before + 1), 'count did not rise');
      expect(center.client!.notifications.state.items.filter((item) => item.kind === 'test')).to.have.length(
        new Set(center.client!.notifications.state.items.map((item) => item.id)).size,
        'each notification once, though it came by the answer and by the stream',
      );
    });

    it('follows reads made in another tab (notification.read)', async () => {
      await sendTestFromElsewhere('s-05');
      const first = await centerFor('s-05');
      // Elements on one page share a client; a second tab is a client of its own.
      const otherTab = await live(
        await fixture<NotificationCenter>(
          html`<notification-center
            .client=${new HubClient({ server: hubServer(), token: await devToken('s-05') })}
          ></notification-center>`,
        ),
      );
      expect(first.client).not.to.equal(otherTab.client, 'two clients, as two tabs would have');
      const count = first.client!.notifications.state.unreadCount;
      expect(count).to.be.at.least(1);

      await otherTab.client!.notifications.markAllRead();

      await waitUntil(() => first.client!.notifications.state.unreadCount === 0, 'the read did not arrive');
      await first.updateComplete;
      expect(badge(first).hidden).to.equal(true);
      expect(first.client!.notifications.state.items.every((item) => item.readAt !== null)).to.equal(true);
    });

    it('catches up on what it missed while disconnected, and counts each notification once', async () => {
      const streamUrls: URL[] = [];
      const client = new HubClient({
        server: hubServer(),
        tokenProvider: () => devToken('t-ada'),
        createEventSource: (url) => {
          streamUrls.push(new URL(url));
          return new EventSource(url);
        },
      });
      const { notifications } = client;
      const release = notifications.connect();
      await notifications.load();
      await waitUntil(() => notifications.state.live === 'open', 'not connected');
      const first = await sendTestFromElsewhere('t-ada');
      await waitUntil(() => client.live.lastEventId !== undefined, 'no event id');
      expect(notifications.state.items[0]!.id).to.equal(first.id);
      const resumeFrom = client.live.lastEventId;
      release();
      expect(notifications.state.live).to.equal('closed');

      const missed = [await sendTestFromElsewhere('t-ada'), await sendTestFromElsewhere('t-ada')];
      const releaseAgain = notifications.connect();
      try {
        await waitUntil(
          () => missed.every((sent) => notifications.state.items.some((item) => item.id === sent.id)),
          'the missed notifications were not replayed',
        );
        const expected = await serverUnread('t-ada');
        await waitUntil(
          () => notifications.state.unreadCount === expected,
          `count ${notifications.state.unreadCount}, hub ${expected}`,
        );
        const ids = notifications.state.items.map((item) => item.id);
        expect(new Set(ids).size).to.equal(ids.length);
        expect(streamUrls).to.have.length(2);
        expect(streamUrls[0]!.searchParams.has('lastEventId')).to.equal(false);
        expect(streamUrls[1]!.searchParams.get('lastEventId')).to.equal(resumeFrom);
        expect(streamUrls[1]!.searchParams.get('access_token')).to.be.a('string').and.not.equal('');
      } finally {
        releaseAgain();
      }
    });

    it('lets several elements on one client share one stream', async () => {
      const client = new HubClient({ server: hubServer(), token: await devToken('s-06') });
      const container = await fixture<HTMLDivElement>(html`
        <div>
          <notification-center .client=${client}></notification-center>
          <notification-center .client=${client}></notification-center>
        </div>
      `);
      const centers = [...container.querySelectorAll('notification-center')];
      await Promise.all(centers.map(live));
      expect(client.live.connections).to.equal(1, 'the notifications service holds it once for both');
      centers[0]!.remove();
      expect(client.live.status).to.equal('open');
      centers[1]!.remove();
      expect(client.live.status).to.equal('closed');
    });
  });

  describe('reading', () => {
    it('marks a notification read when it is opened, at the hub too, and tells the host', async () => {
      const sent = await sendTestFromElsewhere('s-07');
      const center = await centerFor('s-07');
      await openPanel(center);
      const before = await serverUnread('s-07');

      const opened = oneEvent(center, 'hub-notification-open');
      center.addEventListener('hub-notification-open', (event) => event.preventDefault(), { once: true });
      itemButton(center, sent.id).click();
      const event = await opened;

      expect(event.detail.notification.id).to.equal(sent.id);
      expect(event.detail.link).to.equal('#notifications');
      expect(event.bubbles && event.composed && event.cancelable).to.equal(true);
      await waitUntil(async () => (await serverUnread('s-07')) === before - 1, 'the hub count did not fall');
      expect(center.client!.notifications.state.unreadCount).to.equal(before - 1);
      await center.updateComplete;
      expect(items(center)[0]!.classList.contains('read')).to.equal(true);
      expect(center.open).to.equal(true, 'a canceled open leaves the panel as it was');
    });

    it('goes to the link when the host does not cancel, and closes', async () => {
      const sent = await sendTestFromElsewhere('s-08');
      const center = await centerFor('s-08');
      await openPanel(center);
      const hash = location.hash;
      try {
        itemButton(center, sent.id).click();
        expect(location.hash).to.equal('#notifications');
        await center.updateComplete;
        expect(center.open).to.equal(false);
      } finally {
        history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
      }
    });

    it('"Mark all read" brings the count to 0 at the hub', async () => {
      await sendTestFromElsewhere('s-09');
      await sendTestFromElsewhere('s-09');
      const center = await centerFor('s-09');
      await openPanel(center);
      expect(await serverUnread('s-09')).to.be.at.least(2);

      shadow(center).querySelector<HTMLButtonElement>('[part="mark-all-button"]')!.click();
      await center.updateComplete;
      expect(badge(center).hidden).to.equal(true, 'at once');

      await waitUntil(async () => (await serverUnread('s-09')) === 0, 'the hub still counts unread');
      expect(items(center).every((item) => item.classList.contains('read'))).to.equal(true);
      expect(shadow(center).querySelector<HTMLButtonElement>('[part="mark-all-button"]')!.disabled).to.equal(
        true,
      );
    });
  });

  describe('states', () => {
    it('says "You’re all caught up" when there is nothing', async () => {
      // t-grace has had no notification in this run.
      const center = await centerFor('t-grace');
      await openPanel(center);
      if (center.client!.notifications.state.items.length > 0) return; // another run's hub: nothing to show
      expect(shadow(center).querySelector('[part="message"]')!.textContent).to.contain(
        'You’re all caught up',
      );
    });

    it('shows an error with Retry when the hub cannot be reached', async () => {
      const center = await fixture<NotificationCenter>(
        html`<notification-center server="http://127.0.0.1:9" token="unused"></notification-center>`,
      );
      await openPanel(center);
      await waitUntil(() => shadow(center).querySelector('[part="retry-button"]'), 'no error state');
      expect(shadow(center).querySelector('[part="message"]')!.textContent).to.contain(
        'Couldn’t load your notifications',
      );
      center.remove();
    });
  });

  describe('the panel’s code', () => {
    it('is not needed for the bell; it is made ready when the pointer comes over the bell', async () => {
      // Only reads: s-06's notifications are another test's.
      const center = await centerFor('s-06');
      const sheets = shadow(center).adoptedStyleSheets.length;
      expect(center.client!.notifications.push.store.get().checked).to.equal(false, 'push not looked at yet');

      bell(center).dispatchEvent(new PointerEvent('pointerenter'));
      await waitUntil(() => shadow(center).adoptedStyleSheets.length === sheets + 1, 'panel styles adopted');
      await waitUntil(() => center.client!.notifications.push.store.get().checked, 'push looked at');
      expect(center.open).to.equal(false, 'still closed');

      bell(center).click();
      await center.updateComplete;
      expect(panel(center).querySelector('[part="title"]')).to.not.equal(
        null,
        'open with its content at once',
      );
      center.hide();
    });
  });

  describe('keyboard and accessibility', () => {
    async function centerBetweenButtons(userId: string) {
      const token = await devToken(userId);
      const container = await fixture<HTMLDivElement>(html`
        <div>
          <button id="before">before</button>
          <notification-center server=${hubServer()} token=${token}></notification-center>
          <button id="after">after</button>
        </div>
      `);
      const center = await live(container.querySelector('notification-center')!);
      return { center, before: container.querySelector<HTMLElement>('#before')! };
    }

    it('opens with Enter and Space, moves focus into the panel, and Escape returns it to the bell', async () => {
      const { center, before } = await centerBetweenButtons('s-10');
      before.focus();
      await sendKeys({ press: 'Tab' });
      expect(shadow(center).activeElement).to.equal(bell(center));

      await sendKeys({ press: 'Enter' });
      await center.updateComplete;
      expect(center.open).to.equal(true);
      expect(bell(center).getAttribute('aria-expanded')).to.equal('true');
      expect(panel(center).contains(shadow(center).activeElement)).to.equal(true, 'focus is in the panel');

      await sendKeys({ press: 'Escape' });
      await center.updateComplete;
      expect(center.open).to.equal(false);
      expect(shadow(center).activeElement).to.equal(bell(center));

      await sendKeys({ press: 'Space' });
      await center.updateComplete;
      expect(center.open).to.equal(true);
      await sendKeys({ press: 'Escape' });
    });

    it('closes on a click outside', async () => {
      const { center, before } = await centerBetweenButtons('s-10');
      await openPanel(center);
      const rect = before.getBoundingClientRect();
      before.dispatchEvent(
        new PointerEvent('pointerdown', {
          bubbles: true,
          composed: true,
          clientX: rect.left + 2,
          clientY: rect.top + 2,
        }),
      );
      await center.updateComplete;
      expect(center.open).to.equal(false);
    });

    it('is accessible closed and open, in both themes', async () => {
      await sendTestFromElsewhere('s-11');
      const center = await centerFor('s-11');
      await expect(center).to.be.accessible();
      await openPanel(center);
      // Checked once settled: mid-animation text is partly transparent, and a row's background is still on
      // its way to the new theme's while its text is there already.
      const settled = () =>
        Promise.all(
          shadow(center)
            .getAnimations()
            .map((animation) => animation.finished),
        );
      await settled();
      await expect(center).to.be.accessible();
      center.theme = 'dark';
      await center.updateComplete;
      await settled();
      await expect(center).to.be.accessible();
    });
  });

  describe('placement', () => {
    afterEach(() => setViewport({ width: 800, height: 600 }));

    it('opens under the bell, inside the viewport, and as a bottom sheet on a narrow screen', async () => {
      await setViewport({ width: 800, height: 600 });
      const center = await centerFor('s-10');
      center.style.cssText = 'position: absolute; top: 8px; right: 8px';
      await openPanel(center);
      await Promise.all(
        panel(center)
          .getAnimations()
          .map((animation) => animation.finished),
      );
      const bellBox = bell(center).getBoundingClientRect();
      const panelBox = panel(center).getBoundingClientRect();
      expect(panelBox.top).to.be.greaterThan(bellBox.bottom);
      expect(panelBox.right).to.be.at.most(document.documentElement.clientWidth);
      expect(panelBox.left).to.be.at.least(0);
      expect(Math.abs(panelBox.right - bellBox.right)).to.be.lessThan(12, 'lined up with the bell');

      center.hide();
      await center.updateComplete;
      await setViewport({ width: 375, height: 640 });
      await openPanel(center);
      await Promise.all(
        panel(center)
          .getAnimations()
          .map((animation) => animation.finished),
      );
      const sheet = panel(center).getBoundingClientRect();
      expect(panel(center).classList.contains('sheet')).to.equal(true);
      expect(sheet.width).to.equal(375);
      expect(Math.round(sheet.bottom)).to.equal(640);
      center.hide();
    });
  });

  describe('browser notifications', () => {
    it('says the site must provide a service worker when the page is not on the hub’s origin', async () => {
      // The runner's page and the hub are on different origins, and no service-worker-url is set.
      const center = await centerFor('s-12');
      // Push is looked at when the panel (the only place that shows it) opens.
      expect(center.client!.notifications.push.store.get().checked).to.equal(false);
      await openPanel(center);
      await waitUntil(() => center.client!.notifications.push.store.get().checked, 'push not checked');
      const push = center.client!.notifications.push.store.get();
      if ('PushManager' in window) {
        expect(push.state).to.equal('unsupported');
        expect(push.reason).to.equal('needs-service-worker-url');
      }
      await center.updateComplete;
      expect(shadow(center).querySelector('[part="push"]')!.textContent).to.contain(
        'Browser notifications aren’t available here',
      );
    });

    it('reports the permission the browser has when given a same-origin service worker', async () => {
      const token = await devToken('s-12');
      const center = await fixture<NotificationCenter>(html`
        <notification-center
          server=${hubServer()}
          token=${token}
          service-worker-url="/dist/sdk/teacher-hub-sw.js"
        ></notification-center>
      `);
      await openPanel(center);
      await waitUntil(() => center.client?.notifications.push.store.get().checked, 'push not checked');
      const expected =
        Notification.permission === 'denied'
          ? 'denied'
          : Notification.permission === 'default'
            ? 'prompt'
            : 'unsubscribed';
      expect(center.client!.notifications.push.state).to.equal(expected);
      await center.updateComplete;
      const section = shadow(center).querySelector('[part="push"]')!;
      expect(section.className).to.contain(`state-${expected}`);
      if (expected === 'prompt') {
        expect(section.querySelector('[part="push-button"]')!.textContent!.trim()).to.equal('Enable');
      }
    });

    it('turns them on once allowed: registers the worker and subscribes, or says why it could not', async function () {
      // Registering a worker and asking a push service take a few seconds.
      this.timeout(40_000);
      await executeServerCommand('grant-notifications');
      const token = await devToken('s-12');
      const center = await fixture<NotificationCenter>(html`
        <notification-center
          server=${hubServer()}
          token=${token}
          service-worker-url="/dist/sdk/teacher-hub-sw.js"
        ></notification-center>
      `);
      const push = () => center.client!.notifications.push;
      try {
        await openPanel(center);
        await waitUntil(() => push().store.get().checked, 'push not checked');
        expect(push().state).to.equal('unsubscribed', 'allowed, not registered yet');
        await center.updateComplete;
        const button = shadow(center).querySelector<HTMLButtonElement>('[part="push-button"]')!;
        expect(button.textContent!.trim()).to.equal('Turn on');

        // What the button does, with a short wait for the push service: headless Chromium has none to
        // reach and would wait for ever (the element's own default gives up after 20 s).
        const enabling = push().enable({
          serviceWorkerUrl: '/dist/sdk/teacher-hub-sw.js',
          subscribeTimeoutMs: 3000,
        });
        await center.updateComplete;
        expect(button.disabled).to.equal(true);
        expect(button.textContent!.trim()).to.equal('Turning on…');
        const failure = await enabling.then(
          () => undefined,
          (error: unknown) => error,
        );
        // The runner does not send Service-Worker-Allowed, so the worker got its own folder as scope.
        const registration = (await navigator.serviceWorker.getRegistrations()).find((r) =>
          (r.active ?? r.waiting ?? r.installing)?.scriptURL.includes('/dist/sdk/teacher-hub-sw.js'),
        );
        expect(registration?.scope).to.equal(new URL('/dist/sdk/', location.href).href);

        if (push().state === 'subscribed') {
          // A push service answered (a machine with network): the hub has the device; turn it off again.
          await push().disable();
          expect(push().state).to.equal('unsubscribed');
        } else {
          // No push service reachable (headless, offline): enable() says so, and nothing is registered.
          expect(failure).to.be.instanceOf(PushServiceTimeoutError);
          expect(push().store.get().error).to.equal(failure);
          expect(push().state).to.equal('unsubscribed');
          await center.updateComplete;
          expect(button.disabled).to.equal(false);
        }
      } finally {
        await executeServerCommand('reset-permissions');
        for (const registration of await navigator.serviceWorker.getRegistrations()) {
          await registration.unregister();
        }
      }
    });
  });
});
