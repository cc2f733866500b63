import type { Roster } from '@teacher-hub/protocol';
import { HubApi } from './api.ts';
import { ClientCache } from './cache/client-cache.ts';
import type { HubCache } from './cache/hub-cache.ts';
import { IdbHubCache } from './cache/idb-cache.ts';
import { LazyCalls } from './lazy-calls.ts';
import type { CallEngineFactory } from './calls/calls-service.ts';
import { ChatService } from './chat/chat-service.ts';
import { LiveStream } from './notifications/live-stream.ts';
import type { BackoffOptions, EventSourceFactory } from './notifications/live-stream.ts';
import { NotificationsService } from './notifications/notifications-service.ts';
import { LazyWebPush } from './notifications/lazy-push.ts';
import { Resource } from './resource.ts';
import { SessionsService } from './sessions/sessions-service.ts';
import { TokenManager } from './token-manager.ts';
import type { FetchLike, TokenProvider } from './token-manager.ts';

export interface HubClientOptions {
  /** The hub server's base URL, e.g. `https://hub.example.edu` (a path prefix is fine). */
  server: string;
  /** A hub token. Alone it is used until the hub refuses it; with `tokenUrl`/`tokenProvider` it is the first one. */
  token?: string | undefined;
  /** A host-LMS URL that returns a fresh hub token to a credentialed `fetch` (JSON `{token}` or plain text). */
  tokenUrl?: string | undefined;
  /** Returns a fresh hub token; wins over `tokenUrl`. */
  tokenProvider?: TokenProvider | undefined;
  /** The `fetch` to use (defaults to the global one); for hosts that route calls, and for story fixtures. */
  fetch?: FetchLike | undefined;
  /** Refresh the token this long before it expires. Default 30 s. */
  refreshLeewaySeconds?: number | undefined;
  /**
   * The service worker web push registers. Needed when the page is not on the hub's origin: a same-origin
   * script containing `importScripts('<hub>/sdk/teacher-hub-sw.js')` (see `WebPushService`).
   */
  serviceWorkerUrl?: string | undefined;
  /** Builds the live stream's `EventSource` (defaults to the browser's); for hosts that bring a polyfill. */
  createEventSource?: EventSourceFactory | undefined;
  /** Reconnect timing of the live stream. Default: 1 s doubling to 30 s, with jitter. */
  liveBackoff?: BackoffOptions | undefined;
  /**
   * Makes the video engine a joined call uses (default: the local mesh or 100ms, as the hub's grant says,
   * each loaded lazily). For stories and tests: a fake engine, or a `MeshEngine` with a stand-in
   * `getDisplayMedia`.
   */
  createCallEngine?: CallEngineFactory | undefined;
  /**
   * Where the client keeps the last roster, chat list, next 14 days of sessions and first page of
   * notifications of the signed-in user, so elements paint at once from it on the next visit and then show
   * what the hub answers. Default: IndexedDB (database `teacher-hub-cache`) where the browser has it; none in
   * Node. `false` turns it off; a `HubCache` of your own (e.g. `MemoryHubCache`) replaces it.
   *
   * Entries belong to one hub server and one user (the hub token's `sub`); when another user's token shows
   * up on this origin, every entry of that server is deleted first. Entries older than 7 days, or of an
   * older SDK's format, are dropped. Call `clearCache()` when the user signs out.
   */
  cache?: HubCache | false | undefined;
}

/**
 * The headless Teacher Hub client: one per page (or per `<teacher-hub>`), shared by every element in it.
 * `api` is the typed HTTP API; the resources (`roster`, later chats and sessions) are shared, observable
 * state that elements subscribe to, so several elements cause one fetch.
 */
export class HubClient {
  readonly server: string;
  readonly tokens: TokenManager;
  readonly api: HubApi;
  /** The caller's roster (`GET /v1/roster`). */
  readonly roster: Resource<Roster>;
  /**
   * The one live connection to the hub (SSE), opened while anything holds it (`connect()`); `on('call', …)`
   * and `on('session', …)` are where calls and sessions hear about changes.
   */
  readonly live: LiveStream;
  /** The notification center: list, unread count, mark read, test, live updates, and web push (`.push`). */
  readonly notifications: NotificationsService;
  /**
   * Chat on GetStream: the chat list and conversations. `stream-chat` is loaded (a separate chunk) and
   * connected only when something calls `chat.connect()`.
   */
  readonly chat: ChatService;
  /**
   * Instant calls: the calls ringing the user, the page's own call (participants, tracks, media, errors)
   * and the intents `<call-overlay>` uses. Holds the live stream while `calls.connect()` is held. Its code
   * (`CallsService`) loads on first use (`connect()`, an intent, or `load()`), the video engine (local mesh
   * or 100ms) only when a call is joined.
   */
  readonly calls: LazyCalls;
  /**
   * Scheduled sessions: the caller's occurrences by range (kept current by the live stream while
   * `sessions.connect()` is held), the live ones, and the session intents. `join()` enters the room
   * through `calls`, so `<call-overlay>` shows a session like a call.
   */
  readonly sessions: SessionsService;
  readonly #cache: ClientCache | undefined;

  constructor(options: HubClientOptions) {
    if (!options.server) throw new TypeError('HubClient needs the hub server URL (`server`).');
    const fetchFn: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.server = options.server;
    this.tokens = new TokenManager({
      token: options.token,
      tokenUrl: options.tokenUrl,
      tokenProvider: options.tokenProvider,
      fetch: fetchFn,
      refreshLeewaySeconds: options.refreshLeewaySeconds,
    });
    this.api = new HubApi(options.server, this.tokens, fetchFn);
    const store = options.cache ?? (typeof indexedDB === 'undefined' ? false : new IdbHubCache());
    const cache = store
      ? new ClientCache({ cache: store, server: options.server, tokens: this.tokens })
      : undefined;
    this.#cache = cache;
    this.roster = new Resource(() => this.api.roster(), {
      cache: cache && (() => cache.slot<Roster>('roster')),
    });
    this.live = new LiveStream({
      url: this.api.urlFor('/v1/notifications/stream'),
      tokens: this.tokens,
      createEventSource: options.createEventSource,
      backoff: options.liveBackoff,
    });
    const push = new LazyWebPush(async (store) => {
      const { WebPushService } = await import('./notifications/web-push.ts');
      return new WebPushService(this.api, this.tokens, options.server, {
        serviceWorkerUrl: options.serviceWorkerUrl,
        store,
      });
    });
    this.notifications = new NotificationsService(this.api, this.live, push, { cache });
    this.chat = new ChatService(this.api, { cache });
    this.calls = new LazyCalls(async (store) => {
      const { CallsService } = await import('./calls/calls-service.ts');
      return new CallsService(this.api, this.live, this.tokens, {
        createEngine: options.createCallEngine,
        createGroupChat: (name, memberIds) => this.chat.createGroup(name, memberIds),
        store,
      });
    });
    this.sessions = new SessionsService(this.api, this.live, this.calls, { cache });
  }

  /**
   * Deletes what the client cached for this hub server (every user's roster, chats, sessions and
   * notifications on this origin). Call it when the user signs out, so the next person on this browser never
   * sees their data, not even for a moment. Resolves once deleted; a no-op without a cache.
   */
  async clearCache(): Promise<void> {
    await this.#cache?.clear();
  }
}
