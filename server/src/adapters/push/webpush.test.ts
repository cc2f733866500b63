import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startPushService, type PushServicePeer } from '../../testing/peers/push-service.ts';
import { createTestPki, spawnTrustingTestCa, type TestPki } from '../../testing/peers/tls.ts';
import { until } from '../../testing/until.ts';
import type { PushMessage, PushTarget } from './push-provider.ts';
import { generateVapidKeys, topicForCollapseKey, WebPushProvider, type WebPushPayload } from './webpush.ts';

const vapid = { ...generateVapidKeys(), subject: 'mailto:ops@school.example' };

function message(overrides: Partial<PushMessage> = {}): PushMessage {
  return {
    kind: 'session.reminder',
    priority: 'normal',
    title: 'Algebra I starts in 15 minutes',
    body: 'Ada Lovelace · 09:00',
    data: { sessionId: 'ses-1', occurrenceStart: '2026-12-01T08:00:00.000Z' },
    collapseKey: 'session.reminder:ses-1:2026-12-01T08:00:00.000Z',
    ttlSeconds: 900,
    notificationId: 'ntf-1',
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
    notificationId: 'ntf-2',
  });

describe('WebPushProvider', () => {
  let pki: TestPki;
  let service: PushServicePeer;
  let provider: WebPushProvider;
  let nowMs = Date.now();

  const webTarget = (deviceId: string, subscription = service.createSubscription()): PushTarget => ({
    deviceId,
    platform: 'web',
    subscription,
  });

  before(async () => {
    pki = await createTestPki();
    service = await startPushService({ pki, now: () => nowMs });
    provider = new WebPushProvider({ vapid, agent: pki.httpsAgent(), now: () => nowMs });
  });

  beforeEach(() => {
    nowMs = Date.now();
    service.reset();
  });

  after(async () => {
    await provider.close();
    await service.close();
    await pki.cleanup();
  });

  describe('headers per priority', () => {
    it('sends an urgent ring with Urgency: high and the ring window as TTL', async () => {
      const results = await provider.send(ringing(), [webTarget('dev-1')]);

      assert.equal(results[0]?.status, 'sent');
      const [delivery] = service.deliveries;
      assert.equal(delivery?.urgency, 'high');
      assert.equal(delivery?.ttl, 30);
    });

    it('sends a normal notification with Urgency: normal and a TTL of at most one day', async () => {
      await provider.send(message({ ttlSeconds: 900 }), [webTarget('dev-1')]);
      await provider.send(message({ ttlSeconds: 7 * 24 * 3600 }), [webTarget('dev-2')]);

      assert.deepEqual(
        service.deliveries.map((delivery) => [delivery.urgency, delivery.ttl]),
        [
          ['normal', 900],
          ['normal', 86_400],
        ],
      );
    });

    it('sets a Topic of 32 URL-safe characters derived from the collapse key, the same on every retry', async () => {
      const subscription = service.createSubscription();
      await provider.send(message(), [webTarget('dev-1', subscription)]);
      await provider.send(message(), [webTarget('dev-1', subscription)]);

      const topics = service.deliveries.map((delivery) => delivery.topic);
      assert.match(topics[0] ?? '', /^[A-Za-z0-9_-]{32}$/);
      assert.deepEqual(topics, [
        topicForCollapseKey(message().collapseKey),
        topicForCollapseKey(message().collapseKey),
      ]);
      assert.notEqual(topicForCollapseKey('call:call-7'), topicForCollapseKey('call:call-8'));
    });
  });

  it('encrypts the payload (aes128gcm) so the browser decrypts exactly what was sent', async () => {
    const sent = ringing();
    const [result] = await provider.send(sent, [webTarget('dev-1')]);

    const payload = JSON.parse(service.deliveries[0]?.payload ?? '') as WebPushPayload;
    assert.deepEqual(payload, {
      notificationId: 'ntf-2',
      kind: 'call.ringing',
      priority: 'urgent',
      title: 'Ada Lovelace is calling',
      body: 'Algebra I',
      data: { callId: 'call-7', chatId: 'chat-3' },
      collapseKey: 'call:call-7',
    });
    assert.equal(
      result?.status === 'sent' && result.providerId?.startsWith(`${service.origin}/message/`),
      true,
    );
  });

  describe('VAPID Authorization', () => {
    it('signs one JWT for 20 sends to one push service, with its origin as audience', async () => {
      for (let i = 0; i < 20; i += 1) await provider.send(message(), [webTarget(`dev-${i}`)]);

      assert.equal(service.deliveries.length, 20);
      assert.equal(service.jwtsSeen.size, 1);
      const claims = service.deliveries[0]?.jwtClaims;
      assert.equal(claims?.aud, service.origin);
      assert.equal(claims?.sub, vapid.subject);
      assert.equal(service.deliveries[0]?.vapidPublicKey, vapid.publicKey);
    });

    it('signs one JWT per origin: two push services, two JWTs', async () => {
      const otherService = await startPushService({ pki, now: () => nowMs });
      try {
        const targets = Array.from({ length: 10 }, (_, i) =>
          webTarget(`dev-${i}`, (i % 2 ? otherService : service).createSubscription()),
        );
        const results = await provider.send(message(), targets);

        assert.ok(results.every((result) => result.status === 'sent'));
        assert.equal(service.jwtsSeen.size, 1);
        assert.equal(otherService.jwtsSeen.size, 1);
        assert.notDeepEqual([...service.jwtsSeen], [...otherService.jwtsSeen]);
      } finally {
        await otherService.close();
      }
    });

    it('signs a fresh JWT once the cached one is 11 hours old, well before its 12-hour expiry', async () => {
      const fresh = new WebPushProvider({ vapid, agent: pki.httpsAgent(), now: () => nowMs });
      await fresh.send(message(), [webTarget('dev-1')]);
      nowMs += 10 * 3600_000;
      await fresh.send(message(), [webTarget('dev-1')]);
      assert.equal(service.jwtsSeen.size, 1);

      nowMs += 3600_000 + 60_000;
      await fresh.send(message(), [webTarget('dev-1')]);

      assert.equal(service.jwtsSeen.size, 2);
      const [first, , third] = service.deliveries.map((delivery) => delivery.jwtClaims.exp as number);
      assert.ok(third! > first!);
      await fresh.close();
    });
  });

  describe('answers from the push service', () => {
    it('reports the device gone on 410 and on 404', async () => {
      const unsubscribed = service.createSubscription();
      const expired = service.createSubscription();
      service.failSubscription(unsubscribed.endpoint, {
        status: 410,
        body: 'push subscription has unsubscribed',
      });
      service.failSubscription(expired.endpoint, { status: 404 });

      const results = await provider.send(message(), [
        webTarget('dev-410', unsubscribed),
        webTarget('dev-404', expired),
      ]);

      assert.deepEqual(
        results.map((result) => [result.deviceId, result.status]),
        [
          ['dev-410', 'gone'],
          ['dev-404', 'gone'],
        ],
      );
    });

    it('asks for a retry on 500 and on 429, honouring Retry-After in seconds and as an HTTP date', async () => {
      const busy = service.createSubscription();
      const throttled = service.createSubscription();
      const broken = service.createSubscription();
      service.failSubscription(busy.endpoint, { status: 503, retryAfter: 120 });
      service.failSubscription(throttled.endpoint, {
        status: 429,
        retryAfter: new Date(nowMs + 30_000).toUTCString(),
      });
      service.failSubscription(broken.endpoint, { status: 500 });

      const [busyResult, throttledResult, brokenResult] = await provider.send(message(), [
        webTarget('dev-busy', busy),
        webTarget('dev-throttled', throttled),
        webTarget('dev-broken', broken),
      ]);

      assert.deepEqual(busyResult && { status: busyResult.status, ...pickRetry(busyResult) }, {
        status: 'retry',
        retryAfterMs: 120_000,
      });
      assert.equal(throttledResult?.status, 'retry');
      const throttledAfter = pickRetry(throttledResult!).retryAfterMs ?? -1;
      assert.ok(throttledAfter > 28_000 && throttledAfter <= 30_000, `retryAfterMs ${throttledAfter}`);
      assert.deepEqual(brokenResult && { status: brokenResult.status, ...pickRetry(brokenResult) }, {
        status: 'retry',
      });
    });

    it('retries a 500 and then delivers once the push service recovers', async () => {
      const target = webTarget('dev-1');
      service.failNext(1, { status: 500 });

      const [first] = await provider.send(message(), [target]);
      const [second] = await provider.send(message(), [target]);

      assert.equal(first?.status, 'retry');
      assert.equal(second?.status, 'sent');
      assert.equal(service.deliveries.length, 1);
    });

    it('fails without retrying on 400, 403 and 413', async () => {
      const statuses = [400, 403, 413];
      const targets = statuses.map((status) => {
        const subscription = service.createSubscription();
        service.failSubscription(subscription.endpoint, { status });
        return webTarget(`dev-${status}`, subscription);
      });

      const results = await provider.send(message(), targets);

      assert.deepEqual(
        results.map((result) => result.status),
        ['failed', 'failed', 'failed'],
      );
    });

    it('fails a payload over the push service limit (413) rather than retrying it forever', async () => {
      const [result] = await provider.send(message({ body: 'x'.repeat(5000) }), [webTarget('dev-1')]);

      assert.equal(result?.status, 'failed');
      assert.match(result?.status === 'failed' ? result.reason : '', /413/);
    });

    it('is refused (403) by a push service that holds another application server key, and fails', async () => {
      const subscription = service.createSubscription({
        applicationServerKey: generateVapidKeys().publicKey,
      });

      const [result] = await provider.send(message(), [webTarget('dev-1', subscription)]);

      assert.equal(result?.status, 'failed');
    });

    it('asks for a retry when the push service cannot be reached', async () => {
      const down = await startPushService({ pki });
      const subscription = down.createSubscription();
      await down.close();

      const [result] = await provider.send(message(), [webTarget('dev-1', subscription)]);

      assert.equal(result?.status, 'retry');
    });
  });

  describe('connections', () => {
    it('sends over HTTP/2 to a push service that offers it, many messages on one connection', async () => {
      const targets = Array.from({ length: 40 }, (_, i) => webTarget(`dev-${i}`));

      const results = await provider.send(message(), targets);

      assert.ok(results.every((result) => result.status === 'sent'));
      assert.deepEqual([...new Set(service.requests.map((request) => request.httpVersion))], ['2.0']);
      assert.equal(service.deliveries.length, 40);
      assert.equal(service.openConnections, 1);
    });

    it('falls back to HTTP/1.1 for a push service that offers only HTTP/1.1, with the same answers', async () => {
      const http1 = await startPushService({ pki, now: () => nowMs, http1Only: true });
      try {
        const gone = http1.createSubscription();
        http1.failSubscription(gone.endpoint, { status: 410 });
        const targets = [
          ...Array.from({ length: 5 }, (_, i) => webTarget(`dev-${i}`, http1.createSubscription())),
          webTarget('dev-gone', gone),
        ];

        const results = await provider.send(ringing(), targets);

        assert.deepEqual(
          results.map((result) => result.status),
          ['sent', 'sent', 'sent', 'sent', 'sent', 'gone'],
        );
        assert.deepEqual([...new Set(http1.requests.map((request) => request.httpVersion))], ['1.1']);
        const payload = JSON.parse(http1.deliveries[0]?.payload ?? '') as WebPushPayload;
        assert.equal(payload.notificationId, 'ntf-2');
        assert.equal(http1.deliveries[0]?.urgency, 'high');
        assert.equal(http1.deliveries[0]?.topic, topicForCollapseKey('call:call-7'));
      } finally {
        await http1.close();
      }
    });

    it('asks for a retry when the push service does not answer within the timeout', async () => {
      const impatient = new WebPushProvider({ vapid, agent: pki.httpsAgent(), timeoutMs: 200 });
      service.setResponseDelay(2_000);
      try {
        const [result] = await impatient.send(message(), [webTarget('dev-1')]);

        assert.equal(result?.status, 'retry');
        assert.match(result?.status === 'retry' ? result.reason : '', /timed out/);
      } finally {
        await impatient.close();
      }
    });

    it('closes its connections on close()', async () => {
      const own = await startPushService({ pki, now: () => nowMs });
      const closing = new WebPushProvider({ vapid, agent: pki.httpsAgent() });
      try {
        await closing.send(message(), [webTarget('dev-1', own.createSubscription())]);
        assert.equal(own.openConnections, 1);

        await closing.close();

        await until(() => own.openConnections === 0, 2_000, 'the HTTP/2 session stayed open');
      } finally {
        await own.close();
      }
    });
  });

  it('answers one result per device, in order, for a mixed batch', async () => {
    const gone = service.createSubscription();
    service.failSubscription(gone.endpoint, { status: 410 });
    const targets: PushTarget[] = [
      webTarget('dev-a'),
      webTarget('dev-gone', gone),
      { deviceId: 'dev-android', platform: 'android', token: 'fcm-token' },
      webTarget('dev-b'),
    ];

    const results = await provider.send(message(), targets);

    assert.deepEqual(
      results.map((result) => [result.deviceId, result.status]),
      [
        ['dev-a', 'sent'],
        ['dev-gone', 'gone'],
        ['dev-android', 'failed'],
        ['dev-b', 'sent'],
      ],
    );
  });

  it('reaches a push service trusted only through NODE_EXTRA_CA_CERTS, in a child process', async () => {
    const subscription = service.createSubscription();
    const providerModule = fileURLToPath(new URL('./webpush.ts', import.meta.url));
    const script = join(pki.dir, 'send-webpush.mts');
    await writeFile(
      script,
      `import { WebPushProvider } from ${JSON.stringify(providerModule)};
const provider = new WebPushProvider({ vapid: JSON.parse(process.env.VAPID) });
const results = await provider.send(JSON.parse(process.env.MESSAGE), [JSON.parse(process.env.TARGET)]);
await provider.close();
process.stdout.write(JSON.stringify(results));
`,
    );
    const child = spawnTrustingTestCa(pki, ['--import', 'tsx', script], {
      env: {
        ...process.env,
        VAPID: JSON.stringify(vapid),
        MESSAGE: JSON.stringify(message()),
        TARGET: JSON.stringify({ deviceId: 'dev-child', platform: 'web', subscription }),
      },
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [exitCode] = (await once(child, 'exit')) as [number];

    assert.equal(exitCode, 0);
    assert.deepEqual(
      (JSON.parse(output) as { status: string }[]).map((result) => result.status),
      ['sent'],
    );
    assert.equal(service.deliveriesTo(subscription.endpoint).length, 1);
  });
});

function pickRetry(result: { status: string; retryAfterMs?: number }): { retryAfterMs?: number } {
  return result.retryAfterMs === undefined ? {} : { retryAfterMs: result.retryAfterMs };
}
