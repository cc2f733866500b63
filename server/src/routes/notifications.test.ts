import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type {
  DeviceResponse,
  HubNotification,
  NotificationList,
  NotificationPreferencesResponse,
} from '@teacher-hub/protocol';
import { fixedClock } from '../domain/clock.ts';
import { startPushService, type PushServicePeer } from '../testing/peers/push-service.ts';
import { createTestPki, type TestPki } from '../testing/peers/tls.ts';
import { assertError, json, jsonBody } from '../testing/http.ts';
import { readSse } from '../testing/sse.ts';
import { createTestApp, PRODUCTION_ENV, type TestApp } from '../testing/test-app.ts';

describe('notification routes', () => {
  let pki: TestPki;
  let pushService: PushServicePeer;
  let hub: TestApp;
  const clock = fixedClock(new Date('2026-12-01T08:00:00Z'));

  before(async () => {
    pki = await createTestPki();
    pushService = await startPushService({ pki });
    hub = await createTestApp({
      clock,
      app: { notifications: { heartbeatMs: 50 } },
      services: { transport: { webPushAgent: pki.httpsAgent() } },
    });
  });
  after(async () => {
    await hub.close();
    await pushService.close();
    await pki.cleanup();
  });
  beforeEach(() => pushService.reset());

  const list = async (userId: string) =>
    json<NotificationList>(await hub.requestAs(userId, '/v1/notifications'));
  const sendTest = async (userId: string) =>
    json<{ notification: HubNotification }>(
      await hub.requestAs(userId, '/v1/notifications/test', { method: 'POST' }),
      202,
    );
  const registerWeb = async (userId: string) => {
    const subscription = pushService.createSubscription();
    const { device } = await json<DeviceResponse>(
      await hub.requestAs(
        userId,
        '/v1/devices',
        jsonBody({ platform: 'web', subscription }, { method: 'POST' }),
      ),
      201,
    );
    return { device, subscription };
  };

  describe('GET /v1/notifications and POST /v1/notifications/read', () => {
    it('lists the caller’s notifications newest first with the unread count, and marks them read', async () => {
      const first = await sendTest('s-02');
      clock.advance(1_000);
      const second = await sendTest('s-02');
      const before = await list('s-02');
      assert.deepEqual(
        before.notifications.map((notification) => notification.id),
        [second.notification.id, first.notification.id],
      );
      assert.equal(before.unreadCount, 2);
      assert.equal(before.notifications[0]?.kind, 'test');
      assert.equal(before.notifications[0]?.priority, 'normal');
      assert.equal(before.notifications[0]?.readAt, null);

      const marked = await json<{ read: string[]; unreadCount: number }>(
        await hub.requestAs(
          's-02',
          '/v1/notifications/read',
          jsonBody({ ids: [first.notification.id] }, { method: 'POST' }),
        ),
      );
      assert.deepEqual(marked, { read: [first.notification.id], unreadCount: 1 });
      const all = await json<{ unreadCount: number }>(
        await hub.requestAs('s-02', '/v1/notifications/read', jsonBody({ all: true }, { method: 'POST' })),
      );
      assert.equal(all.unreadCount, 0);
      assert.equal((await list('s-02')).unreadCount, 0);
    });

    it('pages with `before` and `limit`', async () => {
      for (let index = 0; index < 3; index += 1) {
        clock.advance(1_000);
        await sendTest('s-03');
      }
      const page = await list('s-03');
      const firstPage = await json<NotificationList>(
        await hub.requestAs('s-03', '/v1/notifications?limit=2'),
      );
      assert.equal(firstPage.notifications.length, 2);
      const oldest = firstPage.notifications[1]?.createdAt ?? '';
      const rest = await json<NotificationList>(
        await hub.requestAs('s-03', `/v1/notifications?limit=2&before=${encodeURIComponent(oldest)}`),
      );
      assert.deepEqual(
        [...firstPage.notifications, ...rest.notifications].map((notification) => notification.id),
        page.notifications.map((notification) => notification.id),
      );
    });

    it('refuses bad queries and bodies with 400', async () => {
      await assertError(await hub.requestAs('s-02', '/v1/notifications?limit=0'), 400, 'VALIDATION_FAILED');
      await assertError(
        await hub.requestAs('s-02', '/v1/notifications?before=yesterday'),
        400,
        'VALIDATION_FAILED',
      );
      await assertError(
        await hub.requestAs('s-02', '/v1/notifications/read', jsonBody({ ids: [] }, { method: 'POST' })),
        400,
        'VALIDATION_FAILED',
      );
      await assertError(
        await hub.requestAs('s-02', '/v1/notifications/read', jsonBody({ all: false }, { method: 'POST' })),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('never shows or marks another user’s notification', async () => {
      const adas = await sendTest('t-ada');
      assert.ok(!(await list('s-04')).notifications.some(({ id }) => id === adas.notification.id));
      const attempt = await json<{ read: string[] }>(
        await hub.requestAs(
          's-04',
          '/v1/notifications/read',
          jsonBody({ ids: [adas.notification.id] }, { method: 'POST' }),
        ),
      );
      assert.deepEqual(attempt.read, []);
      const adasList = await list('t-ada');
      assert.equal(adasList.notifications.find(({ id }) => id === adas.notification.id)?.readAt, null);
    });

    it('needs a token', async () => {
      await assertError(await hub.app.request('/v1/notifications'), 401, 'UNAUTHENTICATED');
      await assertError(
        await hub.app.request('/v1/notifications/test', { method: 'POST' }),
        401,
        'UNAUTHENTICATED',
      );
    });

    it('accepts ?access_token= on the stream only', async () => {
      const token = await hub.tokenFor('s-02');
      await assertError(
        await hub.app.request(`/v1/notifications?access_token=${token}`),
        401,
        'UNAUTHENTICATED',
      );
    });
  });

  describe('POST /v1/notifications/test', () => {
    it('sends the caller a test on every channel they have: in-app now, web push through the worker', async () => {
      const { subscription } = await registerWeb('s-05');
      const { notification } = await sendTest('s-05');
      assert.equal((await list('s-05')).notifications[0]?.id, notification.id);
      await hub.services.notifications.worker.runDue();
      const [delivery] = pushService.deliveriesTo(subscription.endpoint);
      assert.ok(delivery, 'the push service received the test');
      const payload = JSON.parse(delivery.payload) as { title: string; notificationId: string; kind: string };
      assert.equal(payload.title, notification.title);
      assert.equal(payload.notificationId, notification.id);
      assert.equal(payload.kind, 'test');
      assert.equal(delivery.urgency, 'normal');
      assert.ok(delivery.ttl <= 86_400);
      const mail = await hub.services.notifications.mailbox?.list();
      assert.ok(mail?.some((message) => message.to === 's-05@example.edu' && /test/.test(message.subject)));
    });

    it('forgets a subscription the push service says is gone, and retries one that failed for now', async () => {
      const gone = await registerWeb('s-06');
      const flaky = await registerWeb('s-06');
      pushService.failSubscription(gone.subscription.endpoint, { status: 410 });
      pushService.failSubscription(flaky.subscription.endpoint, { status: 500 });
      await sendTest('s-06');
      await hub.services.notifications.worker.runDue();
      const devices = await hub.services.notifications.store.devicesOf('s-06');
      assert.deepEqual(
        devices.map(({ id }) => id),
        [flaky.device.id],
        'the 410 device is removed, the 500 one kept',
      );
      pushService.failSubscription(flaky.subscription.endpoint, undefined);
      clock.advance(60_000);
      await hub.services.notifications.worker.runDue();
      assert.equal(pushService.deliveriesTo(flaky.subscription.endpoint).length, 1);
      const attempts = await hub.services.database.db
        .selectFrom('delivery_attempts')
        .innerJoin('deliveries', 'deliveries.id', 'delivery_attempts.delivery_id')
        .select(['delivery_attempts.outcome'])
        .where('deliveries.user_id', '=', 's-06')
        .where('deliveries.channel', '=', 'webpush')
        .orderBy('delivery_attempts.id')
        .execute();
      assert.deepEqual(attempts.map(({ outcome }) => outcome).sort(), ['gone', 'retry', 'sent']);
    });
  });

  describe('GET /v1/notifications/stream', () => {
    it('streams new notifications live, with heartbeats, after a ready event with the unread count', async () => {
      const token = await hub.tokenFor('s-07');
      const response = await hub.app.request(`/v1/notifications/stream?access_token=${token}`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('Content-Type') ?? '', /^text\/event-stream/);
      const stream = readSse(response);
      try {
        const ready = JSON.parse((await stream.next('ready')).data) as { unreadCount: number };
        assert.equal(typeof ready.unreadCount, 'number');
        const { notification } = await sendTest('s-07');
        const live = await stream.next('notification');
        assert.equal((JSON.parse(live.data) as HubNotification).id, notification.id);
        assert.match(live.id ?? '', /^\d+$/);
        await hub.requestAs('s-07', '/v1/notifications/read', jsonBody({ all: true }, { method: 'POST' }));
        const read = JSON.parse((await stream.next('notification.read')).data) as { unreadCount: number };
        assert.equal(read.unreadCount, 0);
        assert.equal(await stream.comment(), 'ping');
      } finally {
        await stream.close();
      }
    });

    it('replays what a reconnecting client missed after its Last-Event-ID, in order', async () => {
      const token = await hub.tokenFor('s-08');
      const first = readSse(await hub.app.request(`/v1/notifications/stream?access_token=${token}`));
      await first.next('ready');
      await sendTest('s-08');
      const seen = await first.next('notification');
      await first.close();
      const missed = [await sendTest('s-08'), await sendTest('s-08')];
      const resumed = readSse(
        await hub.app.request(`/v1/notifications/stream?access_token=${token}`, {
          headers: { 'Last-Event-ID': seen.id ?? '' },
        }),
      );
      try {
        await resumed.next('ready');
        const replayed = [await resumed.next('notification'), await resumed.next('notification')];
        assert.deepEqual(
          replayed.map((event) => (JSON.parse(event.data) as HubNotification).id),
          missed.map(({ notification }) => notification.id),
        );
      } finally {
        await resumed.close();
      }
    });

    it('does not send one user’s notifications to another', async () => {
      const token = await hub.tokenFor('s-09');
      const stream = readSse(await hub.app.request(`/v1/notifications/stream?access_token=${token}`));
      try {
        await stream.next('ready');
        await sendTest('s-10');
        await assert.rejects(stream.next('notification', 300));
      } finally {
        await stream.close();
      }
    });

    it('refuses a stream without a valid token', async () => {
      await assertError(await hub.app.request('/v1/notifications/stream'), 401, 'UNAUTHENTICATED');
      await assertError(
        await hub.app.request('/v1/notifications/stream?access_token=not-a-token'),
        401,
        'UNAUTHENTICATED',
      );
    });
  });

  describe('devices', () => {
    it('registers a web subscription and a phone token, and deletes only the caller’s own', async () => {
      const { device } = await registerWeb('s-11');
      assert.equal(device.platform, 'web');
      const phone = await json<DeviceResponse>(
        await hub.requestAs(
          's-11',
          '/v1/devices',
          jsonBody({ platform: 'android', token: 'fcm-token:APA91b-abcdef' }, { method: 'POST' }),
        ),
        201,
      );
      await assertError(
        await hub.requestAs('s-12', `/v1/devices/${device.id}`, { method: 'DELETE' }),
        404,
        'NOT_FOUND',
      );
      const kept = await hub.services.notifications.store.devicesOf('s-11');
      assert.equal(kept.length, 2);
      const removed = await hub.requestAs('s-11', `/v1/devices/${phone.device.id}`, { method: 'DELETE' });
      assert.equal(removed.status, 204);
      assert.deepEqual(
        (await hub.services.notifications.store.devicesOf('s-11')).map(({ id }) => id),
        [device.id],
      );
    });

    it('refuses subscriptions that are not HTTPS push endpoints with keys, and ids that are not uuids', async () => {
      const subscription = pushService.createSubscription();
      for (const body of [
        { platform: 'web', subscription: { ...subscription, endpoint: 'http://push.example/x' } },
        { platform: 'web', subscription: { endpoint: subscription.endpoint } },
        { platform: 'web', subscription: { ...subscription, keys: { p256dh: 'short', auth: 'x' } } },
        { platform: 'ios', token: '' },
        { platform: 'pager', token: 'abcdefgh' },
      ]) {
        await assertError(
          await hub.requestAs('s-11', '/v1/devices', jsonBody(body, { method: 'POST' })),
          400,
          'VALIDATION_FAILED',
        );
      }
      await assertError(
        await hub.requestAs('s-11', '/v1/devices/..%2Fetc', { method: 'DELETE' }),
        400,
        'VALIDATION_FAILED',
      );
    });
  });

  describe('notification preferences', () => {
    it('returns the matrix with urgent kinds locked, and saves the caller’s switches', async () => {
      const initial = await json<NotificationPreferencesResponse>(
        await hub.requestAs('s-12', '/v1/notification-preferences'),
      );
      assert.equal(initial.preferences['chat.message'].web_push, true);
      assert.ok(initial.locked['call.ringing']?.includes('web_push'));
      const saved = await json<NotificationPreferencesResponse>(
        await hub.requestAs(
          's-12',
          '/v1/notification-preferences',
          jsonBody({ preferences: { 'chat.message': { web_push: false } } }, { method: 'PUT' }),
        ),
      );
      assert.equal(saved.preferences['chat.message'].web_push, false);
      const other = await json<NotificationPreferencesResponse>(
        await hub.requestAs('s-11', '/v1/notification-preferences'),
      );
      assert.equal(other.preferences['chat.message'].web_push, true);
    });

    it('refuses to mute an urgent kind, and changes nothing', async () => {
      const response = await hub.requestAs(
        's-12',
        '/v1/notification-preferences',
        jsonBody(
          { preferences: { 'session.scheduled': { email: false }, 'call.ringing': { mobile_push: false } } },
          { method: 'PUT' },
        ),
      );
      const body = await assertError(response, 400, 'VALIDATION_FAILED');
      assert.equal(body.error.details?.[0]?.path, 'preferences.call.ringing.mobile_push');
      const after = await json<NotificationPreferencesResponse>(
        await hub.requestAs('s-12', '/v1/notification-preferences'),
      );
      assert.equal(after.preferences['session.scheduled'].email, true);
    });

    it('refuses unknown kinds and channels', async () => {
      await assertError(
        await hub.requestAs(
          's-12',
          '/v1/notification-preferences',
          jsonBody({ preferences: { 'chat.nope': { web_push: false } } }, { method: 'PUT' }),
        ),
        400,
        'VALIDATION_FAILED',
      );
    });
  });

  describe('GET /v1/push/vapid-public-key', () => {
    it('gives anyone the VAPID public key, kept across restarts of the same data', async () => {
      const { publicKey } = await json<{ publicKey: string }>(
        await hub.app.request('/v1/push/vapid-public-key'),
      );
      assert.match(publicKey, /^[A-Za-z0-9_-]{87}$/);
      const stored = await hub.services.settings.get<{ publicKey: string }>('webpush.vapid-keys');
      assert.equal(stored?.publicKey, publicKey);
    });
  });
});

describe('GET /dev/mailbox', () => {
  it('shows what the hub would have emailed, escaped, in dev mode', async () => {
    const hub = await createTestApp();
    try {
      await hub.requestAs('s-01', '/v1/notifications/test', { method: 'POST' });
      await hub.services.notifications.worker.runDue();
      const page = await hub.app.request('/dev/mailbox');
      assert.equal(page.status, 200);
      assert.match(page.headers.get('Content-Security-Policy') ?? '', /script-src 'self'/);
      const text = await page.text();
      assert.match(text, /Teacher Hub: test notification/);
      assert.match(text, /To s-01@example\.edu/);
      const { messages } = await json<{ messages: Array<{ to: string }> }>(
        await hub.app.request('/dev/mailbox.json'),
      );
      assert.deepEqual(
        messages.map(({ to }) => to),
        ['s-01@example.edu'],
      );
    } finally {
      await hub.close();
    }
  });

  it('does not exist in production', async () => {
    const hub = await createTestApp({ env: PRODUCTION_ENV });
    try {
      await assertError(await hub.app.request('/dev/mailbox'), 404, 'NOT_FOUND');
    } finally {
      await hub.close();
    }
  });
});
