/**
 * Rows → the JSON shapes of Stream's API (UserResponse, ChannelResponse, MessageResponse, ChannelAPIResponse),
 * as `stream-chat` reads them. A Presenter batches the look-ups one response needs (users, reactions,
 * quoted messages, thread participants).
 */
import type { LiveConnections } from './live.ts';
import { isGranted, ownCapabilities, type Subject } from './permissions.ts';
import {
  asArray,
  asObject,
  countMembers,
  getMembers,
  getMessagesById,
  getUsers,
  listMessages,
  listPinnedMessages,
  reactionsFor,
  threadParticipants,
  unreadCounts,
  type ChannelRow,
  type ChannelType,
  type Db,
  type JsonObject,
  type MemberRow,
  type MessagePagination,
  type MessageRow,
  type ReactionRow,
  type UserRow,
} from './store.ts';

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : undefined);

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Who a response is for: own_reactions, own_capabilities and membership depend on it. */
export interface Viewer {
  userId: string;
  role: string;
}

export class Presenter {
  readonly #users = new Map<string, UserRow>();

  constructor(
    private readonly db: Db,
    private readonly live: LiveConnections,
    private readonly now: Date,
  ) {}

  async loadUsers(ids: Iterable<string>): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.#users.has(id));
    if (missing.length === 0) return;
    for (const [id, row] of await getUsers(this.db, missing)) this.#users.set(id, row);
  }

  remember(row: UserRow): void {
    this.#users.set(row.id, row);
  }

  user(id: string, extra: JsonObject = {}): JsonObject {
    const row = this.#users.get(id);
    if (!row) return { id, role: 'user', banned: false, online: this.live.isOnline(id), ...extra };
    return presentUser(row, this.live.isOnline(id), extra);
  }

  // ------------------------------------------------------------------------------------- messages

  async messages(rows: MessageRow[], viewerId: string | null): Promise<JsonObject[]> {
    if (rows.length === 0) return [];
    const quotedIds = rows.map((row) => row.quoted_message_id).filter((id): id is string => Boolean(id));
    const quoted = await getMessagesById(this.db, quotedIds);
    const all = [...rows, ...quoted.values()];
    const reactions = await reactionsFor(
      this.db,
      all.map((row) => row.id),
    );
    const parents = rows.filter((row) => row.reply_count > 0).map((row) => row.id);
    const participants = await threadParticipants(this.db, parents);
    const userIds = new Set<string>();
    for (const row of all) {
      userIds.add(row.user_id);
      if (row.pinned_by_id) userIds.add(row.pinned_by_id);
      for (const id of asArray(row.mentioned_user_ids)) if (typeof id === 'string') userIds.add(id);
    }
    for (const list of reactions.values()) for (const reaction of list) userIds.add(reaction.user_id);
    for (const list of participants.values()) for (const id of list) userIds.add(id);
    await this.loadUsers(userIds);

    return rows.map((row) => {
      const response = this.#message(row, reactions.get(row.id) ?? [], viewerId);
      const quotedRow = row.quoted_message_id ? quoted.get(row.quoted_message_id) : undefined;
      if (quotedRow)
        response.quoted_message = this.#message(quotedRow, reactions.get(quotedRow.id) ?? [], viewerId);
      const people = participants.get(row.id);
      if (people) {
        const ordered = [row.user_id, ...people.filter((id) => id !== row.user_id)];
        response.thread_participants = ordered.map((id) => this.user(id));
      }
      return response;
    });
  }

  async message(row: MessageRow, viewerId: string | null): Promise<JsonObject> {
    return (await this.messages([row], viewerId))[0]!;
  }

  #message(row: MessageRow, reactions: ReactionRow[], viewerId: string | null): JsonObject {
    const deleted = row.deleted_at !== null;
    const counts: Record<string, number> = {};
    const scores: Record<string, number> = {};
    const groups: Record<string, JsonObject> = {};
    for (const reaction of deleted ? [] : reactions) {
      counts[reaction.type] = (counts[reaction.type] ?? 0) + 1;
      scores[reaction.type] = (scores[reaction.type] ?? 0) + reaction.score;
      const group = groups[reaction.type] as
        | { count: number; sum_scores: number; first_reaction_at: string; last_reaction_at: string }
        | undefined;
      const at = reaction.created_at.toISOString();
      if (!group) {
        groups[reaction.type] = {
          count: 1,
          sum_scores: reaction.score,
          first_reaction_at: at,
          last_reaction_at: at,
        };
      } else {
        group.count += 1;
        group.sum_scores += reaction.score;
        if (at < group.first_reaction_at) group.first_reaction_at = at;
        if (at > group.last_reaction_at) group.last_reaction_at = at;
      }
    }
    const visible = deleted ? [] : reactions;
    const text = deleted ? '' : row.text;
    const response: JsonObject = {
      ...asObject(row.data),
      id: row.id,
      text,
      html: text ? `<p>${escapeHtml(text)}</p>\n` : '',
      type: deleted ? 'deleted' : row.type,
      user: this.user(row.user_id),
      cid: row.cid,
      attachments: deleted ? [] : asArray(row.attachments),
      latest_reactions: visible.slice(0, 10).map((reaction) => this.reaction(reaction)),
      own_reactions: viewerId
        ? visible
            .filter((reaction) => reaction.user_id === viewerId)
            .map((reaction) => this.reaction(reaction))
        : [],
      reaction_counts: counts,
      reaction_scores: scores,
      reaction_groups: groups,
      reply_count: row.reply_count,
      deleted_reply_count: 0,
      created_at: row.created_at.toISOString(),
      updated_at: row.updated_at.toISOString(),
      shadowed: false,
      mentioned_users: asArray(row.mentioned_user_ids)
        .filter((id): id is string => typeof id === 'string')
        .map((id) => this.user(id)),
      silent: row.silent,
      pinned: row.pinned && !deleted,
      pinned_at: row.pinned && !deleted ? (iso(row.pinned_at) ?? null) : null,
      pinned_by: row.pinned && !deleted && row.pinned_by_id ? this.user(row.pinned_by_id) : null,
      pin_expires: row.pinned && !deleted ? (iso(row.pin_expires) ?? null) : null,
    };
    if (row.parent_id) {
      response.parent_id = row.parent_id;
      response.show_in_channel = row.show_in_channel;
    }
    if (row.quoted_message_id) response.quoted_message_id = row.quoted_message_id;
    if (row.deleted_at) response.deleted_at = row.deleted_at.toISOString();
    if (row.message_text_updated_at)
      response.message_text_updated_at = row.message_text_updated_at.toISOString();
    return response;
  }

  reaction(row: ReactionRow): JsonObject {
    return {
      ...asObject(row.data),
      type: row.type,
      score: row.score,
      user_id: row.user_id,
      user: this.user(row.user_id),
      message_id: row.message_id,
      created_at: row.created_at.toISOString(),
      updated_at: row.updated_at.toISOString(),
    };
  }

  // --------------------------------------------------------------------------------------- members

  member(row: MemberRow): JsonObject {
    return {
      user_id: row.user_id,
      user: this.user(row.user_id),
      created_at: row.created_at.toISOString(),
      updated_at: row.updated_at.toISOString(),
      channel_role: row.channel_role,
      role: row.channel_role === 'channel_moderator' ? 'moderator' : 'member',
      is_moderator: row.channel_role === 'channel_moderator',
      banned: false,
      shadow_banned: false,
      notifications_muted: false,
      status: 'member',
    };
  }

  async members(rows: MemberRow[]): Promise<JsonObject[]> {
    await this.loadUsers(rows.map((row) => row.user_id));
    return rows.map((row) => this.member(row));
  }

  // -------------------------------------------------------------------------------------- channels

  async channel(
    channel: ChannelRow,
    type: ChannelType,
    viewer: Viewer | null,
    known: { memberCount?: number; membership?: MemberRow | null } = {},
  ): Promise<JsonObject> {
    const memberCount =
      known.memberCount ?? (await countMembers(this.db, [channel.cid])).get(channel.cid) ?? 0;
    if (channel.created_by_id) await this.loadUsers([channel.created_by_id]);
    const response: JsonObject = {
      ...asObject(channel.data),
      id: channel.id,
      type: channel.type,
      cid: channel.cid,
      created_at: channel.created_at.toISOString(),
      updated_at: channel.updated_at.toISOString(),
      created_by: channel.created_by_id ? this.user(channel.created_by_id) : null,
      frozen: channel.frozen,
      disabled: false,
      member_count: memberCount,
      config: {
        ...type.config,
        name: type.name,
        commands: [],
        created_at: type.created_at.toISOString(),
        updated_at: type.updated_at.toISOString(),
      },
      hidden: false,
    };
    if (channel.last_message_at) response.last_message_at = channel.last_message_at.toISOString();
    if (viewer) {
      const subject: Subject = {
        userId: viewer.userId,
        userRole: viewer.role,
        channelRole: known.membership?.channel_role ?? null,
      };
      response.own_capabilities = ownCapabilities(
        type.grants,
        type.config,
        subject,
        channel.created_by_id === viewer.userId,
      );
    }
    return response;
  }

  /**
   * The full channel state (`POST /channels/{type}/{id}/query`, each entry of `POST /channels`).
   * `state: false` still returns the channel and its members; messages stay empty.
   */
  async channelState(
    channel: ChannelRow,
    type: ChannelType,
    viewer: Viewer | null,
    options: { state: boolean; messages: MessagePagination; membersLimit?: number; watchersLimit?: number },
  ): Promise<JsonObject> {
    const memberRows = await getMembers(this.db, channel.cid, options.membersLimit ?? 100);
    const members = await this.members(memberRows);
    const membership = viewer ? (memberRows.find((row) => row.user_id === viewer.userId) ?? null) : null;
    const memberCount =
      memberRows.length < (options.membersLimit ?? 100)
        ? memberRows.length
        : ((await countMembers(this.db, [channel.cid])).get(channel.cid) ?? 0);

    const messageRows = options.state
      ? await listMessages(this.db, { cid: channel.cid }, options.messages)
      : [];
    const pinnedRows = options.state ? await listPinnedMessages(this.db, channel.cid, this.now) : [];
    const messages = await this.messages(messageRows, viewer?.userId ?? null);
    const pinned = await this.messages(pinnedRows, viewer?.userId ?? null);

    const watcherIds = this.live.watcherUserIds(channel.cid);
    await this.loadUsers(watcherIds);
    const state: JsonObject = {
      channel: await this.channel(channel, type, viewer, { memberCount, membership }),
      members,
      messages,
      pinned_messages: pinned,
      watcher_count: watcherIds.length,
      watchers: watcherIds.slice(0, options.watchersLimit ?? 100).map((id) => this.user(id)),
      membership: membership ? this.member(membership) : null,
      threads: [],
      hidden: false,
    };
    if (type.config.read_events) {
      const unread = await unreadCounts(
        this.db,
        memberRows.map((row) => row.user_id),
        channel.cid,
      );
      const byUser = new Map(unread.map((row) => [row.user_id, row.unread]));
      state.read = memberRows.map((row) => ({
        user: this.user(row.user_id),
        last_read: row.last_read.toISOString(),
        last_read_message_id: row.last_read_message_id ?? undefined,
        unread_messages: byUser.get(row.user_id) ?? 0,
      }));
    }
    return state;
  }
}

export function presentUser(row: UserRow, online: boolean, extra: JsonObject = {}): JsonObject {
  return {
    ...asObject(row.data),
    id: row.id,
    role: row.role,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    ...(row.last_active ? { last_active: row.last_active.toISOString() } : {}),
    banned: false,
    online,
    ...extra,
  };
}

export function canReadChannel(
  type: ChannelType,
  viewer: Viewer,
  membership: MemberRow | null | undefined,
  checksDisabled: boolean,
): boolean {
  if (checksDisabled) return true;
  return isGranted(
    type.grants,
    { userId: viewer.userId, userRole: viewer.role, channelRole: membership?.channel_role ?? null },
    'read-channel',
  );
}
