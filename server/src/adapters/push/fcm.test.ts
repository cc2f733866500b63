import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import {
  createServiceAccount,
  FCM_ERRORS,
  startFcmPeer,
  writeServiceAccountFile,
  type FcmPeer,
  type ServiceAccount,
} from '../../testing/peers/fcm-peer.ts';
import { createTestPki, type TestPki } from '../../testing/peers/tls.ts';
import { FcmProvider, type FcmProviderOptions } from './fcm.ts';
import type { PushMessage, PushTarget } from './push-provider.ts';

const registrationToken = () =>
  `${randomBytes(8).toString('hex')}:APA91b${randomBytes(40).toString('base64url')}`;
const androidTarget = (deviceId: string, token = registrationToken()): PushTarget => ({
  deviceId,
  platform: 'android',
  token,
});

function message(overrides: Partial<PushMessage> = {}): PushMessage {
  return {
    kind: 'session.scheduled',
    priority: 'normal',
    title: 'New session: Algebra I review',
    body: 'Tue 1 Dec, 09:00 (Europe/Berlin)',
    data: { sessionId: 'ses-1' },
    collapseKey: 'session.scheduled:ses-1',
    ttlSeconds: 7 * 24 * 3600,
    notificationId: 'ntf-20',
    ...overrides,
  };
}

const ringing = (): PushMessage =>
  message({
    kind: 'call.ringing',
    priority: 'urgent',
    title: 'Ada Lovelace is calling',
    body: 'Algebra I',
    data: { callId: 'call-7', chatId: 'chat-3' },
    collapseKey: 'call:call-7',
    ttlSeconds: 30,
    notificationId: 'ntf-21',
  });

describe('FcmProvider', () => {
  let pki: TestPki;
  let serviceAccount: ServiceAccount;
  let serviceAccountFile: string;
  let peer: FcmPeer;
  const providers: FcmProvider[] = [];

  const newProvider = (overrides: Partial<FcmProviderOptions> = {}) => {
    const provider = new FcmProvider({ serviceAccountFile, httpAgent: peer.httpAgent(), ...overrides });
    providers.push(provider);
    return provider;
  };

  before(async () => {
    pki = await createTestPki();
    serviceAccount = createServiceAccount('teacher-hub-test');
    serviceAccountFile = await writeServiceAccountFile(serviceAccount, pki.dir);
    peer = await startFcmPeer({ pki, serviceAccount });
  });

  beforeEach(() => peer.reset());

  afterEach(async () => {
    await Promise.all(providers.splice(0).map((provider) => provider.close()));
  });

  after(async () => {
    await peer.close();
    await pki.cleanup();
  });

  describe('message per priority', () => {
    it('sends an urgent ring with android priority high, the collapse key, the ring window as ttl and the urgent channel', async () => {
      const token = registrationToken();
      const [result] = await newProvider().send(ringing(), [androidTarget('dev-1', token)]);

      assert.equal(result?.status, 'sent');
      assert.deepEqual(peer.deliveries[0]?.message, {
        token,
        notification: { title: 'Ada Lovelace is calling', body: 'Algebra I' },
        data: {
          callId: 'call-7',
          chatId: 'chat-3',
          notificationId: 'ntf-21',
          kind: 'call.ringing',
          priority: 'urgent',
          collapseKey: 'call:call-7',
        },
        android: {
          priority: 'high',
          collapse_key: 'call:call-7',
          ttl: '30s',
          notification: { tag: 'call:call-7', channel_id: 'hub-urgent' },
        },
      });
    });

    it('sends a normal notification with android priority normal, at most a day to live and the default channel', async () => {
      await newProvider().send(message(), [androidTarget('dev-1')]);

      const android = peer.deliveries[0]?.message.android;
      assert.equal(android?.priority, 'normal');
      assert.equal(android?.ttl, '86400s');
      assert.equal(android?.collapse_key, 'session.scheduled:ses-1');
      assert.deepEqual(android?.notification, { tag: 'session.scheduled:ses-1', channel_id: 'hub-default' });
    });

    it('answers the FCM message name as the provider id', async () => {
      const [result] = await newProvider().send(message(), [androidTarget('dev-1')]);

      assert.equal(result?.status === 'sent' ? result.providerId : undefined, peer.deliveries[0]?.name);
      assert.match(peer.deliveries[0]?.name ?? '', /^projects\/teacher-hub-test\/messages\//);
    });
  });

  it('trades a signed service-account assertion for one access token and reuses it', async () => {
    // firebase-admin keeps one credential (and its token) per service account file for the whole process.
    const provider = newProvider({
      serviceAccountFile: await writeServiceAccountFile(serviceAccount, pki.dir),
    });
    const before = peer.accessTokensIssued.length;
    await provider.send(message(), [androidTarget('dev-1')]);
    await provider.send(message(), [androidTarget('dev-2'), androidTarget('dev-3')]);

    assert.equal(peer.accessTokensIssued.length - before, 1);
    assert.ok(peer.deliveries.every((delivery) => delivery.accessToken === peer.accessTokensIssued.at(-1)));
  });

  it('sends in batches: never more messages in flight than one batch', async () => {
    peer.setResponseDelay(30);
    const targets = Array.from({ length: 12 }, (_, i) => androidTarget(`dev-${i}`));

    const results = await newProvider({ batchSize: 5 }).send(message(), targets);

    assert.equal(results.filter((result) => result.status === 'sent').length, 12);
    assert.equal(peer.maxConcurrentSends, 5);
  });

  describe('per-token results', () => {
    it('reports gone for an unregistered token and for an invalid registration token', async () => {
      const unregistered = registrationToken();
      peer.failToken(unregistered, FCM_ERRORS.unregistered);

      const results = await newProvider().send(message(), [
        androidTarget('dev-unregistered', unregistered),
        androidTarget('dev-invalid', 'not a token'),
      ]);

      assert.deepEqual(
        results.map((result) => [result.deviceId, result.status]),
        [
          ['dev-unregistered', 'gone'],
          ['dev-invalid', 'gone'],
        ],
      );
      assert.match(
        results[0]?.status === 'gone' ? results[0].reason : '',
        /registration-token-not-registered/,
      );
    });

    it('fails (and keeps the device) on an invalid argument that is about the payload, not the token', async () => {
      const token = registrationToken();
      peer.failToken(token, FCM_ERRORS.invalidPayload);

      const [result] = await newProvider().send(message(), [androidTarget('dev-1', token)]);

      assert.equal(result?.status, 'failed');
      assert.match(result?.status === 'failed' ? result.reason : '', /messaging\/invalid-argument/);
    });

    it('asks for a retry on quota exceeded (429) and on an internal error (500)', async () => {
      const throttled = registrationToken();
      const broken = registrationToken();
      peer.failToken(throttled, FCM_ERRORS.quotaExceeded);
      peer.failToken(broken, FCM_ERRORS.internal);

      const results = await newProvider().send(message(), [
        androidTarget('dev-429', throttled),
        androidTarget('dev-500', broken),
      ]);

      assert.deepEqual(
        results.map((result) => result.status),
        ['retry', 'retry'],
      );
    });

    it('fails on a sender id mismatch: a configuration error that retrying will not fix', async () => {
      const token = registrationToken();
      peer.failToken(token, FCM_ERRORS.senderIdMismatch);

      const [result] = await newProvider().send(message(), [androidTarget('dev-1', token)]);

      assert.equal(result?.status, 'failed');
    });

    it('answers one result per device, in order, and fails targets of other platforms', async () => {
      const gone = registrationToken();
      peer.failToken(gone, FCM_ERRORS.unregistered);

      const results = await newProvider().send(message(), [
        androidTarget('dev-a'),
        { deviceId: 'dev-ios', platform: 'ios', token: 'a'.repeat(64) },
        androidTarget('dev-gone', gone),
        androidTarget('dev-b'),
      ]);

      assert.deepEqual(
        results.map((result) => [result.deviceId, result.status]),
        [
          ['dev-a', 'sent'],
          ['dev-ios', 'failed'],
          ['dev-gone', 'gone'],
          ['dev-b', 'sent'],
        ],
      );
    });
  });

  it('asks for a retry when FCM cannot be reached', async () => {
    const down = await startFcmPeer({ pki, serviceAccount });
    const provider = newProvider({ httpAgent: down.httpAgent() });
    await provider.send(message(), [androidTarget('dev-1')]);
    await down.close();

    const [result] = await provider.send(message(), [androidTarget('dev-1')]);

    assert.equal(result?.status, 'retry');
  });

  it('lets several providers (named Firebase apps) live in one process', async () => {
    const [first] = await newProvider().send(message(), [androidTarget('dev-1')]);
    const [second] = await newProvider().send(message(), [androidTarget('dev-2')]);

    assert.deepEqual([first?.status, second?.status], ['sent', 'sent']);
  });

  describe('configuration', () => {
    it('takes the service account inline (no agent)', () => {
      const provider = new FcmProvider({
        projectId: serviceAccount.projectId,
        clientEmail: serviceAccount.clientEmail,
        privateKey: serviceAccount.privateKey.replace(/\n/g, '\\n'),
      });
      providers.push(provider);
    });

    it('refuses an inline service account with an agent, which firebase-admin would bypass for the OAuth token', () => {
      assert.throws(
        () =>
          new FcmProvider({
            projectId: serviceAccount.projectId,
            clientEmail: serviceAccount.clientEmail,
            privateKey: serviceAccount.privateKey,
            httpAgent: peer.httpAgent(),
          }),
        /serviceAccountFile/,
      );
    });

    it('refuses to start without a service account', () => {
      assert.throws(() => new FcmProvider({ projectId: 'p' }), /serviceAccountFile, or projectId/);
    });
  });
});
