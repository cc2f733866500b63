import type { Recurrence, Role, SessionType } from '@teacher-hub/protocol';
import type { JobScheduler } from '../jobs.ts';
import type { Outbox } from '../notifications/notifier.ts';

/** A moved or cancelled occurrence as the hub keeps it. */
export interface ExceptionRecord {
  /** The occurrence's original start: its name, also after it moved. */
  occurrenceStart: Date;
  cancelled: boolean;
  /** Where it moved to: local `YYYY-MM-DDTHH:mm` in the series' time zone. */
  start?: string;
  durationMinutes?: number;
}

/** A session (a series, or a one-off with one occurrence) as the hub keeps it. */
export interface SessionRecord {
  id: string;
  ownerId: string;
  title: string;
  description: string;
  type: SessionType;
  /** The first occurrence's local start in `timeZone`. */
  start: string;
  timeZone: string;
  durationMinutes: number;
  recurrence: Recurrence | null;
  emailInvitees: boolean;
  chatId: string;
  status: 'active' | 'cancelled';
  sequence: number;
  /** Sorted. */
  inviteeIds: string[];
  /** By original start. */
  exceptions: ExceptionRecord[];
  createdAt: Date;
  updatedAt: Date;
}

export type OccurrenceStateStatus = 'scheduled' | 'live' | 'ended';

/** What happened to an occurrence that has a room or went live (no row: it is just scheduled). */
export interface OccurrenceStateRecord {
  sessionId: string;
  occurrenceStart: Date;
  status: OccurrenceStateStatus;
  engine: string | null;
  roomId: string | null;
  startedAt: Date | null;
  endedAt: Date | null;
}

/** One stay in an occurrence's room: from a join to the matching leave (null while still in). */
export interface AttendanceInterval {
  userId: string;
  joinedAt: Date;
  leftAt: Date | null;
}

export interface SessionUser {
  id: string;
  name: string;
  role: Role;
  email: string | null;
}

/** Jobs as a session transaction sees them: it also lists the pending ones under a key prefix. */
export interface SessionJobs extends JobScheduler {
  /** The keys of pending jobs whose key starts with `prefix`. */
  pendingWithPrefix(prefix: string): Promise<string[]>;
}

/** The writes of one transaction; notifications and jobs written through it commit with the change. */
export interface SessionTransaction {
  readonly outbox: Outbox;
  readonly jobs: SessionJobs;
  /** Reads the session and locks it against concurrent changes until the transaction ends. */
  lock(sessionId: string): Promise<SessionRecord | undefined>;
  insert(session: SessionRecord): Promise<void>;
  /** Writes every field of the session, its invitees and its exceptions as given. */
  update(session: SessionRecord): Promise<void>;
  /** Reads an occurrence's state, locking it (undefined: no row, it is just scheduled). */
  lockOccurrence(sessionId: string, occurrenceStart: Date): Promise<OccurrenceStateRecord | undefined>;
  /** Inserts or replaces an occurrence's state. */
  saveOccurrence(state: OccurrenceStateRecord): Promise<void>;
  /** Closes every open attendance interval of the occurrence at `at`. */
  closeAttendance(sessionId: string, occurrenceStart: Date, at: Date): Promise<void>;
}

/** The sessions' storage port; the Kysely adapter implements it on PGlite and PostgreSQL. */
export interface SessionRepository {
  find(sessionId: string): Promise<SessionRecord | undefined>;
  /** Sessions the user owns or is invited to (cancelled ones too). */
  listForUser(userId: string): Promise<SessionRecord[]>;
  /** Active sessions that invite any of `studentIds` (rule 9 looks through them). */
  withInvitees(studentIds: readonly string[]): Promise<SessionRecord[]>;
  /** Sessions owned by any of the teachers. */
  ownedBy(teacherIds: readonly string[]): Promise<SessionRecord[]>;
  /** Those of `studentIds` enrolled as students in at least one course `teacherId` teaches (rule 1). */
  studentsOf(teacherId: string, studentIds: readonly string[]): Promise<Set<string>>;
  users(ids: readonly string[]): Promise<SessionUser[]>;
  /** The occurrence states of these sessions. */
  occurrenceStates(sessionIds: readonly string[]): Promise<OccurrenceStateRecord[]>;
  /** Live occurrences of sessions the user owns or is invited to. */
  liveFor(userId: string): Promise<OccurrenceStateRecord[]>;
  /** The occurrence a room belongs to. */
  findByRoom(roomId: string): Promise<OccurrenceStateRecord | undefined>;
  /** Starts an attendance interval unless the user has one open. */
  recordJoin(sessionId: string, occurrenceStart: Date, userId: string, at: Date): Promise<void>;
  /** Closes the user's open attendance interval, if any. */
  recordLeave(sessionId: string, occurrenceStart: Date, userId: string, at: Date): Promise<void>;
  attendance(sessionId: string, occurrenceStart: Date): Promise<AttendanceInterval[]>;
  /** The user's calendar feed token, if they have one. */
  feedToken(userId: string): Promise<string | undefined>;
  /** Stores `token` as the user's feed token unless they have one; returns the one they have now. */
  createFeedToken(userId: string, token: string, at: Date): Promise<string>;
  /** Forgets the user's feed token; false when there was none. */
  revokeFeedToken(userId: string): Promise<boolean>;
  /** Whose feed a token is. */
  feedOwner(token: string): Promise<SessionUser | undefined>;
  transaction<T>(work: (tx: SessionTransaction) => Promise<T>): Promise<T>;
}
