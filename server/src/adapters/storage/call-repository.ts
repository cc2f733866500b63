import type { CallMemberState, CallStatus, Platform, VideoEngine } from '@teacher-hub/protocol';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type {
  CallRecord,
  CallRepository,
  CallTransaction,
  CallUser,
} from '../../domain/calls/call-repository.ts';
import { KyselyJobStore } from '../jobs/job-store.ts';
import { KyselyOutbox } from './notification-store.ts';
import { preparedQuery } from './prepared.ts';
import type { CallsTable, HubDatabase } from './schema.ts';

type Executor = Kysely<HubDatabase> | Transaction<HubDatabase>;

/**
 * A member's seat in a call, by call id ($1) and user id ($2): the call's status and room, her state, and
 * only while she is still in the call's chat. Written as SQL and prepared (`preparedQuery`): the token route
 * asks it on every request, and building and compiling it with the query builder, then having PostgreSQL
 * parse and plan it, cost more CPU than the rest of the route.
 */
const CALL_SEAT_SQL = `select calls.status, calls.room_id, call_members.state
  from calls
  join call_members on call_members.call_id = calls.id and call_members.user_id = $2
  join chat_members on chat_members.chat_id = calls.chat_id and chat_members.user_id = $2
  where calls.id = $1`;

/** The hub's record of calls on PGlite or PostgreSQL. */
export class KyselyCallRepository implements CallRepository {
  readonly #db: Kysely<HubDatabase>;
  readonly #platforms: ReadonlySet<Platform>;

  /** `platforms`: the device platforms notifications are delivered to (as the notification outbox needs). */
  constructor(db: Kysely<HubDatabase>, options: { platforms: ReadonlySet<Platform> }) {
    this.#db = db;
    this.#platforms = options.platforms;
  }

  async find(callId: string): Promise<CallRecord | undefined> {
    const row = await this.#db.selectFrom('calls').selectAll().where('id', '=', callId).executeTakeFirst();
    return row ? (await withMembers(this.#db, [row]))[0] : undefined;
  }

  async findByRoom(roomId: string): Promise<CallRecord | undefined> {
    const row = await this.#db
      .selectFrom('calls')
      .selectAll()
      .where('room_id', '=', roomId)
      .orderBy('started_at', 'desc')
      .executeTakeFirst();
    return row ? (await withMembers(this.#db, [row]))[0] : undefined;
  }

  async openInChat(chatId: string): Promise<CallRecord | undefined> {
    const row = await this.#db
      .selectFrom('calls')
      .selectAll()
      .where('chat_id', '=', chatId)
      .where('status', '<>', 'ended')
      .executeTakeFirst();
    return row ? (await withMembers(this.#db, [row]))[0] : undefined;
  }

  async openForMember(userId: string): Promise<CallRecord[]> {
    const rows = await this.#db
      .selectFrom('calls')
      .selectAll('calls')
      .where('status', '<>', 'ended')
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('call_members')
            .select(sql`1`.as('one'))
            .whereRef('call_members.call_id', '=', 'calls.id')
            .where('call_members.user_id', '=', userId),
        ),
      )
      .orderBy('started_at', 'desc')
      .orderBy('id')
      .execute();
    return withMembers(this.#db, rows);
  }

  async isRoomOpen(roomId: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom('calls')
      .select('id')
      .where('room_id', '=', roomId)
      .where('status', '<>', 'ended')
      .executeTakeFirst();
    return row !== undefined;
  }

  async users(ids: readonly string[]): Promise<CallUser[]> {
    if (ids.length === 0) return [];
    return this.#db.selectFrom('users').select(['id', 'name', 'role']).where('id', 'in', ids).execute();
  }

  async chatSeat(chatId: string, userId: string): Promise<{ chatName: string | null } | undefined> {
    const row = await this.#db
      .selectFrom('chat_members')
      .innerJoin('chats', 'chats.id', 'chat_members.chat_id')
      .select('chats.name')
      .where('chat_members.chat_id', '=', chatId)
      .where('chat_members.user_id', '=', userId)
      .executeTakeFirst();
    return row ? { chatName: row.name } : undefined;
  }

  async callSeat(
    callId: string,
    userId: string,
  ): Promise<{ status: CallStatus; roomId: string; state: CallMemberState } | undefined> {
    const { rows } = await this.#db.executeQuery<{
      status: CallStatus;
      room_id: string;
      state: CallMemberState;
    }>(preparedQuery(CALL_SEAT_SQL, [callId, userId]));
    const row = rows[0];
    return row ? { status: row.status, roomId: row.room_id, state: row.state } : undefined;
  }

  transaction<T>(work: (tx: CallTransaction) => Promise<T>): Promise<T> {
    return this.#db.transaction().execute((trx) => work(new KyselyCallTransaction(trx, this.#platforms)));
  }
}

class KyselyCallTransaction implements CallTransaction {
  readonly outbox: KyselyOutbox;
  readonly jobs: KyselyJobStore;
  readonly #trx: Transaction<HubDatabase>;

  constructor(trx: Transaction<HubDatabase>, platforms: ReadonlySet<Platform>) {
    this.#trx = trx;
    this.outbox = new KyselyOutbox(trx, platforms);
    this.jobs = new KyselyJobStore(trx);
  }

  async lock(callId: string): Promise<CallRecord | undefined> {
    const row = await this.#trx
      .selectFrom('calls')
      .selectAll()
      .where('id', '=', callId)
      .forUpdate()
      .executeTakeFirst();
    return row ? (await withMembers(this.#trx, [row]))[0] : undefined;
  }

  async insert(call: CallRecord): Promise<boolean> {
    const inserted = await this.#trx
      .insertInto('calls')
      .values({
        id: call.id,
        chat_id: call.chatId,
        status: call.status,
        engine: call.engine,
        room_id: call.roomId,
        started_by: call.startedBy,
        started_at: call.startedAt,
        ring_expires_at: call.ringExpiresAt,
        ended_at: call.endedAt,
        ended_by: call.endedBy,
      })
      // The partial unique index: the chat has an open call already.
      .onConflict((conflict) => conflict.column('chat_id').where('status', '<>', 'ended').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return false;
    await this.#trx
      .insertInto('call_members')
      .values(
        call.members.map((member) => ({
          call_id: call.id,
          user_id: member.userId,
          state: member.state,
          joined_at: member.state === 'joined' ? call.startedAt : null,
          updated_at: call.startedAt,
        })),
      )
      .execute();
    return true;
  }

  async setStatus(callId: string, status: CallStatus, at: Date, endedBy?: string): Promise<void> {
    await this.#trx
      .updateTable('calls')
      .set(status === 'ended' ? { status, ended_at: at, ended_by: endedBy ?? null } : { status })
      .where('id', '=', callId)
      .execute();
  }

  async moveMembers(
    callId: string,
    from: readonly CallMemberState[],
    to: CallMemberState,
    at: Date,
    userIds?: readonly string[],
  ): Promise<string[]> {
    if (from.length === 0 || userIds?.length === 0) return [];
    let update = this.#trx
      .updateTable('call_members')
      .set(to === 'joined' ? { state: to, updated_at: at, joined_at: at } : { state: to, updated_at: at })
      .where('call_id', '=', callId)
      .where('state', 'in', [...from]);
    if (userIds) update = update.where('user_id', 'in', [...userIds]);
    const rows = await update.returning('user_id').execute();
    return rows.map((row) => row.user_id).sort();
  }
}

async function withMembers(db: Executor, rows: Selectable<CallsTable>[]): Promise<CallRecord[]> {
  if (rows.length === 0) return [];
  // The members' directory records come with them (see CallMemberRecord.user).
  const members = await db
    .selectFrom('call_members')
    .leftJoin('users', 'users.id', 'call_members.user_id')
    .select([
      'call_members.call_id',
      'call_members.user_id',
      'call_members.state',
      'users.name',
      'users.role',
    ])
    .where(
      'call_members.call_id',
      'in',
      rows.map((row) => row.id),
    )
    .orderBy('call_members.user_id')
    .execute();
  return rows.map((row) => {
    const own = members.filter((member) => member.call_id === row.id);
    // The starter first, then the others by id.
    own.sort((a, b) => Number(b.user_id === row.started_by) - Number(a.user_id === row.started_by));
    return {
      id: row.id,
      chatId: row.chat_id,
      status: row.status,
      engine: row.engine as VideoEngine,
      roomId: row.room_id,
      startedBy: row.started_by,
      startedAt: row.started_at,
      ringExpiresAt: row.ring_expires_at,
      endedAt: row.ended_at,
      endedBy: row.ended_by,
      members: own.map(({ user_id: userId, state, name, role }) =>
        name !== null && role !== null
          ? { userId, state, user: { id: userId, name, role } }
          : { userId, state },
      ),
    };
  });
}
