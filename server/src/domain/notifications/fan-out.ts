import {
  priorityOf,
  type NotificationChannel,
  type NotificationData,
  type NotificationKind,
  type NotificationPreferences,
  type Platform,
  type Priority,
} from '@teacher-hub/protocol';

/** The provider channels a delivery goes through. `in_app` needs no delivery: the row and the live event are it. */
export const DELIVERY_CHANNELS = ['webpush', 'fcm', 'apns', 'email'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

/** The longest a push service may hold a normal notification. */
export const NORMAL_TTL_SECONDS = 86_400;

export interface EmailContent {
  subject: string;
  text: string;
  html?: string;
  calendar?: { method: 'REQUEST' | 'CANCEL'; content: string };
}

/** What a domain event asks the pipeline to send. */
export interface NotifyRequest {
  kind: NotificationKind;
  recipients: readonly string[];
  title: string;
  body: string;
  data: NotificationData;
  /**
   * Names the logical notification (`call:<id>:ring`, `session:<id>:<occurrence>:reminder`). With the
   * recipient it makes the notification's dedupe key, so the same event notified twice is stored once.
   */
  key: string;
  /** The push collapse key; defaults to `key`. A missed call reuses its ring's key so it replaces the ring. */
  collapseKey?: string;
  /** Push TTL for urgent kinds (the ring window). Normal kinds are capped at one day. */
  urgentTtlSeconds?: number;
  /** Sent by email where the recipient has an address and has not turned email off for this kind. */
  email?: EmailContent | ((userId: string) => EmailContent);
}

export interface RecipientDevice {
  id: string;
  platform: Platform;
}

export interface Recipient {
  userId: string;
  email: string | null;
  devices: readonly RecipientDevice[];
  preferences: NotificationPreferences;
}

export interface PlannedNotification {
  id: string;
  userId: string;
  kind: NotificationKind;
  priority: Priority;
  title: string;
  body: string;
  data: NotificationData;
  dedupeKey: string;
  /** False when the user turned in-app off for this kind: the row is kept for deliveries but not listed. */
  listed: boolean;
  createdAt: Date;
}

export interface PlannedDelivery {
  id: string;
  notificationId: string;
  userId: string;
  channel: DeliveryChannel;
  deviceId: string | null;
  collapseKey: string;
  ttlSeconds: number;
  email: EmailContent | null;
}

export interface FanOutPlan {
  notifications: PlannedNotification[];
  deliveries: PlannedDelivery[];
}

const CHANNEL_FOR_PLATFORM: Record<Platform, { delivery: DeliveryChannel; preference: NotificationChannel }> =
  {
    web: { delivery: 'webpush', preference: 'web_push' },
    android: { delivery: 'fcm', preference: 'mobile_push' },
    ios: { delivery: 'apns', preference: 'mobile_push' },
  };

/**
 * Plans one notification row per recipient and one delivery per device and channel the recipient allows.
 * Pure: the caller writes the plan in the transaction of the change that caused it (the outbox).
 */
export function planFanOut(
  request: NotifyRequest,
  recipients: readonly Recipient[],
  newId: () => string,
  now: Date,
): FanOutPlan {
  const priority = priorityOf(request.kind);
  const ttlSeconds =
    priority === 'urgent'
      ? Math.max(1, Math.round(request.urgentTtlSeconds ?? NORMAL_TTL_SECONDS))
      : NORMAL_TTL_SECONDS;
  const collapseKey = request.collapseKey ?? request.key;
  const plan: FanOutPlan = { notifications: [], deliveries: [] };
  const seen = new Set<string>();

  for (const recipient of recipients) {
    if (!request.recipients.includes(recipient.userId) || seen.has(recipient.userId)) continue;
    seen.add(recipient.userId);
    const wants = recipient.preferences[request.kind];
    const notification: PlannedNotification = {
      id: newId(),
      userId: recipient.userId,
      kind: request.kind,
      priority,
      title: request.title,
      body: request.body,
      data: request.data,
      dedupeKey: `${request.key}:${recipient.userId}`,
      listed: wants.in_app,
      createdAt: now,
    };
    plan.notifications.push(notification);
    const delivery = (channel: DeliveryChannel, deviceId: string | null, email: EmailContent | null) =>
      plan.deliveries.push({
        id: newId(),
        notificationId: notification.id,
        userId: recipient.userId,
        channel,
        deviceId,
        collapseKey,
        ttlSeconds,
        email,
      });

    for (const device of recipient.devices) {
      const route = CHANNEL_FOR_PLATFORM[device.platform];
      if (wants[route.preference]) delivery(route.delivery, device.id, null);
    }
    if (request.email && recipient.email && wants.email) {
      const content = typeof request.email === 'function' ? request.email(recipient.userId) : request.email;
      delivery('email', null, content);
    }
  }
  return plan;
}
