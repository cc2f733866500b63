/**
 * The one port every push channel implements (web push, FCM, APNs). A provider sends one message to many
 * devices and answers with one result per device, so the delivery worker can record each attempt and act
 * on it: `gone` removes the device, `retry` reschedules with backoff, `failed` stops retrying.
 */

export const PUSH_CHANNELS = ['webpush', 'fcm', 'apns'] as const;
export type PushChannel = (typeof PUSH_CHANNELS)[number];

export type PushPriority = 'urgent' | 'normal';

export interface PushMessage {
  /** The notification kind (`call.ringing`, `session.reminder`, `test`, …). */
  kind: string;
  priority: PushPriority;
  title: string;
  body: string;
  /** Deep-link data for the click handler: chatId, callId, sessionId, occurrenceStart, url. */
  data: Record<string, string>;
  /**
   * The idempotency key: the same logical notification always carries the same key, so a retry after a
   * crash replaces the one already shown instead of showing a second (web push `Topic`, FCM collapse key,
   * `apns-collapse-id`). A later notification that must replace an earlier one (a missed call replacing
   * its ring) reuses the earlier key on purpose.
   */
  collapseKey: string;
  /** How long the push service may hold the message for an offline device. */
  ttlSeconds: number;
  /** The notification id in the hub, so a client can mark it read from the push. */
  notificationId: string;
}

export type PushTarget =
  | {
      deviceId: string;
      platform: 'web';
      subscription: { endpoint: string; keys: { p256dh: string; auth: string } };
    }
  | { deviceId: string; platform: 'android' | 'ios'; token: string };

export type DeliveryResult =
  | { deviceId: string; status: 'sent'; providerId?: string }
  /** The provider says the device is gone for good (web push 404/410, FCM unregistered, APNs 410/BadDeviceToken). */
  | { deviceId: string; status: 'gone'; reason: string }
  /** A transient failure (429, 5xx, network): try again later, not before `retryAfterMs` when given. */
  | { deviceId: string; status: 'retry'; reason: string; retryAfterMs?: number }
  /** A permanent failure that is not "gone" (bad payload, auth misconfiguration): stop retrying this delivery. */
  | { deviceId: string; status: 'failed'; reason: string };

export interface PushProvider {
  readonly channel: PushChannel;
  /** Sends to every target; never throws for a per-device failure, only returns it. */
  send(message: PushMessage, targets: PushTarget[]): Promise<DeliveryResult[]>;
  close?(): Promise<void>;
}
