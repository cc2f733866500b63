import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import type { HubNotification } from '@teacher-hub/protocol';
import { readSse } from '../testing/sse.ts';
import { createTestApp, type TestApp } from '../testing/test-app.ts';
import { until } from '../testing/until.ts';

/**
 * The live stream as browsers get it: over a socket, from the hub served by @hono/node-server (as
 * `main.ts` serves it), where it is written straight to Node's response. `notifications.test.ts` covers
 * the same route in-process (`app.request()`), through hono's web streams.
 */
describe('GET /v1/notifications/stream over a socket', () => {
  let hub: TestApp;
  let server: http.Server;
  let origin: string;

  before(async () => {
    hub = await createTestApp({ app: { notifications: { heartbeatMs: 200 } } });
    server = serve({ fetch: hub.app.fetch, port: 0, hostname: '127.0.0.1' }) as http.Server;
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await hub.close();
  });

  const streamUrl = async (userId: string) =>
    `${origin}/v1/notifications/stream?access_token=${await hub.tokenFor(userId)}`;
  const sendTest = async (userId: string) => {
    const response = await hub.requestAs(userId, '/v1/notifications/test', { method: 'POST' });
    assert.equal(response.status, 202);
    return (await response.json()) as { notification: HubNotification };
  };
  const live = () => hub.services.notifications.live;
  // Each test starts with no stream open (the bus's listeners are the streams' subscriptions).
  beforeEach(() =>
    until(() => live().listenerCount() === 0, 5_000, 'a stream of an earlier test is still open'),
  );

  it('sends ready, then live events in the order they were published, then heartbeats', async () => {
    const abort = new AbortController();
    const response = await fetch(await streamUrl('s-01'), { signal: abort.signal });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    assert.equal(response.headers.get('x-accel-buffering'), 'no');
    assert.match(response.headers.get('x-request-id') ?? '', /./);
    const stream = readSse(response);
    try {
      const ready = JSON.parse((await stream.next('ready')).data) as { unreadCount: number; pingMs: number };
      assert.equal(ready.pingMs, 200);
      const { notification } = await sendTest('s-01');
      for (let count = 1; count <= 50; count += 1) {
        await live().publish({
          type: 'notification.read',
          userIds: ['s-01'],
          data: { ids: [], unreadCount: count },
        });
      }
      const first = await stream.next('notification');
      assert.equal((JSON.parse(first.data) as HubNotification).id, notification.id);
      assert.match(first.id ?? '', /^\d+$/);
      const counts: number[] = [];
      for (let count = 1; count <= 50; count += 1) {
        counts.push(
          (JSON.parse((await stream.next('notification.read')).data) as { unreadCount: number }).unreadCount,
        );
      }
      assert.deepEqual(
        counts,
        Array.from({ length: 50 }, (_, index) => index + 1),
      );
      assert.equal((await stream.next('ping')).data, '{}');
      assert.equal(await stream.comment(), 'ping');
    } finally {
      abort.abort();
    }
  });

  it('replays the notifications after Last-Event-ID, then goes on live without repeating them', async () => {
    const firstAbort = new AbortController();
    const first = readSse(await fetch(await streamUrl('s-02'), { signal: firstAbort.signal }));
    await first.next('ready');
    await sendTest('s-02');
    const seen = await first.next('notification');
    firstAbort.abort();
    const missed = [await sendTest('s-02'), await sendTest('s-02')];
    const abort = new AbortController();
    const stream = readSse(
      await fetch(await streamUrl('s-02'), {
        headers: { 'Last-Event-ID': seen.id ?? '' },
        signal: abort.signal,
      }),
    );
    try {
      await stream.next('ready');
      const replayed = [await stream.next('notification'), await stream.next('notification')];
      assert.deepEqual(
        replayed.map((event) => (JSON.parse(event.data) as HubNotification).id),
        missed.map(({ notification }) => notification.id),
      );
      const next = await sendTest('s-02');
      const after = await stream.next('notification');
      assert.equal((JSON.parse(after.data) as HubNotification).id, next.notification.id);
      assert.ok(BigInt(after.id ?? 0) > BigInt(replayed[1]?.id ?? 0));
    } finally {
      abort.abort();
    }
  });

  it('unsubscribes from the live bus when the client disconnects', async () => {
    const abort = new AbortController();
    const stream = readSse(await fetch(await streamUrl('s-03'), { signal: abort.signal }));
    await stream.next('ready');
    assert.equal(live().listenerCount(), 1);
    abort.abort();
    await until(() => live().listenerCount() === 0, 5_000, 'the stream still listens after the client left');
  });

  it('ends its streams when the server closes every connection (graceful shutdown)', async () => {
    const stream = readSse(await fetch(await streamUrl('s-04')));
    await stream.next('ready');
    server.closeAllConnections();
    await assert.rejects(stream.next('notification'), /ended/);
    await until(() => live().listenerCount() === 0, 5_000, 'the stream still listens after shutdown');
  });

  it('tells a client that stopped reading to resync instead of queueing without bound', async () => {
    const token = await hub.tokenFor('s-05');
    const raw = await new Promise<http.IncomingMessage>((resolve) =>
      http.get(`${origin}/v1/notifications/stream?access_token=${token}`, resolve),
    );
    raw.pause();
    const padding = 'x'.repeat(100_000);
    // 40 MB of events: more than the socket's buffers hold, and far more than the stream's queue may.
    for (let count = 1; count <= 400; count += 1) {
      await live().publish({
        type: 'notification.read',
        userIds: ['s-05'],
        data: { ids: [], unreadCount: count, padding },
      });
      if (count % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await live().publish({
      type: 'notification.read',
      userIds: ['s-05'],
      data: { ids: [], unreadCount: 401 },
    });

    const stream = readSse(new Response(readableFrom(raw)));
    try {
      const readies: boolean[] = [];
      const counts: number[] = [];
      for (;;) {
        const event = await stream.next();
        if (event.event === 'ready')
          readies.push((JSON.parse(event.data) as { resync?: boolean }).resync === true);
        if (event.event !== 'notification.read') continue;
        const { unreadCount } = JSON.parse(event.data) as { unreadCount: number };
        counts.push(unreadCount);
        if (unreadCount === 401) break;
      }
      // The first `ready` opened the stream; the next ones (one each time the queue overflowed) tell the
      // client to reload what it shows.
      assert.equal(readies[0], false);
      assert.ok(readies.length > 1 && readies.slice(1).every(Boolean), `readies: ${readies.join(', ')}`);
      assert.ok(counts.length < 400, `all ${counts.length} events were kept for a client that did not read`);
      assert.deepEqual(
        counts,
        [...counts].sort((a, b) => a - b),
        'events arrive in the order they were published',
      );
    } finally {
      raw.destroy();
    }
  });
});

/** An IncomingMessage as a web ReadableStream (for `readSse`), read only once something reads it. */
function readableFrom(incoming: http.IncomingMessage): ReadableStream<Uint8Array> {
  const iterator = incoming[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = (await iterator.next()) as IteratorResult<Buffer>;
      if (done) controller.close();
      else controller.enqueue(new Uint8Array(value));
    },
    cancel: () => void incoming.destroy(),
  });
}
