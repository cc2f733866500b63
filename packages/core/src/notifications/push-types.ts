/**
 * What web push looks like from outside (`client.notifications.push`): its states, options and errors.
 * Kept apart from `web-push.ts`, which loads only when the notification panel first needs it.
 */

/**
 * Where browser notifications stand for this user in this browser:
 * - `unsupported`: no Push API, not a secure context, or no service worker this page may register
 *   (see `reason`);
 * - `denied`: the user blocked notifications for the site; only the browser's site settings can undo it;
 * - `prompt`: the browser will ask; `enable()` (from a click) asks;
 * - `subscribed`: this browser is registered with the hub for this user;
 * - `unsubscribed`: allowed, but not registered (turned off, or another user's subscription).
 */
export const PUSH_STATES = ['unsupported', 'denied', 'prompt', 'subscribed', 'unsubscribed'] as const;
export type PushState = (typeof PUSH_STATES)[number];

/** Why push is `unsupported`. */
export const PUSH_UNSUPPORTED_REASONS = [
  'no-push-api',
  'insecure-context',
  'needs-service-worker-url',
] as const;
export type PushUnsupportedReason = (typeof PUSH_UNSUPPORTED_REASONS)[number];

export interface PushStoreState {
  state: PushState;
  reason: PushUnsupportedReason | undefined;
  /** `false` until the first `refresh()` has looked at the browser. */
  checked: boolean;
  /** `enable()` or `disable()` is running. */
  busy: boolean;
  /** What the last `enable()` / `disable()` failed with. */
  error: unknown;
}

export interface PushOptions {
  /**
   * The service worker to register. Defaults to the hub's `/sdk/teacher-hub-sw.js`, which works only when
   * the page is on the hub's own origin (browsers register workers from the page's origin only). A host on
   * another origin serves a one-line worker of its own, `importScripts('https://hub.example.edu/sdk/teacher-hub-sw.js')`,
   * and passes its URL here. `?page=<this page's path>` is added when missing, so a click on a notification
   * opens this page when no tab has it open.
   */
  serviceWorkerUrl?: string | undefined;
  /**
   * How long `enable()` waits for the browser's push service to issue a subscription. Browsers do not
   * give up on their own while it is unreachable (offline, blocked by a firewall). Default 20 s.
   */
  subscribeTimeoutMs?: number | undefined;
}

/** The browser's push service did not issue a subscription in time. */
export class PushServiceTimeoutError extends Error {
  override readonly name = 'PushServiceTimeoutError';
  constructor() {
    super('The browser’s push service did not answer. Check your connection and try again.');
  }
}

/** Before the first `refresh()`: nothing checked yet. */
export const initialPushState = (): PushStoreState => ({
  state: 'unsupported',
  reason: undefined,
  checked: false,
  busy: false,
  error: undefined,
});
