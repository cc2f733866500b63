/// <reference lib="webworker" />
/**
 * The Teacher Hub service worker: shows web pushes and, on click, brings the user to the right place in
 * the hub page. Register it from the host origin (see README "Browser notifications"); the hub page's path
 * comes in the script URL (`teacher-hub-sw.js?page=/teacher.html`) so a click knows where to go.
 */
import { deepLink, isPushPayload, type NavigateMessage } from './push-payload.ts';

declare const self: ServiceWorkerGlobalScope;

const hubPage = new URL(self.location.href).searchParams.get('page') ?? '/';

self.addEventListener('install', () => {
  void self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener('push', (event) => {
  let payload: unknown;
  try {
    payload = event.data?.json();
  } catch {
    payload = undefined;
  }
  if (!isPushPayload(payload)) return;
  const urgent = payload.priority === 'urgent';
  const options: NotificationOptions & { renotify?: boolean } = {
    body: payload.body,
    // The collapse key: a retried push replaces the notification it repeats, and a missed call replaces its ring.
    tag: payload.collapseKey,
    renotify: urgent,
    // Urgent alerts (a ringing call, a session going live) stay until acted on.
    requireInteraction: urgent,
    data: { link: deepLink(payload.data), notificationId: payload.notificationId, kind: payload.kind },
  };
  event.waitUntil(self.registration.showNotification(payload.title, options));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const data = (event.notification.data ?? {}) as { link?: string; notificationId?: string };
  const link = data.link ?? '#notifications';
  event.waitUntil(openHubPage(link, data.notificationId ?? ''));
});

async function openHubPage(link: string, notificationId: string): Promise<void> {
  const target = new URL(hubPage, self.location.origin);
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((client) => new URL(client.url).pathname === target.pathname) ?? windows[0];
  if (open) {
    const message: NavigateMessage = { type: 'teacher-hub:navigate', link, notificationId };
    open.postMessage(message);
    await open.focus();
    return;
  }
  await self.clients.openWindow(`${target.pathname}${target.search}${link}`);
}
