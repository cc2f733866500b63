/**
 * The emulator as the real `stream-chat` client sees it: a teacher (`t-ada`) and two students connected
 * over WebSockets, channels created by a server-side client the way the hub creates them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PGlite } from '@electric-sql/pglite';
import type { Kysely } from 'kysely';
import type { Channel, Event, OwnUserResponse, StreamChat } from 'stream-chat';
import {
  connectUser,
  createTestDatabase,
  nextEvent,
  serverClient,
  startEmulator,
  type RunningEmulator,
} from './test-support.ts';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** Custom channel data (`name`) is untyped in stream-chat unless the app augments its types. */
const nameOf = (data: unknown) => (data as { name?: string } | undefined)?.name;

describe('GetStream emulator with the stream-chat client', () => {
  let pglite: PGlite;
  let db: Kysely<unknown>;
  let running: RunningEmulator;
  let server: StreamChat;
  let ada: StreamChat;
  let s01: StreamChat;
  let s06: StreamChat;
  const clients: StreamChat[] = [];

  const groupId = 'algebra-study';

  async function watch(client: StreamChat, type: string, id: string): Promise<Channel> {
    const channel = client.channel(type, id);
    await channel.watch();
    return channel;
  }

  before(async () => {
    ({ pglite, db } = await createTestDatabase());
    running = await startEmulator(db);
    server = serverClient(running.baseURL);
    await server.upsertUsers([
      { id: 't-ada', name: 'Ada Lovelace', role: 'user' },
      { id: 's-01', name: 'Student One' },
      { id: 's-02', name: 'Student Two' },
      { id: 's-06', name: 'Student Six' },
      { id: 's-09', name: 'Student Nine' },
    ]);
    // The hub creates every channel server-side, after its rule checks.
    await server
      .channel('hub-group', groupId, {
        name: 'Algebra study group',
        members: [{ user_id: 't-ada', channel_role: 'channel_moderator' }, 's-01'],
        created_by_id: 't-ada',
      } as never)
      .create();
    ada = await connectUser(running.baseURL, { id: 't-ada' });
    s01 = await connectUser(running.baseURL, { id: 's-01' });
    s06 = await connectUser(running.baseURL, { id: 's-06' });
    clients.push(ada, s01, s06);
  });

  after(async () => {
    for (const client of clients) await client.disconnectUser(500);
    await running.stop();
    await db.destroy();
    await pglite.close();
  });

  it('answers connectUser with health.check carrying the connection id and the own user', async () => {
    const client = await connectUser(running.baseURL, { id: 's-02', name: 'Student Two' });
    clients.push(client);
    assert.ok(client.wsConnection?.connectionID, 'a connection id');
    assert.equal(client.user?.id, 's-02');
    assert.equal(client.user?.name, 'Student Two');
    const me = client.user as OwnUserResponse;
    assert.equal(me.total_unread_count, 0);
    assert.deepEqual(me.channel_mutes, []);
    await client.disconnectUser(500);
  });

  it('queries the channels a user is a member of, with filters and sorts', async () => {
    await server
      .channel('hub-direct', 'ada-s01', { members: ['t-ada', 's-01'], created_by_id: 't-ada' } as never)
      .create();
    await server
      .channel('hub-group', 'biology-lab', {
        name: 'Biology lab',
        members: ['t-ada', 's-06'],
        created_by_id: 't-ada',
      } as never)
      .create();

    const mine = await s01.queryChannels({ members: { $in: ['s-01'] } }, [{ last_message_at: -1 }], {
      limit: 10,
    });
    assert.deepEqual(mine.map((channel) => channel.cid).sort(), [
      'hub-direct:ada-s01',
      `hub-group:${groupId}`,
    ]);

    const groups = await ada.queryChannels(
      { $and: [{ type: 'hub-group' }, { members: { $in: ['t-ada'] } }] },
      [{ created_at: 1 }],
    );
    assert.deepEqual(
      groups.map((channel) => channel.id),
      [groupId, 'biology-lab'],
    );
    const byCid = await ada.queryChannels({ cid: { $in: ['hub-group:biology-lab'] } }, {}, { limit: 5 });
    assert.equal(byCid.length, 1);
    assert.equal(nameOf(byCid[0]!.data), 'Biology lab');
    assert.ok(byCid[0]!.data?.own_capabilities?.includes('send-message'));
    assert.ok(!byCid[0]!.data?.own_capabilities?.includes('update-channel-members'));

    const either = await ada.queryChannels(
      { $or: [{ id: 'ada-s01' }, { id: 'biology-lab' }] },
      [{ updated_at: -1 }],
      { limit: 1, offset: 1 },
    );
    assert.equal(either.length, 1);

    // A student queries with someone else's id: still only their own channels come back.
    const snooping = await s06.queryChannels({ type: 'hub-group' });
    assert.deepEqual(
      snooping.map((channel) => channel.id),
      ['biology-lab'],
    );
  });

  it('delivers a message, its edit and its deletion to a second watcher', async () => {
    const adaChannel = await watch(ada, 'hub-group', groupId);
    const studentChannel = await watch(s01, 'hub-group', groupId);
    assert.equal(studentChannel.state.members['t-ada']?.user?.name, 'Ada Lovelace');

    const arrived = nextEvent<Event>(s01, 'message.new');
    const { message } = await adaChannel.sendMessage({ text: 'Welcome to the study group!' });
    const event = await arrived;
    assert.equal(event.message?.id, message.id);
    assert.equal(event.cid, `hub-group:${groupId}`);
    assert.equal(event.user?.id, 't-ada');
    assert.equal(typeof event.watcher_count, 'number');
    assert.equal(event.total_unread_count, 1);
    assert.ok(studentChannel.state.messages.some((m) => m.id === message.id));
    assert.equal(studentChannel.countUnread(), 1);

    const edited = nextEvent<Event>(s01, 'message.updated', (e) => e.message?.id === message.id);
    await ada.updateMessage({ id: message.id, text: 'Welcome, everyone!' });
    assert.equal((await edited).message?.text, 'Welcome, everyone!');
    assert.equal(studentChannel.state.messages.find((m) => m.id === message.id)?.text, 'Welcome, everyone!');

    const deleted = nextEvent<Event>(s01, 'message.deleted', (e) => e.message?.id === message.id);
    await ada.deleteMessage(message.id);
    assert.equal((await deleted).message?.type, 'deleted');
    assert.equal(studentChannel.state.messages.find((m) => m.id === message.id)?.type, 'deleted');
    const fetched = await s01.getMessage(message.id);
    assert.equal(fetched.message.type, 'deleted');
    assert.equal(fetched.message.text, '');
  });

  it('pages through older messages with id_lt', async () => {
    const channel = await watch(ada, 'hub-group', groupId);
    const sent: string[] = [];
    for (let index = 0; index < 6; index += 1) {
      sent.push((await channel.sendMessage({ text: `page message ${index}` })).message.id);
    }
    const latest = await ada.channel('hub-group', groupId).query({ messages: { limit: 3 } });
    assert.deepEqual(
      latest.messages.map((m) => m.id),
      sent.slice(3),
    );
    const older = await ada.channel('hub-group', groupId).query({ messages: { limit: 2, id_lt: sent[3] } });
    assert.deepEqual(
      older.messages.map((m) => m.id),
      sent.slice(1, 3),
    );
    const newer = await ada.channel('hub-group', groupId).query({ messages: { limit: 2, id_gt: sent[1] } });
    assert.deepEqual(
      newer.messages.map((m) => m.id),
      sent.slice(2, 4),
    );
  });

  it('shows typing to the other watcher', async () => {
    const adaChannel = await watch(ada, 'hub-group', groupId);
    await watch(s01, 'hub-group', groupId);
    const started = nextEvent<Event>(s01, 'typing.start', (e) => e.user?.id === 't-ada');
    await adaChannel.keystroke();
    assert.equal((await started).cid, `hub-group:${groupId}`);
    assert.ok(s01.activeChannels[`hub-group:${groupId}`]?.state.typing['t-ada']);
    const stopped = nextEvent<Event>(s01, 'typing.stop', (e) => e.user?.id === 't-ada');
    await adaChannel.stopTyping();
    await stopped;
    assert.equal(s01.activeChannels[`hub-group:${groupId}`]?.state.typing['t-ada'], undefined);
  });

  it('keeps per-member read state and unread counts, and tells the others', async () => {
    const adaChannel = await watch(ada, 'hub-group', groupId);
    const studentChannel = await watch(s01, 'hub-group', groupId);
    await studentChannel.markRead();
    await adaChannel.sendMessage({ text: 'Homework: exercises 1-5' });
    const { message: second } = await adaChannel.sendMessage({ text: 'Due Friday' });

    const state = await ada.channel('hub-group', groupId).query({});
    const studentRead = state.read?.find((read) => read.user.id === 's-01');
    assert.equal(studentRead?.unread_messages, 2);
    const unread = await server.getUnreadCount('s-01');
    assert.equal(unread.total_unread_count, 2);

    const seen = nextEvent<Event>(ada, 'message.read', (e) => e.user?.id === 's-01');
    const ownNotice = nextEvent<Event>(s01, 'notification.mark_read');
    await studentChannel.markRead();
    const read = await seen;
    assert.equal(read.last_read_message_id, second.id);
    assert.equal(adaChannel.state.read['s-01']?.last_read_message_id, second.id);
    assert.equal(adaChannel.state.read['s-01']?.unread_messages, 0);
    const notice = await ownNotice;
    assert.equal(notice.total_unread_count, 0);
    assert.equal(studentChannel.countUnread(), 0);

    const after = await ada.channel('hub-group', groupId).query({});
    assert.equal(after.read?.find((r) => r.user.id === 's-01')?.unread_messages, 0);
    assert.equal(after.read?.find((r) => r.user.id === 's-01')?.last_read_message_id, second.id);
  });

  it('adds reactions with counts, groups and own_reactions, and removes them', async () => {
    const adaChannel = await watch(ada, 'hub-group', groupId);
    const studentChannel = await watch(s01, 'hub-group', groupId);
    const { message } = await adaChannel.sendMessage({ text: 'React if you are ready' });

    const reacted = nextEvent<Event>(ada, 'reaction.new', (e) => e.message?.id === message.id);
    const response = await studentChannel.sendReaction(message.id, { type: 'like' });
    assert.equal(response.reaction.type, 'like');
    assert.equal(response.message.own_reactions?.[0]?.type, 'like');
    const event = await reacted;
    assert.equal(event.reaction?.user_id, 's-01');
    assert.equal(event.message?.reaction_counts?.like, 1);
    assert.equal(event.message?.reaction_groups?.like?.count, 1);
    const local = adaChannel.state.messages.find((m) => m.id === message.id);
    assert.equal(local?.reaction_groups?.like?.count, 1);
    assert.equal(local?.own_reactions?.length ?? 0, 0, "s-01's reaction is not Ada's own");

    const replaced = nextEvent<Event>(ada, 'reaction.updated', (e) => e.message?.id === message.id);
    await studentChannel.sendReaction(message.id, { type: 'love' }, { enforce_unique: true });
    assert.deepEqual((await replaced).message?.reaction_counts, { love: 1 });

    const removed = nextEvent<Event>(ada, 'reaction.deleted', (e) => e.message?.id === message.id);
    await studentChannel.deleteReaction(message.id, 'love');
    assert.deepEqual((await removed).message?.reaction_counts, {});
    const fetched = await ada.getMessage(message.id);
    assert.deepEqual(fetched.message.latest_reactions, []);
  });

  it('threads replies under a parent and counts them', async () => {
    const adaChannel = await watch(ada, 'hub-group', groupId);
    const studentChannel = await watch(s01, 'hub-group', groupId);
    const { message: parent } = await adaChannel.sendMessage({ text: 'Questions about exercise 3?' });

    const parentUpdated = nextEvent<Event>(ada, 'message.updated', (e) => e.message?.id === parent.id);
    const reply = await studentChannel.sendMessage({ text: 'Is x negative?', parent_id: parent.id });
    assert.equal(reply.message.parent_id, parent.id);
    assert.equal((await parentUpdated).message?.reply_count, 1);
    await adaChannel.sendMessage({ text: 'No, positive.', parent_id: parent.id, show_in_channel: true });

    const replies = await adaChannel.getReplies(parent.id, { limit: 10 });
    assert.deepEqual(
      replies.messages.map((m) => m.text),
      ['Is x negative?', 'No, positive.'],
    );
    const fetched = await ada.getMessage(parent.id);
    assert.equal(fetched.message.reply_count, 2);
    assert.deepEqual(
      fetched.message.thread_participants?.map((user) => user.id),
      ['t-ada', 's-01'],
    );
    const thread = await s01.getThread(parent.id, { reply_limit: 10 });
    const threadState = thread.state.getLatestValue();
    assert.equal(threadState.replyCount, 2);
    assert.deepEqual(
      threadState.replies.map((m) => m.text),
      ['Is x negative?', 'No, positive.'],
    );
    const { threads } = await s01.queryThreads({ limit: 5 });
    assert.ok(threads.some((t) => t.id === parent.id));

    const state = await ada.channel('hub-group', groupId).query({ messages: { limit: 5 } });
    const ids = state.messages.map((m) => m.text);
    assert.ok(!ids.includes('Is x negative?'), 'a thread-only reply stays out of the channel');
    assert.ok(ids.includes('No, positive.'), 'show_in_channel puts a reply in the channel');
  });

  it('pins and unpins a message and keeps the channel’s pinned_messages', async () => {
    const adaChannel = await watch(ada, 'hub-group', groupId);
    const studentChannel = await watch(s01, 'hub-group', groupId);
    const { message } = await adaChannel.sendMessage({ text: 'Exam on Monday' });

    const pinnedEvent = nextEvent<Event>(ada, 'message.updated', (e) => e.message?.id === message.id);
    // A member may pin someone else's message (see README: pin-message is granted to members).
    const pinned = await s01.pinMessage(message.id);
    assert.equal(pinned.message.pinned, true);
    assert.equal(pinned.message.pinned_by?.id, 's-01');
    assert.ok(pinned.message.pinned_at);
    assert.equal((await pinnedEvent).message?.pinned, true);
    assert.ok(adaChannel.state.pinnedMessages.some((m) => m.id === message.id));
    const state = await ada.channel('hub-group', groupId).query({});
    assert.deepEqual(
      state.pinned_messages.map((m) => m.id),
      [message.id],
    );
    const listed = await studentChannel.getPinnedMessages({ limit: 10 });
    assert.deepEqual(
      listed.messages.map((m) => m.id),
      [message.id],
    );

    const unpinnedEvent = nextEvent<Event>(s01, 'message.updated', (e) => e.message?.id === message.id);
    await ada.unpinMessage(message.id);
    assert.equal((await unpinnedEvent).message?.pinned, false);
    assert.ok(!studentChannel.state.pinnedMessages.some((m) => m.id === message.id));
    const afterState = await ada.channel('hub-group', groupId).query({});
    assert.deepEqual(afterState.pinned_messages, []);
  });

  it('uploads a file and an image, serves them back and deletes them', async () => {
    const studentChannel = await watch(s01, 'hub-group', groupId);
    const file = await studentChannel.sendFile(
      Buffer.from('notes for the exam\n'),
      'notes.txt',
      'text/plain',
    );
    assert.match(file.file, new RegExp(`^${running.baseURL}/uploads/`));
    const download = await fetch(file.file);
    assert.equal(download.status, 200);
    assert.equal(download.headers.get('content-type'), 'text/plain');
    assert.equal(await download.text(), 'notes for the exam\n');

    // channel.sendImage takes no Buffer in Node; the client's sendFile posts the same request to /image.
    const imageUpload = await s01.sendFile(
      `${studentChannel._channelURL()}/image`,
      PNG,
      'dot.png',
      'image/png',
    );
    assert.ok(imageUpload.thumb_url);
    const served = await fetch(imageUpload.file);
    assert.equal(served.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await served.arrayBuffer()), PNG);

    const { message } = await studentChannel.sendMessage({
      text: 'My notes',
      attachments: [{ type: 'file', asset_url: file.file, title: 'notes.txt', mime_type: 'text/plain' }],
    });
    assert.equal(message.attachments?.[0]?.asset_url, file.file);

    await studentChannel.deleteFile(file.file);
    assert.equal((await fetch(file.file)).status, 404);
    await studentChannel.deleteImage(imageUpload.file);
    assert.equal((await fetch(imageUpload.file)).status, 404);
  });

  it('tells members about member changes and channel updates made by the server', async () => {
    const adaChannel = await watch(ada, 'hub-group', groupId);
    const addedToChannel = nextEvent<Event>(
      s06,
      'notification.added_to_channel',
      (e) => e.channel_id === groupId,
    );
    const memberAdded = nextEvent<Event>(ada, 'member.added', (e) => e.member?.user_id === 's-06');
    await server.channel('hub-group', groupId).addMembers(['s-06']);
    const notification = await addedToChannel;
    assert.equal(nameOf(notification.channel), 'Algebra study group');
    await memberAdded;
    assert.ok(adaChannel.state.members['s-06']);

    const s06Channel = await watch(s06, 'hub-group', groupId);
    const renamed = nextEvent<Event>(s06, 'channel.updated');
    await server.channel('hub-group', groupId).update({ name: 'Algebra I — study group' } as never);
    assert.equal(nameOf((await renamed).channel), 'Algebra I — study group');
    assert.equal(nameOf(s06Channel.data), 'Algebra I — study group');

    const removedFromChannel = nextEvent<Event>(s06, 'notification.removed_from_channel');
    const memberRemoved = nextEvent<Event>(ada, 'member.removed', (e) => e.user?.id === 's-06');
    await server.channel('hub-group', groupId).removeMembers(['s-06']);
    await removedFromChannel;
    await memberRemoved;
    assert.equal(adaChannel.state.members['s-06'], undefined);
    await assert.rejects(s06.channel('hub-group', groupId).query({}), /ReadChannel/);
  });

  it('sorts and filters by last_message_at, and partially updates channel data', async () => {
    const before = new Date(Date.now() - 1000).toISOString();
    await server
      .channel('hub-group', 'biology-lab')
      .sendMessage({ text: 'Lab report due', user_id: 't-ada' });
    const recent = await ada.queryChannels(
      { members: { $in: ['t-ada'] }, last_message_at: { $gt: before } },
      [{ last_message_at: -1 }],
    );
    assert.equal(recent[0]?.id, 'biology-lab');
    const quiet = await ada.queryChannels({ type: 'hub-direct', last_message_at: { $exists: false } });
    assert.deepEqual(
      quiet.map((channel) => channel.id),
      ['ada-s01'],
    );

    await server.channel('hub-group', 'biology-lab').updatePartial({ set: { course: 'biology-1' } as never });
    const [lab] = await ada.queryChannels({ type: 'hub-group', course: 'biology-1' } as never);
    assert.equal(lab?.id, 'biology-lab');
    assert.equal(nameOf(lab?.data), 'Biology lab', 'a partial update keeps the other fields');
  });

  it('serves users and the upload configuration the composer checks', async () => {
    const { users } = await server.queryUsers({ id: { $in: ['s-01', 't-ada'] } }, [{ id: 1 }]);
    assert.deepEqual(
      users.map((user) => [user.id, user.name]),
      [
        ['s-01', 'Student One'],
        ['t-ada', 'Ada Lovelace'],
      ],
    );
    const { app } = await s01.getAppSettings();
    assert.ok(app?.image_upload_config?.allowed_mime_types?.includes('image/png'));
    assert.equal((app as { webhook_url?: string } | undefined)?.webhook_url, undefined);
  });

  it('notifies a member who is connected but not watching about new messages', async () => {
    const added = nextEvent<Event>(
      s06,
      'notification.added_to_channel',
      (e) => e.channel_id === 'office-hours',
    );
    await server
      .channel('hub-direct', 'office-hours', { members: ['t-ada', 's-06'], created_by_id: 't-ada' } as never)
      .create();
    await added;
    const notified = nextEvent<Event>(
      s06,
      'notification.message_new',
      (e) => e.channel_id === 'office-hours',
    );
    const watcherOnly = nextEvent<Event>(s06, 'message.new', (e) => e.channel_id === 'office-hours', 300);
    await server
      .channel('hub-direct', 'office-hours')
      .sendMessage({ text: 'Office hours moved', user_id: 't-ada' });
    const event = await notified;
    assert.equal(event.message?.text, 'Office hours moved');
    assert.equal(event.channel?.cid, 'hub-direct:office-hours');
    assert.ok((event.unread_channels ?? 0) >= 1);
    await assert.rejects(watcherOnly, /no message.new event/, 'message.new goes to watchers only');
  });

  it('deletes a channel and tells its watchers', async () => {
    await server
      .channel('hub-group', 'to-delete', { members: ['t-ada', 's-01'], created_by_id: 't-ada' } as never)
      .create();
    await watch(s01, 'hub-group', 'to-delete');
    const deleted = nextEvent<Event>(s01, 'channel.deleted', (e) => e.channel_id === 'to-delete');
    await server.channel('hub-group', 'to-delete').delete();
    await deleted;
    const remaining = await s01.queryChannels({ id: 'to-delete' });
    assert.equal(remaining.length, 0);
  });
});
