import type {
  AttendanceEntry,
  CancelSessionRequest,
  CreateSessionRequest,
  DirectoryEnrollment,
  NotificationData,
  Occurrence,
  OccurrenceActionRequest,
  OccurrenceStatus,
  Session,
  UpdateSessionRequest,
  VideoGrant,
} from '@teacher-hub/protocol';
import type { VideoProvider } from '../calls/video-provider.ts';
import { assertAllEnrolled } from '../chat/chat-rules.ts';
import type { Clock } from '../clock.ts';
import { ApiError } from '../errors.ts';
import type { Principal } from '../identity.ts';
import { PermanentFailure, type Job, type JobHandler } from '../jobs.ts';
import type { EmailContent, NotifyRequest } from '../notifications/fan-out.ts';
import type { Notifier, StoredNotification } from '../notifications/notifier.ts';
import {
  expandOccurrences,
  findOccurrence,
  upcomingOccurrences,
  type ExpandedOccurrence,
  type SeriesTiming,
} from '../recurrence/index.ts';
import { summarizeAttendance } from './attendance.ts';
import type { CalendarWriter, InvitationRequest } from './calendar.ts';
import type {
  ExceptionRecord,
  OccurrenceStateRecord,
  SessionRecord,
  SessionRepository,
  SessionTransaction,
  SessionUser,
} from './session-repository.ts';

/** Sends an occurrence's reminder (`session:<id>:reminder:<original start>:<start>`). */
export const SESSION_REMINDER_JOB = 'session.reminder';
/**
 * Posts a reminder's "starts in" message in the session's chat
 * (`session:<id>:<original start>:reminder-message:<start>`): its own job, scheduled with the reminder's
 * notification, so a chat round trip never holds up the reminders falling due at the same time.
 */
export const SESSION_REMINDER_MESSAGE_JOB = 'session.reminder-message';
/**
 * Removes the chat of a session that was never recorded (`session:<id>:unless-saved`): the process died
 * between making the session's chat and saving the session. Saving cancels it.
 */
export const SESSION_UNSAVED_JOB = 'session.delete-unsaved-chat';
/** How long a creation may take from its chat to its commit: one job lease, far beyond any request. */
const UNSAVED_SESSION_GRACE_MS = 60_000;
const unsavedKey = (sessionId: string) => `session:${sessionId}:unless-saved`;
/**
 * Puts a session's chat members back in step with the saved invitees
 * (`session:<id>:chat-members:<sequence>`): the process died between changing the chat's members and
 * saving the session. Saving cancels it.
 */
export const SESSION_CHAT_MEMBERS_JOB = 'session.resync-chat-members';
// One per attempt: concurrent changes of one session must not share (or cancel) each other's repair.
const membersKey = (sessionId: string, attempt: string) => `session:${sessionId}:chat-members:${attempt}`;

/** How many upcoming occurrences of a series have a reminder job at any time; each run extends it. */
export const REMINDER_HORIZON = 10;
/** Room for occurrences already inside their reminder's lead when the horizon is counted. */
const LEAD_WINDOW_SLACK = 5;
/** `POST …/start` without an occurrence starts the one running now or starting within this window. */
export const START_WINDOW_MS = 60 * 60_000;
/** The push TTL of `session.live`: an alert older than this is no news. */
export const LIVE_ALERT_TTL_SECONDS = 15 * 60;
/** The longest range `GET /v1/sessions` lists. */
export const MAX_LIST_RANGE_MS = 400 * 86_400_000;
const DEFAULT_LIST_BEFORE_MS = 86_400_000;
const DEFAULT_LIST_AFTER_MS = 35 * 86_400_000;

export interface SessionLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** The session's chat (`hub-session`), as the chat service keeps it. */
export interface SessionChat {
  /** Creates the chat (GetStream first, then the hub's record) with the teacher and the invitees. */
  create(chat: { id: string; name: string; teacher: Principal; memberIds: readonly string[] }): Promise<void>;
  /** Makes the chat's members exactly the teacher and `memberIds` (GetStream first). */
  setMembers(chatId: string, teacherId: string, memberIds: readonly string[]): Promise<void>;
  rename(chatId: string, name: string): Promise<void>;
  /** Posts a system message (no notification: the session's own notifications say it). */
  post(chatId: string, senderId: string, text: string): Promise<void>;
  /** Deletes the chat and its channel (a session that was not saved). */
  remove(chatId: string): Promise<void>;
}

export interface SessionServiceDeps {
  repository: SessionRepository;
  chat: SessionChat;
  video: VideoProvider;
  notifier: Notifier;
  calendar: CalendarWriter;
  /** Tells the owner's and the invitees' open pages that an occurrence changed (the live `session` event). */
  publish(occurrence: Occurrence, userIds: readonly string[]): Promise<void>;
  clock: Clock;
  newId: () => string;
  /** A fresh, unguessable calendar feed token. */
  newFeedToken: () => string;
  logger: SessionLogger;
  /** `HUB_REMINDER_LEAD_MIN`. */
  reminderLeadMinutes: number;
  /** `HUB_PUBLIC_URL`: feed URLs and links in invitations. */
  publicUrl: string;
}

interface ChatMembersPayload {
  sessionId: string;
  added: string[];
  dropped: string[];
}

interface ReminderPayload {
  sessionId: string;
  /** ISO: the occurrence's original start. */
  occurrenceStart: string;
  /** Epoch ms: the start the reminder was scheduled for (a moved occurrence gets a new job). */
  startsAt: number;
}

const unique = <T>(values: Iterable<T>): T[] => [...new Set(values)];
/** What the video provider tells an invitee it takes out of a live occurrence's room (rule 9). */
const REMOVED_FROM_SESSION = 'You are no longer enrolled in this class, so you left the session.';
const reminderPrefix = (sessionId: string) => `session:${sessionId}:reminder:`;
const reminderKey = (sessionId: string, occurrence: ExpandedOccurrence) =>
  `${reminderPrefix(sessionId)}${occurrence.occurrenceStart.getTime()}:${occurrence.startsAt.getTime()}`;
const linkTo = (sessionId: string) => `#session/${sessionId}`;
const sameInstant = (a: Date, b: Date) => a.getTime() === b.getTime();

/**
 * Scheduled sessions (DESIGN.md rules 2, 5–8, "Time"): a teacher schedules a series (or a one-off) for
 * students of their courses; it gets its own chat; every occurrence gets a reminder job; the teacher
 * starts an occurrence (a video room, an urgent `session.live`), invitees join only while it is live, and
 * only the teacher ends it (the room is ended and locked).
 *
 * Order of operations, as for chats and calls: GetStream and the video provider are called outside any
 * transaction (before the change, undone when it fails to commit), and each change commits with its
 * notifications (outbox) and reminder jobs. System messages in the chat are posted after the commit; a
 * failure there is logged, not fatal.
 */
export class SessionService {
  readonly #deps: SessionServiceDeps;

  constructor(deps: SessionServiceDeps) {
    this.#deps = deps;
  }

  /** The job kinds this service runs. */
  jobHandlers(): Record<string, JobHandler> {
    return {
      [SESSION_REMINDER_JOB]: { run: (job: Job) => this.#remind(readReminderPayload(job.payload)) },
      [SESSION_REMINDER_MESSAGE_JOB]: {
        run: async (job: Job) => {
          const { sessionId, text } = job.payload as { sessionId: string; text: string };
          const session = await this.#deps.repository.find(sessionId);
          if (session) await this.#post(session, text);
        },
      },
      [SESSION_CHAT_MEMBERS_JOB]: {
        run: (job: Job) => this.#resyncChatMembers(job.payload as ChatMembersPayload),
      },
      [SESSION_UNSAVED_JOB]: {
        run: async (job: Job) => {
          const { sessionId, chatId } = job.payload as { sessionId: string; chatId: string };
          if (!(await this.#deps.repository.find(sessionId))) await this.#deps.chat.remove(chatId);
        },
      },
    };
  }

  // ---- reading ------------------------------------------------------------------------------------

  /** `GET /v1/sessions/:id`: the owner's or an invitee's; anyone else is told there is none. */
  async get(principal: Principal, sessionId: string): Promise<Session> {
    return presentSession(await this.#visible(principal, sessionId));
  }

  /**
   * `GET /v1/sessions`: the caller's occurrences overlapping `[from, to)` (a teacher's own sessions, a
   * student's invitations), cancelled ones included, in start order.
   */
  async list(principal: Principal, range: { from?: string; to?: string }): Promise<Occurrence[]> {
    const now = this.#deps.clock.now();
    const from = range.from ? new Date(range.from) : new Date(now.getTime() - DEFAULT_LIST_BEFORE_MS);
    const to = range.to
      ? new Date(range.to)
      : new Date(from.getTime() + DEFAULT_LIST_BEFORE_MS + DEFAULT_LIST_AFTER_MS);
    if (to.getTime() <= from.getTime()) {
      throw new ApiError('VALIDATION_FAILED', 'The range must end after it starts.', [
        { path: 'to', message: 'is not after from' },
      ]);
    }
    if (to.getTime() - from.getTime() > MAX_LIST_RANGE_MS) {
      throw new ApiError('VALIDATION_FAILED', 'List at most 400 days at a time.', [
        { path: 'to', message: 'is more than 400 days after from' },
      ]);
    }
    const sessions = await this.#deps.repository.listForUser(principal.id);
    const states = await this.#deps.repository.occurrenceStates(sessions.map((session) => session.id));
    const occurrences = sessions.flatMap((session) =>
      expandOccurrences(timingOf(session), { from, to }).map((expanded) =>
        presentOccurrence(session, expanded, stateOf(states, session.id, expanded.occurrenceStart)),
      ),
    );
    return occurrences.sort(
      (a, b) => a.startsAt.localeCompare(b.startsAt) || a.sessionId.localeCompare(b.sessionId),
    );
  }

  /** `GET /v1/live`: live occurrences of the caller's sessions. */
  async live(principal: Principal): Promise<Occurrence[]> {
    const states = await this.#deps.repository.liveFor(principal.id);
    const occurrences: Occurrence[] = [];
    for (const state of states) {
      const session = await this.#deps.repository.find(state.sessionId);
      const expanded = session && findOccurrence(timingOf(session), state.occurrenceStart);
      if (session && expanded) occurrences.push(presentOccurrence(session, expanded, state));
    }
    return occurrences;
  }

  /** `GET /v1/sessions/:id/attendance`: every invitee's attendance of one occurrence (the owner only). */
  async attendance(
    principal: Principal,
    sessionId: string,
    occurrenceStart: string,
  ): Promise<AttendanceEntry[]> {
    const session = await this.#owned(principal, sessionId);
    const expanded = this.#occurrence(session, occurrenceStart);
    const [state] = await this.#statesOf(session.id, expanded.occurrenceStart);
    const intervals = await this.#deps.repository.attendance(session.id, expanded.occurrenceStart);
    const endedAt = state?.endedAt;
    const endsAt = endedAt && endedAt < expanded.endsAt ? endedAt : expanded.endsAt;
    const names = await this.#names(session.inviteeIds);
    const now = this.#deps.clock.now();
    return session.inviteeIds.map((userId) => ({
      userId,
      name: names.get(userId) ?? userId,
      ...summarizeAttendance(
        intervals.filter((interval) => interval.userId === userId),
        { startsAt: expanded.startsAt, endsAt },
        now,
      ),
    }));
  }

  // ---- scheduling ---------------------------------------------------------------------------------

  /**
   * After a crash in an invitee change: the chat may hold the change on GetStream only, or in both the
   * chat and GetStream while the session kept the old invitees. `setMembers` changes both sides for the
   * users whose membership differs from the hub's record, so three passes (without the dropped, with
   * everyone the change touched, then the saved invitees) leave both sides at the saved invitees.
   */
  async #resyncChatMembers({ sessionId, added, dropped }: ChatMembersPayload): Promise<void> {
    const session = await this.#deps.repository.find(sessionId);
    if (!session) return;
    const { chat } = this.#deps;
    const saved = session.inviteeIds;
    await chat.setMembers(
      session.chatId,
      session.ownerId,
      saved.filter((id) => !dropped.includes(id)),
    );
    await chat.setMembers(session.chatId, session.ownerId, unique([...saved, ...added, ...dropped]));
    await chat.setMembers(session.chatId, session.ownerId, saved);
  }

  /**
   * `POST /v1/sessions`: a teacher schedules a session for students of their courses (rules 1, 2). Its
   * chat is made first; the session is then saved with its reminder jobs and `session.scheduled` for the
   * invitees (by email with an `.ics` invitation when asked); should saving fail, the chat is deleted.
   */
  async create(principal: Principal, request: CreateSessionRequest): Promise<Session> {
    const { repository, clock } = this.#deps;
    if (principal.role !== 'teacher') {
      throw new ApiError('FORBIDDEN', 'Only teachers schedule sessions.');
    }
    const inviteeIds = unique(request.inviteeIds).sort();
    assertAllEnrolled(
      'inviteeIds',
      request.inviteeIds,
      await repository.studentsOf(principal.id, inviteeIds),
    );
    const id = this.#deps.newId();
    const now = clock.now();
    const session: SessionRecord = {
      id,
      ownerId: principal.id,
      title: request.title,
      description: request.description ?? '',
      type: request.type,
      start: request.start,
      timeZone: request.timeZone,
      durationMinutes: request.durationMinutes,
      recurrence: request.recurrence ?? null,
      emailInvitees: request.emailInvitees ?? false,
      chatId: `s-${id.replaceAll('-', '').toLowerCase()}`,
      status: 'active',
      sequence: 0,
      inviteeIds,
      exceptions: [],
      createdAt: now,
      updatedAt: now,
    };
    assertHasOccurrences(session);
    const people = await this.#people(session);

    // A crash between the chat and the session's commit would leave a chat of no session.
    await repository.transaction((tx) =>
      tx.jobs.schedule({
        key: unsavedKey(id),
        kind: SESSION_UNSAVED_JOB,
        runAt: new Date(now.getTime() + UNSAVED_SESSION_GRACE_MS),
        payload: { sessionId: id, chatId: session.chatId },
      }),
    );
    await this.#deps.chat.create({
      id: session.chatId,
      name: session.title,
      teacher: principal,
      memberIds: inviteeIds,
    });
    let written: StoredNotification[];
    try {
      written = await repository.transaction(async (tx) => {
        await tx.insert(session);
        await tx.jobs.cancel(unsavedKey(id));
        await this.#syncReminders(tx, session, now);
        return this.#deps.notifier.enqueue(tx.outbox, {
          kind: 'session.scheduled',
          recipients: inviteeIds,
          title: `${people.ownerName} scheduled ${session.title}`,
          body: `${describeWhen(session)}.`,
          data: this.#data(session),
          key: `session:${id}:scheduled`,
          ...this.#email(session, people, 'REQUEST', `Invitation: ${session.title}`),
        });
      });
    } catch (error) {
      await this.#quietly('delete the chat of a session that was not saved', () =>
        this.#deps.chat.remove(session.chatId),
      );
      throw error;
    }
    await this.#deps.notifier.announce(written);
    return presentSession(session);
  }

  /**
   * `PATCH /v1/sessions/:id`: the owner edits the series (any field; a new start, time zone or recurrence
   * renames the occurrences, so their exceptions are dropped) or moves / resizes one occurrence. The
   * `sequence` increases; the chat follows invitee and title changes; invitees are told (new ones get
   * `session.scheduled`, dropped ones `session.cancelled`); reminders move.
   */
  async update(principal: Principal, sessionId: string, request: UpdateSessionRequest): Promise<Session> {
    const session = await this.#owned(principal, sessionId);
    if (session.status === 'cancelled') throw new ApiError('CONFLICT', 'This session was cancelled.');
    if (request.scope === 'occurrence') return this.#moveOccurrence(session, request);

    const inviteeIds = request.inviteeIds ? unique(request.inviteeIds).sort() : session.inviteeIds;
    const added = inviteeIds.filter((id) => !session.inviteeIds.includes(id));
    const dropped = session.inviteeIds.filter((id) => !inviteeIds.includes(id));
    if (request.inviteeIds) {
      assertAllEnrolled(
        'inviteeIds',
        request.inviteeIds,
        await this.#deps.repository.studentsOf(session.ownerId, added),
        new Set(session.inviteeIds),
      );
    }
    const type = request.type ?? session.type;
    if (type === 'one_on_one' && inviteeIds.length !== 1) {
      throw new ApiError('VALIDATION_FAILED', 'A one-on-one session takes exactly one invitee.', [
        { path: 'inviteeIds', message: 'a one-on-one session takes exactly one invitee' },
      ]);
    }
    const renamed =
      (request.start !== undefined && request.start !== session.start) ||
      (request.timeZone !== undefined && request.timeZone !== session.timeZone) ||
      (request.recurrence !== undefined &&
        JSON.stringify(request.recurrence) !== JSON.stringify(session.recurrence));
    if (renamed) {
      const states = await this.#deps.repository.occurrenceStates([session.id]);
      if (states.some((state) => state.status === 'live')) {
        // Its occurrence would lose its name, and with it the way to end its room.
        throw new ApiError(
          'CONFLICT',
          'An occurrence of this session is live; end it before rescheduling the series.',
        );
      }
    }
    const moved =
      renamed ||
      (request.durationMinutes !== undefined && request.durationMinutes !== session.durationMinutes);
    const now = this.#deps.clock.now();
    const next: SessionRecord = {
      ...session,
      title: request.title ?? session.title,
      description: request.description ?? session.description,
      type,
      start: request.start ?? session.start,
      timeZone: request.timeZone ?? session.timeZone,
      durationMinutes: request.durationMinutes ?? session.durationMinutes,
      recurrence: request.recurrence === undefined ? session.recurrence : request.recurrence,
      emailInvitees: request.emailInvitees ?? session.emailInvitees,
      inviteeIds,
      exceptions: renamed ? [] : session.exceptions,
      sequence: session.sequence + 1,
      updatedAt: now,
    };
    assertHasOccurrences(next);
    const people = await this.#people(next, dropped);

    const { chat } = this.#deps;
    const repairKey = membersKey(session.id, `${next.sequence}:${this.#deps.newId()}`);
    if (added.length > 0 || dropped.length > 0) {
      await this.#deps.repository.transaction((tx) =>
        tx.jobs.schedule({
          key: repairKey,
          kind: SESSION_CHAT_MEMBERS_JOB,
          runAt: new Date(now.getTime() + UNSAVED_SESSION_GRACE_MS),
          payload: { sessionId: session.id, added, dropped },
        }),
      );
      await chat.setMembers(session.chatId, session.ownerId, inviteeIds);
    }
    let written: StoredNotification[];
    try {
      written = await this.#deps.repository.transaction(async (tx) => {
        await assertUnchanged(tx, session);
        await tx.update(next);
        await tx.jobs.cancel(repairKey);
        await this.#syncReminders(tx, next, now);
        const kept = inviteeIds.filter((id) => !added.includes(id));
        const notes = [
          ...(await this.#enqueue(tx, {
            kind: 'session.rescheduled',
            recipients: kept,
            title: moved ? `${next.title} was moved` : `${next.title} was changed`,
            body: `${describeWhen(next)}.`,
            data: this.#data(next),
            key: `session:${next.id}:changed:${next.sequence}`,
            ...this.#email(next, people, 'REQUEST', `Updated: ${next.title}`),
          })),
          ...(await this.#enqueue(tx, {
            kind: 'session.scheduled',
            recipients: added,
            title: `${people.ownerName} scheduled ${next.title}`,
            body: `${describeWhen(next)}.`,
            data: this.#data(next),
            key: `session:${next.id}:scheduled:${next.sequence}`,
            ...this.#email(next, people, 'REQUEST', `Invitation: ${next.title}`),
          })),
          ...(await this.#enqueue(tx, {
            kind: 'session.cancelled',
            recipients: dropped,
            title: `${session.title} was cancelled for you`,
            body: `${people.ownerName} took you off the invitation.`,
            data: { sessionId: session.id, link: linkTo(session.id) },
            key: `session:${next.id}:uninvited:${next.sequence}`,
            ...this.#email({ ...next, inviteeIds: dropped }, people, 'CANCEL', `Cancelled: ${session.title}`),
          })),
        ];
        return notes;
      });
    } catch (error) {
      if (added.length > 0 || dropped.length > 0) {
        // Back to the invitees saved now, not those read before: a concurrent change may have won.
        await this.#quietly('restore the members of a session chat whose change was not saved', async () => {
          const saved = (await this.#deps.repository.find(session.id)) ?? session;
          await chat.setMembers(session.chatId, session.ownerId, saved.inviteeIds);
          // Back in step: the crash repair has nothing left to do.
          await this.#deps.repository.transaction((tx) => tx.jobs.cancel(repairKey));
        });
      }
      throw error;
    }
    await this.#deps.notifier.announce(written);
    if (next.title !== session.title) {
      await this.#quietly('rename a session chat', () => chat.rename(next.chatId, next.title));
    }
    if (moved) await this.#post(next, `${next.title} was moved: ${describeWhen(next)}.`);
    return presentSession(next);
  }

  /**
   * `POST /v1/sessions/:id/cancel`: the whole series or one occurrence. Its reminders are dropped and the
   * invitees told (`session.cancelled`, by email with METHOD:CANCEL when the session emails). Cancelling
   * what is cancelled already changes nothing.
   */
  async cancel(principal: Principal, sessionId: string, request: CancelSessionRequest): Promise<Session> {
    const session = await this.#owned(principal, sessionId);
    if (session.status === 'cancelled') return presentSession(session);
    const now = this.#deps.clock.now();
    let next: SessionRecord;
    let expanded: ExpandedOccurrence | undefined;
    if (request.scope === 'occurrence') {
      expanded = this.#occurrence(session, request.occurrenceStart ?? '');
      if (expanded.cancelled) return presentSession(session);
      const [state] = await this.#statesOf(session.id, expanded.occurrenceStart);
      if (state?.status === 'live') {
        throw new ApiError('CONFLICT', 'This occurrence is live; end it before cancelling it.');
      }
      if (state?.status === 'ended') throw new ApiError('CONFLICT', 'This occurrence has ended.');
      const exception: ExceptionRecord = {
        ...(session.exceptions.find((entry) =>
          sameInstant(entry.occurrenceStart, expanded!.occurrenceStart),
        ) ?? {}),
        occurrenceStart: expanded.occurrenceStart,
        cancelled: true,
      };
      next = {
        ...session,
        exceptions: withException(session.exceptions, exception),
        sequence: session.sequence + 1,
        updatedAt: now,
      };
    } else {
      next = { ...session, status: 'cancelled', sequence: session.sequence + 1, updatedAt: now };
    }
    const people = await this.#people(next);
    const what = expanded ? `${next.title} on ${formatWhen(expanded.startsAt, next.timeZone)}` : next.title;
    const written = await this.#deps.repository.transaction(async (tx) => {
      await assertUnchanged(tx, session);
      await tx.update(next);
      await this.#syncReminders(tx, next, now);
      return this.#enqueue(tx, {
        kind: 'session.cancelled',
        recipients: next.inviteeIds,
        title: `${what} was cancelled`,
        body: expanded
          ? 'The other sessions of the series go ahead.'
          : `${people.ownerName} cancelled the session.`,
        data: this.#data(next, expanded?.occurrenceStart),
        key: `session:${next.id}:cancelled:${next.sequence}`,
        ...this.#email(next, people, 'CANCEL', `Cancelled: ${what}`, expanded?.occurrenceStart),
      });
    });
    await this.#deps.notifier.announce(written);
    await this.#post(next, `${what} was cancelled.`);
    // Rooms made ahead of time (100ms) for what was cancelled are not needed any more.
    const unused = (await this.#deps.repository.occurrenceStates([next.id])).filter(
      (state) =>
        state.status === 'scheduled' &&
        state.roomId !== null &&
        (!expanded || sameInstant(state.occurrenceStart, expanded.occurrenceStart)),
    );
    for (const state of unused)
      if (state.roomId) await this.#endRoomQuietly(state.roomId, 'a cancelled session');
    return presentSession(next);
  }

  // ---- going live ---------------------------------------------------------------------------------

  /**
   * `POST /v1/sessions/:id/start`: the owner starts an occurrence (default: the one running now or
   * starting within the hour). Its room is the one made ahead of time, or a new one; invitees get the
   * urgent `session.live`, the chat an "is live" message, and open pages the live `session` event.
   * Starting a live occurrence again returns it.
   */
  async start(
    principal: Principal,
    sessionId: string,
    request: OccurrenceActionRequest,
  ): Promise<Occurrence> {
    const { repository, video } = this.#deps;
    const session = await this.#owned(principal, sessionId);
    if (session.status === 'cancelled') throw new ApiError('CONFLICT', 'This session was cancelled.');
    const now = this.#deps.clock.now();
    const states = await repository.occurrenceStates([session.id]);
    const expanded = request.occurrenceStart
      ? this.#occurrence(session, request.occurrenceStart)
      : this.#dueNow(session, states, now);
    if (expanded.cancelled) throw new ApiError('CONFLICT', 'This occurrence was cancelled.');
    const state = stateOf(states, session.id, expanded.occurrenceStart);
    if (state?.status === 'live') return presentOccurrence(session, expanded, state);
    if (state?.status === 'ended') throw new ApiError('CONFLICT', 'This occurrence has ended.');

    let roomId = state?.roomId ?? null;
    let engine = state?.engine ?? video.engine;
    const fresh = roomId === null;
    if (roomId === null) {
      roomId = (await video.createRoom(roomRequest(session, expanded))).roomId;
      engine = video.engine;
    }
    const live: OccurrenceStateRecord = {
      sessionId: session.id,
      occurrenceStart: expanded.occurrenceStart,
      status: 'live',
      engine,
      roomId,
      startedAt: now,
      endedAt: null,
    };
    let written: StoredNotification[] | null;
    try {
      written = await repository.transaction(async (tx) => {
        const current = await tx.lockOccurrence(session.id, expanded.occurrenceStart);
        if (current && current.status !== 'scheduled') return null;
        await tx.saveOccurrence(live);
        return this.#enqueue(tx, {
          kind: 'session.live',
          recipients: session.inviteeIds,
          title: `${session.title} is live`,
          body: `${principal.name} started the session: join now.`,
          data: this.#data(session, expanded.occurrenceStart),
          key: `session:${session.id}:${expanded.occurrenceStart.toISOString()}:live`,
          urgentTtlSeconds: LIVE_ALERT_TTL_SECONDS,
        });
      });
    } catch (error) {
      if (fresh) await this.#endRoomQuietly(roomId, 'a session start that was not saved');
      throw error;
    }
    if (written === null) {
      // A concurrent start won: the caller gets its occurrence; this room is not needed.
      if (fresh) await this.#endRoomQuietly(roomId, 'a second start of one occurrence');
      const [winner] = await this.#statesOf(session.id, expanded.occurrenceStart);
      if (winner?.status !== 'live') throw new ApiError('CONFLICT', 'This occurrence has ended.');
      return presentOccurrence(session, expanded, winner);
    }
    await this.#deps.notifier.announce(written);
    await this.#post(session, `${session.title} is live: join now.`);
    return this.#publish(session, expanded, live);
  }

  /** `POST /v1/sessions/:id/join`: the owner or an invitee joins the live occurrence; before or after it, 409. */
  async join(
    principal: Principal,
    sessionId: string,
    request: OccurrenceActionRequest,
  ): Promise<{ occurrence: Occurrence; video: VideoGrant }> {
    const session = await this.#visible(principal, sessionId);
    const { expanded, state } = await this.#liveOccurrence(session, request);
    if (state?.status !== 'live' || !state.roomId) {
      throw new ApiError(
        'CONFLICT',
        state?.status === 'ended'
          ? 'This session has ended.'
          : 'This session is not live yet: you can join once your teacher starts it.',
      );
    }
    const video = await this.#deps.video.grant({
      roomId: state.roomId,
      userId: principal.id,
      name: principal.name,
      role: principal.role,
    });
    // The LMS may have removed her while this join ran, and her removal from the room may have gone before
    // the grant let her back in (the mesh readmits on a grant): she is removed again and gets no grant.
    const current = await this.#deps.repository.find(session.id);
    if (current?.ownerId !== principal.id && !current?.inviteeIds.includes(principal.id)) {
      await this.#removeFromLiveRooms(session.id, [principal.id]);
      throw new ApiError('NOT_FOUND', `There is no session ${sessionId}.`);
    }
    await this.#deps.repository.recordJoin(
      session.id,
      expanded.occurrenceStart,
      principal.id,
      this.#deps.clock.now(),
    );
    return { occurrence: presentOccurrence(session, expanded, state), video };
  }

  /**
   * `POST /v1/sessions/:id/end`: the owner ends the live occurrence: its room is ended and locked first (a
   * provider failure changes nothing), then the occurrence is recorded ended. Ending an ended one is no error.
   */
  async end(principal: Principal, sessionId: string, request: OccurrenceActionRequest): Promise<Occurrence> {
    const session = await this.#owned(principal, sessionId);
    const { expanded, state } = await this.#liveOccurrence(session, request);
    if (state?.status === 'ended') return presentOccurrence(session, expanded, state);
    if (state?.status !== 'live' || !state.roomId)
      throw new ApiError('CONFLICT', 'This session is not live.');
    await this.#deps.video.endRoom(state.roomId, 'The teacher ended the session');
    const now = this.#deps.clock.now();
    const ended: OccurrenceStateRecord = { ...state, status: 'ended', endedAt: now };
    const changed = await this.#deps.repository.transaction(async (tx) => {
      const current = await tx.lockOccurrence(session.id, expanded.occurrenceStart);
      if (current?.status !== 'live') return false;
      await tx.saveOccurrence(ended);
      await tx.closeAttendance(session.id, expanded.occurrenceStart, now);
      return true;
    });
    if (!changed) {
      const [current] = await this.#statesOf(session.id, expanded.occurrenceStart);
      return presentOccurrence(session, expanded, current);
    }
    return this.#publish(session, expanded, ended);
  }

  // ---- rooms (the video provider asks and tells) --------------------------------------------------

  /** Whether a room belongs to a live occurrence (the mesh relay admits peers only then). */
  async isRoomOpen(roomId: string): Promise<boolean> {
    return (await this.#deps.repository.findByRoom(roomId))?.status === 'live';
  }

  /** The video provider saw someone join an occurrence's room: attendance starts (unless it had). */
  async joinedRoom(roomId: string, userId: string): Promise<void> {
    const state = await this.#deps.repository.findByRoom(roomId);
    if (state?.status !== 'live') return;
    const session = await this.#deps.repository.find(state.sessionId);
    if (!session || (session.ownerId !== userId && !session.inviteeIds.includes(userId))) return;
    await this.#deps.repository.recordJoin(session.id, state.occurrenceStart, userId, this.#deps.clock.now());
  }

  /** The video provider saw someone's last connection to an occurrence's room close. */
  async leftRoom(roomId: string, userId: string): Promise<void> {
    const state = await this.#deps.repository.findByRoom(roomId);
    if (!state) return;
    await this.#deps.repository.recordLeave(
      state.sessionId,
      state.occurrenceStart,
      userId,
      this.#deps.clock.now(),
    );
  }

  // ---- calendar feed ------------------------------------------------------------------------------

  /** `GET /v1/calendar/feed`: the caller's private feed URL (the same one until it is revoked). */
  async feedUrl(principal: Principal): Promise<string> {
    const { repository } = this.#deps;
    const token =
      (await repository.feedToken(principal.id)) ??
      (await repository.createFeedToken(principal.id, this.#deps.newFeedToken(), this.#deps.clock.now()));
    return `${this.#deps.publicUrl}/calendar/${token}.ics`;
  }

  /** `DELETE /v1/calendar/feed`: the URL stops working. */
  async revokeFeed(principal: Principal): Promise<void> {
    await this.#deps.repository.revokeFeedToken(principal.id);
  }

  /** `GET /calendar/<token>.ics`: the feed's VCALENDAR, or undefined for a token that is not (or no longer) one. */
  async feed(token: string): Promise<string | undefined> {
    const owner = await this.#deps.repository.feedOwner(token);
    if (!owner) return undefined;
    const sessions = await this.#deps.repository.listForUser(owner.id);
    return this.#deps.calendar.feed({
      name: `Teacher Hub: ${owner.name}`,
      events: sessions.map((session) => ({
        uid: uidOf(session),
        sequence: session.sequence,
        title: session.title,
        description: session.description,
        url: `${this.#deps.publicUrl}/${linkTo(session.id)}`,
        series: timingOf(session),
        cancelled: session.status === 'cancelled',
      })),
    });
  }

  // ---- rule 9 -------------------------------------------------------------------------------------

  /**
   * After a directory change removed enrollments: an invitee no longer enrolled in any course of the
   * session's teacher leaves the session (its future occurrences) and its chat, and the room of a live
   * occurrence she is in, at once. Idempotent.
   */
  async applyEnrollmentRemovals(removed: readonly DirectoryEnrollment[]): Promise<number> {
    const { repository } = this.#deps;
    const studentIds = unique(removed.filter((e) => e.role === 'student').map((e) => e.userId));
    const teacherIds = unique(removed.filter((e) => e.role === 'teacher').map((e) => e.userId));
    const candidates = new Map<string, SessionRecord>();
    for (const session of [
      ...(await repository.withInvitees(studentIds)),
      ...(await repository.ownedBy(teacherIds)),
    ]) {
      if (session.status === 'active') candidates.set(session.id, session);
    }
    let count = 0;
    for (const session of candidates.values()) {
      const enrolled = await repository.studentsOf(session.ownerId, session.inviteeIds);
      const lost = session.inviteeIds.filter((id) => !enrolled.has(id));
      if (lost.length === 0) continue;
      const inviteeIds = session.inviteeIds.filter((id) => enrolled.has(id));
      await this.#deps.chat.setMembers(session.chatId, session.ownerId, inviteeIds);
      await repository.transaction(async (tx) => {
        const locked = await tx.lock(session.id);
        if (!locked) return;
        await tx.update({
          ...locked,
          inviteeIds: locked.inviteeIds.filter((id) => !lost.includes(id)),
          sequence: locked.sequence + 1,
          updatedAt: this.#deps.clock.now(),
        });
      });
      await this.#removeFromLiveRooms(session.id, lost);
      count += lost.length;
    }
    return count;
  }

  /**
   * Takes former invitees out of the rooms of the session's live occurrences (the mesh also refuses the
   * grants they hold). A provider failure is logged: they can no longer join, and the room ends with the
   * occurrence.
   */
  async #removeFromLiveRooms(sessionId: string, userIds: readonly string[]): Promise<void> {
    const states = await this.#deps.repository.occurrenceStates([sessionId]);
    for (const state of states) {
      if (state.status !== 'live' || !state.roomId) continue;
      for (const userId of userIds) {
        try {
          await this.#deps.video.removePeer({ roomId: state.roomId, userId, reason: REMOVED_FROM_SESSION });
        } catch (error) {
          this.#deps.logger.warn('rule 9: could not take a former invitee out of a live session', {
            error,
            sessionId,
          });
        }
      }
    }
  }

  // ---- reminders ----------------------------------------------------------------------------------

  /**
   * Keeps one pending reminder job per upcoming occurrence (the next `REMINDER_HORIZON`), keyed by the
   * occurrence's original and current start: a moved occurrence gets a new job and loses its old one; a
   * cancelled one, or a cancelled series, keeps none. A reminder that ran is not scheduled again.
   */
  async #syncReminders(tx: SessionTransaction, session: SessionRecord, now: Date): Promise<void> {
    const pending = new Set(await tx.jobs.pendingWithPrefix(reminderPrefix(session.id)));
    const leadMs = this.#deps.reminderLeadMinutes * 60_000;
    // Occurrences inside the lead already (their reminder is due now, or ran) do not count towards the
    // horizon: it reaches `REMINDER_HORIZON` reminders beyond them.
    const candidates =
      session.status === 'active'
        ? upcomingOccurrences(timingOf(session), now, REMINDER_HORIZON + LEAD_WINDOW_SLACK)
        : [];
    let ahead = 0;
    const upcoming = candidates.filter((occurrence) => {
      if (occurrence.startsAt.getTime() - leadMs <= now.getTime()) return true;
      ahead += 1;
      return ahead <= REMINDER_HORIZON;
    });
    const wanted = new Set<string>();
    for (const occurrence of upcoming) {
      const key = reminderKey(session.id, occurrence);
      wanted.add(key);
      if (pending.has(key)) continue;
      await tx.jobs.schedule({
        key,
        kind: SESSION_REMINDER_JOB,
        runAt: new Date(Math.max(now.getTime(), occurrence.startsAt.getTime() - leadMs)),
        payload: {
          sessionId: session.id,
          occurrenceStart: occurrence.occurrenceStart.toISOString(),
          startsAt: occurrence.startsAt.getTime(),
        } satisfies ReminderPayload,
      });
    }
    for (const key of pending) if (!wanted.has(key)) await tx.jobs.cancel(key);
  }

  /**
   * The reminder job: `session.reminder` and the job of the chat's "starts in" message, only when the occurrence is
   * still there as scheduled (not cancelled, not moved since, not started) and has not begun. With 100ms
   * the occurrence's room is made now, ahead of the start. Either way the horizon of jobs is extended.
   */
  async #remind(payload: ReminderPayload): Promise<void> {
    const { repository, video } = this.#deps;
    const session = await repository.find(payload.sessionId);
    if (!session) return;
    const occurrenceStart = new Date(payload.occurrenceStart);
    const now = this.#deps.clock.now();
    const expanded = findOccurrence(timingOf(session), occurrenceStart);
    const [state] = await this.#statesOf(session.id, occurrenceStart);
    const due =
      session.status === 'active' &&
      expanded !== undefined &&
      !expanded.cancelled &&
      expanded.startsAt.getTime() === payload.startsAt &&
      now < expanded.startsAt &&
      (state === undefined || state.status === 'scheduled');

    let room: { roomId: string } | null = null;
    if (due && video.engine === 'hms' && !state?.roomId) {
      try {
        room = await video.createRoom(roomRequest(session, expanded));
      } catch (error) {
        // Not fatal: the start makes one.
        this.#deps.logger.warn('could not make a session room ahead of time', {
          error,
          sessionId: session.id,
        });
      }
    }
    let roomSaved = false;
    const written = await repository.transaction(async (tx) => {
      const locked = await tx.lock(session.id);
      if (!locked) return [];
      let notes: StoredNotification[] = [];
      const current = due ? await tx.lockOccurrence(session.id, occurrenceStart) : undefined;
      if (due && expanded && (current === undefined || current.status === 'scheduled')) {
        if (room && current === undefined) {
          await tx.saveOccurrence({
            sessionId: session.id,
            occurrenceStart,
            status: 'scheduled',
            engine: video.engine,
            roomId: room.roomId,
            startedAt: null,
            endedAt: null,
          });
          roomSaved = true;
        }
        const minutes = Math.max(1, Math.round((expanded.startsAt.getTime() - now.getTime()) / 60_000));
        notes = await this.#enqueue(tx, {
          kind: 'session.reminder',
          recipients: locked.inviteeIds,
          title: `${locked.title} starts in ${minutes} minute${minutes === 1 ? '' : 's'}`,
          body: `${formatWhen(expanded.startsAt, locked.timeZone)}. Join when your teacher starts it.`,
          data: this.#data(locked, occurrenceStart),
          key: `session:${locked.id}:${occurrenceStart.toISOString()}:reminder:${expanded.startsAt.getTime()}`,
        });
        if (notes.length > 0)
          await tx.jobs.schedule({
            key: `session:${locked.id}:${occurrenceStart.toISOString()}:reminder-message:${expanded.startsAt.getTime()}`,
            kind: SESSION_REMINDER_MESSAGE_JOB,
            runAt: now,
            payload: {
              sessionId: locked.id,
              text: `${locked.title} starts in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
            },
          });
      }
      await this.#syncReminders(tx, locked, now);
      return notes;
    });
    if (room && !roomSaved)
      await this.#endRoomQuietly(room.roomId, 'a room made ahead of a start that came first');
    await this.#deps.notifier.announce(written);
  }

  // ---- helpers ------------------------------------------------------------------------------------

  async #moveOccurrence(session: SessionRecord, request: UpdateSessionRequest): Promise<Session> {
    const expanded = this.#occurrence(session, request.occurrenceStart ?? '');
    if (expanded.cancelled) throw new ApiError('NOT_FOUND', 'This occurrence was cancelled.');
    const [state] = await this.#statesOf(session.id, expanded.occurrenceStart);
    if (state && state.status !== 'scheduled') {
      throw new ApiError('CONFLICT', `This occurrence ${state.status === 'live' ? 'is live' : 'has ended'}.`);
    }
    const existing = session.exceptions.find((entry) =>
      sameInstant(entry.occurrenceStart, expanded.occurrenceStart),
    );
    const exception: ExceptionRecord = { occurrenceStart: expanded.occurrenceStart, cancelled: false };
    const start = request.start ?? existing?.start;
    const durationMinutes = request.durationMinutes ?? existing?.durationMinutes;
    if (start !== undefined) exception.start = start;
    if (durationMinutes !== undefined) exception.durationMinutes = durationMinutes;
    const now = this.#deps.clock.now();
    const next: SessionRecord = {
      ...session,
      exceptions: withException(session.exceptions, exception),
      sequence: session.sequence + 1,
      updatedAt: now,
    };
    const moved = findOccurrence(timingOf(next), expanded.occurrenceStart) ?? expanded;
    const people = await this.#people(next);
    const before = formatWhen(expanded.startsAt, session.timeZone);
    const after = formatWhen(moved.startsAt, session.timeZone);
    const written = await this.#deps.repository.transaction(async (tx) => {
      await assertUnchanged(tx, session);
      await tx.update(next);
      await this.#syncReminders(tx, next, now);
      return this.#enqueue(tx, {
        kind: 'session.rescheduled',
        recipients: next.inviteeIds,
        title: `${next.title} was moved`,
        body: `${before} is now ${after}.`,
        data: this.#data(next, expanded.occurrenceStart),
        key: `session:${next.id}:changed:${next.sequence}`,
        ...this.#email(next, people, 'REQUEST', `Moved: ${next.title}, ${after}`, expanded.occurrenceStart),
      });
    });
    await this.#deps.notifier.announce(written);
    await this.#post(next, `${next.title} on ${before} was moved to ${after}.`);
    return presentSession(next);
  }

  /** The occurrence running now, or the first starting within the hour, that has not ended. */
  #dueNow(session: SessionRecord, states: readonly OccurrenceStateRecord[], now: Date): ExpandedOccurrence {
    const due = expandOccurrences(timingOf(session), {
      from: now,
      to: new Date(now.getTime() + START_WINDOW_MS),
    }).find(
      (occurrence) =>
        !occurrence.cancelled && stateOf(states, session.id, occurrence.occurrenceStart)?.status !== 'ended',
    );
    if (!due) {
      throw new ApiError(
        'CONFLICT',
        'No occurrence of this session is due now (none runs or starts within the hour).',
      );
    }
    return due;
  }

  /** The named occurrence, or the session's live one, with its state. */
  async #liveOccurrence(
    session: SessionRecord,
    request: OccurrenceActionRequest,
  ): Promise<{ expanded: ExpandedOccurrence; state: OccurrenceStateRecord | undefined }> {
    if (request.occurrenceStart) {
      const expanded = this.#occurrence(session, request.occurrenceStart);
      const [state] = await this.#statesOf(session.id, expanded.occurrenceStart);
      return { expanded, state };
    }
    const states = await this.#deps.repository.occurrenceStates([session.id]);
    const state = states.find((entry) => entry.status === 'live');
    const expanded = state && findOccurrence(timingOf(session), state.occurrenceStart);
    if (!state || !expanded) throw new ApiError('CONFLICT', 'This session is not live.');
    return { expanded, state };
  }

  #occurrence(session: SessionRecord, occurrenceStart: string): ExpandedOccurrence {
    const instant = new Date(occurrenceStart);
    const expanded = Number.isNaN(instant.getTime()) ? undefined : findOccurrence(timingOf(session), instant);
    if (!expanded)
      throw new ApiError('NOT_FOUND', `This session has no occurrence starting ${occurrenceStart}.`);
    return expanded;
  }

  async #statesOf(sessionId: string, occurrenceStart: Date): Promise<OccurrenceStateRecord[]> {
    const states = await this.#deps.repository.occurrenceStates([sessionId]);
    return states.filter((state) => sameInstant(state.occurrenceStart, occurrenceStart));
  }

  async #visible(principal: Principal, sessionId: string): Promise<SessionRecord> {
    const session = await this.#deps.repository.find(sessionId);
    if (!session || (session.ownerId !== principal.id && !session.inviteeIds.includes(principal.id))) {
      throw new ApiError('NOT_FOUND', `There is no session ${sessionId}.`);
    }
    return session;
  }

  async #owned(principal: Principal, sessionId: string): Promise<SessionRecord> {
    const session = await this.#visible(principal, sessionId);
    if (session.ownerId !== principal.id) {
      throw new ApiError('FORBIDDEN', 'Only the teacher who scheduled this session can do that.');
    }
    return session;
  }

  async #names(userIds: readonly string[]): Promise<Map<string, string>> {
    const users = await this.#deps.repository.users(unique(userIds));
    return new Map(users.map((user) => [user.id, user.name]));
  }

  /** The owner and the invitees (and `extra`), read before a transaction (PGlite has one connection). */
  async #people(session: SessionRecord, extra: readonly string[] = []): Promise<People> {
    const users = await this.#deps.repository.users(
      unique([session.ownerId, ...session.inviteeIds, ...extra]),
    );
    const byId = new Map(users.map((user) => [user.id, user]));
    return { ownerName: byId.get(session.ownerId)?.name ?? 'Your teacher', byId };
  }

  /** The email part of a notification: only for sessions that email their invitees. */
  #email(
    session: SessionRecord,
    people: People,
    method: 'REQUEST' | 'CANCEL',
    subject: string,
    occurrenceStart?: Date,
  ): { email?: EmailContent } {
    if (!session.emailInvitees) return {};
    const owner = people.byId.get(session.ownerId);
    const request: InvitationRequest = {
      method,
      uid: uidOf(session),
      sequence: session.sequence,
      organizer: {
        name: owner?.name ?? session.ownerId,
        email: owner?.email ?? `${session.ownerId}@teacher-hub.invalid`,
      },
      attendees: session.inviteeIds.flatMap((id) => {
        const user = people.byId.get(id);
        return user?.email ? [{ name: user.name, email: user.email }] : [];
      }),
      title: session.title,
      description: session.description,
      url: `${this.#deps.publicUrl}/${linkTo(session.id)}`,
      series: timingOf(session),
      ...(occurrenceStart ? { occurrenceStart } : {}),
    };
    const content = this.#deps.calendar.invitation(request);
    const when = describeWhen(session);
    return {
      email: {
        subject,
        text: [
          session.title,
          when,
          session.description,
          method === 'CANCEL'
            ? 'This session was cancelled.'
            : 'The invitation is attached for your calendar.',
        ]
          .filter(Boolean)
          .join('\n\n'),
        calendar: { method, content },
      },
    };
  }

  #data(session: SessionRecord, occurrenceStart?: Date): NotificationData {
    return {
      sessionId: session.id,
      chatId: session.chatId,
      ...(occurrenceStart ? { occurrenceStart: occurrenceStart.toISOString() } : {}),
      link: linkTo(session.id),
    };
  }

  async #enqueue(tx: SessionTransaction, request: NotifyRequest): Promise<StoredNotification[]> {
    if (request.recipients.length === 0) return [];
    return this.#deps.notifier.enqueue(tx.outbox, request);
  }

  async #post(session: SessionRecord, text: string): Promise<void> {
    await this.#quietly('post a system message in a session chat', () =>
      this.#deps.chat.post(session.chatId, session.ownerId, text),
    );
  }

  async #publish(
    session: SessionRecord,
    expanded: ExpandedOccurrence,
    state: OccurrenceStateRecord,
  ): Promise<Occurrence> {
    const occurrence = presentOccurrence(session, expanded, state);
    try {
      await this.#deps.publish(occurrence, [session.ownerId, ...session.inviteeIds]);
    } catch (error) {
      // Committed; pages catch up from `GET /v1/live` when their stream reconnects.
      this.#deps.logger.warn('could not publish an occurrence change', { error, sessionId: session.id });
    }
    return occurrence;
  }

  async #endRoomQuietly(roomId: string, what: string): Promise<void> {
    await this.#quietly(`end the room of ${what}`, () =>
      this.#deps.video.endRoom(roomId, `Teacher Hub: ${what}`),
    );
  }

  async #quietly(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.#deps.logger.warn(`could not ${what}`, { error });
    }
  }
}

interface People {
  ownerName: string;
  byId: Map<string, SessionUser>;
}

/** The series as the recurrence engine reads it. */
export function timingOf(session: SessionRecord): SeriesTiming {
  return {
    start: session.start,
    timeZone: session.timeZone,
    durationMinutes: session.durationMinutes,
    recurrence: session.recurrence,
    exceptions: session.exceptions,
  };
}

/** The stable iCalendar UID of a session. */
export const uidOf = (session: Pick<SessionRecord, 'id'>) => `session-${session.id}@teacher-hub`;

/** `session` as the contract shows it. */
export function presentSession(session: SessionRecord): Session {
  return {
    id: session.id,
    title: session.title,
    description: session.description,
    type: session.type,
    start: session.start,
    timeZone: session.timeZone,
    durationMinutes: session.durationMinutes,
    inviteeIds: session.inviteeIds,
    recurrence: session.recurrence,
    emailInvitees: session.emailInvitees,
    ownerId: session.ownerId,
    chatId: session.chatId,
    status: session.status,
    exceptions: session.exceptions.map((exception) => ({
      occurrenceStart: exception.occurrenceStart.toISOString(),
      cancelled: exception.cancelled,
      ...(exception.start !== undefined ? { start: exception.start } : {}),
      ...(exception.durationMinutes !== undefined ? { durationMinutes: exception.durationMinutes } : {}),
    })),
    sequence: session.sequence,
    createdAt: session.createdAt.toISOString(),
    updatedAt: session.updatedAt.toISOString(),
  };
}

/** An occurrence as the contract shows it; its status from the series, its exception and its state. */
export function presentOccurrence(
  session: SessionRecord,
  expanded: ExpandedOccurrence,
  state: OccurrenceStateRecord | undefined,
): Occurrence {
  let status: OccurrenceStatus = 'scheduled';
  if (state?.status === 'live' || state?.status === 'ended') status = state.status;
  else if (session.status === 'cancelled' || expanded.cancelled) status = 'cancelled';
  return {
    sessionId: session.id,
    occurrenceStart: expanded.occurrenceStart.toISOString(),
    title: session.title,
    type: session.type,
    startsAt: expanded.startsAt.toISOString(),
    endsAt: expanded.endsAt.toISOString(),
    timeZone: session.timeZone,
    status,
    chatId: session.chatId,
    ownerId: session.ownerId,
    inviteeIds: session.inviteeIds,
  };
}

function stateOf(
  states: readonly OccurrenceStateRecord[],
  sessionId: string,
  occurrenceStart: Date,
): OccurrenceStateRecord | undefined {
  return states.find(
    (state) => state.sessionId === sessionId && sameInstant(state.occurrenceStart, occurrenceStart),
  );
}

function withException(
  exceptions: readonly ExceptionRecord[],
  exception: ExceptionRecord,
): ExceptionRecord[] {
  return [
    ...exceptions.filter((entry) => !sameInstant(entry.occurrenceStart, exception.occurrenceStart)),
    exception,
  ].sort((a, b) => a.occurrenceStart.getTime() - b.occurrenceStart.getTime());
}

function roomRequest(
  session: SessionRecord,
  occurrence: ExpandedOccurrence,
): { name: string; description: string } {
  return {
    name: `session-${session.id}-${occurrence.occurrenceStart.getTime()}`,
    description: `Teacher Hub session ${session.title}`.slice(0, 200),
  };
}

/** Locks the session; a change committed since it was read (another tab's edit) refuses this one. */
async function assertUnchanged(tx: SessionTransaction, read: SessionRecord): Promise<void> {
  const locked = await tx.lock(read.id);
  if (!locked || locked.sequence !== read.sequence || locked.status !== read.status) {
    throw new ApiError('CONFLICT', 'This session changed meanwhile; reload it and try again.');
  }
}

/** A series with no occurrence at all (an `until` before the start) is refused. */
function assertHasOccurrences(session: SessionRecord): void {
  const first = upcomingOccurrences(timingOf(session), new Date(0), 1);
  if (first.length === 0) {
    throw new ApiError('VALIDATION_FAILED', 'This schedule has no occurrence at all.', [
      { path: 'recurrence', message: 'leaves no occurrence (is until before the start?)' },
    ]);
  }
}

/** `Mon 7 Dec, 16:00` in the series' time zone. */
export function formatWhen(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(instant);
}

const DAY_NAMES: Record<string, string> = {
  MO: 'Monday',
  TU: 'Tuesday',
  WE: 'Wednesday',
  TH: 'Thursday',
  FR: 'Friday',
  SA: 'Saturday',
  SU: 'Sunday',
};

/** `Weekly on Monday and Wednesday from 2026-12-07 16:00 (Europe/Berlin), 60 minutes`. */
function describeWhen(session: SessionRecord): string {
  const [date, time] = session.start.split('T');
  const at = `${date} ${time} (${session.timeZone}), ${session.durationMinutes} minutes`;
  const recurrence = session.recurrence;
  if (!recurrence) return at;
  const every = recurrence.interval && recurrence.interval > 1 ? `Every ${recurrence.interval} ` : '';
  const unit = recurrence.freq === 'daily' ? 'days' : 'weeks';
  const head = every ? `${every}${unit}` : recurrence.freq === 'daily' ? 'Daily' : 'Weekly';
  const names = (recurrence.byWeekday ?? []).map((day) => DAY_NAMES[day] ?? day);
  const days =
    names.length > 0
      ? ` on ${names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`}`
      : '';
  const end = recurrence.count
    ? `, ${recurrence.count} times`
    : recurrence.until
      ? `, until ${recurrence.until}`
      : '';
  return `${head}${days} from ${at}${end}`;
}

function readReminderPayload(payload: unknown): ReminderPayload {
  const { sessionId, occurrenceStart, startsAt } = (payload ?? {}) as Partial<ReminderPayload>;
  if (typeof sessionId !== 'string' || typeof occurrenceStart !== 'string' || typeof startsAt !== 'number') {
    throw new PermanentFailure('a session reminder job needs sessionId, occurrenceStart and startsAt');
  }
  return { sessionId, occurrenceStart, startsAt };
}
