import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NORMAL_TTL_SECONDS, planFanOut, type NotifyRequest, type Recipient } from './fan-out.ts';
import { resolvePreferences } from './preferences.ts';

const now = new Date('2026-12-01T08:00:00Z');
const sequentialIds = () => {
  let next = 0;
  return () => `id-${++next}`;
};

const student = (userId: string, overrides: Partial<Recipient> = {}): Recipient => ({
  userId,
  email: `${userId}@example.edu`,
  devices: [
    { id: `${userId}-web`, platform: 'web' },
    { id: `${userId}-android`, platform: 'android' },
    { id: `${userId}-ios`, platform: 'ios' },
  ],
  preferences: resolvePreferences([]),
  ...overrides,
});

const ring: NotifyRequest = {
  kind: 'call.ringing',
  recipients: ['s-01', 's-06'],
  title: 'Ada Lovelace is calling',
  body: 'Algebra study group',
  data: { chatId: 'c1', callId: 'call-1' },
  key: 'call:call-1:ring',
  urgentTtlSeconds: 30,
};

describe('planFanOut', () => {
  it('plans one notification per recipient and one delivery per device', () => {
    const plan = planFanOut(ring, [student('s-01'), student('s-06')], sequentialIds(), now);
    assert.equal(plan.notifications.length, 2);
    assert.deepEqual(
      plan.deliveries.map((delivery) => `${delivery.userId}:${delivery.channel}:${delivery.deviceId}`),
      [
        's-01:webpush:s-01-web',
        's-01:fcm:s-01-android',
        's-01:apns:s-01-ios',
        's-06:webpush:s-06-web',
        's-06:fcm:s-06-android',
        's-06:apns:s-06-ios',
      ],
    );
    for (const delivery of plan.deliveries) {
      const notification = plan.notifications.find(({ id }) => id === delivery.notificationId);
      assert.equal(notification?.userId, delivery.userId);
    }
  });

  it('marks urgent kinds urgent with the ring window as TTL', () => {
    const plan = planFanOut(ring, [student('s-01')], sequentialIds(), now);
    assert.equal(plan.notifications[0]?.priority, 'urgent');
    assert.ok(plan.deliveries.every((delivery) => delivery.ttlSeconds === 30));
    assert.ok(plan.deliveries.every((delivery) => delivery.collapseKey === 'call:call-1:ring'));
  });

  it('caps normal kinds at one day and reuses an explicit collapse key', () => {
    const missed: NotifyRequest = {
      ...ring,
      kind: 'call.missed',
      key: 'call:call-1:missed',
      collapseKey: 'call:call-1:ring',
      urgentTtlSeconds: 99_999,
    };
    const plan = planFanOut(missed, [student('s-01')], sequentialIds(), now);
    assert.equal(plan.notifications[0]?.priority, 'normal');
    assert.ok(plan.deliveries.every((delivery) => delivery.ttlSeconds === NORMAL_TTL_SECONDS));
    assert.ok(plan.deliveries.every((delivery) => delivery.collapseKey === 'call:call-1:ring'));
  });

  it('skips muted channels for normal kinds but never for urgent ones', () => {
    const muted = student('s-01', {
      preferences: resolvePreferences([
        { kind: 'chat.message', channel: 'mobile_push', enabled: false },
        { kind: 'chat.message', channel: 'in_app', enabled: false },
        { kind: 'call.ringing', channel: 'mobile_push', enabled: false },
      ]),
    });
    const message: NotifyRequest = { ...ring, kind: 'chat.message', key: 'chat:c1:m1', recipients: ['s-01'] };
    const chatPlan = planFanOut(message, [muted], sequentialIds(), now);
    assert.deepEqual(
      chatPlan.deliveries.map(({ channel }) => channel),
      ['webpush'],
    );
    assert.equal(chatPlan.notifications[0]?.listed, false);

    const ringPlan = planFanOut(ring, [muted], sequentialIds(), now);
    assert.deepEqual(
      ringPlan.deliveries.map(({ channel }) => channel),
      ['webpush', 'fcm', 'apns'],
    );
  });

  it('emails only recipients with an address who allow email for the kind', () => {
    const scheduled: NotifyRequest = {
      kind: 'session.scheduled',
      recipients: ['s-01', 's-02', 's-03'],
      title: 'Algebra review',
      body: 'Mondays 16:00',
      data: { sessionId: 'ses-1' },
      key: 'session:ses-1:scheduled:1',
      email: (userId) => ({ subject: `Invitation for ${userId}`, text: 'See you there' }),
    };
    const plan = planFanOut(
      scheduled,
      [
        student('s-01', { devices: [] }),
        student('s-02', { devices: [], email: null }),
        student('s-03', {
          devices: [],
          preferences: resolvePreferences([{ kind: 'session.scheduled', channel: 'email', enabled: false }]),
        }),
      ],
      sequentialIds(),
      now,
    );
    assert.deepEqual(
      plan.deliveries.map(({ userId, channel, email }) => [userId, channel, email?.subject]),
      [['s-01', 'email', 'Invitation for s-01']],
    );
  });

  it('ignores people who are not recipients and counts a repeated recipient once', () => {
    const plan = planFanOut(
      { ...ring, recipients: ['s-01'] },
      [student('s-01'), student('s-01'), student('s-09')],
      sequentialIds(),
      now,
    );
    assert.deepEqual(
      plan.notifications.map(({ userId, dedupeKey }) => [userId, dedupeKey]),
      [['s-01', 'call:call-1:ring:s-01']],
    );
  });
});
