/**
 * Channels: query (get-or-create and watch), query channels, update (data and members), partial update,
 * delete, stop watching, mark read, typing and custom events, pinned messages, members.
 */
import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { sql } from 'kysely';
import {
  actingUserId,
  authorize,
  deny,
  isString,
  loadChannel,
  loadChannelType,
  readBody,
  readPayload,
  userIdOf,
  viewerOf,
  type Caller,
  type EmulatorContext,
  type EmulatorEnv,
  type LoadedChannel,
} from './context.ts';
import { duration, fail } from './errors.ts';
import { channelEvent, toUsers, toWatchers, toWebhook } from './events.ts';
import { compileChannelFilter, compileChannelSort } from './filters.ts';
import { send } from './live.ts';
import { isGranted } from './permissions.ts';
import { Presenter, type Viewer } from './present.ts';
import { announceMessage, createMessage } from './routes-messages.ts';
import {
  addMembers,
  asArray,
  asObject,
  getChannel,
  getMember,
  getMembers,
  getUsers,
  insertChannel,
  latestMessageId,
  listChannelTypes,
  listPinnedMessages,
  markRead,
  readPagination,
  removeMembers,
  setMemberRole,
  updateChannelData,
  type ChannelRow,
  type ChannelType,
  type JsonObject,
  type MemberRow,
} from './store.ts';

/** Channel fields that are not custom data. */
const RESERVED_CHANNEL_FIELDS = new Set([
  'id',
  'type',
  'cid',
  'members',
  'created_by',
  'created_by_id',
  'created_at',
  'updated_at',
  'last_message_at',
  'member_count',
  'config',
  'own_capabilities',
  'frozen',
  'disabled',
  'hidden',
  'deleted_at',
  'truncated_at',
  'truncated_by',
  'team',
  'message_count',
]);

const CHANNEL_ID = /^[A-Za-z0-9@_\-!]{1,64}$/;

function channelData(input: JsonObject): JsonObject {
  const data: JsonObject = {};
  for (const [key, value] of Object.entries(input)) {
    if (!RESERVED_CHANNEL_FIELDS.has(key) && value !== undefined) data[key] = value;
  }
  return data;
}

interface MemberInput {
  user_id: string;
  channel_role: string;
}

function readMemberList(value: unknown, operation: string): MemberInput[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw fail.input(operation, 'members must be a list of user ids');
  const members = new Map<string, MemberInput>();
  for (const entry of value) {
    const userId =
      userIdOf(entry) ??
      (isString(asObject(entry).user_id) ? (asObject(entry).user_id as string) : undefined);
    if (!userId) throw fail.input(operation, 'every member needs a user id');
    const role = asObject(entry).channel_role;
    members.set(userId, { user_id: userId, channel_role: isString(role) ? role : 'channel_member' });
  }
  return [...members.values()];
}

async function requireUsers(ctx: EmulatorContext, ids: string[], operation: string): Promise<void> {
  const found = await getUsers(ctx.db, ids);
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw fail.input(
      operation,
      `The following users are involved in channel update operation, but don't exist: [${missing.join(' ')}]`,
    );
  }
}

function distinctId(memberIds: string[]): string {
  const sorted = [...new Set(memberIds)].sort();
  return `!members-${createHash('sha256').update(sorted.join(',')).digest('base64url').slice(0, 43)}`;
}

/** The state options of a channel query. */
function stateOptions(body: JsonObject) {
  return {
    state: body.state !== false,
    messages: readPagination(body.messages, 25, 300),
    membersLimit: Math.min(Math.max(Number(asObject(body.members).limit ?? 100) || 100, 1), 300),
    watchersLimit: Math.min(Math.max(Number(asObject(body.watchers).limit ?? 100) || 100, 0), 300),
  };
}

/** Registers a watch for the caller's connection and tells the other watchers. */
export async function startWatching(
  ctx: EmulatorContext,
  caller: Caller,
  connectionId: string | undefined,
  channel: ChannelRow,
) {
  if (caller.kind !== 'client') return;
  const connection = ctx.live.get(connectionId);
  if (!connection || connection.userId !== caller.userId) return;
  const first = ctx.live.watch(connection, channel.cid);
  if (!first) return;
  const presenter = new Presenter(ctx.db, ctx.live, ctx.now());
  await presenter.loadUsers([caller.userId]);
  const event = channelEvent(channel, 'user.watching.start', ctx.now(), {
    user: presenter.user(caller.userId),
    watcher_count: ctx.live.watcherCount(channel.cid),
  });
  for (const watcher of ctx.live.watchersOf(channel.cid)) {
    if (watcher.userId !== caller.userId) send(watcher, event);
  }
}

export async function stopWatchingEvent(ctx: EmulatorContext, cid: string, userId: string) {
  const channel = await getChannel(ctx.db, cid);
  if (!channel) return;
  const presenter = new Presenter(ctx.db, ctx.live, ctx.now());
  await presenter.loadUsers([userId]);
  await toWatchers(
    ctx,
    cid,
    channelEvent(channel, 'user.watching.stop', ctx.now(), { user: presenter.user(userId) }),
  );
}

async function announceMembersAdded(
  ctx: EmulatorContext,
  loaded: LoadedChannel,
  added: MemberRow[],
  options: { memberEvents: boolean },
) {
  if (added.length === 0) return;
  const now = ctx.now();
  const presenter = new Presenter(ctx.db, ctx.live, now);
  const channel = (await getChannel(ctx.db, loaded.channel.cid)) ?? loaded.channel;
  const channelResponse = await presenter.channel(channel, loaded.type, null);
  await presenter.members(added);
  for (const row of added) {
    const member = presenter.member(row);
    const event = channelEvent(channel, 'member.added', now, { member, user: member.user });
    if (options.memberEvents) {
      await toWatchers(ctx, channel.cid, event);
      await toWebhook(ctx, event, channel);
    }
    await toUsers(
      ctx,
      [row.user_id],
      channelEvent(channel, 'notification.added_to_channel', now, {
        channel: channelResponse,
        member,
        user: member.user,
      }),
      { unread: true, cid: channel.cid },
    );
  }
}

async function announceMembersRemoved(ctx: EmulatorContext, loaded: LoadedChannel, removed: MemberRow[]) {
  if (removed.length === 0) return;
  const now = ctx.now();
  const presenter = new Presenter(ctx.db, ctx.live, now);
  const channel = (await getChannel(ctx.db, loaded.channel.cid)) ?? loaded.channel;
  const channelResponse = await presenter.channel(channel, loaded.type, null);
  await presenter.members(removed);
  for (const row of removed) {
    const member = presenter.member(row);
    const event = channelEvent(channel, 'member.removed', now, { member, user: member.user });
    await toWatchers(ctx, channel.cid, event);
    // The removed user stops receiving the channel's events at once.
    ctx.live.unwatchAll(channel.cid, row.user_id);
    await toUsers(
      ctx,
      [row.user_id],
      channelEvent(channel, 'notification.removed_from_channel', now, {
        channel: channelResponse,
        member,
        user: member.user,
      }),
      { unread: true },
    );
    await toWebhook(ctx, event, channel);
  }
}

async function channelUpdatedEvent(
  ctx: EmulatorContext,
  loaded: LoadedChannel,
  channel: ChannelRow,
  actorId: string | undefined,
) {
  const presenter = new Presenter(ctx.db, ctx.live, ctx.now());
  if (actorId) await presenter.loadUsers([actorId]);
  const event = channelEvent(channel, 'channel.updated', ctx.now(), {
    channel: await presenter.channel(channel, loaded.type, null),
    ...(actorId ? { user: presenter.user(actorId) } : {}),
  });
  await toWatchers(ctx, channel.cid, event);
  await toWebhook(ctx, event, channel);
}

/** get-or-create, then optionally watch; shared by the id and the distinct (members-only) forms. */
async function queryChannel(
  ctx: EmulatorContext,
  caller: Caller,
  connectionId: string | undefined,
  type: ChannelType,
  id: string | undefined,
  body: JsonObject,
) {
  const operation = 'GetOrCreateChannel';
  const data = asObject(body.data);
  const members = readMemberList(data.members, operation);
  const channelId =
    id ?? (members.length > 0 ? distinctId(members.map((member) => member.user_id)) : undefined);
  if (!channelId) throw fail.input(operation, 'either channel.id or channel.members is required');
  if (!CHANNEL_ID.test(channelId))
    throw fail.input(operation, 'channel id may only contain letters, digits and @_-!');
  const cid = `${type.name}:${channelId}`;
  let channel = await getChannel(ctx.db, cid);
  let created = false;
  let addedMembers: MemberRow[] = [];

  if (!channel) {
    const creatorId =
      caller.kind === 'client'
        ? caller.userId
        : (userIdOf(data.created_by) ??
          (isString(data.created_by_id) ? data.created_by_id : undefined) ??
          userIdOf(body.created_by) ??
          (isString(body.created_by_id) ? body.created_by_id : undefined));
    if (!creatorId) {
      throw fail.input(
        operation,
        'either data.created_by or data.created_by_id is required when using server side auth',
      );
    }
    if (caller.kind === 'client' && !ctx.settings().disable_permissions_checks) {
      const creator = await viewerOf(ctx.db, caller.userId);
      const subject = { userId: caller.userId, userRole: creator?.role ?? 'user', channelRole: null };
      if (!isGranted(type.grants, subject, 'create-channel'))
        throw deny(operation, subject, 'create-channel', type.name);
    }
    await requireUsers(ctx, [...new Set([creatorId, ...members.map((member) => member.user_id)])], operation);
    const now = ctx.now();
    try {
      ({ channel, addedMembers } = await ctx.db.transaction().execute(async (trx) => {
        const inserted = await insertChannel(
          trx,
          { cid, type: type.name, id: channelId, created_by_id: creatorId, data: channelData(data) },
          now,
        );
        return { channel: inserted, addedMembers: await addMembers(trx, cid, members, now) };
      }));
      created = true;
    } catch (error) {
      // Created concurrently by someone else: fall through to reading it.
      channel = await getChannel(ctx.db, cid);
      if (!channel) throw error;
    }
  }

  const loaded: LoadedChannel = { channel, type };
  const viewer: Viewer | null =
    caller.kind === 'client'
      ? await viewerOf(ctx.db, caller.userId)
      : await viewerOf(ctx.db, isString(body.user_id) ? body.user_id : undefined);
  if (!created) await authorize(ctx, caller, loaded, 'read-channel', operation);

  if (created) {
    const presenter = new Presenter(ctx.db, ctx.live, ctx.now());
    if (channel.created_by_id) await presenter.loadUsers([channel.created_by_id]);
    const event = channelEvent(channel, 'channel.created', channel.created_at, {
      channel: await presenter.channel(channel, type, null),
      ...(channel.created_by_id ? { user: presenter.user(channel.created_by_id) } : {}),
    });
    await toWebhook(ctx, event, channel);
    await announceMembersAdded(ctx, loaded, addedMembers, { memberEvents: false });
  }

  if (body.watch === true) await startWatching(ctx, caller, connectionId, channel);
  const presenter = new Presenter(ctx.db, ctx.live, ctx.now());
  return presenter.channelState(channel, type, viewer, stateOptions(body));
}

export function channelRoutes(ctx: EmulatorContext) {
  return new Hono<EmulatorEnv>()
    .post('/channels', async (c) => {
      const operation = 'QueryChannels';
      const caller = c.get('caller');
      const body = await readBody(c, operation);
      const viewerId =
        caller.kind === 'client' ? caller.userId : isString(body.user_id) ? body.user_id : undefined;
      const viewer = await viewerOf(ctx.db, viewerId);
      const limit = Math.min(Math.max(Number(body.limit ?? 10) || 10, 1), 30);
      const offset = Math.max(Number(body.offset ?? 0) || 0, 0);
      let query = ctx.db
        .selectFrom('stream_channels as c')
        .selectAll('c')
        .where(compileChannelFilter(body.filter_conditions, { viewerId }));
      if (caller.kind === 'client' && !ctx.settings().disable_permissions_checks) {
        // A client sees the channels it may read: its memberships, plus whole types its role may read.
        const readableTypes = (await listChannelTypes(ctx.db))
          .filter((type) =>
            isGranted(
              type.grants,
              { userId: caller.userId, userRole: viewer!.role, channelRole: null },
              'read-channel',
            ),
          )
          .map((type) => type.name);
        query = query.where((eb) =>
          eb.or([
            eb.exists(
              eb
                .selectFrom('stream_members as own')
                .select(sql`1`.as('one'))
                .whereRef('own.cid', '=', 'c.cid')
                .where('own.user_id', '=', caller.userId),
            ),
            ...(readableTypes.length > 0 ? [eb('c.type', 'in', readableTypes)] : []),
          ]),
        );
      }
      for (const sort of compileChannelSort(body.sort)) {
        query = query.orderBy(sort.expression, (ob) =>
          sort.direction === 'asc' ? ob.asc().nullsLast() : ob.desc().nullsLast(),
        );
      }
      const rows = await query.orderBy('c.cid').limit(limit).offset(offset).execute();
      const types = new Map((await listChannelTypes(ctx.db)).map((type) => [type.name, type]));
      const options = {
        ...stateOptions({
          ...body,
          messages: { limit: body.message_limit ?? 25 },
          members: { limit: body.member_limit ?? 100 },
        }),
      };
      const channels: JsonObject[] = [];
      for (const row of rows) {
        const type = types.get(row.type);
        if (!type) continue;
        if (body.watch === true) await startWatching(ctx, caller, c.req.query('connection_id'), row);
        const presenter = new Presenter(ctx.db, ctx.live, ctx.now());
        channels.push(await presenter.channelState(row, type, viewer, options));
      }
      return c.json({ channels, duration: duration(c.get('startedAt')) }, 201);
    })
    .post('/channels/read', async (c) => {
      const operation = 'MarkAllRead';
      const caller = c.get('caller');
      const body = await readBody(c, operation);
      const userId = actingUserId(caller, body.user_id, body.user);
      if (!userId) throw fail.input(operation, 'user_id is required when using server side auth');
      const now = ctx.now();
      await ctx.db
        .updateTable('stream_members')
        .set({ last_read: now })
        .where('user_id', '=', userId)
        .execute();
      await toUsers(
        ctx,
        [userId],
        { type: 'notification.mark_read', created_at: now.toISOString() },
        { unread: true },
      );
      return c.json({ duration: duration(c.get('startedAt')) }, 201);
    })
    .post('/channels/:type/query', async (c) => {
      const caller = c.get('caller');
      const type = await loadChannelType(ctx.db, c.req.param('type'), 'GetOrCreateChannel');
      const body = await readBody(c, 'GetOrCreateChannel');
      const state = await queryChannel(ctx, caller, c.req.query('connection_id'), type, undefined, body);
      return c.json({ ...state, duration: duration(c.get('startedAt')) }, 201);
    })
    .post('/channels/:type/:id/query', async (c) => {
      const caller = c.get('caller');
      const type = await loadChannelType(ctx.db, c.req.param('type'), 'GetOrCreateChannel');
      const body = await readBody(c, 'GetOrCreateChannel');
      const state = await queryChannel(
        ctx,
        caller,
        c.req.query('connection_id'),
        type,
        c.req.param('id'),
        body,
      );
      return c.json({ ...state, duration: duration(c.get('startedAt')) }, 201);
    })
    .post('/channels/:type/:id', async (c) => {
      const operation = 'UpdateChannel';
      const caller = c.get('caller');
      const loaded = await loadChannel(ctx.db, c.req.param('type'), c.req.param('id'), operation);
      const { channel } = loaded;
      const body = await readBody(c, operation);
      const actorId = actingUserId(caller, body.user_id, body.user);
      const owns = caller.kind === 'client' && channel.created_by_id === caller.userId;
      for (const unsupported of [
        'invites',
        'accept_invite',
        'reject_invite',
        'add_filter_tags',
        'remove_filter_tags',
        'assign_roles',
      ]) {
        if (body[unsupported] !== undefined)
          throw fail.input(operation, `${unsupported} is not supported by the emulator`);
      }
      if (
        body.data !== undefined &&
        (typeof body.data !== 'object' || body.data === null || Array.isArray(body.data))
      ) {
        throw fail.input(operation, 'data must be an object');
      }
      for (const list of ['add_members', 'remove_members', 'add_moderators', 'demote_moderators']) {
        if (body[list] !== undefined && !Array.isArray(body[list]))
          throw fail.input(operation, `${list} must be a list`);
      }
      const data = body.data === undefined ? undefined : channelData(asObject(body.data));
      const cooldown = typeof body.cooldown === 'number' ? body.cooldown : undefined;
      const add = readMemberList(body.add_members, operation);
      const remove = [...new Set(asArray(body.remove_members).map(userIdOf).filter(isString))];
      const promote = [...new Set(asArray(body.add_moderators).map(userIdOf).filter(isString))];
      const demote = [...new Set(asArray(body.demote_moderators).map(userIdOf).filter(isString))];

      // Every check happens before the first write: a refused update changes nothing.
      if (data !== undefined || cooldown !== undefined)
        await authorize(ctx, caller, loaded, 'update-channel', operation, { owns });
      if (add.length > 0 || promote.length > 0 || demote.length > 0) {
        await authorize(ctx, caller, loaded, 'update-channel-members', operation, { owns });
      }
      if (remove.length > 0) {
        const leavingOnly = caller.kind === 'client' && remove.length === 1 && remove[0] === caller.userId;
        if (leavingOnly) {
          try {
            await authorize(ctx, caller, loaded, 'update-channel-members', operation, { owns });
          } catch {
            await authorize(ctx, caller, loaded, 'remove-own-channel-membership', operation);
          }
        } else {
          await authorize(ctx, caller, loaded, 'update-channel-members', operation, { owns });
        }
      }
      if (add.length > 0)
        await requireUsers(
          ctx,
          add.map((member) => member.user_id),
          operation,
        );
      const message = body.message === undefined ? undefined : asObject(body.message);

      const now = ctx.now();
      const result = await ctx.db.transaction().execute(async (trx) => {
        let updated = channel;
        if (data !== undefined || cooldown !== undefined) {
          const next = data ?? asObject(channel.data);
          if (cooldown !== undefined) next.cooldown = cooldown;
          updated = await updateChannelData(trx, channel.cid, next, now);
        }
        const added = await addMembers(trx, channel.cid, add, now);
        const removed = await removeMembers(trx, channel.cid, remove);
        const promoted = await setMemberRole(trx, channel.cid, promote, 'channel_moderator', now);
        const demoted = await setMemberRole(trx, channel.cid, demote, 'channel_member', now);
        if (added.length + removed.length + promoted.length + demoted.length > 0 && data === undefined) {
          updated = await trx
            .updateTable('stream_channels')
            .set({ updated_at: now })
            .where('cid', '=', channel.cid)
            .returningAll()
            .executeTakeFirstOrThrow();
        }
        return { updated, added, removed, changedRoles: [...promoted, ...demoted] };
      });

      const after: LoadedChannel = { channel: result.updated, type: loaded.type };
      if (data !== undefined || cooldown !== undefined)
        await channelUpdatedEvent(ctx, after, result.updated, actorId);
      await announceMembersAdded(ctx, after, result.added, { memberEvents: true });
      await announceMembersRemoved(ctx, after, result.removed);
      if (result.changedRoles.length > 0) {
        const presenter = new Presenter(ctx.db, ctx.live, now);
        await presenter.members(result.changedRoles);
        for (const row of result.changedRoles) {
          const member = presenter.member(row);
          const event = channelEvent(result.updated, 'member.updated', now, { member, user: member.user });
          await toWatchers(ctx, channel.cid, event);
          await toWebhook(ctx, event, result.updated);
        }
      }
      let messageResponse: JsonObject | undefined;
      if (message && (isString(message.text) || asArray(message.attachments).length > 0)) {
        const created = await createMessage(ctx, caller, after, message, operation, actorId);
        await announceMessage(ctx, after, created);
        messageResponse = await new Presenter(ctx.db, ctx.live, ctx.now()).message(created.row, null);
      }
      const presenter = new Presenter(ctx.db, ctx.live, ctx.now());
      const viewer = await viewerOf(ctx.db, caller.kind === 'client' ? caller.userId : undefined);
      const members = await getMembers(ctx.db, channel.cid);
      const membership = viewer ? (members.find((member) => member.user_id === viewer.userId) ?? null) : null;
      return c.json(
        {
          channel: await presenter.channel(result.updated, loaded.type, viewer, { membership }),
          members: await presenter.members(members),
          ...(messageResponse ? { message: messageResponse } : {}),
          duration: duration(c.get('startedAt')),
        },
        201,
      );
    })
    .patch('/channels/:type/:id', async (c) => {
      const operation = 'UpdateChannelPartial';
      const caller = c.get('caller');
      const loaded = await loadChannel(ctx.db, c.req.param('type'), c.req.param('id'), operation);
      const body = await readBody(c, operation);
      const owns = caller.kind === 'client' && loaded.channel.created_by_id === caller.userId;
      await authorize(ctx, caller, loaded, 'update-channel', operation, { owns });
      if (
        body.set !== undefined &&
        (typeof body.set !== 'object' || body.set === null || Array.isArray(body.set))
      ) {
        throw fail.input(operation, 'set must be an object');
      }
      if (body.unset !== undefined && !Array.isArray(body.unset))
        throw fail.input(operation, 'unset must be a list');
      const data = { ...asObject(loaded.channel.data), ...channelData(asObject(body.set)) };
      for (const key of asArray(body.unset).filter(isString)) delete data[key];
      const updated = await updateChannelData(ctx.db, loaded.channel.cid, data, ctx.now());
      const actorId = actingUserId(caller, body.user_id, body.user);
      await channelUpdatedEvent(ctx, { channel: updated, type: loaded.type }, updated, actorId);
      const presenter = new Presenter(ctx.db, ctx.live, ctx.now());
      const viewer = await viewerOf(ctx.db, caller.kind === 'client' ? caller.userId : undefined);
      const members = await getMembers(ctx.db, updated.cid);
      const membership = viewer ? (members.find((member) => member.user_id === viewer.userId) ?? null) : null;
      return c.json(
        {
          channel: await presenter.channel(updated, loaded.type, viewer, { membership }),
          members: await presenter.members(members),
          duration: duration(c.get('startedAt')),
        },
        200,
      );
    })
    .delete('/channels/:type/:id', async (c) => {
      const operation = 'DeleteChannel';
      const caller = c.get('caller');
      const loaded = await loadChannel(ctx.db, c.req.param('type'), c.req.param('id'), operation);
      const { channel } = loaded;
      const owns = caller.kind === 'client' && channel.created_by_id === caller.userId;
      await authorize(ctx, caller, loaded, 'delete-channel', operation, { owns });
      const members = await getMembers(ctx.db, channel.cid, 10_000);
      const presenter = new Presenter(ctx.db, ctx.live, ctx.now());
      const channelResponse = await presenter.channel(channel, loaded.type, null, {
        memberCount: members.length,
      });
      await ctx.db.deleteFrom('stream_channels').where('cid', '=', channel.cid).execute();
      const now = ctx.now();
      const deletedChannel = { ...channelResponse, deleted_at: now.toISOString() };
      const event = channelEvent(channel, 'channel.deleted', now, { channel: deletedChannel });
      await toWatchers(ctx, channel.cid, event);
      await toUsers(
        ctx,
        members.map((member) => member.user_id),
        { ...event, type: 'notification.channel_deleted' },
        { unlessWatching: channel.cid },
      );
      ctx.live.unwatchAll(channel.cid);
      await toWebhook(ctx, event);
      return c.json({ channel: deletedChannel, duration: duration(c.get('startedAt')) }, 200);
    })
    .post('/channels/:type/:id/stop-watching', async (c) => {
      const caller = c.get('caller');
      const cid = `${c.req.param('type')}:${c.req.param('id')}`;
      const connection = ctx.live.get(c.req.query('connection_id'));
      if (caller.kind === 'client' && connection && connection.userId === caller.userId) {
        if (ctx.live.unwatch(connection, cid)) await stopWatchingEvent(ctx, cid, caller.userId);
      }
      return c.json({ duration: duration(c.get('startedAt')) }, 201);
    })
    .post('/channels/:type/:id/read', async (c) => {
      const operation = 'MarkRead';
      const caller = c.get('caller');
      const loaded = await loadChannel(ctx.db, c.req.param('type'), c.req.param('id'), operation);
      const { channel } = loaded;
      const body = await readBody(c, operation);
      const userId = actingUserId(caller, body.user_id, body.user);
      if (!userId) throw fail.input(operation, 'user_id is required when using server side auth');
      const membership = await getMember(ctx.db, channel.cid, userId);
      await authorize(ctx, caller, loaded, 'read-channel', operation, { membership: membership ?? null });
      if (!membership)
        throw fail.input(operation, `user ${userId} is not a member of channel ${channel.cid}`);
      const now = ctx.now();
      const presenter = new Presenter(ctx.db, ctx.live, now);
      await presenter.loadUsers([userId]);
      if (isString(body.thread_id)) {
        // Thread read state is not tracked: acknowledge without touching the channel's read state.
        const event = channelEvent(channel, 'message.read', now, {
          user: presenter.user(userId),
          thread_id: body.thread_id,
        });
        return c.json({ event, duration: duration(c.get('startedAt')) }, 201);
      }
      let lastReadMessageId = isString(body.message_id)
        ? body.message_id
        : await latestMessageId(ctx.db, channel.cid);
      if (isString(body.message_id)) {
        const message = await ctx.db
          .selectFrom('stream_messages')
          .select('id')
          .where('id', '=', body.message_id)
          .where('cid', '=', channel.cid)
          .executeTakeFirst();
        if (!message)
          throw fail.input(operation, `message ${body.message_id} is not in channel ${channel.cid}`);
        lastReadMessageId = message.id;
      }
      await markRead(ctx.db, channel.cid, userId, now, lastReadMessageId);
      const event = channelEvent(channel, 'message.read', now, {
        user: presenter.user(userId, { channel_last_read_at: now.toISOString() }),
        ...(lastReadMessageId ? { last_read_message_id: lastReadMessageId } : {}),
      });
      await toWatchers(ctx, channel.cid, event);
      await toUsers(
        ctx,
        [userId],
        {
          ...event,
          type: 'notification.mark_read',
          channel: await presenter.channel(channel, loaded.type, null),
        },
        { unread: true, cid: channel.cid },
      );
      await toWebhook(ctx, event, channel);
      return c.json({ event, duration: duration(c.get('startedAt')) }, 201);
    })
    .post('/channels/:type/:id/event', async (c) => {
      const operation = 'SendEvent';
      const caller = c.get('caller');
      const loaded = await loadChannel(ctx.db, c.req.param('type'), c.req.param('id'), operation);
      const { channel, type } = loaded;
      const body = await readBody(c, operation);
      const input = asObject(body.event);
      if (!isString(input.type)) throw fail.input(operation, 'event.type is required');
      const userId = actingUserId(caller, input.user_id, input.user);
      if (!userId)
        throw fail.input(operation, 'event.user or event.user_id is required when using server side auth');
      const membership = (await getMember(ctx.db, channel.cid, userId)) ?? null;
      const typing = input.type === 'typing.start' || input.type === 'typing.stop';
      if (typing) {
        if (!type.config.typing_events)
          throw fail.input(operation, 'typing events are disabled for this channel type');
        await authorize(ctx, caller, loaded, 'read-channel', operation, { membership });
        if (caller.kind === 'client' && !membership && !ctx.settings().disable_permissions_checks) {
          throw fail.notAllowed(operation, `user ${userId} is not a member of channel ${channel.cid}`);
        }
      } else {
        if (
          /^(message|reaction|member|channel|notification|user|health|connection|typing)\./.test(input.type)
        ) {
          throw fail.input(operation, `event type ${input.type} is reserved`);
        }
        if (!type.config.custom_events)
          throw fail.input(operation, 'custom events are disabled for this channel type');
        await authorize(ctx, caller, loaded, 'send-custom-event', operation, { membership });
      }
      const presenter = new Presenter(ctx.db, ctx.live, ctx.now());
      await presenter.loadUsers([userId]);
      const custom: JsonObject = {};
      for (const [key, value] of Object.entries(input)) {
        if (
          ![
            'type',
            'user',
            'user_id',
            'cid',
            'channel_id',
            'channel_type',
            'created_at',
            'channel',
            'message',
            'member',
          ].includes(key)
        )
          custom[key] = value;
      }
      const event = channelEvent(channel, input.type, ctx.now(), { ...custom, user: presenter.user(userId) });
      await toWatchers(ctx, channel.cid, event);
      return c.json({ event, duration: duration(c.get('startedAt')) }, 201);
    })
    .get('/channels/:type/:id/pinned_messages', async (c) => {
      const operation = 'GetPinnedMessages';
      const caller = c.get('caller');
      const loaded = await loadChannel(ctx.db, c.req.param('type'), c.req.param('id'), operation);
      await authorize(ctx, caller, loaded, 'read-channel', operation);
      const payload = readPayload(c, operation);
      const limit = Math.min(Math.max(Number(payload.limit ?? 10) || 10, 1), 100);
      const ascending = asArray(payload.sort).some((entry) => Number(asObject(entry).direction) === 1);
      const rows = await listPinnedMessages(ctx.db, loaded.channel.cid, ctx.now(), limit, ascending);
      const presenter = new Presenter(ctx.db, ctx.live, ctx.now());
      const viewerId = caller.kind === 'client' ? caller.userId : null;
      return c.json(
        { messages: await presenter.messages(rows, viewerId), duration: duration(c.get('startedAt')) },
        200,
      );
    })
    .get('/channels/:type/:id/messages', async (c) => {
      const operation = 'GetManyMessages';
      const caller = c.get('caller');
      const loaded = await loadChannel(ctx.db, c.req.param('type'), c.req.param('id'), operation);
      await authorize(ctx, caller, loaded, 'read-channel', operation);
      const ids = (c.req.query('ids') ?? '').split(',').filter(Boolean).slice(0, 100);
      const rows =
        ids.length === 0
          ? []
          : await ctx.db
              .selectFrom('stream_messages')
              .selectAll()
              .where('cid', '=', loaded.channel.cid)
              .where('id', 'in', ids)
              .orderBy('seq')
              .execute();
      const presenter = new Presenter(ctx.db, ctx.live, ctx.now());
      const viewerId = caller.kind === 'client' ? caller.userId : null;
      return c.json(
        { messages: await presenter.messages(rows, viewerId), duration: duration(c.get('startedAt')) },
        200,
      );
    })
    .get('/members', async (c) => {
      const operation = 'QueryMembers';
      const caller = c.get('caller');
      const payload = readPayload(c, operation);
      if (!isString(payload.type) || !isString(payload.id))
        throw fail.input(operation, 'type and id are required');
      const loaded = await loadChannel(ctx.db, payload.type, payload.id, operation);
      await authorize(ctx, caller, loaded, 'read-channel-members', operation);
      const filter = asObject(payload.filter_conditions);
      const limit = Math.min(Math.max(Number(payload.limit ?? 100) || 100, 1), 300);
      const offset = Math.max(Number(payload.offset ?? 0) || 0, 0);
      let query = ctx.db
        .selectFrom('stream_members as m')
        .innerJoin('stream_users as u', 'u.id', 'm.user_id')
        .selectAll('m')
        .where('m.cid', '=', loaded.channel.cid);
      const idFilter = filter.id ?? filter.user_id;
      if (isString(idFilter)) query = query.where('m.user_id', '=', idFilter);
      const idIn = asObject(idFilter).$in;
      if (Array.isArray(idIn))
        query = query.where('m.user_id', 'in', idIn.filter(isString).length ? idIn.filter(isString) : ['']);
      const name = asObject(filter.name);
      const needle = isString(name.$autocomplete)
        ? name.$autocomplete
        : isString(name.$q)
          ? name.$q
          : isString(filter.name)
            ? filter.name
            : undefined;
      if (needle)
        query = query.where(
          sql<boolean>`u.data ->> 'name' ilike ${`%${needle.replace(/[\\%_]/g, (m) => `\\${m}`)}%`}`,
        );
      const rows = await query
        .orderBy('m.created_at')
        .orderBy('m.user_id')
        .limit(limit)
        .offset(offset)
        .execute();
      const presenter = new Presenter(ctx.db, ctx.live, ctx.now());
      return c.json({ members: await presenter.members(rows), duration: duration(c.get('startedAt')) }, 200);
    });
}
