import type {
  AttendanceEntry,
  CancelSessionRequest,
  CreateSessionRequest,
  Occurrence,
  Session,
  UpdateSessionRequest,
} from '@teacher-hub/protocol';
import type { HubApi } from '../api.ts';
import type { ClientCache } from '../cache/client-cache.ts';
import type { CallsService } from '../calls/calls-service.ts';
import type { ActiveCall, CallSession } from '../calls/call-types.ts';
import { HubApiError } from '../errors.ts';
import type { LiveStream } from '../notifications/live-stream.ts';
import { createHold } from '../hold.ts';
import { createStore } from '../store.ts';
import type { Store } from '../store.ts';
import { occurrenceKey } from './session-types.ts';
import type { SessionsApi, SessionsState } from './session-types.ts';

type Range = { from: Date; to: Date };

/** The cache keeps the occurrences of the next this many milliseconds (and of the last 12 hours). */
const CACHED_AHEAD_MS = 14 * 24 * 3_600_000;
const CACHED_BEHIND_MS = 12 * 3_600_000;

/** What the client's cache keeps: the occurrences of one window (ISO instants) around the time it was saved. */
interface CachedOccurrences {
  from: string;
  to: string;
  occurrences: Occurrence[];
}

/** A schedule change seen live makes the loaded ranges load again after this pause (a series edit sends many). */
const RELOAD_DEBOUNCE_MS = 250;

/**
 * Notifications that say the user's schedule changed. The hub sends them to invitees whether or not it
 * also sends `session` events for the change, so they reload the loaded ranges too.
 */
const SCHEDULE_NOTIFICATIONS: ReadonlySet<string> = new Set([
  'session.scheduled',
  'session.rescheduled',
  'session.cancelled',
]);

/** The protocol's `OCCURRENCE_STATUSES`, kept here: importing protocol values would pull zod into the SDK. */
const STATUSES: ReadonlySet<string> = new Set(['scheduled', 'live', 'ended', 'cancelled']);

/** Whether a live `session` event's data is an occurrence (the stream hands it over as parsed JSON). */
export function isOccurrence(data: unknown): data is Occurrence {
  if (typeof data !== 'object' || data === null) return false;
  const occurrence = data as Partial<Occurrence>;
  return (
    typeof occurrence.sessionId === 'string' &&
    typeof occurrence.occurrenceStart === 'string' &&
    typeof occurrence.startsAt === 'string' &&
    typeof occurrence.endsAt === 'string' &&
    typeof occurrence.status === 'string' &&
    STATUSES.has(occurrence.status)
  );
}

const byStart = (a: Occurrence, b: Occurrence): number =>
  Date.parse(a.startsAt) - Date.parse(b.startsAt) || a.sessionId.localeCompare(b.sessionId);

const overlaps = (occurrence: Occurrence, from: number, to: number): boolean =>
  Date.parse(occurrence.startsAt) < to && Date.parse(occurrence.endsAt) > from;

/** The live ones among `occurrences`, in start order. */
function liveOf(occurrences: Record<string, Occurrence>): Occurrence[] {
  return Object.values(occurrences)
    .filter((occurrence) => occurrence.status === 'live')
    .sort(byStart);
}

/** What sessions need of `client.calls`: its state, and the session room's way in and out. */
type SessionCalls = Pick<CallsService, 'store' | 'joinSession' | 'sessionEnded'>;

/** What the call overlay needs to know of an occurrence. */
function callSession(occurrence: Occurrence): CallSession {
  return {
    sessionId: occurrence.sessionId,
    occurrenceStart: occurrence.occurrenceStart,
    title: occurrence.title,
    ownerId: occurrence.ownerId,
  };
}

/**
 * Scheduled sessions on the client (`client.sessions`), the `SessionsApi` elements use:
 *
 * - `load(range)` asks the hub for the caller's occurrences in a range and puts them in the store (the
 *   answer replaces what the store held for that range, so deleted occurrences go); `inRange()` reads the
 *   store without asking.
 * - `connect()` (reference counted) holds the live stream: each `session` event is merged by
 *   `occurrenceKey`, and one that changes the schedule (scheduled, moved, cancelled) also reloads the loaded
 *   ranges, since one series edit changes many occurrences; so does a `session.scheduled`, `.rescheduled` or
 *   `.cancelled` notification (how invitees hear of a change to their schedule). `GET /v1/live` is loaded on connect and on
 *   every reconnect, so an occurrence that went live (or ended) while the stream was down shows right.
 * - `live` is derived: the occurrences in the store whose status is `live`.
 * - The intents call the hub and take its answers into the store; series changes reload the loaded ranges.
 *   `join()` hands the room's grant to `client.calls`, so the same engine and `<call-overlay>` show it.
 */
export class SessionsService implements SessionsApi {
  readonly store: Store<SessionsState>;
  readonly #api: HubApi;
  readonly #live: LiveStream;
  readonly #calls: SessionCalls;
  readonly #hold = createHold(() => this.#listen());
  #refreshingLive: Promise<void> | undefined;
  #reloadTimer: ReturnType<typeof setTimeout> | undefined;
  /** Loads under way; `loading` is true while any is. */
  #loads = 0;
  /** Bumped by every change taken in; an answer does not overwrite occurrences touched after it was asked. */
  #version = 0;
  readonly #touchedAt = new Map<string, number>();
  readonly #cache: ClientCache | undefined;
  readonly #now: () => number;
  /** Whether a load asked the cache already: only the first paint is seeded. */
  #seedAsked = false;

  constructor(
    api: HubApi,
    live: LiveStream,
    calls: SessionCalls,
    options: { cache?: ClientCache | undefined; now?: (() => number) | undefined } = {},
  ) {
    this.#api = api;
    this.#live = live;
    this.#calls = calls;
    this.#cache = options.cache;
    this.#now = options.now ?? Date.now;
    this.store = createStore<SessionsState>({
      occurrences: {},
      loaded: [],
      live: [],
      loading: false,
      cached: false,
      error: null,
    });
  }

  get state(): SessionsState {
    return this.store.get();
  }

  // ── Live state ───────────────────────────────────────────────────────────────────────────────────────

  connect(): () => void {
    return this.#hold();
  }

  /** Listens while the first `connect()` is held; the returned stop runs when the last one lets go. */
  #listen(): () => void {
    const stopListening = [
      this.#live.on('session', (data) => {
        if (!isOccurrence(data)) return;
        this.#merge([data]);
        if (data.status === 'scheduled' || data.status === 'cancelled') this.#scheduleReload();
      }),
      this.#live.on('notification', (notification) => {
        if (SCHEDULE_NOTIFICATIONS.has(notification.kind)) this.#scheduleReload();
      }),
      this.#live.on('ready', () => void this.#refreshLive()),
    ];
    const releaseLive = this.#live.connect();
    void this.#refreshLive();
    return () => {
      for (const stop of stopListening) stop();
      releaseLive();
      clearTimeout(this.#reloadTimer);
      this.#reloadTimer = undefined;
    };
  }

  /**
   * Loads what is live now (joins a load already running). An occurrence the store holds as live that the
   * hub no longer lists has ended meanwhile. Failures keep what is shown.
   */
  #refreshLive(): Promise<void> {
    if (this.#refreshingLive) return this.#refreshingLive;
    const askedAt = this.#version;
    const refreshing = (async () => {
      const { sessions } = await this.#api.liveNow();
      const live = sessions.filter(isOccurrence);
      const liveKeys = new Set(live.map(occurrenceKey));
      const over = this.store
        .get()
        .live.filter((occurrence) => !liveKeys.has(occurrenceKey(occurrence)))
        .map((occurrence): Occurrence => ({ ...occurrence, status: 'ended' }));
      this.#merge([...live, ...over], askedAt);
    })()
      .catch((error: unknown) => {
        console.warn('[teacher-hub] could not load the live sessions', error);
      })
      .finally(() => {
        this.#refreshingLive = undefined;
      });
    this.#refreshingLive = refreshing;
    return refreshing;
  }

  #scheduleReload(): void {
    clearTimeout(this.#reloadTimer);
    this.#reloadTimer = setTimeout(() => {
      this.#reloadTimer = undefined;
      void this.#reloadLoaded().catch(() => undefined);
    }, RELOAD_DEBOUNCE_MS);
  }

  /** Loads every loaded range again (after a change that may move, add or drop many occurrences). */
  async #reloadLoaded(): Promise<void> {
    const ranges = this.store.get().loaded;
    await Promise.all(
      ranges.map((range) => this.load({ from: new Date(range.from), to: new Date(range.to) })),
    );
  }

  /**
   * Takes occurrences the hub sent into the store. With `askedAt` (an answer to a request sent at that
   * version), occurrences touched since by a newer event or answer are left as they are.
   */
  #merge(occurrences: Occurrence[], askedAt?: number): void {
    if (occurrences.length === 0) return;
    this.#version += 1;
    const next = { ...this.store.get().occurrences };
    for (const occurrence of occurrences) {
      const key = occurrenceKey(occurrence);
      if (askedAt !== undefined && (this.#touchedAt.get(key) ?? -1) > askedAt) continue;
      this.#touchedAt.set(key, this.#version);
      next[key] = occurrence;
      if (occurrence.status === 'ended' || occurrence.status === 'cancelled') {
        this.#calls.sessionEnded(occurrence);
      }
    }
    this.#setOccurrences(next);
  }

  #setOccurrences(occurrences: Record<string, Occurrence>): void {
    const live = liveOf(occurrences);
    const shown = this.store.get().live;
    const sameLive = live.length === shown.length && live.every((each, index) => each === shown[index]);
    this.store.set(sameLive ? { occurrences } : { occurrences, live });
  }

  // ── Reading ──────────────────────────────────────────────────────────────────────────────────────────

  async load(range: Range): Promise<Occurrence[]> {
    const from = range.from.toISOString();
    const to = range.to.toISOString();
    const askedAt = this.#version;
    this.#loads += 1;
    this.store.set({ loading: true });
    const slot = this.#cache?.slot<CachedOccurrences>('sessions');
    const settled = { done: false };
    if (slot && !this.#seedAsked) {
      this.#seedAsked = true;
      void slot.read().then((cached) => this.#seed(range, cached, settled));
    }
    try {
      const { occurrences } = await this.#api.sessionOccurrences({ from, to });
      settled.done = true;
      const fromMs = range.from.getTime();
      const toMs = range.to.getTime();
      const answered = new Set(occurrences.map(occurrenceKey));
      // The answer is the whole range: what the store held there and the hub no longer lists is gone,
      // unless a live event brought it after the question.
      const next: Record<string, Occurrence> = {};
      for (const [key, occurrence] of Object.entries(this.store.get().occurrences)) {
        const untouched = (this.#touchedAt.get(key) ?? -1) <= askedAt;
        if (overlaps(occurrence, fromMs, toMs) && !answered.has(key) && untouched) continue;
        next[key] = occurrence;
      }
      this.#setOccurrences(next);
      this.#merge(occurrences, askedAt);
      const loaded = this.store.get().loaded;
      if (!loaded.some((each) => each.from <= from && each.to >= to)) {
        this.store.set({
          loaded: [...loaded.filter((each) => !(each.from >= from && each.to <= to)), { from, to }],
        });
      }
      this.store.set({ error: null });
      if (slot) this.#save(slot, range, occurrences);
      return [...occurrences].sort(byStart);
    } catch (error) {
      this.store.set({ error: asApiError(error) });
      throw error;
    } finally {
      settled.done = true;
      this.#loads -= 1;
      // Cached occurrences stay marked until every load answered: a view whose own load still runs keeps them.
      this.store.set(this.#loads > 0 ? { loading: true } : { loading: false, cached: false });
    }
  }

  /**
   * Shows the cached occurrences that fall in `range` while its first load runs: only when nothing was
   * loaded yet and the load has not answered (a fresh answer always wins). The cached window rarely covers
   * a range exactly (it was saved at another time), so any overlap counts; occurrences the load does not
   * list are removed when it answers, as for any load.
   */
  #seed(range: Range, cached: CachedOccurrences | undefined, settled: { done: boolean }): void {
    if (!cached || !Array.isArray(cached.occurrences) || settled.done) return;
    const state = this.store.get();
    if (state.loaded.length > 0) return;
    const from = Math.max(range.from.getTime(), Date.parse(cached.from));
    const to = Math.min(range.to.getTime(), Date.parse(cached.to));
    if (!(from < to)) return;
    const seeded = cached.occurrences.filter(
      (occurrence) =>
        isOccurrence(occurrence) &&
        overlaps(occurrence, from, to) &&
        !(occurrenceKey(occurrence) in state.occurrences),
    );
    // None in range is news too: the view shows "no sessions" at once rather than a placeholder.
    const occurrences = { ...state.occurrences };
    for (const occurrence of seeded) occurrences[occurrenceKey(occurrence)] = occurrence;
    // Not through #merge: cached occurrences are not news (no touch, no `live`, no ended calls).
    this.store.set({ occurrences, cached: true });
  }

  /** Saves the occurrences of the cached window when `range` covers it (now up to 14 days ahead). */
  #save(
    slot: { write(value: CachedOccurrences): Promise<void> },
    range: Range,
    occurrences: Occurrence[],
  ): void {
    const now = this.#now();
    const ahead = now + CACHED_AHEAD_MS;
    if (range.from.getTime() > now || range.to.getTime() < ahead) return;
    const from = Math.max(range.from.getTime(), now - CACHED_BEHIND_MS);
    void slot.write({
      from: new Date(from).toISOString(),
      to: new Date(ahead).toISOString(),
      occurrences: occurrences.filter((occurrence) => overlaps(occurrence, from, ahead)),
    });
  }

  inRange(range: Range): Occurrence[] {
    const from = range.from.getTime();
    const to = range.to.getTime();
    return Object.values(this.store.get().occurrences)
      .filter((occurrence) => overlaps(occurrence, from, to))
      .sort(byStart);
  }

  async get(sessionId: string): Promise<Session> {
    return (await this.#api.getSession(sessionId)).session;
  }

  // ── Intents ──────────────────────────────────────────────────────────────────────────────────────────

  async create(request: CreateSessionRequest): Promise<Session> {
    const { session } = await this.#api.createSession(request);
    await this.#reloadAfterChange();
    return session;
  }

  async update(sessionId: string, request: UpdateSessionRequest): Promise<Session> {
    const { session } = await this.#api.updateSession(sessionId, request);
    await this.#reloadAfterChange();
    return session;
  }

  async cancel(sessionId: string, request: CancelSessionRequest): Promise<Session> {
    const { session } = await this.#api.cancelSession(sessionId, request);
    await this.#reloadAfterChange();
    return session;
  }

  /** The change is made: a failed reload (shown through `error`) does not make it look refused. */
  async #reloadAfterChange(): Promise<void> {
    clearTimeout(this.#reloadTimer);
    this.#reloadTimer = undefined;
    await this.#reloadLoaded().catch(() => undefined);
  }

  async start(sessionId: string, occurrenceStart?: string): Promise<Occurrence> {
    const { occurrence } = await this.#api.startSession(sessionId, occurrenceStart);
    this.#merge([occurrence]);
    return occurrence;
  }

  async join(sessionId: string): Promise<void> {
    // The live stream is held while the page is in the room, so that the teacher's end reaches it.
    const release = this.connect();
    try {
      await this.#joinRoom(sessionId);
    } catch (error) {
      release();
      throw error;
    }
    const inRoom = (active: ActiveCall | null) =>
      active?.session?.sessionId === sessionId && !['left', 'ended', 'failed'].includes(active.connection);
    if (!inRoom(this.#calls.store.get().active)) {
      release();
      return;
    }
    const stop = this.#calls.store.subscribe(
      (callsState) => callsState.active,
      (active) => {
        if (inRoom(active)) return;
        stop();
        release();
      },
    );
  }

  async #joinRoom(sessionId: string): Promise<void> {
    await this.#calls.joinSession(sessionId, {
      join: async () => {
        const { occurrence, video } = await this.#api.joinSession(sessionId);
        this.#merge([occurrence]);
        return { session: callSession(occurrence), video };
      },
      end: async (session) => {
        await this.end(session.sessionId, session.occurrenceStart);
      },
    });
  }

  async end(sessionId: string, occurrenceStart?: string): Promise<Occurrence> {
    const { occurrence } = await this.#api.endSession(sessionId, occurrenceStart);
    this.#merge([occurrence]);
    return occurrence;
  }

  async attendance(sessionId: string, occurrenceStart: string): Promise<AttendanceEntry[]> {
    return (await this.#api.sessionAttendance(sessionId, occurrenceStart)).attendance;
  }

  async feedUrl(): Promise<string> {
    return (await this.#api.calendarFeed()).url;
  }

  async revokeFeed(): Promise<void> {
    await this.#api.revokeCalendarFeed();
  }
}

/** The store's `error` is a `HubApiError`; other failures (network, token) are put in its shape. */
function asApiError(error: unknown): HubApiError {
  if (error instanceof HubApiError) return error;
  return new HubApiError({
    status: 0,
    code: 'UNAVAILABLE',
    message: error instanceof Error ? error.message : 'The sessions could not be loaded.',
    endpoint: 'GET /v1/sessions',
  });
}
