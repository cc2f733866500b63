// Story fixtures for <notification-center>: a HubClient whose `fetch` answers the notification routes from
// an in-memory list, and whose live stream is a local event source that says `ready` and can deliver
// notifications on a timer. Push states are pinned, because a story cannot change the browser's
// permission. Not a test double: stories only show states; the browser tests run against the real hub.
import { HubClient } from '@teacher-hub/core';
import type { HubNotification, NotificationKind, PushState, PushUnsupportedReason } from '@teacher-hub/core';
import type { ErrorBody } from '@teacher-hub/protocol';
import { STORY_SERVER, cannedHubFetch, storyToken } from './canned-hub.ts';
import type { CannedHubOptions } from './canned-hub.ts';

export interface CannedNotificationsOptions {
  notifications?: HubNotification[];
  /** Never answer the list: the loading state. */
  hang?: boolean;
  /** Fail this many list calls before answering. */
  failures?: number;
  latencyMs?: number;
  /** Deliver one of `live` every this many milliseconds over the (local) live stream. */
  liveEveryMs?: number;
  live?: HubNotification[];
  push?: PushState;
  pushReason?: PushUnsupportedReason;
  /** Who is signed in and the rest of the hub (`GET /v1/me`, the roster); by default nobody in particular. */
  hub?: CannedHubOptions;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function errorBody(code: ErrorBody['error']['code'], message: string): ErrorBody {
  return { error: { code, message, requestId: 'req_4b1d9e07' } };
}

function minutesAgo(minutes: number): string {
  return new Date(Date.now() - minutes * 60_000).toISOString();
}

let sequence = 0;

/** A notification as the hub would send it, `minutes` old. */
export function notification(
  kind: NotificationKind,
  title: string,
  body: string,
  minutes: number,
  read = false,
): HubNotification {
  sequence += 1;
  const urgent = kind === 'call.ringing' || kind === 'session.live';
  const data: HubNotification['data'] = kind.startsWith('call.')
    ? { callId: `call-${sequence}`, chatId: 'chat-algebra' }
    : kind.startsWith('session.')
      ? { sessionId: `session-${sequence}`, occurrenceStart: minutesAgo(-60) }
      : kind.startsWith('chat.')
        ? { chatId: 'chat-algebra' }
        : { link: '#notifications' };
  return {
    id: `story-${sequence}`,
    kind,
    priority: urgent ? 'urgent' : 'normal',
    title,
    body,
    data,
    createdAt: minutesAgo(minutes),
    readAt: read ? minutesAgo(minutes - 1) : null,
  };
}

/** What a student of Ada's sees after a busy morning. */
export const STUDENT_NOTIFICATIONS: HubNotification[] = [
  notification('session.live', 'Algebra I review is live', 'Ada Lovelace started the session. Join now.', 1),
  notification(
    'chat.message',
    'Ada Lovelace',
    'Great work on worksheet 4! Bring your questions on Thursday.',
    12,
  ),
  notification(
    'session.reminder',
    'Algebra I review in 15 minutes',
    'Thursday 09:00–09:45 · Join from the calendar.',
    16,
  ),
  notification('chat.added', 'You were added to “Biology lab group B”', 'Ada Lovelace added you.', 95, true),
  notification(
    'session.rescheduled',
    'Biology Q&A moved',
    'Now Friday 14:00 (was Thursday 14:00).',
    60 * 26,
    true,
  ),
  notification('call.missed', 'Missed call from Ada Lovelace', 'In “Algebra I”.', 60 * 50, true),
];

/** A teacher's: students writing, one ringing call. */
export const TEACHER_NOTIFICATIONS: HubNotification[] = [
  notification('call.ringing', 'Diego Ramírez is calling', 'In “Algebra I”. Answer within 30 seconds.', 0),
  notification('chat.message', 'Emma Schmidt', 'Could you look at my lab report before Friday?', 7),
  notification('chat.message', 'Amara Okafor', 'Thanks, that helped a lot!', 45, true),
  notification(
    'session.scheduled',
    'Session booked: Biology Q&A',
    'Friday 14:00 with 5 students.',
    60 * 3,
    true,
  ),
];

/** Thirty items, a few urgent, to show scrolling and "Show older notifications". */
export function manyNotifications(count = 30): HubNotification[] {
  const kinds: [NotificationKind, string, string][] = [
    ['chat.message', 'Farah Haddad', 'I uploaded the corrected version.'],
    ['session.reminder', 'World History in 15 minutes', 'Room link in the calendar.'],
    ['call.missed', 'Missed call from Grace Hopper', 'In “World History”.'],
    ['chat.added', 'You were added to “Study group”', 'Grace Hopper added you.'],
    ['session.cancelled', 'Chemistry lab cancelled', 'Tuesday 10:00 will not take place.'],
  ];
  return Array.from({ length: count }, (_, i) => {
    if (i === 2 || i === 9) return notification('session.live', 'Geometry is live', 'Join now.', i * 20);
    const [kind, title, body] = kinds[i % kinds.length]!;
    return notification(kind, title, body, i * 20 + 3, i > 6);
  });
}

/** A local stand-in for the hub's SSE stream: `ready` at once, then the scripted live notifications. */
function cannedEventSource(
  unreadCount: () => number,
  live: HubNotification[],
  everyMs: number | undefined,
  deliver: (item: HubNotification) => void,
): (url: string) => EventSource {
  return () => {
    const source = new EventTarget() as EventTarget & { close(): void; readyState: number };
    let timer: ReturnType<typeof setInterval> | undefined;
    source.readyState = 0;
    source.close = () => {
      source.readyState = 2;
      clearInterval(timer);
    };
    setTimeout(() => {
      if (source.readyState === 2) return;
      source.readyState = 1;
      source.dispatchEvent(
        new MessageEvent('ready', { data: JSON.stringify({ unreadCount: unreadCount() }) }),
      );
      if (!everyMs || live.length === 0) return;
      let index = 0;
      timer = setInterval(() => {
        const template = live[index++ % live.length]!;
        const item = { ...template, id: `${template.id}-live-${index}`, createdAt: new Date().toISOString() };
        deliver(item);
        source.dispatchEvent(
          new MessageEvent('notification', { data: JSON.stringify(item), lastEventId: String(index) }),
        );
      }, everyMs);
    }, 150);
    return source as unknown as EventSource;
  };
}

export function cannedNotificationsClient(options: CannedNotificationsOptions = {}): HubClient {
  const rows = (options.notifications ?? []).map((item) => ({ ...item }));
  let failuresLeft = options.failures ?? 0;
  const unread = () => rows.filter((row) => row.readAt === null).length;
  const rest = options.hub ? cannedHubFetch(options.hub) : undefined;
  const client = new HubClient({
    server: STORY_SERVER,
    token: options.hub?.user ? storyToken(options.hub.user) : 'story-token',
    createEventSource: cannedEventSource(unread, options.live ?? [], options.liveEveryMs, (item) =>
      rows.unshift(item),
    ),
    fetch: async (input, init) => {
      const url = new URL(input);
      const method = init?.method ?? 'GET';
      if (rest && !url.pathname.startsWith('/v1/notifications')) return rest(input, init);
      if (options.hang && url.pathname === '/v1/notifications') return new Promise<Response>(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, options.latencyMs ?? 300));
      if (method === 'GET' && url.pathname === '/v1/notifications') {
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          return json(503, errorBody('UNAVAILABLE', 'The hub is restarting. Try again in a moment.'));
        }
        const limit = Number(url.searchParams.get('limit') ?? 30);
        const before = url.searchParams.get('before');
        const page = rows
          .filter((row) => !before || Date.parse(row.createdAt) < Date.parse(before))
          .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))
          .slice(0, limit);
        return json(200, { notifications: page, unreadCount: unread() });
      }
      if (method === 'POST' && url.pathname === '/v1/notifications/read') {
        const body = JSON.parse(String(init?.body)) as { ids?: string[]; all?: true };
        const read: string[] = [];
        for (const row of rows) {
          if (row.readAt === null && (body.all || body.ids?.includes(row.id))) {
            row.readAt = new Date().toISOString();
            read.push(row.id);
          }
        }
        return json(200, { read, unreadCount: unread() });
      }
      if (method === 'POST' && url.pathname === '/v1/notifications/test') {
        const sent = {
          ...notification(
            'test',
            'Teacher Hub test notification',
            'If you can read this, Teacher Hub reaches you here.',
            0,
          ),
          createdAt: new Date().toISOString(),
        };
        rows.unshift(sent);
        const devices = options.push === 'subscribed' ? [{ id: 'device-1', platform: 'web' }] : [];
        return json(202, { notification: sent, devices });
      }
      return json(404, errorBody('NOT_FOUND', 'Not in this story.'));
    },
  });
  pinPush(client, options.push ?? 'prompt', options.pushReason);
  return client;
}

/** Shows a fixed push state, and plays enable / disable as the browser would after "Allow". */
function pinPush(client: HubClient, state: PushState, reason: PushUnsupportedReason | undefined): void {
  const push = client.notifications.push;
  let current = state;
  const show = () => {
    push.store.set({ state: current, reason: current === 'unsupported' ? reason : undefined, checked: true });
    return current;
  };
  const settle = async (next: PushState) => {
    push.store.set({ busy: true });
    await new Promise((resolve) => setTimeout(resolve, 600));
    current = next;
    push.store.set({ busy: false });
    return show();
  };
  push.refresh = async () => show();
  push.enable = () => settle('subscribed');
  push.disable = () => settle('unsubscribed');
  show();
}
