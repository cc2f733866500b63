import type { Platform } from '@teacher-hub/protocol';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type {
  AttendanceInterval,
  OccurrenceStateRecord,
  SessionRecord,
  SessionRepository,
  SessionTransaction,
  SessionUser,
} from '../../domain/sessions/session-repository.ts';
import { KyselyJobStore } from '../jobs/job-store.ts';
import { studentsOfTeacher } from './enrollments.ts';
import { KyselyOutbox } from './notification-store.ts';
import type { HubDatabase, SessionOccurrencesTable, SessionsTable } from './schema.ts';

type Executor = Kysely<HubDatabase> | Transaction<HubDatabase>;

/** The hub's record of scheduled sessions on PGlite or PostgreSQL. */
export class KyselySessionRepository implements SessionRepository {
  readonly #db: Kysely<HubDatabase>;
  readonly #platforms: ReadonlySet<Platform>;

  /** `platforms`: the device platforms notifications are delivered to (as the notification outbox needs). */
  constructor(db: Kysely<HubDatabase>, options: { platforms: ReadonlySet<Platform> }) {
    this.#db = db;
    this.#platforms = options.platforms;
  }

  async find(sessionId: string): Promise<SessionRecord | undefined> {
    const row = await this.#db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', sessionId)
      .executeTakeFirst();
    return row ? (await hydrate(this.#db, [row]))[0] : undefined;
  }

  async listForUser(userId: string): Promise<SessionRecord[]> {
    const rows = await this.#db
      .selectFrom('sessions')
      .selectAll('sessions')
      .where((eb) =>
        eb.or([
          eb('owner_id', '=', userId),
          eb.exists(
            eb
              .selectFrom('session_invitees')
              .select(sql`1`.as('one'))
              .whereRef('session_invitees.session_id', '=', 'sessions.id')
              .where('session_invitees.user_id', '=', userId),
          ),
        ]),
      )
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return hydrate(this.#db, rows);
  }

  async withInvitees(studentIds: readonly string[]): Promise<SessionRecord[]> {
    if (studentIds.length === 0) return [];
    const rows = await this.#db
      .selectFrom('sessions')
      .selectAll('sessions')
      .where('status', '=', 'active')
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('session_invitees')
            .select(sql`1`.as('one'))
            .whereRef('session_invitees.session_id', '=', 'sessions.id')
            .where('session_invitees.user_id', 'in', [...studentIds]),
        ),
      )
      .execute();
    return hydrate(this.#db, rows);
  }

  async ownedBy(teacherIds: readonly string[]): Promise<SessionRecord[]> {
    if (teacherIds.length === 0) return [];
    const rows = await this.#db
      .selectFrom('sessions')
      .selectAll()
      .where('owner_id', 'in', [...teacherIds])
      .where('status', '=', 'active')
      .execute();
    return hydrate(this.#db, rows);
  }

  studentsOf(teacherId: string, studentIds: readonly string[]): Promise<Set<string>> {
    return studentsOfTeacher(this.#db, teacherId, studentIds);
  }

  async users(ids: readonly string[]): Promise<SessionUser[]> {
    if (ids.length === 0) return [];
    return this.#db
      .selectFrom('users')
      .select(['id', 'name', 'role', 'email'])
      .where('id', 'in', [...ids])
      .orderBy('id')
      .execute();
  }

  async occurrenceStates(sessionIds: readonly string[]): Promise<OccurrenceStateRecord[]> {
    if (sessionIds.length === 0) return [];
    const rows = await this.#db
      .selectFrom('session_occurrences')
      .selectAll()
      .where('session_id', 'in', [...sessionIds])
      .orderBy('occurrence_start')
      .execute();
    return rows.map(toState);
  }

  async liveFor(userId: string): Promise<OccurrenceStateRecord[]> {
    const rows = await this.#db
      .selectFrom('session_occurrences as o')
      .innerJoin('sessions as s', 's.id', 'o.session_id')
      .selectAll('o')
      .where('o.status', '=', 'live')
      .where((eb) =>
        eb.or([
          eb('s.owner_id', '=', userId),
          eb.exists(
            eb
              .selectFrom('session_invitees as i')
              .select(sql`1`.as('one'))
              .whereRef('i.session_id', '=', 's.id')
              .where('i.user_id', '=', userId),
          ),
        ]),
      )
      .orderBy('o.started_at', 'desc')
      .execute();
    return rows.map(toState);
  }

  async findByRoom(roomId: string): Promise<OccurrenceStateRecord | undefined> {
    const row = await this.#db
      .selectFrom('session_occurrences')
      .selectAll()
      .where('room_id', '=', roomId)
      .executeTakeFirst();
    return row ? toState(row) : undefined;
  }

  async recordJoin(sessionId: string, occurrenceStart: Date, userId: string, at: Date): Promise<void> {
    await sql`
      insert into session_attendance (session_id, occurrence_start, user_id, joined_at)
      select ${sessionId}, ${occurrenceStart}, ${userId}, ${at}
      where not exists (
        select 1 from session_attendance
         where session_id = ${sessionId} and occurrence_start = ${occurrenceStart}
           and user_id = ${userId} and left_at is null
      )
    `.execute(this.#db);
  }

  async recordLeave(sessionId: string, occurrenceStart: Date, userId: string, at: Date): Promise<void> {
    await this.#db
      .updateTable('session_attendance')
      .set({ left_at: at })
      .where('session_id', '=', sessionId)
      .where('occurrence_start', '=', occurrenceStart)
      .where('user_id', '=', userId)
      .where('left_at', 'is', null)
      .execute();
  }

  async attendance(sessionId: string, occurrenceStart: Date): Promise<AttendanceInterval[]> {
    const rows = await this.#db
      .selectFrom('session_attendance')
      .select(['user_id', 'joined_at', 'left_at'])
      .where('session_id', '=', sessionId)
      .where('occurrence_start', '=', occurrenceStart)
      .orderBy('joined_at')
      .execute();
    return rows.map((row) => ({ userId: row.user_id, joinedAt: row.joined_at, leftAt: row.left_at }));
  }

  async feedToken(userId: string): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom('calendar_feeds')
      .select('token')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row?.token;
  }

  async createFeedToken(userId: string, token: string, at: Date): Promise<string> {
    await this.#db
      .insertInto('calendar_feeds')
      .values({ user_id: userId, token, created_at: at })
      .onConflict((conflict) => conflict.column('user_id').doNothing())
      .execute();
    return (await this.feedToken(userId)) ?? token;
  }

  async revokeFeedToken(userId: string): Promise<boolean> {
    const result = await this.#db
      .deleteFrom('calendar_feeds')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async feedOwner(token: string): Promise<SessionUser | undefined> {
    return this.#db
      .selectFrom('calendar_feeds as f')
      .innerJoin('users as u', 'u.id', 'f.user_id')
      .select(['u.id', 'u.name', 'u.role', 'u.email'])
      .where('f.token', '=', token)
      .executeTakeFirst();
  }

  transaction<T>(work: (tx: SessionTransaction) => Promise<T>): Promise<T> {
    return this.#db.transaction().execute((trx) => work(new KyselySessionTransaction(trx, this.#platforms)));
  }
}

class KyselySessionTransaction implements SessionTransaction {
  readonly outbox: KyselyOutbox;
  readonly jobs: KyselyJobStore;
  readonly #trx: Transaction<HubDatabase>;

  constructor(trx: Transaction<HubDatabase>, platforms: ReadonlySet<Platform>) {
    this.#trx = trx;
    this.outbox = new KyselyOutbox(trx, platforms);
    this.jobs = new KyselyJobStore(trx);
  }

  async lock(sessionId: string): Promise<SessionRecord | undefined> {
    const row = await this.#trx
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', sessionId)
      .forUpdate()
      .executeTakeFirst();
    return row ? (await hydrate(this.#trx, [row]))[0] : undefined;
  }

  async insert(session: SessionRecord): Promise<void> {
    await this.#trx
      .insertInto('sessions')
      .values({ id: session.id, ...columnsOf(session), created_at: session.createdAt })
      .execute();
    await this.#writeChildren(session);
  }

  async update(session: SessionRecord): Promise<void> {
    await this.#trx.updateTable('sessions').set(columnsOf(session)).where('id', '=', session.id).execute();
    await this.#trx.deleteFrom('session_invitees').where('session_id', '=', session.id).execute();
    await this.#trx.deleteFrom('session_exceptions').where('session_id', '=', session.id).execute();
    await this.#writeChildren(session);
  }

  async lockOccurrence(sessionId: string, occurrenceStart: Date): Promise<OccurrenceStateRecord | undefined> {
    const row = await this.#trx
      .selectFrom('session_occurrences')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('occurrence_start', '=', occurrenceStart)
      .forUpdate()
      .executeTakeFirst();
    return row ? toState(row) : undefined;
  }

  async saveOccurrence(state: OccurrenceStateRecord): Promise<void> {
    const values = {
      status: state.status,
      engine: state.engine,
      room_id: state.roomId,
      started_at: state.startedAt,
      ended_at: state.endedAt,
    };
    await this.#trx
      .insertInto('session_occurrences')
      .values({ session_id: state.sessionId, occurrence_start: state.occurrenceStart, ...values })
      .onConflict((conflict) => conflict.columns(['session_id', 'occurrence_start']).doUpdateSet(values))
      .execute();
  }

  async closeAttendance(sessionId: string, occurrenceStart: Date, at: Date): Promise<void> {
    await this.#trx
      .updateTable('session_attendance')
      .set({ left_at: at })
      .where('session_id', '=', sessionId)
      .where('occurrence_start', '=', occurrenceStart)
      .where('left_at', 'is', null)
      .execute();
  }

  async #writeChildren(session: SessionRecord): Promise<void> {
    if (session.inviteeIds.length > 0) {
      await this.#trx
        .insertInto('session_invitees')
        .values(session.inviteeIds.map((userId) => ({ session_id: session.id, user_id: userId })))
        .execute();
    }
    if (session.exceptions.length > 0) {
      await this.#trx
        .insertInto('session_exceptions')
        .values(
          session.exceptions.map((exception) => ({
            session_id: session.id,
            occurrence_start: exception.occurrenceStart,
            cancelled: exception.cancelled,
            start_local: exception.start ?? null,
            duration_minutes: exception.durationMinutes ?? null,
          })),
        )
        .execute();
    }
  }
}

function columnsOf(session: SessionRecord) {
  return {
    owner_id: session.ownerId,
    title: session.title,
    description: session.description,
    type: session.type,
    start_local: session.start,
    time_zone: session.timeZone,
    duration_minutes: session.durationMinutes,
    recurrence: session.recurrence ? JSON.stringify(session.recurrence) : null,
    email_invitees: session.emailInvitees,
    chat_id: session.chatId,
    status: session.status,
    sequence: session.sequence,
    updated_at: session.updatedAt,
  };
}

function toState(row: Selectable<SessionOccurrencesTable>): OccurrenceStateRecord {
  return {
    sessionId: row.session_id,
    occurrenceStart: new Date(row.occurrence_start),
    status: row.status,
    engine: row.engine,
    roomId: row.room_id,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  };
}

async function hydrate(db: Executor, rows: Selectable<SessionsTable>[]): Promise<SessionRecord[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const invitees = await db
    .selectFrom('session_invitees')
    .select(['session_id', 'user_id'])
    .where('session_id', 'in', ids)
    .orderBy('user_id')
    .execute();
  const exceptions = await db
    .selectFrom('session_exceptions')
    .selectAll()
    .where('session_id', 'in', ids)
    .orderBy('occurrence_start')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    ownerId: row.owner_id,
    title: row.title,
    description: row.description,
    type: row.type,
    start: row.start_local,
    timeZone: row.time_zone,
    durationMinutes: row.duration_minutes,
    recurrence: row.recurrence,
    emailInvitees: row.email_invitees,
    chatId: row.chat_id,
    status: row.status,
    sequence: row.sequence,
    inviteeIds: invitees.filter((entry) => entry.session_id === row.id).map((entry) => entry.user_id),
    exceptions: exceptions
      .filter((entry) => entry.session_id === row.id)
      .map((entry) => ({
        occurrenceStart: new Date(entry.occurrence_start),
        cancelled: entry.cancelled,
        ...(entry.start_local !== null ? { start: entry.start_local } : {}),
        ...(entry.duration_minutes !== null ? { durationMinutes: entry.duration_minutes } : {}),
      })),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }));
}
