import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { createApnsKey, startApnsPeer, type ApnsPeer } from '../../server/src/testing/peers/apns-peer.ts';
import { startPushService, type PushServicePeer } from '../../server/src/testing/peers/push-service.ts';
import { createTestPki, type TestPki } from '../../server/src/testing/peers/tls.ts';
import { launchChromium, screenshot } from './support/browser.ts';
import { startHub, type RunningHub } from './support/hub-server.ts';

/**
 * Issue 3 in the demo: a student with a browser subscription and an iPhone asks for a test from the
 * notification center; it shows there live, reaches the push service and APNs (the hub trusts their
 * certificates only through NODE_EXTRA_CA_CERTS, as a deployment would), and "Mark all read" clears it.
 */
describe('notifications in the demo', () => {
  let pki: TestPki;
  let pushService: PushServicePeer;
  let apns: ApnsPeer;
  let hub: RunningHub;
  let browser: Browser;

  before(async () => {
    pki = await createTestPki();
    const apnsKey = createApnsKey();
    const keyFile = join(pki.dir, 'AuthKey.p8');
    writeFileSync(keyFile, apnsKey.keyPem);
    pushService = await startPushService({ pki });
    apns = await startApnsPeer({
      pki,
      teamId: 'TEAMID1234',
      keyId: apnsKey.keyId,
      publicKey: apnsKey.publicKey,
      topic: 'edu.example.teacherhub',
    });
    hub = await startHub({
      NODE_EXTRA_CA_CERTS: pki.caFile,
      APNS_KEY_FILE: keyFile,
      APNS_KEY_ID: apnsKey.keyId,
      APNS_TEAM_ID: 'TEAMID1234',
      APNS_TOPIC: 'edu.example.teacherhub',
      APNS_HOST: `127.0.0.1:${apns.port}`,
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await hub?.stop();
    await apns?.close();
    await pushService?.close();
    await pki?.cleanup();
  });

  async function api(path: string, token: string, body?: unknown) {
    const response = await fetch(`${hub.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return response.json() as Promise<Record<string, unknown>>;
  }

  it('shows a test live in <notification-center>, delivers it to web push and APNs, and marks all read', async () => {
    const { token } = (await (
      await fetch(`${hub.url}/v1/dev/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ userId: 's-01' }),
      })
    ).json()) as { token: string };
    const subscription = pushService.createSubscription();
    const iosToken = randomBytes(32).toString('hex');
    await api('/v1/devices', token, { platform: 'web', subscription });
    await api('/v1/devices', token, { platform: 'ios', token: iosToken });

    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(hub.url);
    await page.getByRole('button', { name: /s-01/ }).click();
    await page.waitForURL(/\/student\.html$/);
    const bell = page.locator('notification-center').locator('[part="bell"]');
    await bell.waitFor();
    assert.equal(await bell.getAttribute('aria-label'), 'Notifications');

    await bell.click();
    await page.getByRole('button', { name: 'Send me a test' }).click();
    const item = page.locator('notification-center [part="item-title"]', {
      hasText: 'Teacher Hub test notification',
    });
    await item.first().waitFor();
    await page.waitForFunction(
      () =>
        document
          .querySelector('notification-center')
          ?.shadowRoot?.querySelector('[part="bell"]')
          ?.getAttribute('aria-label') === 'Notifications, 1 unread',
    );
    await page.waitForTimeout(500); // let the new item finish sliding in before the picture
    await screenshot(page, 'issue-3-notification-center-after-test');

    const deadline = Date.now() + 15_000;
    while (
      (pushService.deliveriesTo(subscription.endpoint).length === 0 || apns.deliveries.length === 0) &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const [web] = pushService.deliveriesTo(subscription.endpoint);
    assert.ok(web, 'the push service received the test');
    assert.equal(web.urgency, 'normal');
    assert.ok(web.topic);
    const ios = apns.deliveries.find((request) => request.deviceToken === iosToken);
    assert.ok(ios, 'APNs received the test');
    assert.equal(ios.headers.pushType, 'alert');

    await page.getByRole('button', { name: 'Mark all read' }).click();
    await page.waitForFunction(
      () =>
        document
          .querySelector('notification-center')
          ?.shadowRoot?.querySelector('[part="bell"]')
          ?.getAttribute('aria-label') === 'Notifications',
    );
    const after = await api('/v1/notifications', token);
    assert.equal(after.unreadCount, 0);
    await screenshot(page, 'issue-3-notification-center-all-read');
    await page.close();
  });
});
