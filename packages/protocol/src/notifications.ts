import { z } from 'zod';
import { STORABLE_TEXT } from './directory.ts';

/** Every kind of notification the hub sends. `test` is the set-up check of `POST /v1/notifications/test`. */
export const NOTIFICATION_KINDS = [
  'chat.added',
  'chat.message',
  'call.ringing',
  'call.missed',
  'session.scheduled',
  'session.reminder',
  'session.live',
  'session.cancelled',
  'session.rescheduled',
  'test',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Urgent kinds ring through: high push priority, and no preference can mute them (rule 8). */
export const URGENT_KINDS = ['call.ringing', 'session.live'] as const satisfies readonly NotificationKind[];
export type UrgentKind = (typeof URGENT_KINDS)[number];

export const PRIORITIES = ['urgent', 'normal'] as const;
export type Priority = (typeof PRIORITIES)[number];

export function priorityOf(kind: NotificationKind): Priority {
  return (URGENT_KINDS as readonly string[]).includes(kind) ? 'urgent' : 'normal';
}

/** Where a notification can go. A user chooses per kind × channel; urgent kinds ignore the choice. */
export const NOTIFICATION_CHANNELS = ['in_app', 'web_push', 'mobile_push', 'email'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

/** Email is offered only for scheduled sessions (and the set-up test). */
export const EMAIL_KINDS = [
  'session.scheduled',
  'session.rescheduled',
  'session.cancelled',
  'test',
] as const satisfies readonly NotificationKind[];

export interface NotificationData {
  chatId?: string;
  callId?: string;
  sessionId?: string;
  occurrenceStart?: string;
  /** Where a click goes in the host page, as a hub deep link (`#chat/…`, `#session/…`, `#call/…`). */
  link?: string;
}

export interface HubNotification {
  id: string;
  kind: NotificationKind;
  priority: Priority;
  title: string;
  body: string;
  data: NotificationData;
  createdAt: string;
  readAt: string | null;
}

export interface NotificationList {
  notifications: HubNotification[];
  unreadCount: number;
}

export const notificationListQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(30),
    before: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

export const markReadSchema = z.union([
  // NUL (which PostgreSQL cannot take, even in a query) and unpaired surrogates are no id of ours.
  z.object({ ids: z.array(z.string().min(1).max(64).regex(STORABLE_TEXT)).min(1).max(500) }).strict(),
  z.object({ all: z.literal(true) }).strict(),
]);
export type MarkReadRequest = z.infer<typeof markReadSchema>;

export type NotificationPreferences = Record<NotificationKind, Record<NotificationChannel, boolean>>;

export interface NotificationPreferencesResponse {
  preferences: NotificationPreferences;
  /** Kind × channel pairs the user cannot turn off (urgent kinds) or that do not apply (email for chat). */
  locked: Partial<Record<NotificationKind, NotificationChannel[]>>;
}

const channelSwitchesSchema = z.partialRecord(z.enum(NOTIFICATION_CHANNELS), z.boolean());
export const preferencesUpdateSchema = z
  .object({ preferences: z.partialRecord(z.enum(NOTIFICATION_KINDS), channelSwitchesSchema) })
  .strict();
export type NotificationPreferencesUpdate = z.infer<typeof preferencesUpdateSchema>;

export const PLATFORMS = ['web', 'android', 'ios'] as const;
export type Platform = (typeof PLATFORMS)[number];

const base64url = z.string().regex(/^[A-Za-z0-9_-]+={0,2}$/, 'must be base64url');
export const deviceRegistrationSchema = z.discriminatedUnion('platform', [
  z
    .object({
      platform: z.literal('web'),
      subscription: z
        .object({
          endpoint: z
            .url({ protocol: /^https$/ })
            .max(2048)
            .regex(STORABLE_TEXT, 'must not contain NUL or unpaired surrogates'),
          expirationTime: z.number().nullable().optional(),
          keys: z.object({ p256dh: base64url.min(80).max(100), auth: base64url.min(16).max(32) }).strict(),
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      platform: z.enum(['android', 'ios']),
      token: z
        .string()
        .min(8)
        .max(4096)
        .regex(/^[A-Za-z0-9:_-]+$/, 'must be a device token'),
    })
    .strict(),
]);
export type DeviceRegistration = z.infer<typeof deviceRegistrationSchema>;

export interface DeviceResponse {
  device: { id: string; platform: Platform };
}

/** Events on `GET /v1/notifications/stream` (Server-Sent Events). */
export const LIVE_EVENT_TYPES = ['notification', 'notification.read', 'call', 'session'] as const;
export type LiveEventType = (typeof LIVE_EVENT_TYPES)[number];
