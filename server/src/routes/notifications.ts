import { randomUUID } from 'node:crypto';
import {
  deviceRegistrationSchema,
  markReadSchema,
  notificationListQuerySchema,
  preferencesUpdateSchema,
  type DeviceResponse,
  type NotificationList,
  type NotificationPreferencesResponse,
} from '@teacher-hub/protocol';
import { Hono } from 'hono';
import { z } from 'zod';
import type { LiveEvent } from '../adapters/live/live-bus.ts';
import { publicNotification } from '../adapters/storage/notification-store.ts';
import { ApiError } from '../domain/errors.ts';
import {
  LockedPreferenceError,
  lockedMatrix,
  resolvePreferences,
  switchesFromUpdate,
} from '../domain/notifications/preferences.ts';
import { requireUser } from '../http/auth.ts';
import { rateLimits } from '../http/rate-limit.ts';
import { sseResponse, type SseWriter } from '../http/sse.ts';
import type { PublicEnv } from '../http/types.ts';
import { validate } from '../http/validation.ts';
import type { Services } from '../services.ts';

export interface NotificationRouteOptions {
  /**
   * How often an idle SSE stream sends a `ping` event (EventSource hides comment lines, so a client can
   * only tell a silent stream from a dead one by events) and proxies see traffic. `ready` tells the client.
   */
  heartbeatMs?: number;
}

const SEQ = /^\d{1,19}$/;
const deviceIdSchema = z.object({ id: z.uuid() });

/**
 * A live event as the bytes of one SSE message, made once however many streams send it: the bus hands
 * the same event object to every listener, and a call's state goes to all its members, so encoding per
 * stream would cost streams × payload (2,000 members × a 180 kB call was seconds of CPU and 700 MB).
 * `JSON.stringify` escapes line breaks, so the data is always one `data:` line.
 */
const encodedEvents = new WeakMap<LiveEvent, Uint8Array>();
const sseEncoder = new TextEncoder();
function encodeLiveEvent(event: LiveEvent): Uint8Array {
  let bytes = encodedEvents.get(event);
  if (!bytes) {
    const id = event.id !== undefined ? `id: ${event.id}\n` : '';
    bytes = sseEncoder.encode(`event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n${id}\n`);
    encodedEvents.set(event, bytes);
  }
  return bytes;
}

/** A comment for proxies, and an event for EventSource, which hides comments. */
const PING = sseEncoder.encode(': ping\n\nevent: ping\ndata: {}\n\n');

/**
 * How many bytes of live events may wait for a stream whose client reads slowly (its socket buffer is
 * full). Beyond that they are dropped for a `resync`: the client is told to reload, and missed
 * notifications are replayed from the store, so a stuck client costs a bounded amount of memory.
 */
const MAX_QUEUED_BYTES = 1 << 20;

interface LiveStreamOptions {
  userId: string;
  /** `Last-Event-ID`: notifications after it are replayed from the store before live ones. */
  resumeFrom: string | undefined;
  heartbeatMs: number;
  notifications: Services['notifications'];
  logger: Services['logger'];
}

/**
 * One client's live stream: `ready` (with the unread count), the notifications it missed, then live events
 * as the bus hands them over. An event is written from the bus's callback when the stream is idle (no
 * promise or timer per event per stream: a fan-out does this for every stream at once); it waits in a queue
 * while `ready` or a replay is being written, or while the client's buffer is full.
 */
function liveStream(writer: SseWriter, options: LiveStreamOptions): void {
  const { userId, heartbeatMs, notifications, logger } = options;
  // `resync`: this instance's live bus was away and may have missed events for this stream.
  const queue: Array<LiveEvent | 'resync'> = [];
  let queuedBytes = 0;
  /** Writing `ready`, a replay or the queue, or waiting for the client's buffer to drain. */
  let busy = false;
  let lastSeq = options.resumeFrom !== undefined ? BigInt(options.resumeFrom) : undefined;

  /** The event's bytes, or nothing when it was already sent while catching up after a reconnect. */
  const bytesFor = (event: LiveEvent): Uint8Array | undefined => {
    if (event.id !== undefined) {
      const seq = BigInt(event.id);
      if (lastSeq !== undefined && seq <= lastSeq) return undefined;
      lastSeq = seq;
    }
    return encodeLiveEvent(event);
  };
  const put = async (chunk: string | Uint8Array) => {
    heartbeat.refresh();
    if (!writer.write(chunk)) await writer.drained();
  };
  const replaySince = async (from: bigint) => {
    for (const missed of await notifications.store.since(userId, String(from))) {
      await put(
        `event: notification\ndata: ${JSON.stringify(publicNotification(missed))}\nid: ${missed.seq}\n\n`,
      );
      lastSeq = BigInt(missed.seq);
    }
  };
  const ready = async (resync: boolean) => {
    const unreadCount = await notifications.store.unreadCount(userId);
    const data = JSON.stringify({ unreadCount, pingMs: heartbeatMs, ...(resync ? { resync } : {}) });
    await put(`event: ready\ndata: ${data}\nretry: 3000\n\n`);
  };

  /** Runs `first`, then writes what has queued, waiting for the client's buffer whenever it is full. */
  const drain = async (first: () => Promise<void>) => {
    busy = true;
    try {
      await first();
      while (!writer.closed) {
        const item = queue.shift();
        if (item === undefined) break;
        if (item === 'resync') {
          // Notifications missed while the bus was away are replayed from the store; for the rest
          // (calls, sessions, counts) a second `ready` makes the client reload what it shows.
          if (lastSeq !== undefined) await replaySince(lastSeq);
          await ready(true);
          continue;
        }
        const bytes = bytesFor(item);
        queuedBytes -= encodeLiveEvent(item).byteLength;
        if (bytes) await put(bytes);
      }
    } catch (error) {
      // The store failed: end the stream; the client reconnects and resumes from its last event.
      logger.error('a live stream failed', { error, userId });
      writer.close();
    } finally {
      busy = false;
    }
  };
  const enqueue = (item: LiveEvent | 'resync') => {
    if (item !== 'resync') queuedBytes += encodeLiveEvent(item).byteLength;
    if (queuedBytes > MAX_QUEUED_BYTES) {
      queue.length = 0;
      queuedBytes = 0;
      item = 'resync';
    }
    if (item === 'resync' && queue.includes('resync')) return;
    queue.push(item);
  };

  const unsubscribe = notifications.live.subscribe(userId, (event) => {
    if (writer.closed) return;
    if (busy) return enqueue(event);
    try {
      const bytes = bytesFor(event);
      if (!bytes) return;
      heartbeat.refresh();
      if (!writer.write(bytes)) void drain(() => writer.drained());
    } catch (error) {
      // The bus calls every stream's listener in turn: one failing must not keep the others from theirs.
      logger.error('a live event could not be sent', { error, userId, type: event.type });
    }
  });
  const stopResync = notifications.live.onResync(() => {
    if (writer.closed) return;
    enqueue('resync');
    if (!busy) void drain(async () => {});
  });
  const heartbeat = setTimeout(function ping() {
    heartbeat.refresh();
    if (busy || writer.closed) return;
    if (!writer.write(PING)) void drain(() => writer.drained());
  }, heartbeatMs);
  writer.onClose(() => {
    clearTimeout(heartbeat);
    unsubscribe();
    stopResync();
    queue.length = 0;
  });
  void drain(async () => {
    await ready(false);
    if (lastSeq !== undefined) await replaySince(lastSeq);
  });
}

/**
 * The notification center (`/v1/notifications…`), its live stream, devices for push, preferences, and the
 * set-up check that sends the caller a test on every channel they have.
 */
export function notificationRoutes(services: Services, options: NotificationRouteOptions = {}) {
  const { notifications, clock } = services;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const user = requireUser({ verifier: services.tokens.verifier, directory: services.directory });
  const limit = rateLimits(services);
  const streamUser = requireUser(
    { verifier: services.tokens.verifier, directory: services.directory },
    { allowQueryToken: true },
  );

  return new Hono<PublicEnv>()
    .get('/notifications', user, validate('query', notificationListQuerySchema), async (c) => {
      const { limit, before } = c.req.valid('query');
      const userId = c.get('principal').id;
      const [list, unreadCount] = await Promise.all([
        notifications.store.list(userId, limit, before ? new Date(before) : undefined),
        notifications.store.unreadCount(userId),
      ]);
      const body: NotificationList = { notifications: list.map(publicNotification), unreadCount };
      return c.json(body, 200);
    })
    .post('/notifications/read', user, validate('json', markReadSchema), async (c) => {
      const userId = c.get('principal').id;
      const ids = await notifications.store.markRead(userId, c.req.valid('json'), clock.now());
      const unreadCount = await notifications.store.unreadCount(userId);
      // The user's other tabs and devices update their badge too.
      if (ids.length > 0) {
        await notifications.live.publish({
          type: 'notification.read',
          userIds: [userId],
          data: { ids, unreadCount },
        });
      }
      return c.json({ read: ids, unreadCount }, 200);
    })
    .post('/notifications/test', user, limit('test-notification'), async (c) => {
      const principal = c.get('principal');
      const sentAt = clock.now();
      const [written] = await notifications.notifier.notify({
        kind: 'test',
        recipients: [principal.id],
        title: 'Teacher Hub test notification',
        body: `Sent at ${sentAt.toISOString().slice(11, 16)} UTC. If you can read this, Teacher Hub reaches you here.`,
        data: { link: '#notifications' },
        key: `test:${randomUUID()}`,
        email: {
          subject: 'Teacher Hub: test notification',
          text: `Hello ${principal.name},\n\nthis is the test you asked for. If you can read it, Teacher Hub can email you.\n`,
        },
      });
      if (!written) throw new ApiError('NOT_FOUND', 'You are not in the directory.');
      const devices = await notifications.store.devicesOf(principal.id);
      return c.json(
        {
          notification: publicNotification(written),
          devices: devices.filter((device) =>
            notifications.pushChannels.includes(
              device.platform === 'web' ? 'webpush' : device.platform === 'android' ? 'fcm' : 'apns',
            ),
          ),
        },
        202,
      );
    })
    .get('/notifications/stream', streamUser, (c) => {
      const userId = c.get('principal').id;
      const lastEventId = c.req.header('Last-Event-ID') ?? c.req.query('lastEventId');
      const resumeFrom = lastEventId && SEQ.test(lastEventId) ? lastEventId : undefined;
      c.header('Cache-Control', 'no-cache, no-transform');
      c.header('X-Accel-Buffering', 'no');
      return sseResponse(c, (writer) =>
        liveStream(writer, { userId, resumeFrom, heartbeatMs, notifications, logger: services.logger }),
      );
    })
    .get('/push/vapid-public-key', (c) => c.json({ publicKey: notifications.vapidPublicKey }, 200))
    .post('/devices', user, validate('json', deviceRegistrationSchema), async (c) => {
      const device = await notifications.store.registerDevice(
        c.get('principal').id,
        randomUUID(),
        c.req.valid('json'),
      );
      const body: DeviceResponse = { device };
      return c.json(body, 201);
    })
    .delete('/devices/:id', user, validate('param', deviceIdSchema), async (c) => {
      const removed = await notifications.store.removeDevice(c.get('principal').id, c.req.valid('param').id);
      if (!removed) throw new ApiError('NOT_FOUND', 'You have no device with this id.');
      return c.body(null, 204);
    })
    .get('/notification-preferences', user, async (c) => {
      const switches = await notifications.store.preferenceSwitches(c.get('principal').id);
      const body: NotificationPreferencesResponse = {
        preferences: resolvePreferences(switches),
        locked: lockedMatrix(),
      };
      return c.json(body, 200);
    })
    .put('/notification-preferences', user, validate('json', preferencesUpdateSchema), async (c) => {
      const userId = c.get('principal').id;
      let switches;
      try {
        switches = switchesFromUpdate(c.req.valid('json'));
      } catch (error) {
        if (!(error instanceof LockedPreferenceError)) throw error;
        throw new ApiError('VALIDATION_FAILED', `${error.kind} on ${error.channel} cannot be changed.`, [
          {
            path: `preferences.${error.kind}.${error.channel}`,
            message:
              error.channel === 'email'
                ? 'email is sent only for scheduled sessions'
                : 'urgent alerts cannot be turned off',
          },
        ]);
      }
      await notifications.store.savePreferenceSwitches(userId, switches);
      const body: NotificationPreferencesResponse = {
        preferences: resolvePreferences(await notifications.store.preferenceSwitches(userId)),
        locked: lockedMatrix(),
      };
      return c.json(body, 200);
    });
}
