import assert from 'node:assert/strict';
import { createECDH, createHmac, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { HubNotification, NotificationList } from '@teacher-hub/protocol';
import { fixedClock } from '../domain/clock.ts';
import type { Chat } from '../domain/chat/chat.ts';
import type { ChatResponse } from '../domain/chat/chat-api.ts';
import { devStreamCredentials, sendStreamMessage, streamWebhook } from '../testing/chat.ts';
import { assertError, json, jsonBody } from '../testing/http.ts';
import { createTestApp, type TestApp } from '../testing/test-app.ts';

describe('POST /v1/webhooks/stream', () => {
  // The emulator keeps GetStream's own (real) time; the hub's clock moves only when the test says so.
  const clock = fixedClock(new Date());
  let hub: TestApp;
  let secret: string;
  let group: Chat;
  let direct: Chat;

  before(async () => {
    hub = await createTestApp({ clock });
    secret = (await devStreamCredentials(hub)).apiSecret;
    group = (
      await json<ChatResponse>(
        await hub.requestAs(
          't-ada',
          '/v1/chats',
          jsonBody({ name: 'Algebra study group', memberIds: ['s-01', 's-06'] }, { method: 'POST' }),
        ),
        201,
      )
    ).chat;
    direct = (
      await json<ChatResponse>(
        await hub.requestAs('s-02', '/v1/chats/direct', jsonBody({ userId: 't-ada' }, { method: 'POST' })),
        201,
      )
    ).chat;
  });
  after(() => hub.close());

  const deliver = (body: unknown, options: Parameters<typeof streamWebhook>[2] = {}) =>
    hub.app.request('/v1/webhooks/stream', streamWebhook(body, secret, options));
  const chatMessages = async (userId: string, chatId: string): Promise<HubNotification[]> =>
    (await json<NotificationList>(await hub.requestAs(userId, '/v1/notifications'))).notifications.filter(
      (notification) => notification.kind === 'chat.message' && notification.data.chatId === chatId,
    );
  const digests = () => hub.services.database.db.selectFrom('chat_digests').selectAll().execute();
  /** Lets the digest window pass and runs what became due (digests; the deliveries they make run too). */
  const afterTheWindow = async () => {
    clock.advance(5_000);
    await hub.services.notifications.worker.runDue();
  };

  describe('security', () => {
    it('refuses a missing, malformed or wrong signature with 401 and records nothing', async () => {
      const { body } = await sendStreamMessage(hub, group.cid, 't-ada', 'unsigned');
      const text = JSON.stringify(body);
      const hmac = (data: string, key: string) => createHmac('sha256', key).update(data).digest('hex');
      const wrong = [
        null,
        '',
        'not-hex',
        '0'.repeat(64),
        hmac(`${text} `, secret),
        hmac(text, `${secret}x`),
        `${hmac(text, secret)}00`,
        hmac(text, secret).slice(0, 32),
      ];
      for (const signature of wrong) {
        await assertError(await deliver(text, { signature }), 401, 'UNAUTHENTICATED');
      }
      assert.deepEqual(await digests(), []);
    });

    it('checks the signature over the raw bytes, not over JSON re-encoded', async () => {
      const { body } = await sendStreamMessage(hub, group.cid, 't-ada', 'spaced');
      const spaced = JSON.stringify(body, null, 2);
      const response = await hub.app.request('/v1/webhooks/stream', {
        ...streamWebhook(spaced, secret),
        body: JSON.stringify(body),
      });
      await assertError(response, 401, 'UNAUTHENTICATED');
      assert.deepEqual(await digests(), []);
    });
  });

  describe('error', () => {
    it('answers 400 to a signed body that is not JSON or not an event', async () => {
      await assertError(await deliver('{"type":'), 400, 'VALIDATION_FAILED');
      await assertError(await deliver({ hello: 'world' }), 400, 'VALIDATION_FAILED');
      await assertError(await deliver({ type: 'message.new', cid: 'hub-group:x' }), 400, 'VALIDATION_FAILED');
    });
  });

  describe('happy', () => {
    it('ignores events it does not act on and channels that are not the hub’s', async () => {
      const ignored = async (body: unknown) =>
        assert.deepEqual(await json(await deliver(body)), { ok: true, outcome: 'ignored' });
      await ignored({ type: 'reaction.new', cid: group.cid });
      await ignored({
        type: 'message.new',
        cid: 'messaging:elsewhere',
        message: { id: 'm-1', text: 'hi', user: { id: 't-ada' } },
      });
      assert.deepEqual(await digests(), []);
    });

    it('groups a burst: three messages from Ada become one notification per other member', async () => {
      for (const text of ['Homework is up', 'Page 42, exercises 1–5', 'Due Friday!']) {
        const { body } = await sendStreamMessage(hub, group.cid, 't-ada', text);
        assert.deepEqual(await json(await deliver(body)), { ok: true, outcome: 'handled' });
      }
      clock.advance(4_000);
      await hub.services.notifications.worker.runDue();
      assert.deepEqual(await chatMessages('s-01', group.id), [], 'nothing before the window ends');

      await afterTheWindow();
      for (const studentId of ['s-01', 's-06']) {
        const received = await chatMessages(studentId, group.id);
        assert.equal(received.length, 1, `${studentId} got one notification`);
        assert.equal(received[0]?.title, '3 new messages from Ada Lovelace in Algebra study group');
        assert.equal(received[0]?.body, 'Due Friday!');
        assert.deepEqual(received[0]?.data, { chatId: group.id, link: `#chat/${group.id}` });
      }
      assert.deepEqual(await chatMessages('t-ada', group.id), [], 'not to the sender');
    });

    it('does not notify a member who read the messages before the window ended (they were watching)', async () => {
      clock.advance(60_000);
      const { body } = await sendStreamMessage(hub, direct.cid, 's-02', 'Can I hand it in on Monday?');
      await json(await deliver(body));
      // Ada has the chat open: her client marks it read.
      await hub.services.chat.provider.client
        .channel('hub-direct', direct.id)
        .markRead({ user_id: 't-ada' } as never);
      await afterTheWindow();
      assert.deepEqual(await chatMessages('t-ada', direct.id), []);

      const { body: next } = await sendStreamMessage(hub, direct.cid, 's-02', 'Sorry, one more question');
      await json(await deliver(next));
      await afterTheWindow();
      const received = await chatMessages('t-ada', direct.id);
      assert.equal(received.length, 1, 'a later message she has not read is notified');
      assert.equal(received[0]?.title, 'New message from Ben Carter');
      assert.equal(received[0]?.body, 'Sorry, one more question');
    });

    it('does the work of a delivery once: a retry with the same X-Webhook-Id is answered 200 and changes nothing', async () => {
      const { body } = await sendStreamMessage(hub, group.cid, 's-01', 'Thanks!');
      const deliveryId = 'a5f7c0e2-1111-4a4a-9b9b-0123456789ab';
      assert.deepEqual(await json(await deliver(body, { deliveryId })), { ok: true, outcome: 'handled' });
      const once = await digests();
      assert.deepEqual(await json(await deliver(body, { deliveryId })), { ok: true, outcome: 'duplicate' });
      assert.deepEqual(await digests(), once);
    });

    it('waits out the cooldown before notifying the same chat again, with every message since in it', async () => {
      clock.advance(120_000);
      const notifiedBefore = (await chatMessages('s-06', group.id)).length;
      const first = await sendStreamMessage(hub, group.cid, 't-ada', 'Quiz tomorrow');
      await json(await deliver(first.body));
      await afterTheWindow();
      assert.equal((await chatMessages('s-06', group.id)).length, notifiedBefore + 1);

      for (const [author, text] of [
        ['t-ada', 'Bring a calculator'],
        ['s-01', 'Which chapters?'],
      ] as const) {
        const { body } = await sendStreamMessage(hub, group.cid, author, text);
        await json(await deliver(body));
      }
      await afterTheWindow();
      assert.equal((await chatMessages('s-06', group.id)).length, notifiedBefore + 1, 'still cooling down');
      clock.advance(60_000);
      await hub.services.notifications.worker.runDue();
      const latest = (await chatMessages('s-06', group.id))[0];
      assert.equal((await chatMessages('s-06', group.id)).length, notifiedBefore + 2);
      assert.equal(latest?.title, '2 new messages from Ada Lovelace and Amara Okafor in Algebra study group');
      assert.equal(latest?.body, 'Amara Okafor: Which chapters?');
    });

    it('gives a chat’s notifications one collapse key, so a device shows one entry per chat', async () => {
      const row = await hub.services.database.db
        .selectFrom('notifications')
        .select('dedupe_key')
        .where('kind', '=', 'chat.message')
        .where('user_id', '=', 's-01')
        .executeTakeFirstOrThrow();
      assert.match(row.dedupe_key, new RegExp(`^chat:${group.id}:s-01:digest:\\d+:s-01$`));
      // Deliveries carry `chat:<id>` as their collapse key (Topic / apns-collapse-id / FCM collapse key).
      const keys = createECDH('prime256v1');
      const subscription = {
        endpoint: 'https://push.example.invalid/s-01',
        keys: {
          p256dh: keys.generateKeys().toString('base64url'),
          auth: randomBytes(16).toString('base64url'),
        },
      };
      await json(
        await hub.requestAs(
          's-01',
          '/v1/devices',
          jsonBody({ platform: 'web', subscription }, { method: 'POST' }),
        ),
        201,
      );
      clock.advance(120_000);
      const { body } = await sendStreamMessage(hub, group.cid, 't-ada', 'One more thing');
      await json(await deliver(body));
      clock.advance(5_000);
      // One round: the digest, not yet the delivery it queued (the push service does not exist).
      await hub.services.notifications.worker.runOnce();
      const deliveries = await hub.services.database.db
        .selectFrom('deliveries')
        .select(['channel', 'collapse_key'])
        .where('user_id', '=', 's-01')
        .execute();
      assert.deepEqual(deliveries, [{ channel: 'webpush', collapse_key: `chat:${group.id}` }]);
    });
  });
});
