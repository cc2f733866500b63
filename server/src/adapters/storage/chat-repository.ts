import type { Platform } from '@teacher-hub/protocol';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { ChatRecord } from '../../domain/chat/chat.ts';
import type {
  ChatDigest,
  ChatRepository,
  ChatTransaction,
  ChatUserRecord,
  NewChat,
  Revocation,
} from '../../domain/chat/chat-repository.ts';
import { KyselyJobStore } from '../jobs/job-store.ts';
import { studentsOfTeacher } from './enrollments.ts';
import { KyselyOutbox } from './notification-store.ts';
import type { ChatDigestsTable, ChatsTable, HubDatabase } from './schema.ts';

type Executor = Kysely<HubDatabase> | Transaction<HubDatabase>;

/** The hub's record of chats on PGlite or PostgreSQL. */
export class KyselyChatRepository implements ChatRepository {
  readonly #db: Kysely<HubDatabase>;
  readonly #platforms: ReadonlySet<Platform>;

  /** `platforms`: the device platforms notifications are delivered to (as the notification outbox needs). */
  constructor(db: Kysely<HubDatabase>, options: { platforms: ReadonlySet<Platform> }) {
    this.#db = db;
    this.#platforms = options.platforms;
  }

  async find(chatId: string): Promise<ChatRecord | undefined> {
    const chat = await this.#db.selectFrom('chats').selectAll().where('id', '=', chatId).executeTakeFirst();
    if (!chat) return undefined;
    const [record] = await withMembers(this.#db, [chat]);
    return record;
  }

  async listForMember(userId: string): Promise<ChatRecord[]> {
    const chats = await this.#db
      .selectFrom('chats')
      .selectAll('chats')
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('chat_members')
            .select(sql`1`.as('one'))
            .whereRef('chat_members.chat_id', '=', 'chats.id')
            .where('chat_members.user_id', '=', userId),
        ),
      )
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    return withMembers(this.#db, chats);
  }

  studentsOf(teacherId: string, studentIds: readonly string[]): Promise<Set<string>> {
    return studentsOfTeacher(this.#db, teacherId, studentIds);
  }

  async users(ids: readonly string[]): Promise<ChatUserRecord[]> {
    if (ids.length === 0) return [];
    return this.#db
      .selectFrom('users')
      .select(['id', 'name', 'role'])
      .where('id', 'in', [...ids])
      .orderBy('id')
      .execute();
  }

  async digest(chatId: string, userId: string): Promise<ChatDigest | undefined> {
    const row = await this.#db
      .selectFrom('chat_digests')
      .selectAll()
      .where('chat_id', '=', chatId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row ? toDigest(row) : undefined;
  }

  async revocations(studentIds: readonly string[], teacherIds: readonly string[]): Promise<Revocation[]> {
    if (studentIds.length === 0 && teacherIds.length === 0) return [];
    const rows = await this.#db
      .selectFrom('chat_members as m')
      .innerJoin('chats as c', 'c.id', 'm.chat_id')
      .select(['m.chat_id', 'm.user_id'])
      .where('c.kind', 'in', ['group', 'direct'])
      .whereRef('m.user_id', '<>', 'c.teacher_id')
      .where((eb) =>
        eb.or([
          ...(studentIds.length > 0 ? [eb('m.user_id', 'in', [...studentIds])] : []),
          ...(teacherIds.length > 0 ? [eb('c.teacher_id', 'in', [...teacherIds])] : []),
        ]),
      )
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('enrollments as teaching')
              .innerJoin('enrollments as taught', 'taught.course_id', 'teaching.course_id')
              .select(sql`1`.as('one'))
              .whereRef('teaching.user_id', '=', 'c.teacher_id')
              .where('teaching.role', '=', 'teacher')
              .whereRef('taught.user_id', '=', 'm.user_id')
              .where('taught.role', '=', 'student'),
          ),
        ),
      )
      .orderBy('m.chat_id')
      .orderBy('m.user_id')
      .execute();
    return rows.map((row) => ({ chatId: row.chat_id, userId: row.user_id }));
  }

  async pruneWebhookEvents(before: Date): Promise<number> {
    const result = await this.#db
      .deleteFrom('chat_webhook_events')
      .where('received_at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  transaction<T>(work: (tx: ChatTransaction) => Promise<T>): Promise<T> {
    return this.#db.transaction().execute((trx) => work(new KyselyChatTransaction(trx, this.#platforms)));
  }
}

class KyselyChatTransaction implements ChatTransaction {
  readonly outbox: KyselyOutbox;
  readonly jobs: KyselyJobStore;
  readonly #trx: Transaction<HubDatabase>;

  constructor(trx: Transaction<HubDatabase>, platforms: ReadonlySet<Platform>) {
    this.#trx = trx;
    this.outbox = new KyselyOutbox(trx, platforms);
    this.jobs = new KyselyJobStore(trx);
  }

  async insertChat(chat: NewChat, at: Date): Promise<boolean> {
    const inserted = await this.#trx
      .insertInto('chats')
      .values({
        id: chat.id,
        kind: chat.kind,
        channel_type: chat.channelType,
        name: chat.name,
        owner_id: chat.ownerId,
        teacher_id: chat.teacherId,
        created_at: at,
        updated_at: at,
      })
      .onConflict((conflict) => conflict.column('id').doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async addMembers(chatId: string, userIds: readonly string[], at: Date): Promise<string[]> {
    if (userIds.length === 0) return [];
    const rows = await this.#trx
      .insertInto('chat_members')
      .values(userIds.map((userId) => ({ chat_id: chatId, user_id: userId, added_at: at })))
      .onConflict((conflict) => conflict.columns(['chat_id', 'user_id']).doNothing())
      .returning('user_id')
      .execute();
    return rows.map((row) => row.user_id);
  }

  async removeMembers(chatId: string, userIds: readonly string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const rows = await this.#trx
      .deleteFrom('chat_members')
      .where('chat_id', '=', chatId)
      .where('user_id', 'in', [...userIds])
      .returning('user_id')
      .execute();
    // Their digest of unread messages goes with the membership.
    await this.#trx
      .deleteFrom('chat_digests')
      .where('chat_id', '=', chatId)
      .where('user_id', 'in', [...userIds])
      .execute();
    return rows.map((row) => row.user_id);
  }

  async rename(chatId: string, name: string, at: Date): Promise<void> {
    await this.#trx.updateTable('chats').set({ name, updated_at: at }).where('id', '=', chatId).execute();
  }

  async deleteChat(chatId: string): Promise<boolean> {
    const result = await this.#trx.deleteFrom('chats').where('id', '=', chatId).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async markWebhookSeen(id: string, at: Date): Promise<boolean> {
    const inserted = await this.#trx
      .insertInto('chat_webhook_events')
      .values({ id, received_at: at })
      .onConflict((conflict) => conflict.column('id').doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async addToDigest(
    chatId: string,
    userId: string,
    message: { senderId: string | null; text: string; at: Date },
  ): Promise<ChatDigest> {
    const senders = JSON.stringify(message.senderId ? [message.senderId] : []);
    // One statement, so concurrent webhooks for one member count every message: the row lock orders them.
    const { rows } = await sql<Selectable<ChatDigestsTable>>`
      insert into chat_digests as d (chat_id, user_id, message_count, sender_ids, last_sender_id, last_text, last_message_at)
      values (${chatId}, ${userId}, 1, ${senders}::jsonb, ${message.senderId}, ${message.text}, ${message.at})
      on conflict (chat_id, user_id) do update set
        message_count = d.message_count + 1,
        sender_ids = case
          when excluded.last_sender_id is null or d.sender_ids ? excluded.last_sender_id then d.sender_ids
          else d.sender_ids || excluded.sender_ids
        end,
        last_sender_id = excluded.last_sender_id,
        last_text = excluded.last_text,
        last_message_at = excluded.last_message_at
      returning *
    `.execute(this.#trx);
    const row = rows[0];
    if (!row) throw new Error('the chat digest upsert returned nothing');
    return toDigest(row);
  }

  async takeDigest(
    chatId: string,
    userId: string,
    generation: number,
    notifiedAt: Date | null,
  ): Promise<ChatDigest | undefined> {
    const row = await this.#trx
      .selectFrom('chat_digests')
      .selectAll()
      .where('chat_id', '=', chatId)
      .where('user_id', '=', userId)
      .where('generation', '=', generation)
      .forUpdate()
      .executeTakeFirst();
    if (!row || row.message_count === 0) return undefined;
    await this.#trx
      .updateTable('chat_digests')
      .set({
        generation: generation + 1,
        message_count: 0,
        sender_ids: '[]',
        last_sender_id: null,
        last_text: null,
        ...(notifiedAt ? { last_notified_at: notifiedAt } : {}),
      })
      .where('chat_id', '=', chatId)
      .where('user_id', '=', userId)
      .execute();
    return toDigest(row);
  }
}

/** Chats with their members: the teacher first, then the others by id. */
async function withMembers(db: Executor, chats: Selectable<ChatsTable>[]): Promise<ChatRecord[]> {
  if (chats.length === 0) return [];
  const members = await db
    .selectFrom('chat_members')
    .select(['chat_id', 'user_id'])
    .where(
      'chat_id',
      'in',
      chats.map((chat) => chat.id),
    )
    .orderBy('user_id')
    .execute();
  const byChat = new Map<string, string[]>();
  for (const member of members)
    byChat.set(member.chat_id, [...(byChat.get(member.chat_id) ?? []), member.user_id]);
  return chats.map((chat) => {
    const ids = byChat.get(chat.id) ?? [];
    return {
      id: chat.id,
      kind: chat.kind,
      channelType: chat.channel_type,
      name: chat.name,
      ownerId: chat.owner_id,
      teacherId: chat.teacher_id,
      memberIds: [
        ...ids.filter((id) => id === chat.teacher_id),
        ...ids.filter((id) => id !== chat.teacher_id),
      ],
      createdAt: new Date(chat.created_at),
    };
  });
}

function toDigest(row: Selectable<ChatDigestsTable>): ChatDigest {
  return {
    chatId: row.chat_id,
    userId: row.user_id,
    generation: row.generation,
    messageCount: row.message_count,
    senderIds: row.sender_ids,
    lastSenderId: row.last_sender_id,
    lastText: row.last_text,
    lastMessageAt: row.last_message_at ? new Date(row.last_message_at) : null,
    lastNotifiedAt: row.last_notified_at ? new Date(row.last_notified_at) : null,
  };
}
