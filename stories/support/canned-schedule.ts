// Story and test fixtures for scheduled sessions: a `SessionsApi` whose store you set by hand and which
// records every intent, so `<session-calendar>` and `<session-scheduler>` show every state without a hub.
// The hub's own session rules are tested against the real server; this stands in for `client.sessions`.
import { HubApiError, createStore } from '@teacher-hub/core';
import type { HubClient, Roster, Store } from '@teacher-hub/core';
import type {
  AttendanceEntry,
  CancelSessionRequest,
  CreateSessionRequest,
  ErrorDetail,
  Occurrence,
  OccurrenceStatus,
  Session,
  SessionType,
  UpdateSessionRequest,
} from '@teacher-hub/protocol';
import type { SessionsApi, SessionsState } from '@teacher-hub/core';
import { occurrenceKey } from '@teacher-hub/core';
import { ADA_USER, AMARA_USER, cannedClient } from './canned-hub.ts';
import type { StoryUser } from './canned-hub.ts';

/** One intent the element asked for, in order. */
export type CannedScheduleCall =
  | { method: 'load'; from: string; to: string }
  | { method: 'get'; sessionId: string }
  | { method: 'create'; request: CreateSessionRequest }
  | { method: 'update'; sessionId: string; request: UpdateSessionRequest }
  | { method: 'cancel'; sessionId: string; request: CancelSessionRequest }
  | { method: 'start'; sessionId: string; occurrenceStart: string | undefined }
  | { method: 'join'; sessionId: string }
  | { method: 'end'; sessionId: string; occurrenceStart: string | undefined }
  | { method: 'attendance'; sessionId: string; occurrenceStart: string };

const delay = (ms: number): Promise<void> =>
  ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();

/** A hub error as the client would throw it (`details[].path` for a 400). */
export function hubError(
  status: number,
  code: string,
  message: string,
  details?: ErrorDetail[],
): HubApiError {
  return new HubApiError({
    status,
    code,
    message,
    endpoint: 'POST /v1/sessions',
    requestId: 'req_5e55',
    details,
  });
}

export class CannedSchedule implements SessionsApi {
  readonly store: Store<SessionsState> = createStore<SessionsState>({
    occurrences: {},
    loaded: [],
    live: [],
    loading: false,
    error: null,
  });
  readonly log: CannedScheduleCall[] = [];
  /** Sessions `get()` answers with, by id. */
  readonly sessions = new Map<string, Session>();
  /** Attendance `attendance()` answers with. */
  attendanceList: AttendanceEntry[] = [];
  /** Holders of `connect()` now. */
  holders = 0;
  /** The next intent (or load) fails with this. */
  failNext: Error | undefined;
  /** Every load waits this long (ms): the skeleton. */
  latencyMs = 0;
  /** Loads never answer. */
  hang = false;

  constructor(occurrences: Occurrence[] = []) {
    this.put(...occurrences);
  }

  /** Adds or replaces occurrences in the store, as a load or a live event would. */
  put(...occurrences: Occurrence[]): void {
    this.store.set((state) => {
      const next = { ...state.occurrences };
      for (const occurrence of occurrences) next[occurrenceKey(occurrence)] = occurrence;
      return { occurrences: next, live: Object.values(next).filter((o) => o.status === 'live') };
    });
  }

  connect(): () => void {
    this.holders += 1;
    let held = true;
    return () => {
      if (held) this.holders -= 1;
      held = false;
    };
  }

  async load(range: { from: Date; to: Date }): Promise<Occurrence[]> {
    const from = range.from.toISOString();
    const to = range.to.toISOString();
    this.log.push({ method: 'load', from, to });
    this.store.set({ loading: true });
    if (this.hang) return new Promise<Occurrence[]>(() => undefined);
    await delay(this.latencyMs);
    const failure = this.#takeFailure();
    if (failure) {
      this.store.set({ loading: false });
      throw failure;
    }
    this.store.set((state) => ({ loading: false, loaded: [...state.loaded, { from, to }] }));
    return this.inRange(range);
  }

  inRange(range: { from: Date; to: Date }): Occurrence[] {
    return Object.values(this.store.get().occurrences)
      .filter(
        (o) => Date.parse(o.startsAt) < range.to.getTime() && Date.parse(o.endsAt) > range.from.getTime(),
      )
      .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  }

  async get(sessionId: string): Promise<Session> {
    this.log.push({ method: 'get', sessionId });
    this.#fail();
    const session = this.sessions.get(sessionId);
    if (!session) throw hubError(404, 'NOT_FOUND', 'No such session.');
    return session;
  }

  async create(request: CreateSessionRequest): Promise<Session> {
    this.log.push({ method: 'create', request });
    await delay(this.latencyMs);
    this.#fail();
    const session = makeSession({ id: `sess-${this.sessions.size + 1}`, ...request });
    this.sessions.set(session.id, session);
    return session;
  }

  async update(sessionId: string, request: UpdateSessionRequest): Promise<Session> {
    this.log.push({ method: 'update', sessionId, request });
    this.#fail();
    const session = this.sessions.get(sessionId) ?? makeSession({ id: sessionId });
    return { ...session, sequence: session.sequence + 1 };
  }

  async cancel(sessionId: string, request: CancelSessionRequest): Promise<Session> {
    this.log.push({ method: 'cancel', sessionId, request });
    this.#fail();
    this.store.set((state) => {
      const next = { ...state.occurrences };
      for (const [key, occurrence] of Object.entries(next)) {
        const hit =
          occurrence.sessionId === sessionId &&
          (request.scope === 'series' || occurrence.occurrenceStart === request.occurrenceStart);
        if (hit) next[key] = { ...occurrence, status: 'cancelled' };
      }
      return { occurrences: next };
    });
    const session = this.sessions.get(sessionId) ?? makeSession({ id: sessionId });
    return request.scope === 'series' ? { ...session, status: 'cancelled' } : session;
  }

  async start(sessionId: string, occurrenceStart?: string): Promise<Occurrence> {
    this.log.push({ method: 'start', sessionId, occurrenceStart });
    this.#fail();
    return this.#setStatus(sessionId, occurrenceStart, 'live');
  }

  async join(sessionId: string): Promise<void> {
    this.log.push({ method: 'join', sessionId });
    this.#fail();
  }

  async end(sessionId: string, occurrenceStart?: string): Promise<Occurrence> {
    this.log.push({ method: 'end', sessionId, occurrenceStart });
    this.#fail();
    return this.#setStatus(sessionId, occurrenceStart, 'ended');
  }

  async attendance(sessionId: string, occurrenceStart: string): Promise<AttendanceEntry[]> {
    this.log.push({ method: 'attendance', sessionId, occurrenceStart });
    await delay(this.latencyMs);
    this.#fail();
    return this.attendanceList;
  }

  async feedUrl(): Promise<string> {
    return 'https://hub.example.edu/v1/calendar/feed/story.ics';
  }

  async revokeFeed(): Promise<void> {}

  /** The intents of one kind, in order. */
  calls<M extends CannedScheduleCall['method']>(
    method: M,
  ): Array<Extract<CannedScheduleCall, { method: M }>> {
    return this.log.filter(
      (call): call is Extract<CannedScheduleCall, { method: M }> => call.method === method,
    );
  }

  #setStatus(sessionId: string, occurrenceStart: string | undefined, status: OccurrenceStatus): Occurrence {
    const found = Object.values(this.store.get().occurrences).find(
      (o) =>
        o.sessionId === sessionId && (occurrenceStart === undefined || o.occurrenceStart === occurrenceStart),
    );
    if (!found) throw hubError(404, 'NOT_FOUND', 'No such occurrence.');
    const changed = { ...found, status };
    this.put(changed);
    return changed;
  }

  #takeFailure(): Error | undefined {
    const failure = this.failNext;
    this.failNext = undefined;
    return failure;
  }

  #fail(): void {
    const failure = this.#takeFailure();
    if (failure) throw failure;
  }
}

/** Puts `sessions` on `client` as `client.sessions` (an own property, before and after core has one). */
export function withSessions<C extends HubClient>(client: C, sessions: SessionsApi): C {
  Object.defineProperty(client, 'sessions', { value: sessions, configurable: true, writable: true });
  return client;
}

/** A story client for `user` (Ada or a student): it talks to no hub but answers the roster. */
export function cannedScheduleClient(sessions: SessionsApi, user: StoryUser, roster?: Roster): HubClient {
  return withSessions(cannedClient({ user, roster, latencyMs: 0 }), sessions);
}

export { ADA_USER, AMARA_USER };

/** An occurrence starting at `startsAt` (an ISO instant or a Date) lasting `minutes`. */
export function makeOccurrence(
  init: Omit<Partial<Occurrence>, 'startsAt'> & { startsAt: string | Date; minutes?: number },
): Occurrence {
  const starts = new Date(init.startsAt);
  const minutes = init.minutes ?? 60;
  const startsAt = starts.toISOString();
  return {
    sessionId: init.sessionId ?? 'sess-algebra',
    occurrenceStart: init.occurrenceStart ?? startsAt,
    title: init.title ?? 'Algebra review',
    type: init.type ?? ('class' satisfies SessionType),
    startsAt,
    endsAt: init.endsAt ?? new Date(starts.getTime() + minutes * 60_000).toISOString(),
    timeZone: init.timeZone ?? 'Europe/Berlin',
    status: init.status ?? 'scheduled',
    chatId: init.chatId ?? `chat-${init.sessionId ?? 'sess-algebra'}`,
    ownerId: init.ownerId ?? 't-ada',
    inviteeIds: init.inviteeIds ?? ['s-01', 's-02', 's-03', 's-04', 's-05'],
  };
}

/** A session as the hub would return it. */
export function makeSession(init: Partial<Session> = {}): Session {
  return {
    id: init.id ?? 'sess-algebra',
    title: init.title ?? 'Algebra review',
    description: init.description ?? '',
    type: init.type ?? 'class',
    start: init.start ?? '2026-12-07T16:00',
    timeZone: init.timeZone ?? 'Europe/Berlin',
    durationMinutes: init.durationMinutes ?? 60,
    inviteeIds: init.inviteeIds ?? ['s-01', 's-02', 's-03', 's-04', 's-05'],
    recurrence: init.recurrence ?? null,
    emailInvitees: init.emailInvitees ?? false,
    ownerId: init.ownerId ?? 't-ada',
    chatId: init.chatId ?? `chat-${init.id ?? 'sess-algebra'}`,
    status: init.status ?? 'active',
    exceptions: init.exceptions ?? [],
    sequence: init.sequence ?? 0,
    createdAt: init.createdAt ?? '2026-11-20T10:00:00.000Z',
    updatedAt: init.updatedAt ?? '2026-11-20T10:00:00.000Z',
  };
}

/**
 * A teacher's busy month around `today`: the weekly Algebra review (Mondays and Wednesdays 16:00 Berlin;
 * one cancelled), a Friday Biology group, one-on-ones, a crowded Thursday, and one occurrence live now.
 * Past occurrences have ended.
 */
export function busyMonth(today: Date = new Date()): Occurrence[] {
  const day = 86_400_000;
  const midnight = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  const occurrences: Occurrence[] = [];
  const now = today.getTime();
  for (let offset = -35; offset <= 40; offset += 1) {
    const date = new Date(midnight + offset * day);
    const weekday = date.getUTCDay();
    const at = (hourUtc: number, minute = 0) => new Date(date.getTime() + (hourUtc * 60 + minute) * 60_000);
    const push = (occurrence: Occurrence) => {
      const ended = Date.parse(occurrence.endsAt) < now && occurrence.status === 'scheduled';
      occurrences.push(ended ? { ...occurrence, status: 'ended' } : occurrence);
    };
    if (weekday === 1 || weekday === 3) {
      push(
        makeOccurrence({
          startsAt: at(15),
          status: weekday === 3 && offset > 3 && offset <= 10 ? 'cancelled' : 'scheduled',
        }),
      );
    }
    if (weekday === 5) {
      push(
        makeOccurrence({
          sessionId: 'sess-bio',
          title: 'Biology lab prep',
          type: 'group',
          startsAt: at(9),
          minutes: 90,
          inviteeIds: ['s-04', 's-05', 's-06'],
        }),
      );
    }
    if (weekday === 2 && offset % 2 === 0) {
      push(
        makeOccurrence({
          sessionId: `sess-1on1-${offset}`,
          title: 'Catch-up with Diego',
          type: 'one_on_one',
          startsAt: at(13, 30),
          minutes: 30,
          inviteeIds: ['s-04'],
        }),
      );
    }
    if (weekday === 4) {
      for (const [index, title] of [
        'Office hours',
        'Exam prep',
        'Project check-in',
        'Parents evening',
      ].entries()) {
        push(
          makeOccurrence({
            sessionId: `sess-thu-${index}`,
            title,
            type: index % 2 === 0 ? 'group' : 'class',
            startsAt: at(8 + index * 2),
            minutes: 45,
          }),
        );
      }
    }
  }
  occurrences.push(
    makeOccurrence({
      sessionId: 'sess-live',
      title: 'Quadratics Q&A',
      type: 'class',
      startsAt: new Date(now - 10 * 60_000),
      minutes: 50,
      status: 'live',
    }),
  );
  return occurrences;
}

/** Attendance of a past Algebra review, for the details dialog. */
export const ALGEBRA_ATTENDANCE: AttendanceEntry[] = [
  { userId: 's-01', name: 'Amara Okafor', status: 'present', minutes: 58 },
  { userId: 's-02', name: 'Ben Carter', status: 'late', minutes: 41 },
  { userId: 's-03', name: 'Chloé Dubois', status: 'left_early', minutes: 22 },
  { userId: 's-04', name: 'Diego Ramírez', status: 'present', minutes: 60 },
  { userId: 's-05', name: 'Emma Schmidt', status: 'absent', minutes: 0 },
];
