import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { HubNotification, Occurrence, Roster } from '@teacher-hub/protocol';
import { HubApi } from '../api.ts';
import { ChatService } from '../chat/chat-service.ts';
import type { StreamChatLoader } from '../chat/chat-service.ts';
import type { ChatListItem } from '../chat/chat-types.ts';
import { HubClient } from '../hub-client.ts';
import { sendJson, startLocalHttpServer, unsignedToken } from '../testing/local-http-server.ts';
import type { LocalHttpServer } from '../testing/local-http-server.ts';
import { TokenManager } from '../token-manager.ts';
import { ClientCache } from './client-cache.ts';
import { MemoryHubCache } from './hub-cache.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ADA_TOKEN = unsignedToken({ sub: 't-ada', role: 'teacher' });
const GRACE_TOKEN = unsignedToken({ sub: 't-grace', role: 'teacher' });

const rosterWith = (...names: string[]): Roster => ({
  courses: [
    {
      id: 'algebra-1',
      name: 'Algebra I',
      students: names.map((name, index) => ({ id: `s-0${index + 1}`, name })),
    },
  ],
});

function notification(id: string, createdAt: string, readAt: string | null = null): HubNotification {
  return {
    id,
    kind: 'chat.message',
    priority: 'normal',
    title: `Message ${id}`,
    body: 'Hello',
    data: { chatId: 'c1' },
    createdAt,
    readAt,
  };
}

function occurrence(sessionId: string, startsAt: number): Occurrence {
  const iso = new Date(startsAt).toISOString();
  return {
    sessionId,
    occurrenceStart: iso,
    title: `Session ${sessionId}`,
    type: 'class',
    startsAt: iso,
    endsAt: new Date(startsAt + HOUR).toISOString(),
    timeZone: 'Europe/Berlin',
    status: 'scheduled',
    chatId: `chat-${sessionId}`,
    ownerId: 't-ada',
    inviteeIds: ['s-01'],
  };
}

/** A gate a test opens: `wait()` resolves once `open()` is called (open by default). */
function gate() {
  let release: () => void = () => undefined;
  let promise = Promise.resolve();
  return {
    close() {
      promise = new Promise((resolve) => (release = resolve));
    },
    open: () => release(),
    wait: () => promise,
  };
}

/** A stand-in EventSource the test drives: `emit(type, data)` delivers an SSE event. */
class FakeSource extends EventTarget {
  listening = false;
  override addEventListener(...args: Parameters<EventTarget['addEventListener']>): void {
    this.listening = true;
    super.addEventListener(...args);
  }
  close(): void {}
  emit(type: string, data: unknown): void {
    this.dispatchEvent(new MessageEvent(type, { data: JSON.stringify(data) }));
  }
}

/** A memory cache whose reads can be held back, to answer after the hub. */
class SlowCache extends MemoryHubCache {
  readonly reads = gate();
  override async read<T>(key: string): Promise<T | undefined> {
    const value = await super.read<T>(key);
    await this.reads.wait();
    return value;
  }
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await delay(5);
  }
}

/**
 * The hub's roster, notifications and sessions routes over real HTTP; each route's answers can be held
 * back (`held.roster.close()`), so a test looks at what a client shows before the hub answered.
 */
describe('The client cache paints first, then the hub’s answer', () => {
  let hub: LocalHttpServer;
  let roster = rosterWith('Amara Okafor');
  let notifications: HubNotification[] = [];
  let occurrences: Occurrence[] = [];
  const held = { roster: gate(), notifications: gate(), sessions: gate() };

  before(async () => {
    hub = await startLocalHttpServer(async (request, response) => {
      const url = new URL(request.path, 'http://hub.test');
      if (url.pathname === '/v1/roster') {
        await held.roster.wait();
        return sendJson(response, 200, roster);
      }
      if (url.pathname === '/v1/notifications') {
        await held.notifications.wait();
        const unreadCount = notifications.filter((item) => item.readAt === null).length;
        return sendJson(response, 200, { notifications, unreadCount });
      }
      if (url.pathname === '/v1/sessions') {
        await held.sessions.wait();
        return sendJson(response, 200, { occurrences });
      }
      sendJson(response, 404, { error: { code: 'NOT_FOUND', message: 'No.', requestId: 'r' } });
    });
  });
  after(() => hub.close());
  beforeEach(() => {
    roster = rosterWith('Amara Okafor');
    notifications = [];
    occurrences = [];
    for (const each of Object.values(held)) each.open();
    held.roster = gate();
    held.notifications = gate();
    held.sessions = gate();
  });

  const clientOf = (cache: MemoryHubCache, token = ADA_TOKEN) =>
    new HubClient({ server: hub.url, token, cache });

  describe('roster', () => {
    it('shows the cached roster while loading, then the fresh one, and saves it', async () => {
      const cache = new MemoryHubCache();
      await clientOf(cache).roster.load();
      await eventually(() => cache.entries.size > 1, 'the first roster to be saved');

      roster = rosterWith('Amara Okafor', 'Ben Adeyemi');
      held.roster.close();
      const second = clientOf(cache);
      const loading = second.roster.load();
      await eventually(() => second.roster.state.data !== undefined, 'the cached roster');
      assert.equal(second.roster.state.status, 'loading');
      assert.deepEqual(second.roster.state.data, rosterWith('Amara Okafor'));

      held.roster.open();
      assert.deepEqual(await loading, roster);
      assert.deepEqual(second.roster.state, { status: 'ready', data: roster, error: undefined });
      const third = clientOf(cache);
      held.roster.close();
      void third.roster.load();
      await eventually(() => third.roster.state.data !== undefined, 'the roster saved after the fetch');
      assert.equal(third.roster.state.data?.courses[0]?.students.length, 2);
    });

    it('keeps the fresh roster when the cache answers after the hub', async () => {
      const cache = new SlowCache();
      await clientOf(cache).roster.load();
      await eventually(() => cache.entries.size > 1, 'the first roster to be saved');

      roster = rosterWith('Chen Wei');
      cache.reads.close();
      const second = clientOf(cache);
      await second.roster.load();
      cache.reads.open();
      await delay(20);
      assert.deepEqual(second.roster.state.data, rosterWith('Chen Wei'));
      assert.equal(second.roster.state.status, 'ready');
    });

    it('shows another user nothing of the previous user’s roster', async () => {
      const cache = new MemoryHubCache();
      await clientOf(cache).roster.load();
      await eventually(() => cache.entries.size > 1, 'Ada’s roster to be saved');

      held.roster.close();
      const grace = clientOf(cache, GRACE_TOKEN);
      const loading = grace.roster.load();
      await delay(50);
      assert.equal(grace.roster.state.data, undefined);
      assert.equal(grace.roster.state.status, 'loading');
      held.roster.open();
      await loading;
      assert.equal(
        [...cache.entries.keys()].some((key) => key.includes('t-ada')),
        false,
        'Ada’s entries are deleted',
      );
    });

    it('caches nothing with `cache: false`, and clearCache() deletes what was saved', async () => {
      const cache = new MemoryHubCache();
      const client = clientOf(cache);
      await client.roster.load();
      await eventually(() => cache.entries.size > 1, 'the roster to be saved');
      await client.clearCache();
      assert.deepEqual(
        [...cache.entries.keys()].filter((key) => key.startsWith('entry')),
        [],
      );

      held.roster.close();
      const uncached = new HubClient({ server: hub.url, token: ADA_TOKEN, cache: false });
      const loading = uncached.roster.load();
      await delay(30);
      assert.equal(uncached.roster.state.data, undefined);
      held.roster.open();
      await loading;
    });
  });

  describe('notifications', () => {
    it('shows the cached first page and count while loading; the hub’s page replaces it', async () => {
      notifications = [
        notification('n-2', '2026-11-20T10:00:00.000Z'),
        notification('n-1', '2026-11-19T10:00:00.000Z'),
      ];
      const cache = new MemoryHubCache();
      await clientOf(cache).notifications.load();
      await eventually(() => cache.entries.size > 1, 'the first page to be saved');

      // Meanwhile n-1 was deleted and n-3 arrived.
      notifications = [notification('n-3', '2026-11-21T10:00:00.000Z'), notifications[0]!];
      held.notifications.close();
      const second = clientOf(cache);
      const loading = second.notifications.load();
      await eventually(() => second.notifications.state.items.length > 0, 'the cached page');
      assert.equal(second.notifications.state.status, 'loading');
      assert.deepEqual(
        second.notifications.state.items.map((item) => item.id),
        ['n-2', 'n-1'],
      );
      assert.equal(second.notifications.state.unreadCount, 2);

      held.notifications.open();
      await loading;
      assert.deepEqual(
        second.notifications.state.items.map((item) => item.id),
        ['n-3', 'n-2'],
      );
      assert.equal(second.notifications.state.status, 'ready');
    });

    it('keeps the live stream’s unread count when the cached page arrives after it', async () => {
      notifications = [notification('n-1', '2026-11-19T10:00:00.000Z')];
      const cache = new SlowCache();
      await clientOf(cache).notifications.load();
      await eventually(() => cache.entries.size > 1, 'the first page to be saved');

      cache.reads.close();
      held.notifications.close();
      const source = new FakeSource();
      const second = new HubClient({
        server: hub.url,
        token: ADA_TOKEN,
        cache,
        createEventSource: () => source as unknown as EventSource,
      });
      const release = second.notifications.connect();
      const loading = second.notifications.load();
      await eventually(() => source.listening, 'the live stream to open');
      source.emit('ready', { unreadCount: 4, resumed: false });
      await eventually(() => second.notifications.state.unreadCount === 4, 'the live count');
      cache.reads.open();
      await eventually(() => second.notifications.state.items.length === 1, 'the cached page');
      assert.equal(second.notifications.state.unreadCount, 4);
      held.notifications.open();
      await loading;
      release();
    });
  });

  describe('sessions', () => {
    it('seeds the next 14 days from the cache while loading, then takes the hub’s answer', async () => {
      const now = Date.now();
      const range = { from: new Date(now - 12 * HOUR), to: new Date(now + 14 * DAY + HOUR) };
      occurrences = [occurrence('tomorrow', now + DAY), occurrence('next-week', now + 7 * DAY)];
      const cache = new MemoryHubCache();
      const first = clientOf(cache);
      await first.sessions.load(range);
      await eventually(() => cache.entries.size > 1, 'the occurrences to be saved');

      occurrences = [occurrence('tomorrow', now + DAY)];
      held.sessions.close();
      const second = clientOf(cache);
      const loading = second.sessions.load(range);
      await eventually(() => second.sessions.state.cached === true, 'the cached occurrences');
      assert.deepEqual(
        second.sessions.inRange(range).map((each) => each.sessionId),
        ['tomorrow', 'next-week'],
      );
      assert.equal(second.sessions.state.loading, true);

      held.sessions.open();
      await loading;
      assert.deepEqual(
        second.sessions.inRange(range).map((each) => each.sessionId),
        ['tomorrow'],
      );
      assert.equal(second.sessions.state.cached, false);
    });

    it('keeps the hub’s occurrences when the cache answers after them', async () => {
      const now = Date.now();
      const range = { from: new Date(now - 12 * HOUR), to: new Date(now + 14 * DAY + HOUR) };
      occurrences = [occurrence('cancelled-since', now + DAY)];
      const cache = new SlowCache();
      await clientOf(cache).sessions.load(range);
      await eventually(() => cache.entries.size > 1, 'the occurrences to be saved');

      occurrences = [];
      cache.reads.close();
      const second = clientOf(cache);
      await second.sessions.load(range);
      cache.reads.open();
      await delay(20);
      assert.deepEqual(second.sessions.inRange(range), []);
      assert.equal(second.sessions.state.cached, false);
    });

    it('does not save a range that misses part of the next 14 days', async () => {
      const now = Date.now();
      occurrences = [occurrence('tomorrow', now + DAY)];
      const cache = new MemoryHubCache();
      await clientOf(cache).sessions.load({ from: new Date(now), to: new Date(now + 3 * DAY) });
      await delay(30);
      assert.equal(
        [...cache.entries.keys()].some((key) => key.endsWith('\nsessions')),
        false,
      );
    });
  });
});

describe('ChatService with a cache', () => {
  const chat = (id: string, name: string): ChatListItem => ({
    id,
    cid: `hub-group:${id}`,
    kind: 'group',
    name,
    ownerId: 't-ada',
    memberIds: ['t-ada', 's-01'],
    unreadCount: 1,
  });

  function chatServiceWith(cache: MemoryHubCache, live: ChatListItem[], connected: Promise<void>) {
    const tokens = new TokenManager({ token: ADA_TOKEN });
    const api = new HubApi('https://hub.test', tokens, () => Promise.reject(new Error('no network here')));
    const clientCache = new ClientCache({ cache, server: 'https://hub.test', tokens });
    // stream-chat's part stands in: "connecting" lasts until `connected`, then lists `live`.
    const loadStreamChat = (async () => ({
      ChatSession: class {
        readonly #store: ChatService['store'];
        constructor(_api: unknown, store: ChatService['store']) {
          this.#store = store;
        }
        async open() {
          await connected;
          this.#store.set({ chats: live, totalUnread: live.length });
        }
        close() {}
        async reloadList() {}
      },
    })) as unknown as StreamChatLoader;
    return new ChatService(api, { loadStreamChat, cache: clientCache });
  }

  it('shows the cached chat list as soon as connect() starts, then the live one', async () => {
    const cache = new MemoryHubCache();
    const first = chatServiceWith(cache, [chat('c1', 'Algebra')], Promise.resolve());
    await first.connect();
    await eventually(() => cache.entries.size > 1, 'the chat list to be saved');

    const connection = gate();
    connection.close();
    const second = chatServiceWith(cache, [chat('c2', 'Biology'), chat('c1', 'Algebra')], connection.wait());
    const connecting = second.connect();
    await eventually(() => second.state.chats.length > 0, 'the cached list');
    assert.equal(second.state.status, 'loading');
    assert.deepEqual(
      second.state.chats.map((item) => item.name),
      ['Algebra'],
    );
    assert.equal(second.state.totalUnread, 1);

    connection.open();
    await connecting;
    assert.deepEqual(
      second.state.chats.map((item) => item.name),
      ['Biology', 'Algebra'],
    );
  });

  it('keeps the live list when the cache answers after it', async () => {
    const cache = new SlowCache();
    await chatServiceWith(cache, [chat('c1', 'Algebra')], Promise.resolve()).connect();
    await eventually(() => cache.entries.size > 1, 'the chat list to be saved');

    cache.reads.close();
    const second = chatServiceWith(cache, [chat('c2', 'Biology')], Promise.resolve());
    await second.connect();
    cache.reads.open();
    await delay(20);
    assert.deepEqual(
      second.state.chats.map((item) => item.name),
      ['Biology'],
    );
  });
});
