/**
 * 100ms's webhooks (`POST /v1/webhooks/100ms`). 100ms signs nothing: it sends the headers configured with
 * the webhook in its dashboard, so the hub's secret (`HMS_WEBHOOK_SECRET`) travels as
 * `X-Hub-Webhook-Secret` and is compared in constant time. An event is `{version, id, account_id, app_id,
 * timestamp, type, data}`; for `peer.join.success`, `data` names the room (`room_id`), the peer (`peer_id`)
 * and the auth token's `user_id`, which is the hub's user id.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** The header 100ms is configured to send the webhook secret in. */
export const HMS_WEBHOOK_SECRET_HEADER = 'X-Hub-Webhook-Secret';

/** The longest id (room, peer, user, event) the hub reads from a webhook; 100ms's are far shorter. */
const MAX_ID_LENGTH = 256;

/** A peer joined a room's session: the hub checks she may be there. */
export interface HmsPeerJoined {
  type: 'peer.join.success';
  /** 100ms's event id (the same on a retry). */
  id: string;
  roomId: string;
  peerId: string;
  userId: string;
}

/** Any other well-formed event: the hub takes it and does nothing. */
export interface HmsOtherEvent {
  type: 'other';
  id: string;
  name: string;
}

export type HmsWebhookEvent = HmsPeerJoined | HmsOtherEvent;

/** Whether the request carries the webhook secret (constant time over digests, whatever the lengths). */
export function verifyHmsWebhook(header: string | undefined, secret: string): boolean {
  if (!header) return false;
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(header), digest(secret));
}

/** The event in a webhook body, or null when the body is not a 100ms event (or a join lacks its ids). */
export function parseHmsWebhook(body: unknown): HmsWebhookEvent | null {
  const event = asRecord(body);
  const id = readId(event.id);
  const type = typeof event.type === 'string' && event.type.length <= MAX_ID_LENGTH ? event.type : null;
  if (!id || !type) return null;
  if (type !== 'peer.join.success') return { type: 'other', id, name: type };
  const data = asRecord(event.data);
  const roomId = readId(data.room_id);
  const peerId = readId(data.peer_id);
  const userId = readId(data.user_id);
  if (!roomId || !peerId || !userId) return null;
  return { type, id, roomId, peerId, userId };
}

function readId(value: unknown): string | null {
  return typeof value === 'string' && value !== '' && value.length <= MAX_ID_LENGTH ? value : null;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
