// Story and test fixtures for scheduled sessions: a `SessionsApi` whose store you set by hand (and a log of
// the intents), so the session elements show every state without a hub. The hub's own session lifecycle is
// tested against the real server; this stands in for `client.sessions` only.
//
// Its sibling `CannedSchedule` (canned-schedule.ts, for the calendar and the scheduler) sets the store
// directly and answers `get()` and `attendance()`; this one keeps what the hub "has" and loads it, with
// failing and hanging loads, for `<upcoming-sessions>`. Both logs are asserted in the elements' tests in
// their own shapes, so they stay two classes; the story client, its token and `withSessions` are shared.
import { HubApiError, createStore, occurrenceKey } from '@teacher-hub/core';
import type {
  AttendanceEntry,
  CancelSessionRequest,
  CreateSessionRequest,
  HubClient,
  Occurrence,
  Session,
  SessionType,
  SessionsApi,
  SessionsState,
  Store,
  UpdateSessionRequest,
} from '@teacher-hub/core';
import { AMARA_USER, cannedClient } from './canned-hub.ts';
import type { StoryUser } from './canned-hub.ts';
import { withSessions } from './canned-schedule.ts';

const MINUTE = 60_000;

export interface OccurrenceOptions {
  sessionId?: string;
  title?: string;
  type?: SessionType;
  /** Minutes from now to the start (negative: started that long ago). Default 60. */
  startsInMinutes?: number;
  /** The start itself (wins over `startsInMinutes`). */
  startsAt?: Date;
  durationMinutes?: number;
  status?: Occurrence['status'];
  /** Moved this many minutes from its original start. */
  movedByMinutes?: number;
  ownerId?: string;
  inviteeIds?: string[];
  timeZone?: string;
}

let sessionCounter = 0;

/** An occurrence starting `startsInMinutes` from now (rounded to the minute), Ada's by default. */
export function makeOccurrence(options: OccurrenceOptions = {}): Occurrence {
  const now = Math.floor(Date.now() / MINUTE) * MINUTE;
  const startsAt = options.startsAt?.getTime() ?? now + (options.startsInMinutes ?? 60) * MINUTE;
  const original = startsAt - (options.movedByMinutes ?? 0) * MINUTE;
  const sessionId = options.sessionId ?? `session-${++sessionCounter}`;
  return {
    sessionId,
    occurrenceStart: new Date(original).toISOString(),
    title: options.title ?? 'Algebra review',
    type: options.type ?? 'class',
    startsAt: new Date(startsAt).toISOString(),
    endsAt: new Date(startsAt + (options.durationMinutes ?? 45) * MINUTE).toISOString(),
    timeZone: options.timeZone ?? 'Europe/Berlin',
    status: options.status ?? 'scheduled',
    chatId: `chat-${sessionId}`,
    ownerId: options.ownerId ?? 't-ada',
    inviteeIds: options.inviteeIds ?? ['s-01', 's-02', 's-03'],
  };
}

export interface CannedSessionsCall {
  method:
    | 'connect'
    | 'load'
    | 'get'
    | 'create'
    | 'update'
    | 'cancel'
    | 'start'
    | 'join'
    | 'end'
    | 'attendance'
    | 'feedUrl'
    | 'revokeFeed';
  args: unknown[];
}

/**
 * A `SessionsApi` that records every call and answers from its store. `occurrences` is what `load()`
 * answers with; `failLoads` makes that many loads fail with `loadError`; `hangLoads` keeps loads pending
 * (the loading state). `put()` changes an occurrence as a live event would.
 */
export class CannedSessions implements SessionsApi {
  readonly store: Store<SessionsState> = createStore<SessionsState>({
    occurrences: {},
    loaded: [],
    live: [],
    loading: false,
    error: null,
  });
  readonly log: CannedSessionsCall[] = [];
  holders = 0;
  /** What the hub "has": `load()` puts those overlapping the range into the store. */
  occurrences: Occurrence[];
  failLoads = 0;
  loadError: Error = new HubApiError({
    status: 503,
    code: 'UNAVAILABLE',
    message: 'The hub is restarting. Try again.',
    endpoint: 'GET /v1/sessions',
    requestId: 'req_7f3a9c2e',
  });
  hangLoads = false;
  /** Makes the next intent reject with it. */
  failNext: Error | undefined;
  latencyMs = 0;
  /** Called by `join()` after it succeeds (a story can put the page in a canned call). */
  onJoin: ((occurrence: Occurrence) => void) | undefined;

  constructor(occurrences: Occurrence[] = []) {
    this.occurrences = occurrences;
  }

  /** Changes (or adds) an occurrence, as the live stream would. */
  put(occurrence: Occurrence): void {
    this.occurrences = [
      ...this.occurrences.filter((each) => occurrenceKey(each) !== occurrenceKey(occurrence)),
      occurrence,
    ];
    const occurrences = { ...this.store.get().occurrences, [occurrenceKey(occurrence)]: occurrence };
    this.store.set({
      occurrences,
      live: Object.values(occurrences).filter((each) => each.status === 'live'),
    });
  }

  connect(): () => void {
    this.log.push({ method: 'connect', args: [] });
    this.holders += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holders -= 1;
    };
  }

  async load(range: { from: Date; to: Date }): Promise<Occurrence[]> {
    this.log.push({ method: 'load', args: [range] });
    this.store.set({ loading: true });
    if (this.hangLoads) return new Promise<Occurrence[]>(() => undefined);
    await this.#wait();
    try {
      if (this.failLoads > 0) {
        this.failLoads -= 1;
        throw this.loadError;
      }
      const found = this.inRangeOf(this.occurrences, range);
      for (const occurrence of found) this.put(occurrence);
      this.store.set((state) => ({
        loaded: [...state.loaded, { from: range.from.toISOString(), to: range.to.toISOString() }],
        error: null,
      }));
      return found;
    } finally {
      this.store.set({ loading: false });
    }
  }

  inRange(range: { from: Date; to: Date }): Occurrence[] {
    return this.inRangeOf(Object.values(this.store.get().occurrences), range);
  }

  inRangeOf(occurrences: Occurrence[], range: { from: Date; to: Date }): Occurrence[] {
    return occurrences
      .filter(
        (each) =>
          Date.parse(each.startsAt) < range.to.getTime() && Date.parse(each.endsAt) > range.from.getTime(),
      )
      .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  }

  async get(sessionId: string): Promise<Session> {
    await this.#intent('get', [sessionId]);
    throw new Error(`No session ${sessionId} in this story.`);
  }

  async create(request: CreateSessionRequest): Promise<Session> {
    await this.#intent('create', [request]);
    throw new Error('Creating sessions is not in this story.');
  }

  async update(sessionId: string, request: UpdateSessionRequest): Promise<Session> {
    await this.#intent('update', [sessionId, request]);
    throw new Error('Editing sessions is not in this story.');
  }

  async cancel(sessionId: string, request: CancelSessionRequest): Promise<Session> {
    await this.#intent('cancel', [sessionId, request]);
    throw new Error('Cancelling sessions is not in this story.');
  }

  async start(sessionId: string, occurrenceStart?: string): Promise<Occurrence> {
    await this.#intent('start', [sessionId, occurrenceStart]);
    const occurrence = this.#find(sessionId, occurrenceStart);
    const live = { ...occurrence, status: 'live' as const };
    this.put(live);
    return live;
  }

  async join(sessionId: string): Promise<void> {
    await this.#intent('join', [sessionId]);
    const occurrence = this.#find(sessionId);
    this.onJoin?.(occurrence);
  }

  async end(sessionId: string, occurrenceStart?: string): Promise<Occurrence> {
    await this.#intent('end', [sessionId, occurrenceStart]);
    const ended = { ...this.#find(sessionId, occurrenceStart), status: 'ended' as const };
    this.put(ended);
    return ended;
  }

  async attendance(sessionId: string, occurrenceStart: string): Promise<AttendanceEntry[]> {
    await this.#intent('attendance', [sessionId, occurrenceStart]);
    return [];
  }

  async feedUrl(): Promise<string> {
    await this.#intent('feedUrl', []);
    return 'https://hub.example.edu/v1/calendar/ics/story-feed.ics';
  }

  async revokeFeed(): Promise<void> {
    await this.#intent('revokeFeed', []);
  }

  #find(sessionId: string, occurrenceStart?: string): Occurrence {
    const found = Object.values(this.store.get().occurrences).find(
      (each) =>
        each.sessionId === sessionId &&
        (occurrenceStart === undefined ? each.status !== 'ended' : each.occurrenceStart === occurrenceStart),
    );
    if (!found) throw new Error(`No occurrence of ${sessionId} in this story.`);
    return found;
  }

  async #wait(): Promise<void> {
    if (this.latencyMs) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
  }

  async #intent(method: CannedSessionsCall['method'], args: unknown[]): Promise<void> {
    this.log.push({ method, args });
    await this.#wait();
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) throw failure;
  }
}

export { withSessions };

/** A client for stories, signed in as `user` (default: Amara, a student); it talks to no hub. */
export function cannedSessionsClient(sessions: SessionsApi, user: StoryUser = AMARA_USER): HubClient {
  return withSessions(cannedClient({ user, latencyMs: 0 }), sessions);
}
