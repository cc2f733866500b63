import type { HubApi } from '../api.ts';
import { HubApiError } from '../errors.ts';
import { createStore } from '../store.ts';
import type { Store } from '../store.ts';
import { decodeTokenClaims } from '../token-manager.ts';
import type { TokenManager } from '../token-manager.ts';
import { PushServiceTimeoutError } from './push-types.ts';
import { initialPushState } from './push-types.ts';
import type { PushOptions, PushState, PushStoreState, PushUnsupportedReason } from './push-types.ts';

/**
 * `pushManager.subscribe`, given up after `timeoutMs`. A subscription that arrives after that is
 * unsubscribed again, so no subscription exists that the hub does not know of.
 */
async function subscribeWithin(
  registration: ServiceWorkerRegistration,
  options: PushSubscriptionOptionsInit,
  timeoutMs: number,
): Promise<PushSubscription> {
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const subscribing = registration.pushManager.subscribe(options);
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new PushServiceTimeoutError());
    }, timeoutMs);
  });
  subscribing.then(
    (late) => {
      if (timedOut) void late.unsubscribe().catch(() => undefined);
    },
    () => undefined,
  );
  try {
    return await Promise.race([subscribing, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The state for what the browser reports (pure, for tests and for views that want to preview). */
export function pushStateOf(facts: {
  supported: boolean;
  permission: NotificationPermission;
  subscribed: boolean;
}): PushState {
  if (!facts.supported) return 'unsupported';
  if (facts.permission === 'denied') return 'denied';
  if (facts.permission === 'default') return 'prompt';
  return facts.subscribed ? 'subscribed' : 'unsubscribed';
}

/**
 * The service worker URL to register for a page, or why there is none: a host-given URL (resolved against
 * the page) or the hub's own worker when the page shares the hub's origin. Either way with `?page=`.
 */
export function resolveServiceWorkerUrl(options: {
  server: string;
  pageUrl: string;
  serviceWorkerUrl?: string | undefined;
}): { url: string } | { reason: PushUnsupportedReason } {
  const page = new URL(options.pageUrl);
  let url: URL;
  if (options.serviceWorkerUrl) {
    url = new URL(options.serviceWorkerUrl, page);
  } else {
    const hub = new URL(options.server.replace(/\/*$/, '/'), page);
    url = new URL('sdk/teacher-hub-sw.js', hub);
  }
  if (url.origin !== page.origin) return { reason: 'needs-service-worker-url' };
  if (!url.searchParams.has('page')) url.searchParams.set('page', page.pathname);
  return { url: url.toString() };
}

/** A VAPID public key (base64url, as the hub serves it) as the bytes `pushManager.subscribe` wants. */
export function applicationServerKey(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function sameBytes(a: ArrayBuffer | null | undefined, b: Uint8Array): boolean {
  if (!a) return false;
  const view = new Uint8Array(a);
  return view.length === b.length && view.every((byte, i) => byte === b[i]);
}

/** What this browser remembers of its registration with a hub for one user (in `localStorage`). */
export interface PushDeviceRecord {
  deviceId: string;
  endpoint: string;
}

const RECORD_PREFIX = 'teacher-hub:push-device:';

/** The `localStorage` key of a user's device record at a hub. */
export function pushRecordKey(server: string, userId: string): string {
  return `${RECORD_PREFIX}${server.replace(/\/+$/, '')}|${userId}`;
}

function readRecord(key: string): PushDeviceRecord | undefined {
  try {
    const value: unknown = JSON.parse(globalThis.localStorage?.getItem(key) ?? 'null');
    const record = value as Partial<PushDeviceRecord> | null;
    return typeof record?.deviceId === 'string' && typeof record.endpoint === 'string'
      ? { deviceId: record.deviceId, endpoint: record.endpoint }
      : undefined;
  } catch {
    return undefined;
  }
}

function writeRecord(key: string, record: PushDeviceRecord | undefined): void {
  try {
    if (record) globalThis.localStorage?.setItem(key, JSON.stringify(record));
    else globalThis.localStorage?.removeItem(key);
  } catch {
    // Storage can be off (private modes); the registration still works, `disable()` just cannot find it.
  }
}

/** Keys of other users' records at this hub that point at `endpoint`. */
function otherRecordsFor(server: string, ownKey: string, endpoint: string): string[] {
  const storage = globalThis.localStorage;
  if (!storage) return [];
  const prefix = pushRecordKey(server, '');
  const keys: string[] = [];
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i);
    if (key && key !== ownKey && key.startsWith(prefix) && readRecord(key)?.endpoint === endpoint)
      keys.push(key);
  }
  return keys;
}

function pushSupported(): { supported: true } | { supported: false; reason: PushUnsupportedReason } {
  const scope = globalThis as typeof globalThis & { isSecureContext?: boolean };
  if (
    typeof navigator === 'undefined' ||
    !('serviceWorker' in navigator) ||
    typeof PushManager === 'undefined' ||
    typeof Notification === 'undefined'
  ) {
    return { supported: false, reason: scope.isSecureContext === false ? 'insecure-context' : 'no-push-api' };
  }
  return { supported: true };
}

/** Waits until a registration has an active worker (`pushManager.subscribe` needs one). */
async function activated(registration: ServiceWorkerRegistration): Promise<ServiceWorkerRegistration> {
  if (registration.active) return registration;
  const worker = registration.installing ?? registration.waiting;
  if (!worker) return registration;
  await new Promise<void>((resolve, reject) => {
    const onChange = () => {
      if (worker.state === 'activated') {
        worker.removeEventListener('statechange', onChange);
        resolve();
      } else if (worker.state === 'redundant') {
        worker.removeEventListener('statechange', onChange);
        reject(new Error('The Teacher Hub service worker failed to install.'));
      }
    };
    worker.addEventListener('statechange', onChange);
    onChange();
  });
  return registration;
}

/**
 * Web push for this browser: whether it is on, and turning it on and off. Reached through
 * `client.notifications.push` (a `LazyWebPush`, which loads this module on first use).
 *
 * `enable()` must run in response to a click (browsers ask for permission only then). It asks, registers
 * the service worker (scope `/` when the hub serves `Service-Worker-Allowed: /`, else the worker's own
 * folder), subscribes with the hub's VAPID key, registers the subscription with `POST /v1/devices`, and
 * remembers the device id in `localStorage` (per hub and user) so `disable()` can delete it. A browser has
 * one subscription per worker: when another user of the same browser enables push, the subscription is
 * replaced, so the previous user's copy stops working and the hub drops it at its first "gone" answer.
 */
export class WebPushService {
  readonly store: Store<PushStoreState>;
  readonly #api: HubApi;
  readonly #tokens: TokenManager;
  readonly #server: string;
  readonly #defaultServiceWorkerUrl: string | undefined;
  #watchingPermission = false;
  /** The options of the last call, for refreshes the browser triggers (a permission change). */
  #lastOptions: PushOptions = {};

  /** `store`: where to keep the state (the client's `LazyWebPush` hands over the one elements already hold). */
  constructor(
    api: HubApi,
    tokens: TokenManager,
    server: string,
    options: PushOptions & { store?: Store<PushStoreState> | undefined } = {},
  ) {
    this.store = options.store ?? createStore<PushStoreState>(initialPushState());
    this.#api = api;
    this.#tokens = tokens;
    this.#server = server;
    this.#defaultServiceWorkerUrl = options.serviceWorkerUrl;
  }

  get state(): PushState {
    return this.store.get().state;
  }

  /** Looks at the browser (permission, registration, subscription) and updates `state`. */
  async refresh(options: PushOptions = this.#lastOptions): Promise<PushState> {
    this.#lastOptions = options;
    const support = pushSupported();
    if (!support.supported) {
      this.store.set({ state: 'unsupported', reason: support.reason, checked: true });
      return 'unsupported';
    }
    const target = this.#target(options);
    if ('reason' in target) {
      this.store.set({ state: 'unsupported', reason: target.reason, checked: true });
      return 'unsupported';
    }
    this.#watchPermission();
    let subscribed = false;
    if (Notification.permission === 'granted') {
      const registration = await this.#findRegistration(target.url);
      const subscription = await registration?.pushManager.getSubscription().catch(() => null);
      const record = readRecord(await this.#recordKey());
      subscribed = subscription != null && record?.endpoint === subscription.endpoint;
    }
    const state = pushStateOf({ supported: true, permission: Notification.permission, subscribed });
    this.store.set({ state, reason: undefined, checked: true });
    return state;
  }

  /**
   * Turns browser notifications on for this user. Call it from a click handler: the permission request
   * comes first, while the click still counts as the user's gesture. Resolves with the new state, which is
   * `denied` or `prompt` when the user did not allow; rejects when registering or subscribing failed.
   */
  async enable(options: PushOptions = this.#lastOptions): Promise<PushState> {
    this.#lastOptions = options;
    const support = pushSupported();
    const target = support.supported ? this.#target(options) : { reason: support.reason };
    if ('reason' in target) {
      this.store.set({ state: 'unsupported', reason: target.reason, checked: true });
      return 'unsupported';
    }
    // First thing, with no await before it: browsers grant the prompt only during the user's gesture.
    const permission =
      Notification.permission === 'default'
        ? await Notification.requestPermission()
        : Notification.permission;
    if (permission !== 'granted') return this.refresh(options);

    this.store.set({ busy: true, error: undefined });
    try {
      const registration = await activated(await this.#register(target.url));
      const [{ publicKey }, recordKey] = await Promise.all([this.#api.vapidPublicKey(), this.#recordKey()]);
      const key = applicationServerKey(publicKey);
      let subscription = await registration.pushManager.getSubscription();
      const others = subscription ? otherRecordsFor(this.#server, recordKey, subscription.endpoint) : [];
      if (subscription && (others.length > 0 || !sameBytes(subscription.options.applicationServerKey, key))) {
        // Another user's subscription (or one for an old hub key): start a fresh one for this user.
        await subscription.unsubscribe();
        for (const other of others) writeRecord(other, undefined);
        subscription = null;
      }
      subscription ??= await subscribeWithin(
        registration,
        { userVisibleOnly: true, applicationServerKey: key },
        options.subscribeTimeoutMs ?? 20_000,
      );
      const previous = readRecord(recordKey);
      const json = subscription.toJSON();
      const { device } = await this.#api.registerDevice({
        platform: 'web',
        subscription: {
          endpoint: subscription.endpoint,
          expirationTime: json.expirationTime ?? null,
          keys: { p256dh: json.keys?.p256dh ?? '', auth: json.keys?.auth ?? '' },
        },
      });
      writeRecord(recordKey, { deviceId: device.id, endpoint: subscription.endpoint });
      if (previous && previous.deviceId !== device.id) {
        await this.#api.removeDevice(previous.deviceId).catch(() => undefined);
      }
      this.store.set({ state: 'subscribed', reason: undefined, checked: true });
      return 'subscribed';
    } catch (error) {
      this.store.set({ error });
      await this.refresh(options).catch(() => undefined);
      throw error;
    } finally {
      this.store.set({ busy: false });
    }
  }

  /** Turns browser notifications off for this user: deletes the hub's device, then the subscription. */
  async disable(options: PushOptions = this.#lastOptions): Promise<PushState> {
    this.#lastOptions = options;
    this.store.set({ busy: true, error: undefined });
    try {
      const recordKey = await this.#recordKey();
      const record = readRecord(recordKey);
      if (record) {
        try {
          await this.#api.removeDevice(record.deviceId);
        } catch (error) {
          // Already gone at the hub (it removes dead endpoints itself): nothing left to undo there.
          if (!(error instanceof HubApiError && error.status === 404)) throw error;
        }
        writeRecord(recordKey, undefined);
      }
      const target = pushSupported().supported ? this.#target(options) : undefined;
      if (target && 'url' in target) {
        const registration = await this.#findRegistration(target.url);
        const subscription = await registration?.pushManager.getSubscription();
        await subscription?.unsubscribe();
      }
      return await this.refresh(options);
    } catch (error) {
      this.store.set({ error });
      throw error;
    } finally {
      this.store.set({ busy: false });
    }
  }

  #target(options: PushOptions): { url: string } | { reason: PushUnsupportedReason } {
    return resolveServiceWorkerUrl({
      server: this.#server,
      pageUrl: globalThis.location?.href ?? this.#server,
      serviceWorkerUrl: options.serviceWorkerUrl ?? this.#defaultServiceWorkerUrl,
    });
  }

  async #recordKey(): Promise<string> {
    const token = await this.#tokens.getToken();
    return pushRecordKey(this.#server, decodeTokenClaims(token)?.sub ?? 'unknown-user');
  }

  /** The registration running `url`'s script (whatever its query), if this page registered it before. */
  async #findRegistration(url: string): Promise<ServiceWorkerRegistration | undefined> {
    const path = new URL(url).pathname;
    const registrations = await navigator.serviceWorker.getRegistrations();
    return registrations.find((registration) => {
      const worker = registration.active ?? registration.waiting ?? registration.installing;
      return worker !== null && new URL(worker.scriptURL).pathname === path;
    });
  }

  async #register(url: string): Promise<ServiceWorkerRegistration> {
    try {
      // The root scope lets the worker serve the hub page wherever it is; the hub allows it with
      // `Service-Worker-Allowed: /`. A host worker that does not send that header falls back below.
      return await navigator.serviceWorker.register(url, { scope: '/' });
    } catch (error) {
      if ((error as { name?: string } | null)?.name !== 'SecurityError') throw error;
      return navigator.serviceWorker.register(url);
    }
  }

  #watchPermission(): void {
    if (this.#watchingPermission || !navigator.permissions?.query) return;
    this.#watchingPermission = true;
    // Follow changes made in the browser's site settings while the page is open.
    navigator.permissions
      .query({ name: 'notifications' })
      .then((status) => status.addEventListener('change', () => void this.refresh().catch(() => undefined)))
      .catch(() => undefined);
  }
}
