/**
 * Data access for the emulator's tables. Every function takes the Kysely handle to use, so callers pass a
 * transaction where several writes must land together.
 */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import {
  DEFAULT_CHANNEL_CONFIG,
  BUILT_IN_CHANNEL_TYPES,
  type ChannelConfig,
  type Grants,
} from './permissions.ts';
import {
  json,
  type StreamChannelTable,
  type StreamDatabase,
  type StreamMemberTable,
  type StreamMessageTable,
  type StreamReactionTable,
  type StreamUserTable,
} from './schema.ts';

export type Db = Kysely<StreamDatabase> | Transaction<StreamDatabase>;
export type UserRow = Selectable<StreamUserTable>;
export type ChannelRow = Selectable<StreamChannelTable>;
export type MemberRow = Selectable<StreamMemberTable>;
export type MessageRow = Selectable<StreamMessageTable>;
export type ReactionRow = Selectable<StreamReactionTable>;

export type JsonObject = Record<string, unknown>;

export function asObject(value: unknown): JsonObject {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : {};
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

// ---------------------------------------------------------------------------------------------- app

export interface AppSettings {
  name: string;
  disable_auth_checks: boolean;
  disable_permissions_checks: boolean;
  revoke_tokens_issued_before: string | null;
  webhook_url: string;
  [key: string]: unknown;
}

const DEFAULT_APP_SETTINGS: AppSettings = {
  name: 'Teacher Hub (local GetStream emulator)',
  disable_auth_checks: false,
  disable_permissions_checks: false,
  revoke_tokens_issued_before: null,
  webhook_url: '',
};

export async function getAppSettings(db: Db): Promise<AppSettings> {
  const row = await db.selectFrom('stream_app').select('settings').where('id', '=', 1).executeTakeFirst();
  return { ...DEFAULT_APP_SETTINGS, ...asObject(row?.settings) } as AppSettings;
}

export async function saveAppSettings(db: Db, settings: AppSettings, now: Date): Promise<void> {
  await db
    .insertInto('stream_app')
    .values({ id: 1, settings: json(settings), updated_at: now })
    .onConflict((oc) => oc.column('id').doUpdateSet({ settings: json(settings), updated_at: now }))
    .execute();
}

// -------------------------------------------------------------------------------------- channel types

export interface ChannelType {
  name: string;
  config: ChannelConfig;
  grants: Grants;
  created_at: Date;
  updated_at: Date;
}

function toChannelType(row: Selectable<StreamDatabase['stream_channel_types']>): ChannelType {
  return {
    name: row.name,
    config: { ...DEFAULT_CHANNEL_CONFIG, ...asObject(row.config) } as ChannelConfig,
    grants: asObject(row.grants) as Grants,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export async function ensureBuiltInChannelTypes(db: Db, now: Date): Promise<void> {
  for (const type of BUILT_IN_CHANNEL_TYPES) {
    await db
      .insertInto('stream_channel_types')
      .values({
        name: type.name,
        config: json({ ...DEFAULT_CHANNEL_CONFIG, name: type.name }),
        grants: json(type.grants),
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
  }
}

export async function getChannelType(db: Db, name: string): Promise<ChannelType | undefined> {
  const row = await db
    .selectFrom('stream_channel_types')
    .selectAll()
    .where('name', '=', name)
    .executeTakeFirst();
  return row ? toChannelType(row) : undefined;
}

export async function listChannelTypes(db: Db): Promise<ChannelType[]> {
  const rows = await db.selectFrom('stream_channel_types').selectAll().orderBy('name').execute();
  return rows.map(toChannelType);
}

export async function saveChannelType(db: Db, type: ChannelType): Promise<void> {
  await db
    .insertInto('stream_channel_types')
    .values({
      name: type.name,
      config: json(type.config),
      grants: json(type.grants),
      created_at: type.created_at,
      updated_at: type.updated_at,
    })
    .onConflict((oc) =>
      oc.column('name').doUpdateSet({
        config: json(type.config),
        grants: json(type.grants),
        updated_at: type.updated_at,
      }),
    )
    .execute();
}

export async function deleteChannelType(db: Db, name: string): Promise<void> {
  await db.deleteFrom('stream_channel_types').where('name', '=', name).execute();
}

// ---------------------------------------------------------------------------------------------- users

/** Fields a user object may carry that are not stored as custom data. */
export const RESERVED_USER_FIELDS = new Set([
  'id',
  'role',
  'created_at',
  'updated_at',
  'last_active',
  'online',
  'banned',
  'shadow_banned',
  'deactivated_at',
  'deleted_at',
  'revoke_tokens_issued_before',
  'unread_count',
  'total_unread_count',
  'unread_channels',
  'unread_threads',
  'channel_mutes',
  'mutes',
  'devices',
  'blocked_user_ids',
  'invisible',
  'teams_role',
  'push_notifications',
  'privacy_settings',
  'roles',
  'anon',
  'channel_last_read_at',
  'channel_unread_count',
  'avg_response_time',
]);

export function userData(input: JsonObject): JsonObject {
  const data: JsonObject = {};
  for (const [key, value] of Object.entries(input)) {
    if (!RESERVED_USER_FIELDS.has(key) && value !== undefined) data[key] = value;
  }
  return data;
}

export async function getUsers(db: Db, ids: Iterable<string>): Promise<Map<string, UserRow>> {
  const unique = [...new Set(ids)];
  const users = new Map<string, UserRow>();
  if (unique.length === 0) return users;
  const rows = await db.selectFrom('stream_users').selectAll().where('id', 'in', unique).execute();
  for (const row of rows) users.set(row.id, row);
  return users;
}

export async function getUser(db: Db, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('stream_users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Stream's upsert: the given object replaces the stored one (role defaults to `user`). */
export async function upsertUser(
  db: Db,
  input: { id: string; role?: string; data: JsonObject; revoke_tokens_issued_before?: Date | null },
  now: Date,
): Promise<UserRow> {
  const role = input.role ?? 'user';
  return db
    .insertInto('stream_users')
    .values({
      id: input.id,
      role,
      data: json(input.data),
      created_at: now,
      updated_at: now,
      revoke_tokens_issued_before: input.revoke_tokens_issued_before ?? null,
    })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet((eb) => ({
        role: input.role ? input.role : eb.ref('stream_users.role'),
        data: json(input.data),
        updated_at: now,
        ...(input.revoke_tokens_issued_before !== undefined
          ? { revoke_tokens_issued_before: input.revoke_tokens_issued_before }
          : {}),
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateUser(
  db: Db,
  id: string,
  changes: {
    role?: string;
    data?: JsonObject;
    revoke_tokens_issued_before?: Date | null;
    last_active?: Date;
  },
  now: Date,
): Promise<UserRow | undefined> {
  return db
    .updateTable('stream_users')
    .set({
      updated_at: now,
      ...(changes.role !== undefined ? { role: changes.role } : {}),
      ...(changes.data !== undefined ? { data: json(changes.data) } : {}),
      ...(changes.revoke_tokens_issued_before !== undefined
        ? { revoke_tokens_issued_before: changes.revoke_tokens_issued_before }
        : {}),
      ...(changes.last_active !== undefined ? { last_active: changes.last_active } : {}),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function touchLastActive(db: Db, id: string, at: Date): Promise<void> {
  await db.updateTable('stream_users').set({ last_active: at }).where('id', '=', id).execute();
}

// ------------------------------------------------------------------------------------------- channels

export async function getChannel(db: Db, cid: string): Promise<ChannelRow | undefined> {
  return db.selectFrom('stream_channels').selectAll().where('cid', '=', cid).executeTakeFirst();
}

export async function insertChannel(
  db: Db,
  channel: { cid: string; type: string; id: string; created_by_id: string | null; data: JsonObject },
  now: Date,
): Promise<ChannelRow> {
  return db
    .insertInto('stream_channels')
    .values({ ...channel, data: json(channel.data), created_at: now, updated_at: now, last_message_at: null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateChannelData(
  db: Db,
  cid: string,
  data: JsonObject,
  now: Date,
): Promise<ChannelRow> {
  return db
    .updateTable('stream_channels')
    .set({ data: json(data), updated_at: now })
    .where('cid', '=', cid)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteChannel(db: Db, cid: string): Promise<void> {
  // Reactions hang off messages; the foreign keys cascade the rest.
  await db.deleteFrom('stream_channels').where('cid', '=', cid).execute();
}

// -------------------------------------------------------------------------------------------- members

export async function getMembers(db: Db, cid: string, limit = 100): Promise<MemberRow[]> {
  return db
    .selectFrom('stream_members')
    .selectAll()
    .where('cid', '=', cid)
    .orderBy('created_at')
    .orderBy('user_id')
    .limit(limit)
    .execute();
}

export async function getMember(db: Db, cid: string, userId: string): Promise<MemberRow | undefined> {
  return db
    .selectFrom('stream_members')
    .selectAll()
    .where('cid', '=', cid)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function countMembers(db: Db, cids: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (cids.length === 0) return counts;
  const rows = await db
    .selectFrom('stream_members')
    .select(['cid', sql<number>`count(*)::int`.as('count')])
    .where('cid', 'in', cids)
    .groupBy('cid')
    .execute();
  for (const row of rows) counts.set(row.cid, Number(row.count));
  return counts;
}

/** Adds members that are not members yet; returns the new membership rows. */
export async function addMembers(
  db: Db,
  cid: string,
  members: Array<{ user_id: string; channel_role: string }>,
  now: Date,
): Promise<MemberRow[]> {
  if (members.length === 0) return [];
  return db
    .insertInto('stream_members')
    .values(
      members.map((member) => ({
        cid,
        user_id: member.user_id,
        channel_role: member.channel_role,
        created_at: now,
        updated_at: now,
        // A new member starts with nothing unread, as on Stream.
        last_read: now,
        last_read_message_id: null,
      })),
    )
    .onConflict((oc) => oc.columns(['cid', 'user_id']).doNothing())
    .returningAll()
    .execute();
}

export async function setMemberRole(
  db: Db,
  cid: string,
  userIds: string[],
  channelRole: string,
  now: Date,
): Promise<MemberRow[]> {
  if (userIds.length === 0) return [];
  return db
    .updateTable('stream_members')
    .set({ channel_role: channelRole, updated_at: now })
    .where('cid', '=', cid)
    .where('user_id', 'in', userIds)
    .returningAll()
    .execute();
}

export async function removeMembers(db: Db, cid: string, userIds: string[]): Promise<MemberRow[]> {
  if (userIds.length === 0) return [];
  return db
    .deleteFrom('stream_members')
    .where('cid', '=', cid)
    .where('user_id', 'in', userIds)
    .returningAll()
    .execute();
}

export async function markRead(
  db: Db,
  cid: string,
  userId: string,
  lastRead: Date,
  lastReadMessageId: string | null,
): Promise<MemberRow | undefined> {
  return db
    .updateTable('stream_members')
    .set({ last_read: lastRead, last_read_message_id: lastReadMessageId })
    .where('cid', '=', cid)
    .where('user_id', '=', userId)
    .returningAll()
    .executeTakeFirst();
}

/** The newest top-level message of a channel (what "read up to" points at). */
export async function latestMessageId(db: Db, cid: string): Promise<string | null> {
  const row = await db
    .selectFrom('stream_messages')
    .select('id')
    .where('cid', '=', cid)
    .where((eb) => eb.or([eb('parent_id', 'is', null), eb('show_in_channel', '=', true)]))
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.id ?? null;
}

// --------------------------------------------------------------------------------------------- unread

/**
 * Unread messages per (user, channel): messages of other users after the member's `last_read`, in the
 * channel itself (thread-only replies do not count), not deleted and not silent — the rules stream-chat's
 * own `_countMessageAsUnread` applies locally, so both sides agree.
 */
export async function unreadCounts(
  db: Db,
  userIds: string[],
  cid?: string,
): Promise<Array<{ user_id: string; cid: string; unread: number; last_read: Date }>> {
  if (userIds.length === 0) return [];
  let query = db
    .selectFrom('stream_members as mem')
    .leftJoin('stream_messages as msg', (join) =>
      join
        .onRef('msg.cid', '=', 'mem.cid')
        .onRef('msg.created_at', '>', 'mem.last_read')
        .onRef('msg.user_id', '<>', 'mem.user_id')
        .on('msg.deleted_at', 'is', null)
        .on('msg.silent', '=', false)
        .on((eb) => eb.or([eb('msg.parent_id', 'is', null), eb('msg.show_in_channel', '=', true)])),
    )
    .select(['mem.user_id', 'mem.cid', 'mem.last_read', sql<number>`count(msg.id)::int`.as('unread')])
    .where('mem.user_id', 'in', userIds)
    .groupBy(['mem.user_id', 'mem.cid', 'mem.last_read']);
  if (cid) query = query.where('mem.cid', '=', cid);
  const rows = await query.execute();
  return rows.map((row) => ({ ...row, unread: Number(row.unread) }));
}

export interface UnreadTotals {
  total_unread_count: number;
  unread_count: number;
  unread_channels: number;
  unread_threads: number;
}

export async function unreadTotals(db: Db, userIds: string[]): Promise<Map<string, UnreadTotals>> {
  const totals = new Map<string, UnreadTotals>();
  for (const userId of userIds) {
    totals.set(userId, { total_unread_count: 0, unread_count: 0, unread_channels: 0, unread_threads: 0 });
  }
  for (const row of await unreadCounts(db, userIds)) {
    const total = totals.get(row.user_id)!;
    total.total_unread_count += row.unread;
    total.unread_count += row.unread;
    if (row.unread > 0) total.unread_channels += 1;
  }
  return totals;
}

// ------------------------------------------------------------------------------------------- messages

export async function getMessage(db: Db, id: string): Promise<MessageRow | undefined> {
  return db.selectFrom('stream_messages').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function getMessagesById(db: Db, ids: Iterable<string>): Promise<Map<string, MessageRow>> {
  const unique = [...new Set(ids)];
  const messages = new Map<string, MessageRow>();
  if (unique.length === 0) return messages;
  const rows = await db.selectFrom('stream_messages').selectAll().where('id', 'in', unique).execute();
  for (const row of rows) messages.set(row.id, row);
  return messages;
}

/** Stream's message pagination parameters (`channel.query({messages: …})`, `getReplies`). */
export interface MessagePagination {
  limit?: number;
  offset?: number;
  id_lt?: string;
  id_lte?: string;
  id_gt?: string;
  id_gte?: string;
  id_around?: string;
  created_at_before?: string;
  created_at_before_or_equal?: string;
  created_at_after?: string;
  created_at_after_or_equal?: string;
  created_at_around?: string;
}

export function readPagination(input: unknown, defaultLimit: number, maxLimit: number): MessagePagination {
  const source = asObject(input);
  const pagination: MessagePagination = {};
  for (const key of [
    'id_lt',
    'id_lte',
    'id_gt',
    'id_gte',
    'id_around',
    'created_at_before',
    'created_at_before_or_equal',
    'created_at_after',
    'created_at_after_or_equal',
    'created_at_around',
  ] as const) {
    const value = source[key];
    if (typeof value !== 'string' || !value) continue;
    // A date that does not parse is ignored rather than handed to the database.
    if (key.startsWith('created_at') && Number.isNaN(new Date(value).getTime())) continue;
    pagination[key] = value;
  }
  const limit = Number(source.limit ?? defaultLimit);
  pagination.limit = Number.isFinite(limit)
    ? Math.max(0, Math.min(Math.trunc(limit), maxLimit))
    : defaultLimit;
  const offset = Number(source.offset ?? 0);
  pagination.offset = Number.isFinite(offset) ? Math.max(0, Math.trunc(offset)) : 0;
  return pagination;
}

/**
 * A page of messages in ascending order. `scope` is either a channel (top-level messages and replies
 * shown in the channel) or a thread (the replies of one parent).
 */
export async function listMessages(
  db: Db,
  scope: { cid: string } | { parentId: string },
  page: MessagePagination,
  /** Without a cursor: the newest page (channels) or the oldest (replies sorted ascending). */
  window: 'newest' | 'oldest' = 'newest',
): Promise<MessageRow[]> {
  const limit = page.limit ?? 25;
  if (limit === 0) return [];
  const base = () => {
    let query = db.selectFrom('stream_messages').selectAll();
    if ('cid' in scope) {
      query = query
        .where('cid', '=', scope.cid)
        .where((eb) => eb.or([eb('parent_id', 'is', null), eb('show_in_channel', '=', true)]));
    } else {
      query = query.where('parent_id', '=', scope.parentId);
    }
    return query;
  };
  const seqOf = async (id: string) =>
    (await db.selectFrom('stream_messages').select('seq').where('id', '=', id).executeTakeFirst())?.seq;

  const around = page.id_around ?? page.created_at_around;
  if (around) {
    let pivot: number | undefined;
    if (page.id_around) pivot = await seqOf(page.id_around);
    else {
      const row = await base()
        .where('created_at', '<=', new Date(around))
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      pivot = row?.seq ?? 0;
    }
    if (pivot === undefined) return [];
    const half = Math.floor(limit / 2);
    const before = await base().where('seq', '<', pivot).orderBy('seq', 'desc').limit(half).execute();
    const after = await base()
      .where('seq', '>=', pivot)
      .orderBy('seq', 'asc')
      .limit(limit - before.length)
      .execute();
    return [...before.reverse(), ...after];
  }

  let query = base();
  let newestFirst = window === 'newest';
  if (page.id_lt || page.id_lte) {
    const pivot = await seqOf((page.id_lt ?? page.id_lte)!);
    if (pivot === undefined) return [];
    query = query.where('seq', page.id_lt ? '<' : '<=', pivot);
    newestFirst = true;
  }
  if (page.id_gt || page.id_gte) {
    const pivot = await seqOf((page.id_gt ?? page.id_gte)!);
    if (pivot === undefined) return [];
    query = query.where('seq', page.id_gt ? '>' : '>=', pivot);
    newestFirst = Boolean(page.id_lt || page.id_lte);
  }
  if (page.created_at_before || page.created_at_before_or_equal) {
    if (page.created_at_before) query = query.where('created_at', '<', new Date(page.created_at_before));
    if (page.created_at_before_or_equal)
      query = query.where('created_at', '<=', new Date(page.created_at_before_or_equal));
    newestFirst = true;
  }
  if (page.created_at_after || page.created_at_after_or_equal) {
    if (page.created_at_after) query = query.where('created_at', '>', new Date(page.created_at_after));
    if (page.created_at_after_or_equal)
      query = query.where('created_at', '>=', new Date(page.created_at_after_or_equal));
    newestFirst = Boolean(page.created_at_before || page.created_at_before_or_equal);
  }
  const rows = await query
    .orderBy('seq', newestFirst ? 'desc' : 'asc')
    .limit(limit)
    .offset(page.offset ?? 0)
    .execute();
  return newestFirst ? rows.reverse() : rows;
}

export async function listPinnedMessages(
  db: Db,
  cid: string,
  now: Date,
  limit = 10,
  ascending = false,
): Promise<MessageRow[]> {
  return db
    .selectFrom('stream_messages')
    .selectAll()
    .where('cid', '=', cid)
    .where('pinned', '=', true)
    .where('deleted_at', 'is', null)
    .where((eb) => eb.or([eb('pin_expires', 'is', null), eb('pin_expires', '>', now)]))
    .orderBy('pinned_at', ascending ? 'asc' : 'desc')
    .orderBy('seq', ascending ? 'asc' : 'desc')
    .limit(limit)
    .execute();
}

/** Who took part in each thread: the parent's author first, then the repliers in order. */
export async function threadParticipants(db: Db, parentIds: string[]): Promise<Map<string, string[]>> {
  const participants = new Map<string, string[]>();
  if (parentIds.length === 0) return participants;
  const rows = await db
    .selectFrom('stream_messages')
    .select(['parent_id', 'user_id', sql<number>`min(seq)`.as('first_seq')])
    .where('parent_id', 'in', parentIds)
    .groupBy(['parent_id', 'user_id'])
    .orderBy('first_seq')
    .execute();
  for (const row of rows) {
    const list = participants.get(row.parent_id!) ?? [];
    list.push(row.user_id);
    participants.set(row.parent_id!, list);
  }
  return participants;
}

// ------------------------------------------------------------------------------------------ reactions

export async function reactionsFor(db: Db, messageIds: string[]): Promise<Map<string, ReactionRow[]>> {
  const reactions = new Map<string, ReactionRow[]>();
  if (messageIds.length === 0) return reactions;
  const rows = await db
    .selectFrom('stream_reactions')
    .selectAll()
    .where('message_id', 'in', messageIds)
    .orderBy('created_at', 'desc')
    .orderBy('user_id')
    .execute();
  for (const row of rows) {
    const list = reactions.get(row.message_id) ?? [];
    list.push(row);
    reactions.set(row.message_id, list);
  }
  return reactions;
}

export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}
