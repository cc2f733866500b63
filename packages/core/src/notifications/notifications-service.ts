import type { HubNotification } from '@teacher-hub/protocol';
import type { HubApi, TestNotificationResponse } from '../api.ts';
import type { CacheSlot, ClientCache } from '../cache/client-cache.ts';
import type { LoadStatus } from '../resource.ts';
import { createStore } from '../store.ts';
import type { Store } from '../store.ts';
import type { LiveStatus, LiveStream, NotificationReadEvent } from './live-stream.ts';
import {
  markItemsRead,
  markItemsUnread,
  mergeNotifications,
  nextPageBefore,
  reconcileUnread,
  unreadAmong,
} from './notification-list.ts';
import type { NavigateMessage } from './push-payload.ts';
import type { LazyWebPush } from './lazy-push.ts';

export interface NotificationsState {
  /** The first page: `idle` until `load()`, then `loading`, `ready` or `error`. */
  status: LoadStatus;
  /**
   * Loaded and live notifications, newest first, each id once. While the first load runs, the first page
   * cached on an earlier visit (if any); the hub's page replaces it.
   */
  items: HubNotification[];
  /** Unread notifications at the hub (all of them, not only the loaded ones). */
  unreadCount: number;
  /** Older notifications exist beyond `items`. */
  hasMore: boolean;
  /** `loadMore()` is running. */
  loadingMore: boolean;
  /** Why the last `load()`, `reload()` or `loadMore()` failed; cleared by the next success. */
  error: unknown;
  /** The live stream, as `client.live` reports it. */
  live: LiveStatus;
}

export interface NotificationsServiceOptions {
  /** Notifications per page. Default 20. */
  pageSize?: number | undefined;
  /** Where the first page is kept between visits (`HubClientOptions.cache`). */
  cache?: ClientCache | undefined;
}

/** What the client's cache keeps: the first page and the count. */
interface CachedNotifications {
  items: HubNotification[];
  unreadCount: number;
  hasMore: boolean;
}

/**
 * The notification center's state and actions, shared by every element on one client
 * (`client.notifications`):
 *
 * - `load()` the first page (once; concurrent calls share it), `reload()` it, `loadMore()` older ones;
 * - `markRead(ids)` and `markAllRead()`: optimistic, then the hub's count;
 * - `sendTest()`: `POST /v1/notifications/test`;
 * - `connect()` / `disconnect()`: hold the live stream (`client.live`) open; live notifications are merged
 *   at the top and raise the count, reads from other tabs apply here. While connected it also follows the
 *   service worker: a click on a browser notification sets `location.hash` to its link and marks it read.
 * - `push`: web push for this browser, loaded on first use (see `LazyWebPush`).
 *
 * The unread count is the hub's, corrected for what the hub has not seen yet: reads still on their way
 * (subtracted) and live notifications newer than the hub's answer (added). The stream is ordered, so when
 * live events arrived while a mark-read was in flight, the stream's `notification.read` (which carries the
 * hub's count for that very request) is trusted over the response.
 */
export class NotificationsService {
  readonly store: Store<NotificationsState>;
  readonly push: LazyWebPush;
  readonly #api: HubApi;
  readonly #live: LiveStream;
  readonly #pageSize: number;
  /** Ids marked read here whose mark-read request has not answered yet (with how many requests). */
  readonly #pendingReads = new Map<string, number>();
  /** Bumped by every live event that touches the list or the count. */
  #liveVersion = 0;
  /** Unread notifications that came live, with the version at which each came (for merging page answers). */
  #liveArrivals: { version: number; id: string }[] = [];
  #loading: Promise<void> | undefined;
  #refreshing: Promise<void> | undefined;
  #releaseLive: (() => void) | undefined;
  #connections = 0;
  #unsubscribe: (() => void)[] = [];
  readonly #cache: ClientCache | undefined;
  /** Ids of the cached items shown while the first load runs: the hub's first page replaces them. */
  #cachedIds: Set<string> | undefined;

  constructor(api: HubApi, live: LiveStream, push: LazyWebPush, options: NotificationsServiceOptions = {}) {
    this.#api = api;
    this.#live = live;
    this.push = push;
    this.#pageSize = options.pageSize ?? 20;
    this.#cache = options.cache;
    this.store = createStore<NotificationsState>({
      status: 'idle',
      items: [],
      unreadCount: 0,
      hasMore: false,
      loadingMore: false,
      error: undefined,
      live: live.status,
    });
  }

  get state(): NotificationsState {
    return this.store.get();
  }

  // ── Loading ─────────────────────────────────────────────────────────────────────────────────────────

  /** Loads the first page, unless it is loaded already (a failed load is tried again). */
  load(): Promise<void> {
    if (this.store.get().status === 'ready') return Promise.resolve();
    return this.#loadFirstPage();
  }

  /** Loads the first page again and merges it with what is shown (joins a load already running). */
  reload(): Promise<void> {
    return this.#loadFirstPage();
  }

  #loadFirstPage(): Promise<void> {
    if (this.#loading) return this.#loading;
    const firstLoad = this.store.get().status !== 'ready';
    if (firstLoad) this.store.set({ status: 'loading', error: undefined });
    const slot = this.#cache?.slot<CachedNotifications>('notifications');
    const loading = this.#fetchHead()
      .then(() => {
        this.#loading = undefined;
        this.store.set({ status: 'ready', error: undefined });
        const { items, unreadCount, hasMore } = this.store.get();
        const firstPage = items.slice(0, this.#pageSize);
        void slot?.write({
          items: firstPage,
          unreadCount,
          hasMore: hasMore || items.length > firstPage.length,
        });
      })
      .catch((error: unknown) => {
        this.#loading = undefined;
        // A failed reload keeps the list it has; only a first load turns into the error state.
        this.store.set(firstLoad ? { status: 'error', error } : { error });
        throw error;
      });
    this.#loading = loading;
    if (firstLoad && slot) this.#seed(slot, loading);
    return loading;
  }

  /** Shows the cached first page while `loading` runs, unless the hub's page (or anything else) came first. */
  #seed(slot: CacheSlot<CachedNotifications>, loading: Promise<void>): void {
    if (this.store.get().items.length > 0) return;
    const version = this.#liveVersion;
    void slot.read().then((cached) => {
      if (!cached || !Array.isArray(cached.items) || cached.items.length === 0) return;
      const state = this.store.get();
      if (this.#loading !== loading || state.status !== 'loading' || state.items.length > 0) return;
      const items = cached.items.slice(0, this.#pageSize);
      this.#cachedIds = new Set(items.map((item) => item.id));
      // The live stream's count (its `ready` event) is the hub's: a cached one never replaces it.
      const countIsLive = this.#liveVersion !== version;
      this.store.set({
        items,
        hasMore: cached.hasMore,
        ...(countIsLive ? {} : { unreadCount: cached.unreadCount }),
      });
    });
  }

  /** Fetches the newest page and merges it: the hub's read marks win, but for reads still in flight. */
  async #fetchHead(): Promise<void> {
    const version = this.#liveVersion;
    const page = await this.#api.notifications({ limit: this.#pageSize });
    const cachedIds = this.#cachedIds;
    this.#cachedIds = undefined;
    this.store.set((state) => {
      // Cached items are not merged in: the hub's page says what the first page is now.
      const shown = cachedIds ? state.items.filter((item) => !cachedIds.has(item.id)) : state.items;
      const items = mergeNotifications(shown, page.notifications, (id) => this.#pendingReads.has(id));
      return {
        items,
        // A background refresh that succeeds after a failed load recovers the list.
        ...(state.status === 'error' ? { status: 'ready' as const, error: undefined } : {}),
        // A refresh adds at the top only: whether older pages exist stays as it was.
        hasMore: state.status === 'ready' ? state.hasMore : page.notifications.length === this.#pageSize,
        unreadCount: this.#countAfterPage(page.unreadCount, page.notifications, version, items),
      };
    });
  }

  /**
   * The hub's count for a page answer, plus unread live arrivals since the request started that the page
   * does not list (the hub counted before they existed), minus reads still in flight.
   */
  #countAfterPage(
    hubCount: number,
    page: readonly HubNotification[],
    version: number,
    items: readonly HubNotification[],
  ): number {
    const listed = new Set(page.map((item) => item.id));
    const unread = new Set(items.filter((item) => item.readAt === null).map((item) => item.id));
    const newer = this.#liveArrivals.filter(
      (arrival) => arrival.version > version && !listed.has(arrival.id) && unread.has(arrival.id),
    ).length;
    return reconcileUnread(hubCount, this.#pendingReads.keys()) + newer;
  }

  /** Loads the page of notifications older than the oldest one shown. */
  async loadMore(): Promise<void> {
    const state = this.store.get();
    if (state.loadingMore || !state.hasMore) return;
    this.store.set({ loadingMore: true, error: undefined });
    try {
      const page = await this.#api.notifications({
        limit: this.#pageSize,
        before: nextPageBefore(state.items),
      });
      this.store.set((current) => {
        const items = mergeNotifications(current.items, page.notifications, (id) =>
          this.#pendingReads.has(id),
        );
        const added = items.length - current.items.length;
        return { items, hasMore: page.notifications.length === this.#pageSize && added > 0 };
      });
    } catch (error) {
      this.store.set({ error });
      throw error;
    } finally {
      this.store.set({ loadingMore: false });
    }
  }

  // ── Reading ─────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Marks notifications read: at once here (the count falls by the listed unread ones), then at the hub,
   * whose count is taken. When the hub refuses, the marks are undone and the error is thrown.
   */
  async markRead(ids: readonly string[]): Promise<void> {
    const requested = [...new Set(ids)];
    if (requested.length === 0) return;
    const optimistic = unreadAmong(this.store.get().items, requested);
    this.#hold(optimistic);
    this.store.set((state) => ({
      items: markItemsRead(state.items, optimistic, new Date().toISOString()),
      unreadCount: Math.max(0, state.unreadCount - optimistic.length),
    }));
    const version = this.#liveVersion;
    try {
      const answer = await this.#api.markNotificationsRead({ ids: requested });
      this.#settle(optimistic);
      this.#applyReadAnswer(answer, version);
    } catch (error) {
      this.#settle(optimistic);
      this.store.set((state) => {
        const items = markItemsUnread(state.items, optimistic);
        const undone = unreadAmong(items, optimistic).length - unreadAmong(state.items, optimistic).length;
        return { items, unreadCount: state.unreadCount + undone };
      });
      throw error;
    }
  }

  /** Marks every notification read, here at once and then at the hub (which may have newer ones). */
  async markAllRead(): Promise<void> {
    const before = this.store.get();
    const optimistic = unreadAmong(
      before.items,
      before.items.map((item) => item.id),
    );
    const previousCount = before.unreadCount;
    this.#hold(optimistic);
    this.store.set((state) => ({
      items: markItemsRead(state.items, 'all', new Date().toISOString()),
      unreadCount: 0,
    }));
    const version = this.#liveVersion;
    try {
      const answer = await this.#api.markNotificationsRead({ all: true });
      this.#settle(optimistic);
      this.#applyReadAnswer(answer, version);
    } catch (error) {
      this.#settle(optimistic);
      this.store.set((state) => ({
        items: markItemsUnread(state.items, optimistic),
        // What arrived meanwhile stays counted on top of the count from before.
        unreadCount: previousCount + state.unreadCount,
      }));
      throw error;
    }
  }

  /** Counts reads in flight, so a count from the hub that does not know of them yet is corrected. */
  #hold(ids: readonly string[]): void {
    for (const id of ids) this.#pendingReads.set(id, (this.#pendingReads.get(id) ?? 0) + 1);
  }

  /** Takes the hub's answer: its reads, and its count unless live events came in since the request. */
  #applyReadAnswer(answer: { read: string[]; unreadCount: number }, version: number): void {
    this.store.set((state) => ({
      items: markItemsRead(state.items, answer.read, new Date().toISOString()),
      ...(version === this.#liveVersion
        ? { unreadCount: reconcileUnread(answer.unreadCount, this.#pendingReads.keys(), answer.read) }
        : {}),
    }));
  }

  #settle(ids: readonly string[]): void {
    for (const id of ids) {
      const left = (this.#pendingReads.get(id) ?? 1) - 1;
      if (left > 0) this.#pendingReads.set(id, left);
      else this.#pendingReads.delete(id);
    }
  }

  /**
   * Sends the caller a `test` notification on every channel they have. Its in-app copy is merged at once
   * (the live stream brings it too; it shows once). The answer lists the push devices it goes to.
   */
  async sendTest(): Promise<TestNotificationResponse> {
    const answer = await this.#api.sendTestNotification();
    this.#receive(answer.notification);
    return answer;
  }

  // ── Live ────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Holds the live stream open for this caller and follows it; returns the function that releases the hold.
   * Several elements share one stream: the last release closes it.
   */
  connect(): () => void {
    this.#connections += 1;
    if (this.#connections === 1) this.#follow();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.disconnect();
    };
  }

  /** Releases one `connect()`. */
  disconnect(): void {
    if (this.#connections === 0) return;
    this.#connections -= 1;
    if (this.#connections > 0) return;
    for (const stop of this.#unsubscribe) stop();
    this.#unsubscribe = [];
    this.#releaseLive?.();
    this.#releaseLive = undefined;
    this.store.set({ live: this.#live.status });
  }

  #follow(): void {
    const live = this.#live;
    this.#unsubscribe = [
      live.store.subscribe(
        (state) => state.status,
        (status) => this.store.set({ live: status }),
      ),
      live.on('ready', ({ unreadCount }) => {
        this.#liveVersion += 1;
        this.store.set({ unreadCount: reconcileUnread(unreadCount, this.#pendingReads.keys()) });
        // Whatever happened between the list's fetch and this (re)connection: fetch the head again. After a
        // resume this also settles the count the replayed notifications raise.
        if (this.store.get().status !== 'idle') this.#refreshHead();
      }),
      live.on('notification', (notification) => this.#receive(notification)),
      live.on('notification.read', (event) => this.#applyRead(event)),
    ];
    const worker = globalThis.navigator?.serviceWorker;
    if (worker) {
      worker.addEventListener('message', this.#onWorkerMessage);
      this.#unsubscribe.push(() => worker.removeEventListener('message', this.#onWorkerMessage));
    }
    this.#releaseLive = live.connect();
    this.store.set({ live: live.status });
  }

  #refreshHead(): void {
    if (this.#refreshing) return;
    const wait = this.#loading?.catch(() => undefined) ?? Promise.resolve();
    this.#refreshing = wait
      .then(() => this.#fetchHead())
      .catch(() => undefined)
      .finally(() => {
        this.#refreshing = undefined;
      });
  }

  #receive(notification: HubNotification): void {
    this.#liveVersion += 1;
    // A live copy is fresh: it stays when the hub's page replaces the cached ones.
    this.#cachedIds?.delete(notification.id);
    const state = this.store.get();
    const known = state.items.some((item) => item.id === notification.id);
    const items = mergeNotifications(state.items, [notification], () => true);
    if (known || notification.readAt !== null) {
      this.store.set({ items });
      return;
    }
    this.#liveArrivals.push({ version: this.#liveVersion, id: notification.id });
    if (this.#liveArrivals.length > 200) this.#liveArrivals = this.#liveArrivals.slice(-100);
    this.store.set({ items, unreadCount: state.unreadCount + 1 });
  }

  #applyRead(event: NotificationReadEvent): void {
    if (!Array.isArray(event.ids) || typeof event.unreadCount !== 'number') return;
    this.#liveVersion += 1;
    this.store.set((state) => ({
      items: markItemsRead(state.items, event.ids, new Date().toISOString()),
      unreadCount: reconcileUnread(event.unreadCount, this.#pendingReads.keys(), event.ids),
    }));
  }

  /** A click on a browser notification, relayed by the service worker: go to its link, mark it read. */
  #onWorkerMessage = (event: MessageEvent): void => {
    const message = event.data as Partial<NavigateMessage> | null;
    if (message?.type !== 'teacher-hub:navigate' || typeof message.link !== 'string') return;
    // Only in-page hub links: the worker's data comes from the hub, but a page never navigates away on it.
    if (message.link.startsWith('#') && globalThis.location) globalThis.location.hash = message.link;
    if (typeof message.notificationId === 'string' && message.notificationId !== '') {
      this.markRead([message.notificationId]).catch(() => undefined);
    }
  };
}
