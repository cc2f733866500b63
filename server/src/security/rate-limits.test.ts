import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ChatList, ChatResponse } from '../domain/chat/chat-api.ts';
import { KyselyRateLimitStore } from '../adapters/storage/rate-limit-store.ts';
import { RateLimiter } from '../domain/abuse/rate-limiter.ts';
import { fixedClock } from '../domain/clock.ts';
import { assertError, json, jsonBody } from '../testing/http.ts';
import { createTestSchema, skipWithoutPostgres } from '../testing/postgres.ts';
import { createTestApp, type TestApp } from '../testing/test-app.ts';

/** The bindings @hono/node-server hands the app: the TCP peer the request came from. */
const fromAddress = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });

/** Limits small enough to reach in a test; the other buckets unlimited so setup calls never trip them. */
const LIMIT_ENV = {
  HUB_RATE_LIMIT_WINDOW_S: '60',
  HUB_RATE_LIMIT_TOKEN: '3/5',
  HUB_RATE_LIMIT_CHAT_CREATE: '2/4',
  HUB_RATE_LIMIT_CALL: '1/0',
  HUB_RATE_LIMIT_TEST_NOTIFICATION: '2/0',
};

describe('rate limits (per user and per IP, 429 with Retry-After)', () => {
  // 30 s into a window, so the first Retry-After is 30.
  const clock = fixedClock(new Date('2026-12-01T08:00:30Z'));
  let hub: TestApp;

  before(async () => {
    hub = await createTestApp({ clock, env: LIMIT_ENV });
  });
  after(() => hub.close());

  const request = async (
    userId: string | null,
    path: string,
    init: RequestInit & { address?: string } = {},
  ): Promise<Response> => {
    const headers = new Headers(init.headers);
    if (userId) headers.set('Authorization', `Bearer ${await hub.tokenFor(userId)}`);
    return hub.app.request(path, { ...init, headers }, fromAddress(init.address ?? '198.51.100.1'));
  };
  const createGroup = (teacherId: string, name: string, address?: string) =>
    request(teacherId, '/v1/chats', {
      ...jsonBody({ name, memberIds: [teacherId === 't-ada' ? 's-01' : 's-08'] }, { method: 'POST' }),
      ...(address ? { address } : {}),
    });
  const chatNames = async (userId: string) =>
    (await json<ChatList>(await request(userId, '/v1/chats'))).chats.map((chat) => chat.name).sort();

  async function assertLimited(response: Response, retryAfterSeconds: number) {
    assert.equal(response.headers.get('Retry-After'), String(retryAfterSeconds));
    await assertError(response, 429, 'RATE_LIMITED');
  }

  it('refuses a user over her budget with 429 RATE_LIMITED and Retry-After, and the refused call changes nothing', async () => {
    await json<ChatResponse>(await createGroup('t-ada', 'Ada 1'), 201);
    await json<ChatResponse>(await createGroup('t-ada', 'Ada 2'), 201);
    await assertLimited(await createGroup('t-ada', 'Ada 3'), 30);
    assert.deepEqual(await chatNames('t-ada'), ['Ada 1', 'Ada 2'], 'no third chat');
    // Direct chats share the chat-creation budget.
    await assertLimited(
      await request('t-ada', '/v1/chats/direct', jsonBody({ userId: 's-02' }, { method: 'POST' })),
      30,
    );
    assert.equal((await json<ChatList>(await request('s-02', '/v1/chats'))).chats.length, 0);
  });

  it('keeps every user’s budget apart', async () => {
    await json<ChatResponse>(await createGroup('t-grace', 'Grace 1', '198.51.100.2'), 201);
  });

  it('limits an address across users (IP budget), and other addresses are not affected', async () => {
    // Token budget per IP: 5 in a window, whoever asks.
    const address = '203.0.113.7';
    for (const userId of ['s-01', 's-02', 's-03', 's-04', 's-05']) {
      await json(await request(userId, '/v1/chat/token', { method: 'POST', address }));
    }
    await assertLimited(await request('s-06', '/v1/chat/token', { method: 'POST', address }), 30);
    await json(await request('s-06', '/v1/chat/token', { method: 'POST', address: '203.0.113.8' }));
  });

  it('limits POST /v1/dev/token per IP (nobody is signed in yet)', async () => {
    const address = '203.0.113.20';
    const devToken = () =>
      request(null, '/v1/dev/token', { ...jsonBody({ userId: 's-01' }, { method: 'POST' }), address });
    for (let i = 0; i < 5; i += 1) await json(await devToken());
    await assertLimited(await devToken(), 30);
  });

  it('limits call starts per user, and the refused start rings nobody', async () => {
    const { chat } = await json<ChatResponse>(
      await createGroup('t-grace', 'Grace call', '198.51.100.3'),
      201,
    );
    const first = await request('t-grace', `/v1/chats/${chat.id}/calls`, { method: 'POST' });
    assert.equal(first.status, 201, await first.clone().text());
    const { call } = (await first.json()) as { call: { id: string } };
    await json(await request('t-grace', `/v1/calls/${call.id}/end`, { method: 'POST' }));
    await assertLimited(await request('t-grace', `/v1/chats/${chat.id}/calls`, { method: 'POST' }), 30);
    const live = await json<{ calls: unknown[] }>(await request('s-08', '/v1/live'));
    assert.equal(live.calls.length, 0, 'no second call');
  });

  it('limits the test notification per user, and the refused one is not written', async () => {
    const sendTest = () => request('s-07', '/v1/notifications/test', { method: 'POST' });
    assert.equal((await sendTest()).status, 202);
    assert.equal((await sendTest()).status, 202);
    await assertLimited(await sendTest(), 30);
    const list = await json<{ notifications: unknown[] }>(await request('s-07', '/v1/notifications'));
    assert.equal(list.notifications.length, 2);
  });

  it('starts every budget afresh in the next window (Retry-After counts down to it)', async () => {
    clock.advance(20_000);
    await assertLimited(await createGroup('t-ada', 'Ada 3'), 10);
    clock.advance(10_000);
    await json<ChatResponse>(await createGroup('t-ada', 'Ada 3'), 201);
    await json(await request('s-06', '/v1/chat/token', { method: 'POST', address: '203.0.113.7' }));
  });
});

describe('rate limits: the client address', () => {
  const clock = fixedClock(new Date('2026-12-01T08:00:00Z'));

  it('ignores X-Forwarded-For by default (HUB_TRUST_PROXY=0), so a forged header does not buy a new budget', async () => {
    const hub = await createTestApp({ clock, env: { HUB_RATE_LIMIT_TOKEN: '0/2' } });
    try {
      const token = (forwardedFor: string) =>
        hub.app.request(
          '/v1/dev/token',
          jsonBody({ userId: 's-01' }, { method: 'POST', headers: { 'X-Forwarded-For': forwardedFor } }),
          fromAddress('192.0.2.1'),
        );
      assert.equal((await token('10.0.0.1')).status, 200);
      assert.equal((await token('10.0.0.2')).status, 200);
      await assertError(await token('10.0.0.3'), 429, 'RATE_LIMITED');
    } finally {
      await hub.close();
    }
  });

  it('behind HUB_TRUST_PROXY=1 counts the address the proxy appended, not what the client claimed', async () => {
    const hub = await createTestApp({
      clock,
      env: { HUB_RATE_LIMIT_TOKEN: '0/2', HUB_TRUST_PROXY: '1' },
    });
    try {
      // The proxy appends the peer it saw; anything left of it is the client's own claim.
      const token = (forwardedFor: string) =>
        hub.app.request(
          '/v1/dev/token',
          jsonBody({ userId: 's-01' }, { method: 'POST', headers: { 'X-Forwarded-For': forwardedFor } }),
          fromAddress('10.1.1.1'),
        );
      assert.equal((await token('1.1.1.1, 203.0.113.5')).status, 200);
      assert.equal((await token('2.2.2.2, 203.0.113.5')).status, 200);
      await assertError(await token('3.3.3.3, 203.0.113.5'), 429, 'RATE_LIMITED');
      assert.equal((await token('203.0.113.6')).status, 200, 'another client behind the proxy');
    } finally {
      await hub.close();
    }
  });
});

describe('rate limits shared by instances on one database', () => {
  it('two limiters on one PGlite database spend one budget, even when they count at once', async () => {
    const clock = fixedClock(new Date('2026-12-01T08:00:00Z'));
    const hub = await createTestApp({ clock });
    try {
      const config = {
        windowSeconds: 60,
        limits: {
          token: { perUser: 10, perIp: 0 },
          'chat-create': { perUser: 0, perIp: 0 },
          call: { perUser: 0, perIp: 0 },
          'test-notification': { perUser: 0, perIp: 0 },
        },
      };
      const store = new KyselyRateLimitStore(hub.services.database.db);
      const instances = [
        new RateLimiter({ store, clock, config }),
        new RateLimiter({ store, clock, config }),
      ];
      const verdicts = await Promise.all(
        Array.from({ length: 16 }, (_, i) => instances[i % 2]!.check('token', { userId: 's-01' })),
      );
      assert.equal(verdicts.filter((verdict) => verdict.allowed).length, 10);
    } finally {
      await hub.close();
    }
  });

  it('two hub instances on PostgreSQL spend one budget', { skip: skipWithoutPostgres }, async () => {
    const schema = await createTestSchema();
    const clock = fixedClock(new Date('2026-12-01T08:00:00Z'));
    const env = { DATABASE_URL: schema.url, HUB_RATE_LIMIT_TOKEN: '4/0' };
    const first = await createTestApp({ clock, env });
    const second = await createTestApp({ clock, env });
    try {
      const statuses = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 ? first : second)
            .requestAs('s-01', '/v1/chat/token', { method: 'POST' })
            .then((response) => response.status),
        ),
      );
      assert.deepEqual(
        statuses.sort(),
        [200, 200, 200, 200, 429, 429],
        'four tokens in the window, whichever instance answered',
      );
    } finally {
      await first.close();
      await second.close();
      await schema.drop();
    }
  });
});
