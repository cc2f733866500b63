import type { Call, HubNotification } from '@teacher-hub/protocol';
import { createStore } from '../store.ts';
import type { Store } from '../store.ts';
import type { TokenManager } from '../token-manager.ts';

/** `closed`: nobody asked for the stream; `connecting`: opening, or waiting to retry; `open`: receiving. */
export const LIVE_STATUSES = ['connecting', 'open', 'closed'] as const;
export type LiveStatus = (typeof LIVE_STATUSES)[number];

/** The SSE event types the stream forwards (the protocol's `LIVE_EVENT_TYPES`, kept here without zod). */
export const LIVE_STREAM_EVENTS = ['notification', 'notification.read', 'call', 'session'] as const;

/** `notification.read`: the user read notifications, here or in another tab; the count after it. */
export interface NotificationReadEvent {
  ids: string[];
  unreadCount: number;
}

/**
 * `ready`: the stream is (re)connected, or the hub asks for a resync. Either way, whoever shows state
 * from events reloads it. `resumed` when missed events are being replayed after it; `resync` when the
 * connection stayed up but the hub may have missed events for it (its link to the other instances was
 * down: the notifications it kept are replayed, the rest must be fetched again).
 */
export interface LiveReadyEvent {
  unreadCount: number;
  resumed: boolean;
  resync: boolean;
}

/**
 * What `live.on(type, listener)` hands each listener. `call` is the whole call whenever it changes;
 * `session` is passed through as parsed JSON until sessions type it.
 */
export interface LiveEventMap {
  ready: LiveReadyEvent;
  notification: HubNotification;
  'notification.read': NotificationReadEvent;
  call: Call;
  session: unknown;
}
export type LiveEventType = keyof LiveEventMap;
export type LiveListener<K extends LiveEventType> = (data: LiveEventMap[K]) => void;

export interface LiveState {
  status: LiveStatus;
  /** Failed attempts since the stream was last open (0 while open). */
  failures: number;
}

export interface BackoffOptions {
  /** The first retry waits up to this long. Default 1 s. */
  initialMs?: number;
  /** No wait is longer than this. Default 30 s. */
  maxMs?: number;
}

/**
 * How long to wait before reconnect attempt `failures` (0 = the first retry): exponential from `initialMs`,
 * capped at `maxMs`, with "equal jitter" (half fixed, half random) so a hub restart is not met by every
 * client at the same instant.
 */
export function reconnectDelay(
  failures: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const initial = options.initialMs ?? 1000;
  const max = options.maxMs ?? 30_000;
  const ceiling = Math.min(max, initial * 2 ** Math.min(failures, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** The stream URL for one attempt: a current token every time, and where to resume from. */
export function streamUrl(base: string, token: string, lastEventId: string | undefined): string {
  const url = new URL(base);
  url.searchParams.set('access_token', token);
  if (lastEventId) url.searchParams.set('lastEventId', lastEventId);
  else url.searchParams.delete('lastEventId');
  return url.toString();
}

/** The part of `EventSource` the stream uses; hosts without one can pass a polyfill's constructor. */
export type EventSourceFactory = (url: string) => EventSource;

export interface LiveStreamOptions {
  /** `GET /v1/notifications/stream` as an absolute URL, without a token. */
  url: string;
  tokens: TokenManager;
  createEventSource?: EventSourceFactory | undefined;
  backoff?: BackoffOptions | undefined;
  /**
   * The hub's ping interval until its `ready` says otherwise (it sends `pingMs`). A stream that brings no
   * event for `STALL_FACTOR` intervals is taken for dead and reopened. Default 15 s.
   */
  pingMs?: number | undefined;
}

/** How many ping intervals of silence make a stream count as dead (one lost ping is not enough). */
export const STALL_FACTOR = 2.5;

/**
 * The client's one live connection to the hub (`GET /v1/notifications/stream`, Server-Sent Events),
 * shared by everything that needs live updates: the notifications service now, calls and sessions later.
 *
 * - **Reference-counted**: `connect()` opens it for the first caller and returns a release function; it
 *   closes when the last one is released (or `disconnect()` is called as often as `connect()`).
 * - **Reconnects itself**, with exponential backoff and jitter. `EventSource` would retry on its own, but
 *   with the URL it started with, whose token may have expired; so on any error the source is closed and a
 *   new one is opened with a current token and `lastEventId`, which makes the hub replay what was missed.
 *   An attempt that fails before the hub said `ready` drops the token, so the next one asks for a new one.
 * - **Notices a dead stream**: a connection can die without an error (a sleeping laptop, a proxy or NAT
 *   that forgets it), and EventSource hides the hub's comment heartbeats. The hub sends a named `ping`
 *   event every `pingMs` (from `ready`); after `STALL_FACTOR` intervals without any event the stream is
 *   reopened, resuming from the last event id.
 * - **Events**: `on(type, listener)` for `ready`, `notification`, `notification.read`, `call`, `session`;
 *   it returns the unsubscribe function. Listening does not open the stream; `connect()` does.
 *
 * ```ts
 * const release = client.live.connect();
 * const stop = client.live.on('call', (call) => showRinging(call));
 * // later
 * stop();
 * release();
 * ```
 */
export class LiveStream {
  readonly store: Store<LiveState> = createStore<LiveState>({ status: 'closed', failures: 0 });
  readonly #url: string;
  readonly #tokens: TokenManager;
  readonly #createEventSource: EventSourceFactory;
  readonly #backoff: BackoffOptions;
  readonly #listeners = new Map<LiveEventType, Set<(data: never) => void>>();
  #connections = 0;
  #source: EventSource | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped on every open and close, so callbacks of a superseded attempt do nothing. */
  #attempt = 0;
  #lastEventId: string | undefined;
  #pingMs: number;
  #stallTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: LiveStreamOptions) {
    this.#url = options.url;
    this.#tokens = options.tokens;
    this.#createEventSource = options.createEventSource ?? ((url) => new EventSource(url));
    this.#backoff = options.backoff ?? {};
    this.#pingMs = options.pingMs ?? 15_000;
  }

  get status(): LiveStatus {
    return this.store.get().status;
  }

  /** How many callers hold the stream open. */
  get connections(): number {
    return this.#connections;
  }

  /** The id of the last event received with one: where a reconnect resumes. */
  get lastEventId(): string | undefined {
    return this.#lastEventId;
  }

  /** Opens the stream (if this is the first caller) and returns the function that releases this hold. */
  connect(): () => void {
    this.#connections += 1;
    if (this.#connections === 1) {
      globalThis.addEventListener?.('online', this.#onOnline);
      void this.#open();
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.disconnect();
    };
  }

  /** Releases one `connect()`; the last release closes the stream. */
  disconnect(): void {
    if (this.#connections === 0) return;
    this.#connections -= 1;
    if (this.#connections > 0) return;
    globalThis.removeEventListener?.('online', this.#onOnline);
    this.#stop();
    this.store.set({ status: 'closed', failures: 0 });
  }

  /** Reconnects at once (skipping a pending backoff wait), if anyone holds the stream. */
  reconnect(): void {
    if (this.#connections === 0) return;
    this.#stop();
    void this.#open();
  }

  /** Calls `listener` with every event of `type`; returns the function that stops it. */
  on<K extends LiveEventType>(type: K, listener: LiveListener<K>): () => void {
    let listeners = this.#listeners.get(type);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(type, listeners);
    }
    const entry = listener as (data: never) => void;
    listeners.add(entry);
    return () => {
      listeners.delete(entry);
    };
  }

  #emit<K extends LiveEventType>(type: K, data: LiveEventMap[K]): void {
    for (const listener of [...(this.#listeners.get(type) ?? [])]) {
      try {
        (listener as LiveListener<K>)(data);
      } catch (error) {
        // One failing listener must not starve the others or break the stream.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  #stop(): void {
    this.#attempt += 1;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    clearTimeout(this.#stallTimer);
    this.#stallTimer = undefined;
    this.#source?.close();
    this.#source = undefined;
  }

  async #open(): Promise<void> {
    const attempt = ++this.#attempt;
    this.store.set({ status: 'connecting' });
    let token: string;
    try {
      token = await this.#tokens.getToken();
    } catch {
      if (attempt === this.#attempt) this.#retryLater();
      return;
    }
    if (attempt !== this.#attempt) return;

    const resumeFrom = this.#lastEventId;
    let source: EventSource;
    try {
      source = this.#createEventSource(streamUrl(this.#url, token, resumeFrom));
    } catch {
      this.#retryLater();
      return;
    }
    this.#source = source;
    let ready = false;
    // Opening counts as hearing from the hub: a connection that never answers is dead too.
    this.#heardFromHub(attempt);

    source.addEventListener('ready', (event) => {
      if (attempt !== this.#attempt) return;
      const data = parse((event as MessageEvent<string>).data) as
        { unreadCount?: unknown; pingMs?: unknown; resync?: unknown } | undefined;
      if (typeof data?.pingMs === 'number' && data.pingMs > 0) this.#pingMs = data.pingMs;
      this.#heardFromHub(attempt);
      const resync = data?.resync === true;
      ready = true;
      this.store.set({ status: 'open', failures: 0 });
      const unreadCount = typeof data?.unreadCount === 'number' ? data.unreadCount : 0;
      this.#emit('ready', { unreadCount, resumed: !resync && resumeFrom !== undefined, resync });
    });
    source.addEventListener('ping', () => {
      if (attempt === this.#attempt) this.#heardFromHub(attempt);
    });
    for (const type of LIVE_STREAM_EVENTS) {
      source.addEventListener(type, (event) => {
        if (attempt !== this.#attempt) return;
        this.#heardFromHub(attempt);
        const message = event as MessageEvent<string>;
        if (message.lastEventId) this.#lastEventId = message.lastEventId;
        const data = parse(message.data);
        if (data !== undefined) this.#emit(type, data as LiveEventMap[typeof type]);
      });
    }
    source.addEventListener('error', () => {
      if (attempt !== this.#attempt) return;
      clearTimeout(this.#stallTimer);
      // Never let EventSource retry with this URL: its token may be the reason it failed.
      source.close();
      this.#source = undefined;
      if (!ready) this.#tokens.invalidate(token);
      this.#retryLater();
    });
  }

  /** Restarts the watchdog that reopens a stream gone silent for `STALL_FACTOR` ping intervals. */
  #heardFromHub(attempt: number): void {
    clearTimeout(this.#stallTimer);
    this.#stallTimer = setTimeout(() => {
      if (attempt !== this.#attempt) return;
      // Closed by us, so EventSource says nothing; treat it like an error that came after `ready`.
      this.#source?.close();
      this.#source = undefined;
      this.#attempt += 1;
      this.#retryLater();
    }, this.#pingMs * STALL_FACTOR);
    // In Node, a watchdog alone must not keep the process alive (the source, if real, does that).
    (this.#stallTimer as { unref?: () => void }).unref?.();
  }

  #retryLater(): void {
    const failures = this.store.get().failures;
    this.store.set({ status: 'connecting', failures: failures + 1 });
    const attempt = this.#attempt;
    this.#retryTimer = setTimeout(
      () => {
        if (attempt === this.#attempt) void this.#open();
      },
      reconnectDelay(failures, this.#backoff),
    );
  }

  #onOnline = (): void => {
    if (this.status !== 'open') {
      this.store.set({ failures: 0 });
      this.reconnect();
    }
  };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
