import assert from 'node:assert/strict';
import { after, before, beforeEach, it } from 'node:test';
import { sql } from 'kysely';
import type { NewChat } from '../../domain/chat/chat-repository.ts';
import { onEachDatabase } from '../../testing/databases.ts';
import { DEMO_DIRECTORY } from '../directory/demo-directory.ts';
import { KyselyChatRepository } from './chat-repository.ts';
import type { Database } from './database.ts';
import { KyselyDirectoryRepository } from './directory-repository.ts';

const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 9, minute));

const group = (id: string, teacherId = 't-ada'): NewChat => ({
  id,
  kind: 'group',
  channelType: 'hub-group',
  name: `Group ${id}`,
  ownerId: teacherId,
  teacherId,
});

onEachDatabase('KyselyChatRepository', (target) => {
  let database: Database;
  let directory: KyselyDirectoryRepository;
  let repository: KyselyChatRepository;

  before(async () => {
    database = await target.open();
    directory = new KyselyDirectoryRepository(database.db);
    repository = new KyselyChatRepository(database.db, { platforms: new Set(['web']) });
  });
  after(() => target.closeAll());
  beforeEach(async () => {
    await sql`truncate chats, chat_members, chat_digests, chat_webhook_events, jobs cascade`.execute(
      database.db,
    );
    await directory.replaceAll(DEMO_DIRECTORY);
  });

  it('records a chat with its members once, teacher first, and lists it to each member newest first', async () => {
    await repository.transaction(async (tx) => {
      assert.equal(await tx.insertChat(group('g-1'), at(0)), true);
      assert.deepEqual(await tx.addMembers('g-1', ['s-06', 't-ada', 's-01'], at(0)), [
        's-06',
        't-ada',
        's-01',
      ]);
      assert.equal(await tx.insertChat(group('g-2'), at(1)), true);
      await tx.addMembers('g-2', ['t-ada', 's-01'], at(1));
    });
    const again = await repository.transaction(async (tx) => ({
      inserted: await tx.insertChat(group('g-1'), at(2)),
      added: await tx.addMembers('g-1', ['s-01', 's-02'], at(2)),
    }));
    assert.deepEqual(again, { inserted: false, added: ['s-02'] });

    const chat = await repository.find('g-1');
    assert.deepEqual(chat, {
      id: 'g-1',
      kind: 'group',
      channelType: 'hub-group',
      name: 'Group g-1',
      ownerId: 't-ada',
      teacherId: 't-ada',
      memberIds: ['t-ada', 's-01', 's-02', 's-06'],
      createdAt: at(0),
    });
    assert.deepEqual(
      (await repository.listForMember('s-01')).map((c) => c.id),
      ['g-2', 'g-1'],
    );
    assert.deepEqual(
      (await repository.listForMember('s-06')).map((c) => c.id),
      ['g-1'],
    );
    assert.deepEqual(await repository.listForMember('s-09'), []);
    assert.equal(await repository.find('g-404'), undefined);
  });

  it('renames, removes members (with their digest) and deletes chats', async () => {
    await repository.transaction(async (tx) => {
      await tx.insertChat(group('g-1'), at(0));
      await tx.addMembers('g-1', ['t-ada', 's-01', 's-06'], at(0));
      await tx.addToDigest('g-1', 's-06', { senderId: 't-ada', text: 'hi', at: at(1) });
    });
    await repository.transaction(async (tx) => {
      await tx.rename('g-1', 'Renamed', at(2));
      assert.deepEqual(await tx.removeMembers('g-1', ['s-06', 's-09']), ['s-06']);
    });
    assert.equal((await repository.find('g-1'))?.name, 'Renamed');
    assert.deepEqual((await repository.find('g-1'))?.memberIds, ['t-ada', 's-01']);
    assert.equal(await repository.digest('g-1', 's-06'), undefined);
    assert.equal(await repository.transaction((tx) => tx.deleteChat('g-1')), true);
    assert.equal(await repository.transaction((tx) => tx.deleteChat('g-1')), false);
    const { rows } = await sql<{ count: number }>`select count(*)::int as count from chat_members`.execute(
      database.db,
    );
    assert.equal(rows[0]?.count, 0, 'members went with the chat');
  });

  it('finds which of a list are students of a teacher, in any of the teacher’s courses', async () => {
    const all = DEMO_DIRECTORY.users.map((user) => user.id);
    assert.deepEqual([...(await repository.studentsOf('t-ada', all))].sort(), [
      's-01',
      's-02',
      's-03',
      's-04',
      's-05',
      's-06',
      's-07',
      's-08',
    ]);
    assert.deepEqual([...(await repository.studentsOf('t-grace', ['s-08', 's-01', 't-ada']))], ['s-08']);
    assert.deepEqual([...(await repository.studentsOf('s-01', all))], [], 'a student teaches no one');
    assert.deepEqual([...(await repository.studentsOf('t-ada', []))], []);
  });

  it('finds the members rule 9 takes out: no course of the chat’s teacher left, whatever removed it', async () => {
    await repository.transaction(async (tx) => {
      await tx.insertChat(group('g-ada'), at(0));
      await tx.addMembers('g-ada', ['t-ada', 's-01', 's-04', 's-06', 's-08'], at(0));
      await tx.insertChat(
        {
          id: 'd-1',
          kind: 'direct',
          channelType: 'hub-direct',
          name: null,
          ownerId: null,
          teacherId: 't-ada',
        },
        at(0),
      );
      await tx.addMembers('d-1', ['t-ada', 's-06'], at(0));
      await tx.insertChat(group('g-grace', 't-grace'), at(0));
      await tx.addMembers('g-grace', ['t-grace', 's-08'], at(0));
      await tx.insertChat({ ...group('s-1'), kind: 'session', channelType: 'hub-session' }, at(0));
      await tx.addMembers('s-1', ['t-ada', 's-06'], at(0));
    });
    const drop = (...keys: string[]) =>
      directory.replaceAll({
        ...DEMO_DIRECTORY,
        enrollments: DEMO_DIRECTORY.enrollments.filter((e) => !keys.includes(`${e.courseId}/${e.userId}`)),
      });

    assert.deepEqual(await repository.revocations(['s-04', 's-06', 's-08'], []), [], 'all still enrolled');
    // Biology loses s-04 (still in Algebra), s-06 (in nothing else of Ada's) and s-08 (still Grace's).
    await drop('biology-1/s-04', 'biology-1/s-06', 'biology-1/s-08');
    assert.deepEqual(await repository.revocations(['s-04', 's-06', 's-08'], []), [
      { chatId: 'd-1', userId: 's-06' },
      { chatId: 'g-ada', userId: 's-06' },
      { chatId: 'g-ada', userId: 's-08' },
    ]);
    // Ada stops teaching Biology: everyone only she had there goes, looked up from her side.
    await drop('biology-1/t-ada');
    assert.deepEqual(await repository.revocations([], ['t-ada']), [
      { chatId: 'd-1', userId: 's-06' },
      { chatId: 'g-ada', userId: 's-06' },
      { chatId: 'g-ada', userId: 's-08' },
    ]);
    // A user the LMS removed altogether has no enrollments left (and no foreign key took the member away).
    await directory.replaceAll({
      ...DEMO_DIRECTORY,
      users: DEMO_DIRECTORY.users.filter((user) => user.id !== 's-01'),
      enrollments: DEMO_DIRECTORY.enrollments.filter((e) => e.userId !== 's-01'),
    });
    assert.deepEqual(await repository.revocations(['s-01'], []), [{ chatId: 'g-ada', userId: 's-01' }]);
    assert.deepEqual(await repository.revocations([], []), []);
  });

  it('counts messages into a member’s digest, each sender once, and takes a generation once', async () => {
    const digest = await repository.transaction(async (tx) => {
      await tx.insertChat(group('g-1'), at(0));
      await tx.addToDigest('g-1', 's-01', { senderId: 't-ada', text: 'one', at: at(1) });
      await tx.addToDigest('g-1', 's-01', { senderId: 's-06', text: 'two', at: at(2) });
      await tx.addToDigest('g-1', 's-01', { senderId: null, text: 'system', at: at(3) });
      return tx.addToDigest('g-1', 's-01', { senderId: 't-ada', text: 'three', at: at(4) });
    });
    assert.deepEqual(digest, {
      chatId: 'g-1',
      userId: 's-01',
      generation: 1,
      messageCount: 4,
      senderIds: ['t-ada', 's-06'],
      lastSenderId: 't-ada',
      lastText: 'three',
      lastMessageAt: at(4),
      lastNotifiedAt: null,
    });
    const taken = await repository.transaction((tx) => tx.takeDigest('g-1', 's-01', 1, at(5)));
    assert.equal(taken?.messageCount, 4);
    assert.equal(await repository.transaction((tx) => tx.takeDigest('g-1', 's-01', 1, at(5))), undefined);
    assert.deepEqual(await repository.digest('g-1', 's-01'), {
      ...digest,
      generation: 2,
      messageCount: 0,
      senderIds: [],
      lastSenderId: null,
      lastText: null,
      lastNotifiedAt: at(5),
    });
    const next = await repository.transaction((tx) =>
      tx.addToDigest('g-1', 's-01', { senderId: 's-06', text: 'four', at: at(6) }),
    );
    assert.deepEqual([next.generation, next.messageCount, next.senderIds], [2, 1, ['s-06']]);
    const quiet = await repository.transaction((tx) => tx.takeDigest('g-1', 's-01', 2, null));
    assert.equal(quiet?.messageCount, 1);
    assert.deepEqual((await repository.digest('g-1', 's-01'))?.lastNotifiedAt, at(5), 'not notified: kept');
  });

  it('counts every message of concurrent webhooks', async () => {
    await repository.transaction((tx) => tx.insertChat(group('g-1'), at(0)));
    await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        repository.transaction((tx) =>
          tx.addToDigest('g-1', 's-01', { senderId: `s-0${index % 3}`, text: `#${index}`, at: at(index) }),
        ),
      ),
    );
    const digest = await repository.digest('g-1', 's-01');
    assert.equal(digest?.messageCount, 8);
    assert.deepEqual([...(digest?.senderIds ?? [])].sort(), ['s-00', 's-01', 's-02']);
  });

  it('remembers webhook deliveries until they are pruned', async () => {
    assert.equal(await repository.transaction((tx) => tx.markWebhookSeen('w-1', at(0))), true);
    assert.equal(await repository.transaction((tx) => tx.markWebhookSeen('w-1', at(1))), false);
    assert.equal(await repository.transaction((tx) => tx.markWebhookSeen('w-2', at(30))), true);
    assert.equal(await repository.pruneWebhookEvents(at(10)), 1);
    assert.equal(await repository.transaction((tx) => tx.markWebhookSeen('w-1', at(31))), true);
    assert.equal(await repository.transaction((tx) => tx.markWebhookSeen('w-2', at(31))), false);
  });

  it('rolls a transaction back whole: chat, members and the jobs scheduled in it', async () => {
    await assert.rejects(
      repository.transaction(async (tx) => {
        await tx.insertChat(group('g-1'), at(0));
        await tx.addMembers('g-1', ['t-ada', 's-01'], at(0));
        await tx.jobs.schedule({ key: 'chat-digest:g-1:s-01:1', kind: 'chat.digest', runAt: at(1) });
        throw new Error('the GetStream call failed');
      }),
      /GetStream/,
    );
    assert.equal(await repository.find('g-1'), undefined);
    const { rows } = await sql<{ count: number }>`select count(*)::int as count from jobs`.execute(
      database.db,
    );
    assert.equal(rows[0]?.count, 0);
  });
});
