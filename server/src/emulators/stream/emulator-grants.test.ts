/**
 * The grants of the hub's channel types for client tokens (DESIGN.md: "every channel is created and
 * changed by our server"), as `stream-chat` exercises them, on every hub channel type and for members as
 * well as outsiders: what `emulator-security.test.ts` does not already cover. Every refusal leaves the
 * emulator's tables as they were.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PGlite } from '@electric-sql/pglite';
import { sql, type Kysely } from 'kysely';
import type { StreamChat } from 'stream-chat';
import {
  connectUser,
  createTestDatabase,
  serverClient,
  startEmulator,
  type RunningEmulator,
} from './test-support.ts';

const HUB_TYPES = ['hub-group', 'hub-direct', 'hub-session'] as const;

async function refused(what: string, promise: Promise<unknown>): Promise<void> {
  try {
    await promise;
  } catch (error) {
    // The emulator's answer (Stream's error shape), not a check inside stream-chat.
    const status = (error as { status?: number }).status;
    assert.ok(status !== undefined && status >= 400 && status < 500, `${what}: ${String(error)}`);
    return;
  }
  assert.fail(`${what} was expected to be refused`);
}

/**
 * Every row the grants protect. Users are compared by id, role and data: connecting touches their
 * last-active time, which is no change of theirs.
 */
async function fingerprint(db: Kysely<unknown>): Promise<Record<string, string>> {
  const tables: Record<string, ReturnType<typeof sql>> = {
    stream_app: sql`select t::text as row from stream_app t`,
    stream_channel_types: sql`select t::text as row from stream_channel_types t`,
    stream_users: sql`select concat_ws('|', id, role, data::text) as row from stream_users`,
    stream_channels: sql`select t::text as row from stream_channels t`,
    stream_members: sql`select t::text as row from stream_members t`,
    stream_messages: sql`select t::text as row from stream_messages t`,
    stream_reactions: sql`select t::text as row from stream_reactions t`,
  };
  const result: Record<string, string> = {};
  for (const [table, query] of Object.entries(tables)) {
    const rows = await sql<{ row: string }>`${query}`.execute(db);
    result[table] = rows.rows
      .map((row) => row.row)
      .sort()
      .join('\n');
  }
  return result;
}

describe('GetStream emulator: client tokens on the hub’s channel types', () => {
  let pglite: PGlite;
  let db: Kysely<unknown>;
  let running: RunningEmulator;
  let server: StreamChat;
  const clients: StreamChat[] = [];
  let teacher: StreamChat;
  let student: StreamChat;
  let outsider: StreamChat;
  let parentMessageId: string;

  const assertUnchanged = async (what: string, run: () => Promise<void>) => {
    const before = await fingerprint(db);
    await run();
    assert.deepEqual(await fingerprint(db), before, `${what} changed the emulator's state`);
  };

  before(async () => {
    ({ pglite, db } = await createTestDatabase());
    running = await startEmulator(db, { onError: () => undefined });
    server = serverClient(running.baseURL);
    await server.upsertUsers([
      { id: 't-ada', name: 'Ada Lovelace' },
      { id: 's-01', name: 'Student One' },
      { id: 's-02', name: 'Student Two' },
      { id: 's-09', name: 'Student Nine' },
    ]);
    for (const type of HUB_TYPES) {
      const channel = server.channel(type, `${type}-1`, {
        name: `${type} channel`,
        members: [{ user_id: 't-ada', channel_role: 'channel_moderator' }, 's-01'],
        created_by_id: 't-ada',
      } as never);
      await channel.create();
      const { message } = await channel.sendMessage({ text: 'Welcome', user_id: 't-ada' });
      if (type === 'hub-group') parentMessageId = message.id;
      await server.pinMessage(message, null, 't-ada');
    }
    for (const id of ['t-ada', 's-01', 's-09']) {
      const client = await connectUser(running.baseURL, { id });
      clients.push(client);
    }
    [teacher, student, outsider] = clients as [StreamChat, StreamChat, StreamChat];
    // Members watch their channels the way the hub's chat view does.
    for (const client of [teacher, student]) {
      for (const type of HUB_TYPES) await client.channel(type, `${type}-1`).watch();
    }
  });

  after(async () => {
    for (const client of clients) await client.disconnectUser(500);
    await running.stop();
    await db.destroy();
    await pglite.close();
  });

  for (const type of HUB_TYPES) {
    it(`${type}: no client — teacher moderator or student member — creates, updates, deletes, truncates or changes members`, async () => {
      for (const [who, client] of [
        ['the teacher', teacher],
        ['the student', student],
      ] as const) {
        await assertUnchanged(`${who} on ${type}`, async () => {
          await refused(
            `${who} creates a ${type}`,
            client.channel(type, `${type}-by-client`, { members: ['t-ada', 's-01'] } as never).create(),
          );
          const channel = client.channel(type, `${type}-1`);
          await refused(`${who} adds a member`, channel.addMembers(['s-02']));
          await refused(`${who} removes a member`, channel.removeMembers(['s-01']));
          await refused(`${who} adds a moderator`, channel.addModerators(['s-01']));
          await refused(`${who} updates`, channel.update({ name: 'Taken over' } as never));
          await refused(
            `${who} updates partially`,
            channel.updatePartial({ set: { name: 'Taken over' } as never }),
          );
          await refused(`${who} truncates`, channel.truncate());
          await refused(`${who} deletes`, channel.delete());
        });
      }
    });

    it(`${type}: an outsider reads nothing and writes nothing`, async () => {
      await assertUnchanged(`the outsider on ${type}`, async () => {
        const channel = outsider.channel(type, `${type}-1`);
        await refused('query', channel.query({ messages: { limit: 10 } }));
        await refused('watch', channel.watch());
        await refused('members', channel.queryMembers({}));
        await refused('pinned messages', channel.getPinnedMessages({}));
        await refused('send', channel.sendMessage({ text: 'let me in' }));
        await refused('add self', channel.addMembers(['s-09']));
        await refused('update', channel.update({ name: 'Mine now' } as never));
        await refused('delete', channel.delete());
        assert.equal((await outsider.queryChannels({ type, id: `${type}-1` })).length, 0);
      });
    });
  }

  it('an outsider reads no thread replies, and no member writes as someone else', async () => {
    await assertUnchanged('thread replies', async () => {
      await refused('replies', outsider.channel('hub-group', 'hub-group-1').getReplies(parentMessageId, {}));
    });
    const { message } = await student
      .channel('hub-group', 'hub-group-1')
      .sendMessage({ text: 'from s-01', user_id: 't-ada', user: { id: 't-ada' } } as never);
    assert.equal(message.user?.id, 's-01', 'a client message is always its sender’s');
  });

  it('no client changes the app settings, the channel types or its own role', async () => {
    await assertUnchanged('server-only calls from a client', async () => {
      await refused('app settings', teacher.updateAppSettings({ disable_auth_checks: true }));
      await refused('app settings', student.updateAppSettings({ disable_permissions_checks: true }));
      await refused('list channel types', student.listChannelTypes());
      await refused(
        'grant create-channel',
        teacher.updateChannelType('hub-group', { grants: { user: ['create-channel'] } } as never),
      );
      await refused('create a channel type', teacher.createChannelType({ name: 'open' } as never));
      await refused('delete a channel type', teacher.deleteChannelType('hub-group'));
      await refused('become admin', student.upsertUser({ id: 's-01', role: 'admin' }));
      await refused('become admin', student.partialUpdateUser({ id: 's-01', set: { role: 'admin' } }));
      await refused(
        'rename another user',
        student.partialUpdateUser({ id: 't-ada', set: { name: 'Nobody' } }),
      );
      await refused('upsert another user', student.upsertUser({ id: 't-ada', name: 'Nobody' }));
    });
  });
});
