/**
 * Messages: send, get, update (full and partial, which is also how pin/unpin travel), delete, thread
 * replies and reactions.
 */
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import {
  actingUserId,
  authorize,
  isString,
  loadChannel,
  readBody,
  readPayload,
  type Caller,
  type EmulatorContext,
  type EmulatorEnv,
  type LoadedChannel,
} from './context.ts';
import { duration, fail } from './errors.ts';
import { channelEvent, toUsers, toWatchers, toWebhook } from './events.ts';
import { Presenter } from './present.ts';
import { json } from './schema.ts';
import {
  asArray,
  asObject,
  getMember,
  getMessage,
  getUser,
  isDuplicateKey,
  listMessages,
  readPagination,
  upsertUser,
  userData,
  type JsonObject,
  type MessageRow,
  type ReactionRow,
} from './store.ts';

/** Fields of a message object that are not custom data. */
const RESERVED_MESSAGE_FIELDS = new Set([
  'id',
  'text',
  'html',
  '__html',
  'type',
  'user',
  'user_id',
  'attachments',
  'latest_reactions',
  'own_reactions',
  'reaction_counts',
  'reaction_scores',
  'reaction_groups',
  'reply_count',
  'deleted_reply_count',
  'cid',
  'created_at',
  'updated_at',
  'deleted_at',
  'shadowed',
  'mentioned_users',
  'mentioned_channel',
  'mentioned_here',
  'mentioned_roles',
  'mentioned_group_ids',
  'mentioned_groups',
  'silent',
  'pinned',
  'pinned_at',
  'pinned_by',
  'pinned_by_id',
  'pin_expires',
  'parent_id',
  'show_in_channel',
  'quoted_message_id',
  'quoted_message',
  'thread_participants',
  'message_text_updated_at',
  'i18n',
  'command',
  'command_info',
  'args',
  'status',
  'error',
  'channel',
  'member',
  'poll',
  'poll_id',
  'reminder',
  'shared_location',
  'moderation',
  'moderation_details',
  'before_message_send_failed',
  'restricted_visibility',
  'deleted_for_me',
]);

const MESSAGE_ID = /^[A-Za-z0-9@_\-:.!]{1,255}$/;

function customData(input: JsonObject): JsonObject {
  const data: JsonObject = {};
  for (const [key, value] of Object.entries(input)) {
    if (!RESERVED_MESSAGE_FIELDS.has(key) && value !== undefined) data[key] = value;
  }
  return data;
}

function readAttachments(value: unknown, operation: string): JsonObject[] {
  if (value === undefined || value === null) return [];
  if (
    !Array.isArray(value) ||
    value.some((item) => !item || typeof item !== 'object' || Array.isArray(item))
  ) {
    throw fail.input(operation, 'attachments must be a list of objects');
  }
  return value as JsonObject[];
}

function readMentions(value: unknown): string[] {
  return [
    ...new Set(
      asArray(value)
        .map((entry) => (typeof entry === 'string' ? entry : asObject(entry).id))
        .filter(isString),
    ),
  ];
}

/** JSON with sorted keys: jsonb does not keep key order, so compare values this way. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner as JsonObject).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : inner,
  );
}

function hasLink(text: string): boolean {
  return /\bhttps?:\/\/\S/i.test(text) || /\bwww\.\S+\.\S/i.test(text);
}

function checkText(loaded: LoadedChannel, text: string, operation: string): void {
  const max = loaded.type.config.max_message_length;
  if (text.length > max) {
    throw fail.messageTooLong(
      operation,
      `message is too long: ${text.length} characters, the limit is ${max}`,
    );
  }
}

/** The date a client pins with: `pinned_at` from `pinMessage(…, pinnedAt)`, or now. */
function pinDate(value: unknown, now: Date): Date {
  if (typeof value === 'string' && !Number.isNaN(new Date(value).getTime())) return new Date(value);
  return now;
}

function readExpiry(value: unknown, operation: string): Date | null {
  if (value === undefined || value === null || value === '') return null;
  const date = new Date(value as string);
  if (typeof value !== 'string' || Number.isNaN(date.getTime())) {
    throw fail.input(operation, 'pin_expires must be a date');
  }
  return date;
}

export interface CreatedMessage {
  row: MessageRow;
  parent?: MessageRow;
}

/**
 * Validates and stores a new message (shared by `sendMessage` and the message that may accompany a
 * channel update). Permission checks happen here for client callers; nothing is written when one fails.
 */
export async function createMessage(
  ctx: EmulatorContext,
  caller: Caller,
  loaded: LoadedChannel,
  input: JsonObject,
  operation: string,
  extraUser?: unknown,
): Promise<CreatedMessage> {
  const { channel } = loaded;
  const userId = actingUserId(caller, input.user_id, input.user, extraUser);
  if (!userId) {
    throw fail.input(operation, 'message.user or message.user_id is required when using server side auth');
  }
  // Server-side, Stream creates the user a message names (once the message is known to be valid).
  const createSender = !(await getUser(ctx.db, userId));
  if (createSender && caller.kind === 'client')
    throw fail.notFound(operation, `user "${userId}" does not exist`);
  const membership = (await getMember(ctx.db, channel.cid, userId)) ?? null;

  const text = typeof input.text === 'string' ? input.text : '';
  const attachments = readAttachments(input.attachments, operation);
  const mentions = readMentions(input.mentioned_users);
  if (!text.trim() && attachments.length === 0 && input.poll_id === undefined) {
    throw fail.input(operation, 'message.text or message.attachments is required');
  }
  checkText(loaded, text, operation);
  if (channel.frozen && caller.kind === 'client') {
    throw fail.notAllowed(operation, `channel "${channel.cid}" is frozen`);
  }

  await authorize(ctx, caller, loaded, 'create-message', operation, { membership });
  if (attachments.length > 0)
    await authorize(ctx, caller, loaded, 'create-attachment', operation, { membership });
  if (mentions.length > 0) await authorize(ctx, caller, loaded, 'create-mention', operation, { membership });
  if (hasLink(text)) await authorize(ctx, caller, loaded, 'add-links', operation, { membership });
  if (input.pinned === true) await authorize(ctx, caller, loaded, 'pin-message', operation, { membership });

  let parent: MessageRow | undefined;
  if (isString(input.parent_id)) {
    parent = await getMessage(ctx.db, input.parent_id);
    if (!parent || parent.cid !== channel.cid) {
      throw fail.input(
        operation,
        `parent message "${input.parent_id}" does not exist in channel ${channel.cid}`,
      );
    }
    if (parent.parent_id)
      throw fail.input(operation, 'replies to replies are not allowed (one thread level)');
    if (!loaded.type.config.replies)
      throw fail.input(operation, 'replies are disabled for this channel type');
  }
  let quotedId: string | null = null;
  if (isString(input.quoted_message_id)) {
    const quoted = await getMessage(ctx.db, input.quoted_message_id);
    if (!quoted || quoted.cid !== channel.cid) {
      throw fail.input(
        operation,
        `quoted message "${input.quoted_message_id}" does not exist in channel ${channel.cid}`,
      );
    }
    quotedId = quoted.id;
  }
  const id = input.id === undefined || input.id === '' ? randomUUID() : input.id;
  if (typeof id !== 'string' || !MESSAGE_ID.test(id)) {
    throw fail.input(operation, 'message.id may only contain letters, digits and @_-:.!');
  }
  const type = caller.kind === 'server' && input.type === 'system' ? 'system' : 'regular';
  const now = ctx.now();
  const showInChannel = Boolean(parent && input.show_in_channel === true);
  const visibleInChannel = !parent || showInChannel;

  try {
    const row = await ctx.db.transaction().execute(async (trx) => {
      if (createSender) await upsertUser(trx, { id: userId, data: userData(asObject(input.user)) }, now);
      const inserted = await trx
        .insertInto('stream_messages')
        .values({
          id,
          cid: channel.cid,
          user_id: userId,
          type,
          text,
          attachments: json(attachments),
          mentioned_user_ids: json(mentions),
          data: json(customData(input)),
          parent_id: parent?.id ?? null,
          show_in_channel: showInChannel,
          quoted_message_id: quotedId,
          pinned: input.pinned === true,
          pinned_at: input.pinned === true ? now : null,
          pinned_by_id: input.pinned === true ? userId : null,
          pin_expires: input.pinned === true ? readExpiry(input.pin_expires, operation) : null,
          silent: input.silent === true,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      if (parent) {
        parent = await trx
          .updateTable('stream_messages')
          .set((eb) => ({ reply_count: eb('reply_count', '+', 1) }))
          .where('id', '=', parent.id)
          .returningAll()
          .executeTakeFirstOrThrow();
      }
      if (visibleInChannel) {
        await trx
          .updateTable('stream_channels')
          .set({ last_message_at: now })
          .where('cid', '=', channel.cid)
          .execute();
        // The sender has read their own message, as stream-chat assumes locally.
        await trx
          .updateTable('stream_members')
          .set({ last_read: now, last_read_message_id: id })
          .where('cid', '=', channel.cid)
          .where('user_id', '=', userId)
          .execute();
      }
      return inserted;
    });
    return { row, parent };
  } catch (error) {
    if (isDuplicateKey(error)) throw fail.input(operation, `a message with ID ${id} already exists`);
    throw error;
  }
}

/** Events for a new message: `message.new` to watchers, `notification.message_new` to other members. */
export async function announceMessage(ctx: EmulatorContext, loaded: LoadedChannel, created: CreatedMessage) {
  const { channel, type } = loaded;
  const presenter = new Presenter(ctx.db, ctx.live, ctx.now());
  const message = await presenter.message(created.row, null);
  const now = created.row.created_at;
  const event = channelEvent(channel, 'message.new', now, {
    message,
    user: message.user,
    message_id: created.row.id,
    ...(created.parent ? { parent_id: created.parent.id } : { channel_last_message_at: now.toISOString() }),
  });
  await toWatchers(ctx, channel.cid, event, { unread: true });
  const visibleInChannel = !created.parent || created.row.show_in_channel;
  if (visibleInChannel) {
    const members = await ctx.db
      .selectFrom('stream_members')
      .select('user_id')
      .where('cid', '=', channel.cid)
      .where('user_id', '<>', created.row.user_id)
      .execute();
    const latest =
      (await ctx.db
        .selectFrom('stream_channels')
        .selectAll()
        .where('cid', '=', channel.cid)
        .executeTakeFirst()) ?? channel;
    await toUsers(
      ctx,
      members.map((member) => member.user_id),
      { ...event, type: 'notification.message_new', channel: await presenter.channel(latest, type, null) },
      { unread: true, unlessWatching: channel.cid, cid: channel.cid },
    );
  }
  if (created.parent) {
    // The parent's reply_count and thread participants changed.
    const parent = await presenter.message(created.parent, null);
    await toWatchers(ctx, channel.cid, channelEvent(channel, 'message.updated', now, { message: parent }));
  }
  await toWebhook(ctx, event, channel);
}

interface MessageChanges {
  text?: string;
  attachments?: JsonObject[];
  mentioned_user_ids?: string[];
  data?: JsonObject;
  pinned?: boolean;
  pinned_at?: unknown;
  pin_expires?: unknown;
}

async function applyChanges(
  ctx: EmulatorContext,
  caller: Caller,
  row: MessageRow,
  changes: MessageChanges,
  actorId: string | undefined,
  operation: string,
): Promise<MessageRow> {
  if (row.deleted_at) throw fail.input(operation, 'a deleted message cannot be updated');
  const loaded = await loadMessageChannel(ctx, row, operation);
  const membership =
    caller.kind === 'client' ? ((await getMember(ctx.db, row.cid, caller.userId)) ?? null) : null;
  const text = changes.text ?? row.text;
  checkText(loaded, text, operation);
  const attachments = changes.attachments ?? (asArray(row.attachments) as JsonObject[]);
  const mentions = changes.mentioned_user_ids ?? (asArray(row.mentioned_user_ids) as string[]);
  const data = changes.data ?? asObject(row.data);
  const attachmentsChanged = canonical(attachments) !== canonical(row.attachments);
  const contentChanged =
    text !== row.text ||
    attachmentsChanged ||
    canonical(mentions) !== canonical(row.mentioned_user_ids) ||
    canonical(data) !== canonical(row.data);
  const pinned = changes.pinned ?? row.pinned;
  const expires =
    changes.pin_expires === undefined ? row.pin_expires : readExpiry(changes.pin_expires, operation);
  const pinChanged = pinned !== row.pinned || (pinned && expires?.getTime() !== row.pin_expires?.getTime());

  // A member may pin anyone's message (pin-message) but edit only their own (update-message-owner).
  if (contentChanged) {
    await authorize(ctx, caller, loaded, 'update-message', operation, {
      membership,
      owns: caller.kind === 'client' && row.user_id === caller.userId,
    });
    if (attachments.length > 0 && attachmentsChanged) {
      await authorize(ctx, caller, loaded, 'create-attachment', operation, { membership });
    }
  }
  if (pinChanged) await authorize(ctx, caller, loaded, 'pin-message', operation, { membership });
  if (!contentChanged && !pinChanged) return row;

  const now = ctx.now();
  const pinFields = pinChanged
    ? pinned
      ? {
          pinned: true,
          pinned_at: row.pinned ? row.pinned_at : pinDate(changes.pinned_at, now),
          pinned_by_id: row.pinned ? row.pinned_by_id : (actorId ?? row.user_id),
          pin_expires: expires,
        }
      : { pinned: false, pinned_at: null, pinned_by_id: null, pin_expires: null }
    : {};
  return ctx.db
    .updateTable('stream_messages')
    .set({
      text,
      attachments: json(attachments),
      mentioned_user_ids: json(mentions),
      data: json(data),
      updated_at: now,
      ...(text !== row.text ? { message_text_updated_at: now } : {}),
      ...pinFields,
    })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

async function announceUpdate(ctx: EmulatorContext, row: MessageRow, actorId: string | undefined) {
  const presenter = new Presenter(ctx.db, ctx.live, ctx.now());
  const channel = await ctx.db
    .selectFrom('stream_channels')
    .selectAll()
    .where('cid', '=', row.cid)
    .executeTakeFirstOrThrow();
  const message = await presenter.message(row, null);
  if (actorId) await presenter.loadUsers([actorId]);
  const event = channelEvent(channel, 'message.updated', ctx.now(), {
    message,
    user: actorId ? presenter.user(actorId) : message.user,
    message_id: row.id,
  });
  await toWatchers(ctx, channel.cid, event);
  await toWebhook(ctx, event, channel);
}

async function loadMessage(ctx: EmulatorContext, id: string, operation: string): Promise<MessageRow> {
  const row = await getMessage(ctx.db, id);
  if (!row) throw fail.notFound(operation, `message with id ${id} does not exist`);
  return row;
}

async function loadMessageChannel(ctx: EmulatorContext, row: MessageRow, operation: string) {
  const separator = row.cid.indexOf(':');
  return loadChannel(ctx.db, row.cid.slice(0, separator), row.cid.slice(separator + 1), operation);
}

async function respondWithMessage(ctx: EmulatorContext, row: MessageRow, viewerId: string | undefined) {
  const presenter = new Presenter(ctx.db, ctx.live, ctx.now());
  return presenter.message(row, viewerId ?? null);
}

export function messageRoutes(ctx: EmulatorContext) {
  return new Hono<EmulatorEnv>()
    .post('/channels/:type/:id/message', async (c) => {
      const operation = 'SendMessage';
      const caller = c.get('caller');
      const loaded = await loadChannel(ctx.db, c.req.param('type'), c.req.param('id'), operation);
      const body = await readBody(c, operation);
      const input = asObject(body.message);
      const created = await createMessage(ctx, caller, loaded, input, operation);
      await announceMessage(ctx, loaded, created);
      const message = await respondWithMessage(ctx, created.row, created.row.user_id);
      return c.json({ message, duration: duration(c.get('startedAt')) }, 201);
    })
    .get('/messages/:id', async (c) => {
      const operation = 'GetMessage';
      const caller = c.get('caller');
      const row = await loadMessage(ctx, c.req.param('id'), operation);
      const loaded = await loadMessageChannel(ctx, row, operation);
      await authorize(ctx, caller, loaded, 'read-channel', operation);
      const viewerId = caller.kind === 'client' ? caller.userId : c.req.query('user_id');
      return c.json(
        { message: await respondWithMessage(ctx, row, viewerId), duration: duration(c.get('startedAt')) },
        200,
      );
    })
    .post('/messages/:id', async (c) => {
      const operation = 'UpdateMessage';
      const caller = c.get('caller');
      const row = await loadMessage(ctx, c.req.param('id'), operation);
      const body = await readBody(c, operation);
      const input = asObject(body.message);
      if (input.id !== undefined && input.id !== row.id)
        throw fail.input(operation, 'message.id does not match the URL');
      const actorId = actingUserId(caller, input.user_id, input.user, body.user_id);
      const updated = await applyChanges(
        ctx,
        caller,
        row,
        {
          text: typeof input.text === 'string' ? input.text : '',
          attachments: readAttachments(input.attachments, operation),
          mentioned_user_ids: readMentions(input.mentioned_users),
          data: customData(input),
          pinned: input.pinned === true,
          pinned_at: input.pinned_at,
          pin_expires: input.pin_expires,
        },
        actorId,
        operation,
      );
      if (updated !== row) await announceUpdate(ctx, updated, actorId);
      return c.json(
        { message: await respondWithMessage(ctx, updated, actorId), duration: duration(c.get('startedAt')) },
        201,
      );
    })
    .put('/messages/:id', async (c) => {
      const operation = 'UpdateMessagePartial';
      const caller = c.get('caller');
      const row = await loadMessage(ctx, c.req.param('id'), operation);
      const body = await readBody(c, operation);
      const set = asObject(body.set);
      const unset = asArray(body.unset).filter(isString);
      const actorId = actingUserId(caller, body.user, body.user_id);
      const data = { ...asObject(row.data), ...customData(set) };
      for (const key of unset) delete data[key];
      const changes: MessageChanges = { data };
      if ('text' in set) changes.text = typeof set.text === 'string' ? set.text : '';
      if (unset.includes('text')) changes.text = '';
      if ('attachments' in set) changes.attachments = readAttachments(set.attachments, operation);
      if (unset.includes('attachments')) changes.attachments = [];
      if ('mentioned_users' in set) changes.mentioned_user_ids = readMentions(set.mentioned_users);
      if ('pinned' in set) changes.pinned = set.pinned === true;
      if (unset.includes('pinned')) changes.pinned = false;
      if ('pinned_at' in set) changes.pinned_at = set.pinned_at;
      if ('pin_expires' in set) changes.pin_expires = set.pin_expires;
      const updated = await applyChanges(ctx, caller, row, changes, actorId, operation);
      if (updated !== row) await announceUpdate(ctx, updated, actorId);
      return c.json(
        { message: await respondWithMessage(ctx, updated, actorId), duration: duration(c.get('startedAt')) },
        201,
      );
    })
    .delete('/messages/:id', async (c) => {
      const operation = 'DeleteMessage';
      const caller = c.get('caller');
      const row = await loadMessage(ctx, c.req.param('id'), operation);
      const loaded = await loadMessageChannel(ctx, row, operation);
      if (c.req.query('delete_for_me') === 'true') {
        throw fail.input(operation, 'delete_for_me is not supported by the emulator');
      }
      await authorize(ctx, caller, loaded, 'delete-message', operation, {
        owns: caller.kind === 'client' && row.user_id === caller.userId,
      });
      const hard = c.req.query('hard') === 'true';
      const now = ctx.now();
      const presenter = new Presenter(ctx.db, ctx.live, now);
      let deleted: MessageRow;
      if (hard) {
        await ctx.db.deleteFrom('stream_messages').where('id', '=', row.id).execute();
        deleted = { ...row, deleted_at: now, updated_at: now, pinned: false };
      } else if (row.deleted_at) {
        deleted = row;
      } else {
        deleted = await ctx.db
          .updateTable('stream_messages')
          .set({
            deleted_at: now,
            updated_at: now,
            pinned: false,
            pinned_at: null,
            pinned_by_id: null,
            pin_expires: null,
          })
          .where('id', '=', row.id)
          .returningAll()
          .executeTakeFirstOrThrow();
      }
      const message = await presenter.message(deleted, null);
      const actorId = actingUserId(caller, c.req.query('deleted_by'));
      if (actorId) await presenter.loadUsers([actorId]);
      if (!row.deleted_at || hard) {
        // Pinned-message lists drop it when the event says it was pinned.
        const event = channelEvent(loaded.channel, 'message.deleted', now, {
          message: { ...message, pinned: row.pinned },
          user: actorId ? presenter.user(actorId) : message.user,
          message_id: row.id,
          hard_delete: hard,
        });
        await toWatchers(ctx, loaded.channel.cid, event);
        await toWebhook(ctx, event, loaded.channel);
      }
      return c.json({ message, duration: duration(c.get('startedAt')) }, 200);
    })
    .get('/messages/:id/replies', async (c) => {
      const operation = 'GetReplies';
      const caller = c.get('caller');
      const parent = await loadMessage(ctx, c.req.param('id'), operation);
      const loaded = await loadMessageChannel(ctx, parent, operation);
      await authorize(ctx, caller, loaded, 'read-channel', operation);
      const params = { ...c.req.query(), ...readPayload(c, operation) };
      const page = readPagination(params, 25, 300);
      let sort: unknown = params.sort;
      if (typeof sort === 'string') {
        try {
          sort = JSON.parse(sort);
        } catch {
          sort = [];
        }
      }
      const newestFirst = asArray(sort).some((entry) => Number(asObject(entry).direction) === -1);
      const rows = await listMessages(
        ctx.db,
        { parentId: parent.id },
        page,
        newestFirst ? 'newest' : 'oldest',
      );
      const viewerId = caller.kind === 'client' ? caller.userId : undefined;
      const presenter = new Presenter(ctx.db, ctx.live, ctx.now());
      return c.json(
        {
          messages: await presenter.messages(rows, viewerId ?? null),
          duration: duration(c.get('startedAt')),
        },
        200,
      );
    })
    .post('/messages/:id/reaction', async (c) => {
      const operation = 'SendReaction';
      const caller = c.get('caller');
      const row = await loadMessage(ctx, c.req.param('id'), operation);
      const loaded = await loadMessageChannel(ctx, row, operation);
      const body = await readBody(c, operation);
      const input = asObject(body.reaction);
      const userId = actingUserId(caller, input.user_id, input.user, body.user_id);
      if (!userId)
        throw fail.input(
          operation,
          'reaction.user or reaction.user_id is required when using server side auth',
        );
      if (!isString(input.type) || input.type.length > 30)
        throw fail.input(operation, 'reaction.type must be a string of 1 to 30 characters');
      if (row.deleted_at) throw fail.input(operation, 'cannot react to a deleted message');
      if (!loaded.type.config.reactions)
        throw fail.input(operation, 'reactions are disabled for this channel type');
      await authorize(ctx, caller, loaded, 'create-reaction', operation);
      if (!(await getUser(ctx.db, userId))) throw fail.notFound(operation, `user "${userId}" does not exist`);
      if (
        input.score !== undefined &&
        (!Number.isInteger(input.score) || (input.score as number) < 1 || (input.score as number) > 1_000_000)
      ) {
        throw fail.input(operation, 'reaction.score must be an integer from 1 to 1000000');
      }
      const score = (input.score as number | undefined) ?? 1;
      const data: JsonObject = {};
      for (const [key, value] of Object.entries(input)) {
        if (!['type', 'score', 'user', 'user_id', 'message_id', 'created_at', 'updated_at'].includes(key))
          data[key] = value;
      }
      const now = ctx.now();
      const type = input.type;
      const { reaction, replaced } = await ctx.db.transaction().execute(async (trx) => {
        let replacedRows: ReactionRow[] = [];
        if (body.enforce_unique === true) {
          replacedRows = await trx
            .deleteFrom('stream_reactions')
            .where('message_id', '=', row.id)
            .where('user_id', '=', userId)
            .where('type', '<>', type)
            .returningAll()
            .execute();
        }
        const saved = await trx
          .insertInto('stream_reactions')
          .values({
            message_id: row.id,
            user_id: userId,
            type,
            score,
            data: json(data),
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) =>
            oc
              .columns(['message_id', 'user_id', 'type'])
              .doUpdateSet({ score, data: json(data), updated_at: now }),
          )
          .returningAll()
          .executeTakeFirstOrThrow();
        await trx.updateTable('stream_messages').set({ updated_at: now }).where('id', '=', row.id).execute();
        return { reaction: saved, replaced: replacedRows.length > 0 };
      });
      const presenter = new Presenter(ctx.db, ctx.live, now);
      const updatedRow = (await getMessage(ctx.db, row.id))!;
      const message = await presenter.message(updatedRow, null);
      await presenter.loadUsers([userId]);
      const event = channelEvent(loaded.channel, replaced ? 'reaction.updated' : 'reaction.new', now, {
        message,
        reaction: presenter.reaction(reaction),
        user: presenter.user(userId),
        message_id: row.id,
      });
      await toWatchers(ctx, loaded.channel.cid, event);
      await toWebhook(ctx, event, loaded.channel);
      return c.json(
        {
          message: await presenter.message(updatedRow, userId),
          reaction: presenter.reaction(reaction),
          duration: duration(c.get('startedAt')),
        },
        201,
      );
    })
    .delete('/messages/:id/reaction/:type', async (c) => {
      const operation = 'DeleteReaction';
      const caller = c.get('caller');
      const row = await loadMessage(ctx, c.req.param('id'), operation);
      const loaded = await loadMessageChannel(ctx, row, operation);
      const userId = actingUserId(caller, c.req.query('user_id'));
      if (!userId) throw fail.input(operation, 'user_id is required when using server side auth');
      await authorize(ctx, caller, loaded, 'delete-reaction', operation, { owns: true });
      const removed = await ctx.db
        .deleteFrom('stream_reactions')
        .where('message_id', '=', row.id)
        .where('user_id', '=', userId)
        .where('type', '=', c.req.param('type'))
        .returningAll()
        .executeTakeFirst();
      if (!removed)
        throw fail.notFound(operation, `reaction of type ${c.req.param('type')} by ${userId} does not exist`);
      const now = ctx.now();
      const presenter = new Presenter(ctx.db, ctx.live, now);
      const message = await presenter.message(row, null);
      await presenter.loadUsers([userId]);
      const event = channelEvent(loaded.channel, 'reaction.deleted', now, {
        message,
        reaction: presenter.reaction(removed),
        user: presenter.user(userId),
        message_id: row.id,
      });
      await toWatchers(ctx, loaded.channel.cid, event);
      await toWebhook(ctx, event, loaded.channel);
      return c.json(
        {
          message: await presenter.message(row, userId),
          reaction: presenter.reaction(removed),
          duration: duration(c.get('startedAt')),
        },
        200,
      );
    })
    .get('/messages/:id/reactions', async (c) => {
      const operation = 'GetReactions';
      const caller = c.get('caller');
      const row = await loadMessage(ctx, c.req.param('id'), operation);
      const loaded = await loadMessageChannel(ctx, row, operation);
      await authorize(ctx, caller, loaded, 'read-channel', operation);
      const limit = Math.min(Math.max(Number(c.req.query('limit') ?? 25) || 25, 1), 300);
      const offset = Math.max(Number(c.req.query('offset') ?? 0) || 0, 0);
      const rows = await ctx.db
        .selectFrom('stream_reactions')
        .selectAll()
        .where('message_id', '=', row.id)
        .orderBy('created_at', 'desc')
        .orderBy('user_id')
        .limit(limit)
        .offset(offset)
        .execute();
      const presenter = new Presenter(ctx.db, ctx.live, ctx.now());
      await presenter.loadUsers(rows.map((reaction) => reaction.user_id));
      return c.json(
        {
          reactions: rows.map((reaction) => presenter.reaction(reaction)),
          duration: duration(c.get('startedAt')),
        },
        200,
      );
    });
}
