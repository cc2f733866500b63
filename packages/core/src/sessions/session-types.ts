import type {
  AttendanceEntry,
  CancelSessionRequest,
  CreateSessionRequest,
  Occurrence,
  Session,
  UpdateSessionRequest,
} from '@teacher-hub/protocol';
import type { HubApiError } from '../errors.ts';
import type { Store } from '../store.ts';

/*
 * The client side of scheduled sessions as elements see it (`client.sessions`): occurrences in a loaded
 * range, kept current by the live `session` events, and the intents of CONTRACT.md's session routes.
 * `SessionsService` (sessions-service.ts) implements it.
 */

export interface SessionsState {
  /** Occurrences of the loaded range(s), by `${sessionId}|${occurrenceStart}`, newest data wins. */
  occurrences: Record<string, Occurrence>;
  /** The ranges loaded so far (ISO instants), so views know what they may show. */
  loaded: Array<{ from: string; to: string }>;
  /** Occurrences live now that the user may join (from `GET /v1/live` and live events). */
  live: Occurrence[];
  loading: boolean;
  /**
   * The store holds occurrences from the client's cache (the next 14 days saved on an earlier visit) and
   * loads are still running: views show them rather than a placeholder. False once every load answered.
   */
  cached?: boolean | undefined;
  error: HubApiError | null;
}

export interface SessionsApi {
  readonly store: Store<SessionsState>;
  /** Holds the live stream (live `session` events refresh what changed) while held; reference counted. */
  connect(): () => void;
  /** Loads the caller's occurrences in [from, to) into the store and returns them in start order. */
  load(range: { from: Date; to: Date }): Promise<Occurrence[]>;
  /** Occurrences in the store overlapping [from, to), in start order (no fetch). */
  inRange(range: { from: Date; to: Date }): Occurrence[];
  get(sessionId: string): Promise<Session>;
  create(request: CreateSessionRequest): Promise<Session>;
  update(sessionId: string, request: UpdateSessionRequest): Promise<Session>;
  cancel(sessionId: string, request: CancelSessionRequest): Promise<Session>;
  /** The owner starts an occurrence (default: the one due now): invitees are alerted and may join. */
  start(sessionId: string, occurrenceStart?: string): Promise<Occurrence>;
  /** Joins the live occurrence's room through `client.calls` (the `<call-overlay>` shows it). */
  join(sessionId: string): Promise<void>;
  /** The owner ends the live occurrence and its room for everyone. */
  end(sessionId: string, occurrenceStart?: string): Promise<Occurrence>;
  attendance(sessionId: string, occurrenceStart: string): Promise<AttendanceEntry[]>;
  /** The private ICS feed URL for calendar apps; `revokeFeed` invalidates it. */
  feedUrl(): Promise<string>;
  revokeFeed(): Promise<void>;
}

/** The store key of an occurrence. */
export const occurrenceKey = (occurrence: Pick<Occurrence, 'sessionId' | 'occurrenceStart'>): string =>
  `${occurrence.sessionId}|${occurrence.occurrenceStart}`;
