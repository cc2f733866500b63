/**
 * Threads as `stream-chat`'s Thread and ThreadManager read them: `GET /threads/{parent id}` and
 * `POST /threads` (the threads the user takes part in). Thread read state is not tracked, so `read` is
 * empty and the client counts no unread replies in a thread.
 */
import { Hono } from 'hono';
import { sql } from 'kysely';
import {
  authorize,
  isString,
  loadChannel,
  readBody,
  viewerOf,
  type Caller,
  type EmulatorContext,
  type EmulatorEnv,
  type LoadedChannel,
} from './context.ts';
import { duration, fail } from './errors.ts';
import { Presenter } from './present.ts';
import { startWatching } from './routes-channels.ts';
import { getMessage, listMessages, threadParticipants, type JsonObject, type MessageRow } from './store.ts';

function limitOf(value: unknown, fallback: number, max: number): number {
  const number = Number(value ?? fallback);
  return Number.isFinite(number) ? Math.max(0, Math.min(Math.trunc(number), max)) : fallback;
}

async function threadResponse(
  ctx: EmulatorContext,
  presenter: Presenter,
  loaded: LoadedChannel,
  parent: MessageRow,
  viewerId: string | null,
  options: { replyLimit: number; participantLimit: number },
): Promise<JsonObject> {
  const replies = await listMessages(
    ctx.db,
    { parentId: parent.id },
    { limit: options.replyLimit },
    'newest',
  );
  const participants = (await threadParticipants(ctx.db, [parent.id])).get(parent.id) ?? [];
  const participantIds = [parent.user_id, ...participants.filter((id) => id !== parent.user_id)].slice(
    0,
    options.participantLimit,
  );
  await presenter.loadUsers(participantIds);
  const [parentMessage] = await presenter.messages([parent], viewerId);
  const latest = replies.at(-1);
  return {
    channel: await presenter.channel(loaded.channel, loaded.type, null),
    channel_cid: loaded.channel.cid,
    parent_message_id: parent.id,
    parent_message: parentMessage,
    latest_replies: await presenter.messages(replies, viewerId),
    reply_count: parent.reply_count,
    participant_count: participants.length,
    active_participant_count: participants.length,
    thread_participants: participantIds.map((id) => ({
      channel_cid: loaded.channel.cid,
      user_id: id,
      user: presenter.user(id),
      created_at: parent.created_at.toISOString(),
      last_read_at: parent.created_at.toISOString(),
    })),
    created_at: parent.created_at.toISOString(),
    created_by_user_id: parent.user_id,
    created_by: presenter.user(parent.user_id),
    updated_at: (latest?.created_at ?? parent.updated_at).toISOString(),
    ...(latest ? { last_message_at: latest.created_at.toISOString() } : {}),
    title: parent.text.slice(0, 100),
    read: [],
  };
}

async function channelOf(ctx: EmulatorContext, row: MessageRow, operation: string) {
  const separator = row.cid.indexOf(':');
  return loadChannel(ctx.db, row.cid.slice(0, separator), row.cid.slice(separator + 1), operation);
}

function viewerIdOf(caller: Caller, body: JsonObject): string | undefined {
  if (caller.kind === 'client') return caller.userId;
  return isString(body.user_id) ? body.user_id : undefined;
}

export function threadRoutes(ctx: EmulatorContext) {
  return new Hono<EmulatorEnv>()
    .get('/threads/:id', async (c) => {
      const operation = 'GetThread';
      const caller = c.get('caller');
      const parent = await getMessage(ctx.db, c.req.param('id'));
      if (!parent || parent.parent_id)
        throw fail.notFound(operation, `thread ${c.req.param('id')} does not exist`);
      const loaded = await channelOf(ctx, parent, operation);
      await authorize(ctx, caller, loaded, 'read-channel', operation);
      if (c.req.query('watch') === 'true')
        await startWatching(ctx, caller, c.req.query('connection_id'), loaded.channel);
      const presenter = new Presenter(ctx.db, ctx.live, ctx.now());
      const thread = await threadResponse(
        ctx,
        presenter,
        loaded,
        parent,
        caller.kind === 'client' ? caller.userId : null,
        {
          replyLimit: limitOf(c.req.query('reply_limit'), 3, 100),
          participantLimit: limitOf(c.req.query('participant_limit'), 100, 100),
        },
      );
      return c.json({ thread, duration: duration(c.get('startedAt')) }, 200);
    })
    .post('/threads', async (c) => {
      const operation = 'QueryThreads';
      const caller = c.get('caller');
      const body = await readBody(c, operation);
      const viewer = await viewerOf(ctx.db, viewerIdOf(caller, body));
      if (!viewer) throw fail.input(operation, 'user_id is required when using server side auth');
      const limit = limitOf(body.limit, 10, 25) || 10;
      const offset = isString(body.next) ? Math.max(0, Number.parseInt(body.next, 10) || 0) : 0;
      const lastReply = sql<Date>`(select max(r.created_at) from stream_messages r where r.parent_id = p.id)`;
      const parents = await ctx.db
        .selectFrom('stream_messages as p')
        .innerJoin('stream_members as mem', (join) =>
          join.onRef('mem.cid', '=', 'p.cid').on('mem.user_id', '=', viewer.userId),
        )
        .selectAll('p')
        .where('p.reply_count', '>', 0)
        .where('p.deleted_at', 'is', null)
        .where((eb) =>
          eb.or([
            eb('p.user_id', '=', viewer.userId),
            eb.exists(
              eb
                .selectFrom('stream_messages as r')
                .select(sql`1`.as('one'))
                .whereRef('r.parent_id', '=', 'p.id')
                .where('r.user_id', '=', viewer.userId),
            ),
          ]),
        )
        .orderBy(lastReply, (ob) => ob.desc().nullsLast())
        .orderBy('p.seq', 'desc')
        .limit(limit + 1)
        .offset(offset)
        .execute();
      const presenter = new Presenter(ctx.db, ctx.live, ctx.now());
      const threads: JsonObject[] = [];
      const watched = new Set<string>();
      for (const parent of parents.slice(0, limit)) {
        const loaded = await channelOf(ctx, parent, operation);
        if (body.watch === true && !watched.has(loaded.channel.cid)) {
          watched.add(loaded.channel.cid);
          await startWatching(ctx, caller, c.req.query('connection_id'), loaded.channel);
        }
        threads.push(
          await threadResponse(ctx, presenter, loaded, parent, viewer.userId, {
            replyLimit: limitOf(body.reply_limit, 3, 10),
            participantLimit: limitOf(body.participant_limit, 10, 100),
          }),
        );
      }
      return c.json(
        {
          threads,
          ...(parents.length > limit ? { next: String(offset + limit) } : {}),
          duration: duration(c.get('startedAt')),
        },
        200,
      );
    });
}
