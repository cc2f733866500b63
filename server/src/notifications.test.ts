import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DeviceResponse, HubNotification } from '@teacher-hub/protocol';
import { createApnsKey, startApnsPeer, type ApnsPeer } from './testing/peers/apns-peer.ts';
import {
  createServiceAccount,
  FCM_ERRORS,
  startFcmPeer,
  writeServiceAccountFile,
  type FcmPeer,
} from './testing/peers/fcm-peer.ts';
import { startPushService, type PushServicePeer } from './testing/peers/push-service.ts';
import { startSmtpPeer, type SmtpPeer } from './testing/peers/smtp-peer.ts';
import { createTestPki, type TestPki } from './testing/peers/tls.ts';
import { json, jsonBody } from './testing/http.ts';
import { readSse } from './testing/sse.ts';
import { createTestApp, type TestApp } from './testing/test-app.ts';

const TEAM_ID = 'TEAMID1234';
const TOPIC = 'edu.example.teacherhub';

/**
 * Issue 3's "done when": a student with a browser, an Android phone and an iPhone asks for a test and it
 * reaches the local push service, FCM peer and APNs peer with the right headers, the SSE stream, and email.
 */
describe('the notification pipeline on every channel', () => {
  let pki: TestPki;
  let pushService: PushServicePeer;
  let fcm: FcmPeer;
  let apns: ApnsPeer;
  let smtp: SmtpPeer;
  let hub: TestApp;

  before(async () => {
    pki = await createTestPki();
    const serviceAccount = createServiceAccount('teacher-hub-test');
    const apnsKey = createApnsKey();
    const apnsKeyFile = join(pki.dir, 'AuthKey.p8');
    writeFileSync(apnsKeyFile, apnsKey.keyPem);
    [pushService, fcm, apns, smtp] = await Promise.all([
      startPushService({ pki }),
      startFcmPeer({ pki, serviceAccount }),
      startApnsPeer({
        pki,
        teamId: TEAM_ID,
        keyId: apnsKey.keyId,
        publicKey: apnsKey.publicKey,
        topic: TOPIC,
      }),
      startSmtpPeer(),
    ]);
    hub = await createTestApp({
      env: {
        FCM_SERVICE_ACCOUNT: await writeServiceAccountFile(serviceAccount, pki.dir),
        APNS_KEY_FILE: apnsKeyFile,
        APNS_KEY_ID: apnsKey.keyId,
        APNS_TEAM_ID: TEAM_ID,
        APNS_TOPIC: TOPIC,
        APNS_HOST: `127.0.0.1:${apns.port}`,
        SMTP_URL: smtp.url(),
        SMTP_FROM: 'Teacher Hub <hub@example.edu>',
      },
      services: {
        transport: { webPushAgent: pki.httpsAgent(), fcmHttpAgent: fcm.httpAgent(), ca: pki.caPem },
      },
    });
  });
  after(async () => {
    await hub?.close();
    await Promise.all([pushService?.close(), fcm?.close(), apns?.close(), smtp?.close()]);
    await pki?.cleanup();
  });

  async function registerDevices(userId: string) {
    const subscription = pushService.createSubscription();
    const androidToken = `android-${userId}:APA91b-${'x'.repeat(40)}`;
    const iosToken = randomBytes(32).toString('hex');
    for (const body of [
      { platform: 'web', subscription },
      { platform: 'android', token: androidToken },
      { platform: 'ios', token: iosToken },
    ]) {
      await json<DeviceResponse>(
        await hub.requestAs(userId, '/v1/devices', jsonBody(body, { method: 'POST' })),
        201,
      );
    }
    return { subscription, androidToken, iosToken };
  }

  it('reports every provider in /health', async () => {
    const health = await json<{ providers: { push: string[]; email: string } }>(
      await hub.app.request('/health'),
    );
    assert.deepEqual(health.providers.push.toSorted(), ['apns', 'fcm', 'webpush']);
    assert.equal(health.providers.email, 'smtp');
  });

  it('delivers POST /v1/notifications/test to the web, Android and iOS devices, the live stream and email', async () => {
    const { subscription, androidToken, iosToken } = await registerDevices('s-01');
    const stream = readSse(
      await hub.app.request(`/v1/notifications/stream?access_token=${await hub.tokenFor('s-01')}`),
    );
    try {
      await stream.next('ready');
      const { notification } = await json<{ notification: HubNotification }>(
        await hub.requestAs('s-01', '/v1/notifications/test', { method: 'POST' }),
        202,
      );
      const live = JSON.parse((await stream.next('notification')).data) as HubNotification;
      assert.equal(live.id, notification.id);
      await hub.services.notifications.worker.runDue();

      const [web] = pushService.deliveriesTo(subscription.endpoint);
      assert.ok(web);
      assert.equal(web.urgency, 'normal');
      assert.ok(web.ttl > 0 && web.ttl <= 86_400);
      assert.match(web.topic ?? '', /^[A-Za-z0-9_-]{1,32}$/);
      assert.equal((JSON.parse(web.payload) as { notificationId: string }).notificationId, notification.id);

      const android = fcm.deliveries.find((delivery) => delivery.message.token === androidToken);
      assert.ok(android);
      assert.equal(android.message.android?.priority, 'normal');
      assert.equal(android.message.notification?.title, notification.title);
      assert.ok(android.message.android?.collapse_key);

      const ios = apns.deliveries.find((request) => request.deviceToken === iosToken);
      assert.ok(ios);
      assert.equal(ios.headers.pushType, 'alert');
      assert.equal(ios.headers.priority, '5');
      assert.equal(ios.headers.topic, TOPIC);
      assert.ok(ios.headers.collapseId);

      const mail = smtp.mails.find((received) => received.rcptTo.includes('s-01@example.edu'));
      assert.ok(mail, 'the test email arrived');
      assert.match(mail.header('subject') ?? '', /test notification/);

      const deliveries = await hub.services.database.db
        .selectFrom('deliveries')
        .select(['channel', 'status'])
        .where('notification_id', '=', notification.id)
        .orderBy('channel')
        .execute();
      assert.deepEqual(
        deliveries.map(({ channel, status }) => `${channel}:${status}`),
        ['apns:sent', 'email:sent', 'fcm:sent', 'webpush:sent'],
      );
    } finally {
      await stream.close();
    }
  });

  it('sends urgent kinds with high priority on every channel, even to a user who muted them', async () => {
    const { subscription, androidToken, iosToken } = await registerDevices('s-06');
    await hub.requestAs(
      's-06',
      '/v1/notification-preferences',
      jsonBody(
        { preferences: { 'chat.message': { mobile_push: false, web_push: false } } },
        { method: 'PUT' },
      ),
    );
    await hub.services.notifications.notifier.notify({
      kind: 'call.ringing',
      recipients: ['s-06'],
      title: 'Ada Lovelace is calling',
      body: 'Study group',
      data: { callId: 'call-1', chatId: 'chat-1' },
      key: 'call:call-1:ring',
      urgentTtlSeconds: 30,
    });
    await hub.services.notifications.notifier.notify({
      kind: 'chat.message',
      recipients: ['s-06'],
      title: 'New message',
      body: 'Hello',
      data: { chatId: 'chat-1' },
      key: 'chat:chat-1:m1',
    });
    await hub.services.notifications.worker.runDue();

    const webPushes = pushService.deliveriesTo(subscription.endpoint);
    assert.equal(webPushes.length, 1, 'the muted chat message is not pushed; the call is');
    assert.equal(webPushes[0]?.urgency, 'high');
    assert.equal(webPushes[0]?.ttl, 30);
    const android = fcm.deliveries.filter((delivery) => delivery.message.token === androidToken);
    assert.equal(android.length, 1);
    assert.equal(android[0]?.message.android?.priority, 'high');
    const ios = apns.deliveries.filter((request) => request.deviceToken === iosToken);
    assert.equal(ios.length, 1);
    assert.equal(ios[0]?.headers.priority, '10');
    const aps = (ios[0]?.payload as { aps: Record<string, unknown> }).aps;
    assert.equal(aps['interruption-level'], 'time-sensitive');
  });

  it('forgets devices that FCM and APNs call gone, and only those', async () => {
    const { androidToken, iosToken } = await registerDevices('s-07');
    apns.failToken(iosToken, { status: 410, reason: 'Unregistered' });
    fcm.failToken(androidToken, FCM_ERRORS.unregistered);
    await hub.requestAs('s-07', '/v1/notifications/test', { method: 'POST' });
    await hub.services.notifications.worker.runDue();
    const left = await hub.services.notifications.store.devicesOf('s-07');
    assert.deepEqual(
      left.map(({ platform }) => platform),
      ['web'],
    );
  });
});
