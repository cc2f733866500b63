/**
 * What the hub's web push carries (encrypted by the push service) and what its service worker shows.
 * Kept free of imports so the service worker bundle stays tiny and self-contained.
 */
export interface PushPayload {
  notificationId: string;
  kind: string;
  priority: 'urgent' | 'normal';
  title: string;
  body: string;
  data: Record<string, string>;
  collapseKey: string;
}

/** The message a service worker posts to an open hub page when one of its notifications is clicked. */
export interface NavigateMessage {
  type: 'teacher-hub:navigate';
  link: string;
  notificationId: string;
}

export function isPushPayload(value: unknown): value is PushPayload {
  if (typeof value !== 'object' || value === null) return false;
  const payload = value as Record<string, unknown>;
  return (
    typeof payload.title === 'string' &&
    typeof payload.body === 'string' &&
    typeof payload.collapseKey === 'string' &&
    typeof payload.notificationId === 'string'
  );
}

/** The hub deep link for a notification's data: `#call/…` beats `#session/…` beats `#chat/…`. */
export function deepLink(data: Record<string, string | undefined>): string {
  if (data.link) return data.link;
  if (data.callId) return `#call/${encodeURIComponent(data.callId)}`;
  if (data.sessionId) {
    const occurrence = data.occurrenceStart ? `/${encodeURIComponent(data.occurrenceStart)}` : '';
    return `#session/${encodeURIComponent(data.sessionId)}${occurrence}`;
  }
  if (data.chatId) return `#chat/${encodeURIComponent(data.chatId)}`;
  return '#notifications';
}
