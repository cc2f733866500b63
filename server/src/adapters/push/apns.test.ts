import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { createApnsKey, startApnsPeer, type ApnsKey, type ApnsPeer } from '../../testing/peers/apns-peer.ts';
import { createTestPki, type TestPki } from '../../testing/peers/tls.ts';
import { ApnsProvider, type ApnsProviderOptions } from './apns.ts';
import type { PushMessage, PushTarget } from './push-provider.ts';

const TEAM_ID = 'TEAMID1234';
const TOPIC = 'edu.example.teacherhub';
const MINUTE = 60_000;

const deviceToken = () => randomBytes(32).toString('hex');
const iosTarget = (deviceId: string, token = deviceToken()): PushTarget => ({
  deviceId,
  platform: 'ios',
  token,
});

function message(overrides: Partial<PushMessage> = {}): PushMessage {
  return {
    kind: 'chat.message',
    priority: 'normal',
    title: 'Ada Lovelace in Algebra I',
    body: 'Homework is due on Friday',
    data: { chatId: 'chat-3' },
    collapseKey: 'chat.message:msg-41',
    ttlSeconds: 3 * 24 * 3600,
    notificationId: 'ntf-9',
    ...overrides,
  };
}

const sessionLive = (): PushMessage =>
  message({
    kind: 'session.live',
    priority: 'urgent',
    title: 'Algebra I is live',
    body: 'Ada Lovelace started the session',
    data: { sessionId: 'ses-1', occurrenceStart: '2026-12-01T08:00:00.000Z' },
    collapseKey: 'session.live:ses-1:2026-12-01T08:00:00.000Z',
    ttlSeconds: 30,
    notificationId: 'ntf-10',
  });

describe('ApnsProvider', () => {
  let pki: TestPki;
  let key: ApnsKey;
  let peer: ApnsPeer;
  let nowMs = Date.now();
  const providers: ApnsProvider[] = [];

  const newProvider = (overrides: Partial<ApnsProviderOptions> = {}) => {
    const provider = new ApnsProvider({
      keyPem: key.keyPem,
      keyId: key.keyId,
      teamId: TEAM_ID,
      topic: TOPIC,
      host: peer.host,
      port: peer.port,
      ca: pki.caPem,
      now: () => nowMs,
      ...overrides,
    });
    providers.push(provider);
    return provider;
  };

  before(async () => {
    pki = await createTestPki();
    key = createApnsKey();
    peer = await startApnsPeer({
      pki,
      teamId: TEAM_ID,
      keyId: key.keyId,
      publicKey: key.publicKey,
      topic: TOPIC,
      now: () => nowMs,
    });
  });

  beforeEach(() => {
    nowMs = Date.now();
    peer.reset();
  });

  afterEach(async () => {
    await Promise.all(providers.splice(0).map((provider) => provider.close()));
  });

  after(async () => {
    await peer.close();
    await pki.cleanup();
  });

  describe('request per priority', () => {
    it('sends an urgent alert with apns-priority 10, push type alert, a time-sensitive interruption level and a sound', async () => {
      const results = await newProvider().send(sessionLive(), [iosTarget('dev-1')]);

      assert.equal(results[0]?.status, 'sent');
      const [request] = peer.deliveries;
      assert.deepEqual(request?.headers, {
        topic: TOPIC,
        pushType: 'alert',
        priority: '10',
        expiration: String(Math.floor(nowMs / 1000) + 30),
        collapseId: 'session.live:ses-1:2026-12-01T08:00:00.000Z',
      });
      assert.deepEqual(request?.payload, {
        sessionId: 'ses-1',
        occurrenceStart: '2026-12-01T08:00:00.000Z',
        notificationId: 'ntf-10',
        kind: 'session.live',
        aps: {
          alert: { title: 'Algebra I is live', body: 'Ada Lovelace started the session' },
          sound: 'default',
          'interruption-level': 'time-sensitive',
          'thread-id': 'ses-1',
        },
      });
    });

    it('sends a normal alert with apns-priority 5, an active interruption level, no sound, and at most a day to live', async () => {
      await newProvider().send(message(), [iosTarget('dev-1')]);

      const [request] = peer.deliveries;
      assert.equal(request?.headers.priority, '5');
      assert.equal(request?.headers.pushType, 'alert');
      assert.equal(request?.headers.expiration, String(Math.floor(nowMs / 1000) + 86_400));
      assert.deepEqual((request?.payload as { aps: unknown }).aps, {
        alert: { title: 'Ada Lovelace in Algebra I', body: 'Homework is due on Friday' },
        'interruption-level': 'active',
        'thread-id': 'chat-3',
      });
    });

    it('keeps apns-collapse-id within 64 bytes by hashing a longer collapse key, the same way every time', async () => {
      const collapseKey = `session.rescheduled:${'ses-with-a-very-long-id-'.repeat(4)}`;
      const provider = newProvider();
      await provider.send(message({ collapseKey }), [iosTarget('dev-1')]);
      await provider.send(message({ collapseKey }), [iosTarget('dev-1')]);

      const [first, second] = peer.deliveries.map((request) => request.headers.collapseId ?? '');
      assert.ok(Buffer.byteLength(first ?? '') <= 64);
      assert.equal(first, second);
    });

    it('answers the apns-id APNs gave as the provider id', async () => {
      const [result] = await newProvider().send(message(), [iosTarget('dev-1')]);

      assert.equal(result?.status === 'sent' ? result.providerId : undefined, peer.deliveries[0]?.apnsId);
    });
  });

  describe('provider token', () => {
    it('signs one token and one connection for 20 sends', async () => {
      const provider = newProvider();
      const connectionsBefore = peer.connections;
      const results = await provider.send(
        message(),
        Array.from({ length: 20 }, (_, i) => iosTarget(`dev-${i}`)),
      );

      assert.ok(results.every((result) => result.status === 'sent'));
      assert.equal(peer.jwtsSeen.size, 1);
      assert.equal(peer.connections - connectionsBefore, 1);
    });

    it('keeps the token for 39 minutes and replaces it after 40, never sooner than 20', async () => {
      const provider = newProvider();
      const sendOne = async () => (await provider.send(message(), [iosTarget('dev-1')]))[0]?.status;

      assert.equal(await sendOne(), 'sent');
      nowMs += 19 * MINUTE;
      assert.equal(await sendOne(), 'sent');
      nowMs += 20 * MINUTE;
      assert.equal(await sendOne(), 'sent');
      assert.equal(peer.jwtsSeen.size, 1);

      nowMs += 2 * MINUTE;
      assert.equal(await sendOne(), 'sent');
      assert.equal(peer.jwtsSeen.size, 2);
      assert.ok(!peer.requests.some((request) => request.reason === 'TooManyProviderTokenUpdates'));
    });

    it('signs a new token at once when APNs says ExpiredProviderToken, and delivers with it', async () => {
      const provider = newProvider();
      await provider.send(message(), [iosTarget('dev-1')]);
      nowMs += 25 * MINUTE;
      peer.failNext(1, { status: 403, reason: 'ExpiredProviderToken' });

      const [result] = await provider.send(message(), [iosTarget('dev-2')]);

      assert.equal(result?.status, 'sent');
      assert.equal(peer.jwtsSeen.size, 2);
    });

    it('asks for a retry, keeping its token, when APNs calls a token younger than 20 minutes expired', async () => {
      const provider = newProvider();
      await provider.send(message(), [iosTarget('dev-1')]);
      nowMs += 5 * MINUTE;
      peer.failNext(1, { status: 403, reason: 'ExpiredProviderToken' });

      const [result] = await provider.send(message(), [iosTarget('dev-2')]);

      assert.equal(result?.status, 'retry');
      assert.equal(peer.jwtsSeen.size, 1);
    });

    it('fails (no retry) when APNs refuses the token: InvalidProviderToken from a key of another team', async () => {
      const otherKey = createApnsKey();
      const provider = newProvider({ keyPem: otherKey.keyPem, keyId: key.keyId });

      const [result] = await provider.send(message(), [iosTarget('dev-1')]);

      assert.equal(result?.status, 'failed');
      assert.match(result?.status === 'failed' ? result.reason : '', /403 InvalidProviderToken/);
    });
  });

  describe('answers from APNs', () => {
    it('reports the device gone on 410 Unregistered and BadDeviceToken, but not on DeviceTokenNotForTopic', async () => {
      const unregistered = deviceToken();
      const otherApp = deviceToken();
      peer.failToken(unregistered, { status: 410, reason: 'Unregistered' });
      peer.failToken(otherApp, { status: 400, reason: 'DeviceTokenNotForTopic' });

      const results = await newProvider().send(message(), [
        iosTarget('dev-410', unregistered),
        iosTarget('dev-bad', 'not-a-device-token'),
        iosTarget('dev-other-app', otherApp),
      ]);

      assert.deepEqual(
        results.map((result) => [result.deviceId, result.status]),
        [
          ['dev-410', 'gone'],
          ['dev-bad', 'gone'],
          ['dev-other-app', 'failed'],
        ],
      );
      assert.equal(peer.requests[1]?.reason, 'BadDeviceToken');
    });

    it('asks for a retry on 429, 500 and 503, with Retry-After when APNs gives one', async () => {
      const throttled = deviceToken();
      const broken = deviceToken();
      const unavailable = deviceToken();
      peer.failToken(throttled, { status: 429, reason: 'TooManyRequests', retryAfter: 60 });
      peer.failToken(broken, { status: 500, reason: 'InternalServerError' });
      peer.failToken(unavailable, { status: 503, reason: 'ServiceUnavailable' });

      const results = await newProvider().send(message(), [
        iosTarget('dev-429', throttled),
        iosTarget('dev-500', broken),
        iosTarget('dev-503', unavailable),
      ]);

      assert.deepEqual(
        results.map((result) => [result.status, result.status === 'retry' ? result.retryAfterMs : undefined]),
        [
          ['retry', 60_000],
          ['retry', undefined],
          ['retry', undefined],
        ],
      );
    });

    it('fails (no retry) on other 400s and on a payload over 4 KB', async () => {
      const badRequest = deviceToken();
      peer.failToken(badRequest, { status: 400, reason: 'BadMessageId' });

      const results = await newProvider().send(message({ body: 'x'.repeat(5000) }), [iosTarget('dev-big')]);
      const [other] = await newProvider().send(message(), [iosTarget('dev-400', badRequest)]);

      assert.equal(results[0]?.status, 'failed');
      assert.equal(peer.requests[0]?.reason, 'PayloadTooLarge');
      assert.equal(other?.status, 'failed');
    });

    it('opens a new connection after APNs sends GOAWAY, and delivers on it', async () => {
      const provider = newProvider();
      const before = peer.connections;
      await provider.send(message(), [iosTarget('dev-1')]);
      peer.goAway();
      await new Promise((resolve) => setTimeout(resolve, 20));

      const [result] = await provider.send(message(), [iosTarget('dev-1')]);

      assert.equal(result?.status, 'sent');
      assert.equal(peer.connections - before, 2);
    });

    it('asks for a retry when APNs cannot be reached', async () => {
      const [result] = await newProvider({ port: 1 }).send(message(), [iosTarget('dev-1')]);

      assert.equal(result?.status, 'retry');
    });
  });

  it('answers one result per device, in order, and fails targets of other platforms', async () => {
    const gone = deviceToken();
    peer.failToken(gone, { status: 410, reason: 'Unregistered' });

    const results = await newProvider().send(message(), [
      iosTarget('dev-a'),
      {
        deviceId: 'dev-web',
        platform: 'web',
        subscription: { endpoint: 'https://x.invalid/1', keys: { p256dh: '', auth: '' } },
      },
      iosTarget('dev-gone', gone),
      iosTarget('dev-b'),
    ]);

    assert.deepEqual(
      results.map((result) => [result.deviceId, result.status]),
      [
        ['dev-a', 'sent'],
        ['dev-web', 'failed'],
        ['dev-gone', 'gone'],
        ['dev-b', 'sent'],
      ],
    );
  });

  it('refuses to start with a key that is not a P-256 token key', () => {
    assert.throws(() => new ApnsProvider({ keyPem: 'not a key', keyId: 'K', teamId: TEAM_ID, topic: TOPIC }));
  });
});
