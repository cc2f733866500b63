/**
 * Event fan-out: channel events go to the connections watching the channel, `notification.*` events to
 * members' connections that are not watching it, and server events to the webhook with the channel's
 * members and their read state attached (Stream documents that for message and channel events).
 */
import type { EmulatorContext } from './context.ts';
import { send, type Connection } from './live.ts';
import { Presenter } from './present.ts';
import { getMembers, unreadCounts, unreadTotals, type ChannelRow, type JsonObject } from './store.ts';

export function channelEvent(
  channel: ChannelRow,
  type: string,
  now: Date,
  fields: JsonObject = {},
): JsonObject {
  return {
    type,
    cid: channel.cid,
    channel_id: channel.id,
    channel_type: channel.type,
    created_at: now.toISOString(),
    ...fields,
  };
}

/** Adds the receiving user's unread totals, as Stream does on `message.new` and `notification.*`. */
async function withUnread(
  ctx: EmulatorContext,
  connections: Connection[],
  event: JsonObject,
  cid: string | undefined,
): Promise<Array<[Connection, JsonObject]>> {
  const userIds = [...new Set(connections.map((connection) => connection.userId))];
  const totals = await unreadTotals(ctx.db, userIds);
  const perChannel = cid
    ? new Map((await unreadCounts(ctx.db, userIds, cid)).map((row) => [row.user_id, row.unread]))
    : new Map<string, number>();
  return connections.map((connection) => {
    const total = totals.get(connection.userId);
    return [
      connection,
      {
        ...event,
        total_unread_count: total?.total_unread_count ?? 0,
        unread_count: total?.unread_count ?? 0,
        unread_channels: total?.unread_channels ?? 0,
        unread_threads: 0,
        ...(cid ? { unread_messages: perChannel.get(connection.userId) ?? 0 } : {}),
      },
    ];
  });
}

/** Sends a channel event to every connection watching the channel. */
export async function toWatchers(
  ctx: EmulatorContext,
  cid: string,
  event: JsonObject,
  options: { unread?: boolean } = {},
): Promise<void> {
  const connections = ctx.live.watchersOf(cid);
  if (connections.length === 0) return;
  const withCount = { ...event, watcher_count: ctx.live.watcherCount(cid) };
  if (!options.unread) {
    for (const connection of connections) send(connection, withCount);
    return;
  }
  for (const [connection, payload] of await withUnread(ctx, connections, withCount, undefined))
    send(connection, payload);
}

/**
 * Sends an event to the given users' connections. With `unlessWatching`, connections already watching that
 * channel are skipped: they got the channel event itself.
 */
export async function toUsers(
  ctx: EmulatorContext,
  userIds: string[],
  event: JsonObject,
  options: { unread?: boolean; unlessWatching?: string; cid?: string } = {},
): Promise<void> {
  const connections = [...new Set(userIds)]
    .flatMap((userId) => ctx.live.connectionsOf(userId))
    .filter((connection) => !options.unlessWatching || !connection.watching.has(options.unlessWatching));
  if (connections.length === 0) return;
  if (!options.unread) {
    for (const connection of connections) send(connection, event);
    return;
  }
  for (const [connection, payload] of await withUnread(ctx, connections, event, options.cid)) {
    send(connection, payload);
  }
}

/**
 * Queues the webhook for an event. For channel events the payload carries the channel's members (at most
 * 50, as on Stream) whose `user` has `channel_unread_count`, `channel_last_read_at`, `total_unread_count`
 * and `unread_channels`; the event's own `user` gets the same fields when they are a member.
 */
export async function toWebhook(
  ctx: EmulatorContext,
  event: JsonObject,
  channel?: ChannelRow,
): Promise<void> {
  if (!ctx.webhooks.hasTarget()) return;
  if (!channel) {
    ctx.webhooks.enqueue(event);
    return;
  }
  const members = await getMembers(ctx.db, channel.cid, 50);
  const userIds = members.map((member) => member.user_id);
  const totals = await unreadTotals(ctx.db, userIds);
  const inChannel = new Map(
    (await unreadCounts(ctx.db, userIds, channel.cid)).map((row) => [row.user_id, row]),
  );
  const presenter = new Presenter(ctx.db, ctx.live, ctx.now());
  await presenter.loadUsers(userIds);
  const readState = (userId: string): JsonObject => {
    const total = totals.get(userId);
    const own = inChannel.get(userId);
    return {
      total_unread_count: total?.total_unread_count ?? 0,
      unread_channels: total?.unread_channels ?? 0,
      unread_count: total?.unread_count ?? 0,
      channel_unread_count: own?.unread ?? 0,
      ...(own ? { channel_last_read_at: own.last_read.toISOString() } : {}),
    };
  };
  const payload: JsonObject = {
    ...event,
    members: members.map((member) => {
      const presented = presenter.member(member);
      return { ...presented, user: { ...(presented.user as JsonObject), ...readState(member.user_id) } };
    }),
  };
  const eventUser = event.user as JsonObject | undefined;
  if (eventUser && typeof eventUser.id === 'string' && userIds.includes(eventUser.id)) {
    payload.user = { ...eventUser, ...readState(eventUser.id) };
  }
  ctx.webhooks.enqueue(payload);
}
