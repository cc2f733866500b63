import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { HubNotification } from '@teacher-hub/protocol';
import { HubApiError } from '../errors.ts';
import { HubClient } from '../hub-client.ts';
import { sendJson, startLocalHttpServer } from '../testing/local-http-server.ts';
import type { LocalHttpServer } from '../testing/local-http-server.ts';

/**
 * A stand-in for the hub's notification routes over real HTTP: an in-memory list for one user with the
 * hub's paging (`created_at < before`, newest first) and read semantics; `gate` holds mark-read answers
 * back so a test can look at the optimistic state, and `refuseReads` makes them fail.
 */
describe('NotificationsService against an HTTP peer', () => {
  let hub: LocalHttpServer;
  let rows: HubNotification[] = [];
  let gate: Promise<void> | undefined;
  let refuseReads = false;
  let sequence = 0;

  const unread = () => rows.filter((row) => row.readAt === null).length;
  function add(createdAt: string, readAt: string | null = null): HubNotification {
    sequence += 1;
    const row: HubNotification = {
      id: `n-${sequence}`,
      kind: 'chat.message',
      priority: 'normal',
      title: `Message ${sequence}`,
      body: 'Hello',
      data: { chatId: 'c1' },
      createdAt,
      readAt,
    };
    rows.push(row);
    return row;
  }

  before(async () => {
    hub = await startLocalHttpServer(async (request, response) => {
      const url = new URL(request.path, 'http://hub.test');
      if (request.method === 'GET' && url.pathname === '/v1/notifications') {
        const limit = Number(url.searchParams.get('limit') ?? 30);
        const beforeParam = url.searchParams.get('before');
        const page = rows
          .filter((row) => !beforeParam || Date.parse(row.createdAt) < Date.parse(beforeParam))
          .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))
          .slice(0, limit);
        return sendJson(response, 200, { notifications: page, unreadCount: unread() });
      }
      if (request.method === 'POST' && url.pathname === '/v1/notifications/read') {
        await gate;
        if (refuseReads) {
          return sendJson(response, 503, {
            error: { code: 'UNAVAILABLE', message: 'Restarting.', requestId: 'r1' },
          });
        }
        const body = JSON.parse(request.body) as { ids?: string[]; all?: true };
        const read: string[] = [];
        for (const row of rows) {
          if (row.readAt === null && (body.all || body.ids?.includes(row.id))) {
            row.readAt = new Date().toISOString();
            read.push(row.id);
          }
        }
        return sendJson(response, 200, { read, unreadCount: unread() });
      }
      if (request.method === 'POST' && url.pathname === '/v1/notifications/test') {
        const notification = add(new Date().toISOString());
        return sendJson(response, 202, { notification, devices: [] });
      }
      sendJson(response, 404, { error: { code: 'NOT_FOUND', message: 'No.', requestId: 'r2' } });
    });
  });
  after(() => hub.close());
  beforeEach(() => {
    rows = [];
    gate = undefined;
    refuseReads = false;
  });

  const client = () => new HubClient({ server: hub.url, token: 'token' });

  it('loads the first page with the count, and pages on without skipping items of the same instant', async () => {
    for (let minute = 10; minute < 35; minute++) add(`2026-11-20T10:${minute}:00.000Z`);
    // Two more at the instant of the first page's oldest item: the next page must not lose them.
    add('2026-11-20T10:15:00.000Z');
    add('2026-11-20T10:15:00.000Z');
    const { notifications } = client();

    await notifications.load();
    assert.equal(notifications.state.status, 'ready');
    assert.equal(notifications.state.items.length, 20);
    assert.equal(notifications.state.unreadCount, 27);
    assert.equal(notifications.state.hasMore, true);

    await notifications.loadMore();
    const ids = notifications.state.items.map((item) => item.id);
    assert.equal(new Set(ids).size, 27, 'every notification once');
    assert.equal(notifications.state.hasMore, false);
    const times = notifications.state.items.map((item) => item.createdAt);
    assert.deepEqual(times, [...times].sort().reverse(), 'newest first');
  });

  it('shares one load between callers and does not fetch a loaded page again', async () => {
    add('2026-11-20T10:00:00.000Z');
    const { notifications } = client();
    const before = hub.requests.length;
    await Promise.all([notifications.load(), notifications.load()]);
    await notifications.load();
    assert.equal(hub.requests.length - before, 1);
  });

  it('marks read at once, then takes the hub count', async () => {
    const [a, b] = [add('2026-11-20T10:00:00.000Z'), add('2026-11-20T10:01:00.000Z')];
    add('2026-11-20T09:00:00.000Z');
    const { notifications } = client();
    await notifications.load();
    assert.equal(notifications.state.unreadCount, 3);

    let open!: () => void;
    gate = new Promise((resolve) => (open = resolve));
    const marking = notifications.markRead([a.id, b.id]);
    assert.equal(notifications.state.unreadCount, 1, 'optimistic');
    assert.notEqual(notifications.state.items.find((item) => item.id === a.id)!.readAt, null);
    // Someone else reads the third one at the hub meanwhile: the hub's answer says 0.
    rows[2]!.readAt = new Date().toISOString();
    open();
    await marking;
    assert.equal(notifications.state.unreadCount, 0);
  });

  it('puts the marks and the count back when the hub refuses', async () => {
    const a = add('2026-11-20T10:00:00.000Z');
    add('2026-11-20T10:01:00.000Z');
    const { notifications } = client();
    await notifications.load();
    refuseReads = true;
    await assert.rejects(notifications.markRead([a.id]), HubApiError);
    assert.equal(notifications.state.unreadCount, 2);
    assert.equal(notifications.state.items.find((item) => item.id === a.id)!.readAt, null);

    await assert.rejects(notifications.markAllRead(), HubApiError);
    assert.equal(notifications.state.unreadCount, 2);
    assert.deepEqual(
      notifications.state.items.map((item) => item.readAt),
      [null, null],
    );
  });

  it('marks all read, including what it has not loaded', async () => {
    for (let minute = 10; minute < 40; minute++) add(`2026-11-20T10:${minute}:00.000Z`);
    const { notifications } = client();
    await notifications.load();
    assert.equal(notifications.state.unreadCount, 30);
    await notifications.markAllRead();
    assert.equal(notifications.state.unreadCount, 0);
    assert.equal(unread(), 0);
    assert.ok(notifications.state.items.every((item) => item.readAt !== null));
  });

  it('shows a sent test once, and counts it once', async () => {
    const { notifications } = client();
    await notifications.load();
    const { notification } = await notifications.sendTest();
    assert.deepEqual(
      notifications.state.items.map((item) => item.id),
      [notification.id],
    );
    assert.equal(notifications.state.unreadCount, 1);
    await notifications.reload();
    assert.equal(notifications.state.items.length, 1);
    assert.equal(notifications.state.unreadCount, 1);
  });

  it('keeps the list when a reload fails, and shows the error state when the first load fails', async () => {
    const broken = new HubClient({ server: `${hub.url}/missing`, token: 'token' });
    await assert.rejects(broken.notifications.load());
    assert.equal(broken.notifications.state.status, 'error');
    assert.ok(broken.notifications.state.error instanceof HubApiError);
  });
});
