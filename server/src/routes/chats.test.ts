import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NotificationList } from '@teacher-hub/protocol';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { sql } from 'kysely';
import { DEMO_DIRECTORY } from '../adapters/directory/demo-directory.ts';
import type { Chat } from '../domain/chat/chat.ts';
import type { ChatList, ChatResponse, ChatTokenResponse } from '../domain/chat/chat-api.ts';
import {
  devStreamCredentials,
  storedChats,
  streamChannels,
  type StoredChat,
  type StreamChannel,
} from '../testing/chat.ts';
import { assertError, json, jsonBody } from '../testing/http.ts';
import { createTestApp, type TestApp } from '../testing/test-app.ts';

const USERS = DEMO_DIRECTORY.users.map((user) => user.id);
const TEACHERS = DEMO_DIRECTORY.users.filter((user) => user.role === 'teacher').map((user) => user.id);
const STUDENTS = DEMO_DIRECTORY.users.filter((user) => user.role === 'student').map((user) => user.id);

/** "t-ada s-01" for each teacher and student who share a course, from the demo directory itself. */
const TAUGHT = new Set(
  DEMO_DIRECTORY.enrollments
    .filter((enrollment) => enrollment.role === 'teacher')
    .flatMap((teaching) =>
      DEMO_DIRECTORY.enrollments
        .filter((other) => other.courseId === teaching.courseId && other.role === 'student')
        .map((taught) => `${teaching.userId} ${taught.userId}`),
    ),
);
const teaches = (teacherId: string, studentId: string) => TAUGHT.has(`${teacherId} ${studentId}`);

/** Everything a refused call must leave alone: the hub's chats, GetStream's channels, notifications. */
async function snapshot(hub: TestApp): Promise<{
  chats: StoredChat[];
  channels: StreamChannel[];
  notifications: number;
}> {
  const { rows } = await sql<{ count: number }>`select count(*)::int as count from notifications`.execute(
    hub.services.database.db,
  );
  return {
    chats: await storedChats(hub),
    channels: await streamChannels(hub),
    notifications: rows[0]?.count ?? 0,
  };
}

/** How many chats, members, channels, channel members and notifications there are: one cheap query. */
async function counts(hub: TestApp): Promise<Record<string, number>> {
  const { rows } = await sql<Record<string, number>>`
    select (select count(*)::int from chats) as chats,
           (select count(*)::int from chat_members) as chat_members,
           (select count(*)::int from stream_channels) as channels,
           (select count(*)::int from stream_members) as channel_members,
           (select count(*)::int from notifications) as notifications
  `.execute(hub.services.database.db);
  return rows[0] ?? {};
}

const post = (body: unknown) => jsonBody(body, { method: 'POST' });
const patch = (body: unknown) => jsonBody(body, { method: 'PATCH' });

describe('chat routes', () => {
  let hub: TestApp;
  before(async () => {
    hub = await createTestApp();
  });
  after(() => hub.close());

  const createGroup = async (teacherId: string, name: string, memberIds: string[]) =>
    (await json<ChatResponse>(await hub.requestAs(teacherId, '/v1/chats', post({ name, memberIds })), 201))
      .chat;
  const listOf = async (userId: string) =>
    (await json<ChatList>(await hub.requestAs(userId, '/v1/chats'))).chats;
  const notificationsOf = async (userId: string) =>
    (await json<NotificationList>(await hub.requestAs(userId, '/v1/notifications'))).notifications;

  describe('the rules, over every pair of the demo directory', () => {
    it('POST /v1/chats/direct: teacher↔own student both ways succeed, every other pair gets 403 and creates nothing', async () => {
      const allowed = new Set<string>();
      for (const caller of USERS) {
        for (const target of USERS) {
          if (caller === target) continue;
          const teacher = TEACHERS.includes(caller) ? caller : target;
          const student = teacher === caller ? target : caller;
          const ok = TEACHERS.includes(teacher) && STUDENTS.includes(student) && teaches(teacher, student);
          const before = ok ? undefined : await counts(hub);
          const response = await hub.requestAs(caller, '/v1/chats/direct', post({ userId: target }));
          if (!ok) {
            const code =
              TEACHERS.includes(caller) === TEACHERS.includes(target) ? 'FORBIDDEN' : 'NOT_ENROLLED';
            await assertError(response, 403, code);
            assert.deepEqual(await counts(hub), before, `${caller} → ${target} changed something`);
            continue;
          }
          const pair = [teacher, student].join(' ');
          const { chat } = await json<ChatResponse>(response, allowed.has(pair) ? 200 : 201);
          allowed.add(pair);
          assert.equal(chat.kind, 'direct');
          assert.deepEqual(chat.memberIds, [teacher, student]);
          assert.equal(chat.ownerId, null);
          assert.equal(chat.cid, `hub-direct:${chat.id}`);
        }
      }
      assert.equal(allowed.size, TAUGHT.size, 'every teacher–student pair of a course');

      const directs = (await storedChats(hub)).filter((chat) => chat.kind === 'direct');
      assert.deepEqual(
        directs.map((chat) => [...chat.memberIds].sort().join(' ')).sort(),
        [...TAUGHT].map((pair) => pair.split(' ').sort().join(' ')).sort(),
        'the hub recorded one chat per allowed pair',
      );
      const channels = (await streamChannels(hub)).filter((channel) => channel.cid.startsWith('hub-direct:'));
      assert.deepEqual(
        channels.map((channel) => channel.cid).sort(),
        directs.map((chat) => `hub-direct:${chat.id}`).sort(),
        'GetStream has exactly those channels',
      );
      for (const channel of channels) {
        const chat = directs.find((direct) => `hub-direct:${direct.id}` === channel.cid);
        assert.deepEqual(channel.members, chat?.memberIds, `${channel.cid} has the same members`);
        assert.equal(channel.moderators.length, 1, 'the teacher moderates');
        assert.ok(TEACHERS.includes(channel.moderators[0] ?? ''));
      }
    });

    it('POST /v1/chats: a teacher with each own student succeeds; with any other user, or as a student, 403 and nothing created', async () => {
      const groupsBefore = (await storedChats(hub)).filter((chat) => chat.kind === 'group').length;
      let created = 0;
      for (const caller of USERS) {
        for (const member of USERS) {
          if (caller === member) continue;
          const ok = TEACHERS.includes(caller) && teaches(caller, member);
          const before = ok ? undefined : await counts(hub);
          const response = await hub.requestAs(
            caller,
            '/v1/chats',
            post({ name: `${caller} with ${member}`, memberIds: [member] }),
          );
          if (!ok) {
            await assertError(response, 403, TEACHERS.includes(caller) ? 'NOT_ENROLLED' : 'FORBIDDEN');
            assert.deepEqual(await counts(hub), before, `${caller} + ${member} changed something`);
            continue;
          }
          const { chat } = await json<ChatResponse>(response, 201);
          created += 1;
          assert.deepEqual(chat, {
            id: chat.id,
            cid: `hub-group:${chat.id}`,
            kind: 'group',
            name: `${caller} with ${member}`,
            ownerId: caller,
            memberIds: [caller, member],
          });
          assert.match(chat.id, /^g-[0-9a-f]{32}$/);
        }
      }
      assert.equal(created, TAUGHT.size);
      const groups = (await storedChats(hub)).filter((chat) => chat.kind === 'group');
      assert.equal(groups.length, groupsBefore + TAUGHT.size);
      const channels = (await streamChannels(hub)).filter((channel) => channel.cid.startsWith('hub-group:'));
      assert.deepEqual(
        channels.map((channel) => `${channel.cid} ${channel.name} ${channel.members.join(',')}`).sort(),
        groups.map((chat) => `hub-group:${chat.id} ${chat.name} ${chat.memberIds.join(',')}`).sort(),
      );
    });

    it('refuses a whole group when one member is not enrolled, naming each one, and creates nothing', async () => {
      const before = await snapshot(hub);
      const body = await assertError(
        await hub.requestAs(
          't-ada',
          '/v1/chats',
          post({ name: 'Mixed', memberIds: ['s-01', 's-09', 's-06', 't-grace', 'x-unknown'] }),
        ),
        403,
        'NOT_ENROLLED',
      );
      assert.deepEqual(
        body.error.details?.map((detail) => detail.path),
        ['memberIds.1', 'memberIds.3', 'memberIds.4'],
      );
      assert.deepEqual(await snapshot(hub), before);
    });

    it('lets students see only the chats they are members of', async () => {
      for (const userId of USERS) {
        const chats = await listOf(userId);
        assert.ok(chats.length > 0, `${userId} has chats`);
        for (const chat of chats) assert.ok(chat.memberIds.includes(userId), `${userId} is in ${chat.id}`);
        const stored = (await storedChats(hub)).filter((chat) => chat.memberIds.includes(userId));
        assert.deepEqual(chats.map((chat) => chat.id).sort(), stored.map((chat) => chat.id).sort());
      }
    });
  });

  describe('happy', () => {
    let group: Chat;
    before(async () => {
      group = await createGroup('t-ada', 'Algebra study group', ['s-01', 's-06', 's-01', 't-ada']);
    });

    it('creates a group with the teacher as owner and moderator, ignoring repeats and the teacher herself', async () => {
      assert.deepEqual(group.memberIds, ['t-ada', 's-01', 's-06']);
      const channel = (await streamChannels(hub)).find((c) => c.cid === group.cid);
      assert.deepEqual(channel, {
        cid: group.cid,
        name: 'Algebra study group',
        members: ['s-01', 's-06', 't-ada'],
        moderators: ['t-ada'],
      });
    });

    it('sends chat.added to the students added, with a link to the chat, and nothing to the teacher', async () => {
      for (const studentId of ['s-01', 's-06']) {
        const added = (await notificationsOf(studentId)).filter(
          (notification) => notification.kind === 'chat.added' && notification.data.chatId === group.id,
        );
        assert.equal(added.length, 1);
        assert.equal(added[0]?.title, 'Ada Lovelace added you to Algebra study group');
        assert.deepEqual(added[0]?.data, { chatId: group.id, link: `#chat/${group.id}` });
      }
      assert.equal(
        (await notificationsOf('t-ada')).filter((notification) => notification.data.chatId === group.id)
          .length,
        0,
      );
    });

    it('lists it for its members, and names a direct chat after the other person', async () => {
      assert.ok((await listOf('s-06')).some((chat) => chat.id === group.id));
      assert.ok(!(await listOf('s-02')).some((chat) => chat.id === group.id));
      const direct = (await listOf('s-01')).find((chat) => chat.kind === 'direct');
      assert.equal(direct?.name, 'Ada Lovelace');
      const fromAda = (await listOf('t-ada')).find((chat) => chat.id === direct?.id);
      assert.equal(fromAda?.name, 'Amara Okafor');
    });

    it('gives the same pair the same direct chat, whoever opens it, even concurrently', async () => {
      const responses = await Promise.all([
        hub.requestAs('t-grace', '/v1/chats/direct', post({ userId: 's-12' })),
        hub.requestAs('s-12', '/v1/chats/direct', post({ userId: 't-grace' })),
        hub.requestAs('t-grace', '/v1/chats/direct', post({ userId: 's-12' })),
      ]);
      const chats = await Promise.all(
        responses.map(async (response) => {
          assert.ok([200, 201].includes(response.status), `status ${response.status}`);
          return ((await response.json()) as ChatResponse).chat;
        }),
      );
      assert.equal(new Set(chats.map((chat) => chat.id)).size, 1);
      const stored = (await storedChats(hub)).filter((chat) => chat.id === chats[0]?.id);
      assert.equal(stored.length, 1);
    });

    it('renames a group (owner only) in the hub and in GetStream', async () => {
      const { chat } = await json<ChatResponse>(
        await hub.requestAs('t-ada', `/v1/chats/${group.id}`, patch({ name: '  Algebra — finals  ' })),
      );
      assert.equal(chat.name, 'Algebra — finals');
      assert.equal((await streamChannels(hub)).find((c) => c.cid === group.cid)?.name, 'Algebra — finals');
      assert.equal((await storedChats(hub)).find((c) => c.id === group.id)?.name, 'Algebra — finals');
    });

    it('adds members, notifying only the new ones; adding a member again changes nothing', async () => {
      const { chat } = await json<ChatResponse>(
        await hub.requestAs('t-ada', `/v1/chats/${group.id}/members`, post({ userIds: ['s-02', 's-01'] })),
      );
      assert.deepEqual(chat.memberIds, ['t-ada', 's-01', 's-02', 's-06']);
      assert.deepEqual((await streamChannels(hub)).find((c) => c.cid === group.cid)?.members, [
        's-01',
        's-02',
        's-06',
        't-ada',
      ]);
      const added = (id: string) =>
        notificationsOf(id).then(
          (all) => all.filter((n) => n.kind === 'chat.added' && n.data.chatId === group.id).length,
        );
      assert.equal(await added('s-02'), 1);
      assert.equal(await added('s-01'), 1, 's-01 was a member already');

      const again = await json<ChatResponse>(
        await hub.requestAs('t-ada', `/v1/chats/${group.id}/members`, post({ userIds: ['s-02'] })),
      );
      assert.deepEqual(again.chat.memberIds, chat.memberIds);
      assert.equal(await added('s-02'), 1);
    });

    it('removes a member from the hub and from GetStream', async () => {
      const { chat } = await json<ChatResponse>(
        await hub.requestAs('t-ada', `/v1/chats/${group.id}/members/s-02`, { method: 'DELETE' }),
      );
      assert.deepEqual(chat.memberIds, ['t-ada', 's-01', 's-06']);
      assert.deepEqual((await streamChannels(hub)).find((c) => c.cid === group.cid)?.members, [
        's-01',
        's-06',
        't-ada',
      ]);
      assert.ok(!(await listOf('s-02')).some((c) => c.id === group.id));
    });

    it('deletes a group (204) from the hub and from GetStream', async () => {
      const doomed = await createGroup('t-ada', 'Short-lived', ['s-03']);
      const response = await hub.requestAs('t-ada', `/v1/chats/${doomed.id}`, { method: 'DELETE' });
      assert.equal(response.status, 204);
      assert.equal(await response.text(), '');
      assert.ok(!(await storedChats(hub)).some((c) => c.id === doomed.id));
      assert.ok(!(await streamChannels(hub)).some((c) => c.cid === doomed.cid));
      assert.ok(!(await listOf('s-03')).some((c) => c.id === doomed.id));
    });

    it('POST /v1/chat/token: the API key, the caller as a GetStream user, an HS256 token for an hour, the emulator URL', async () => {
      const body = await json<ChatTokenResponse>(
        await hub.requestAs('s-01', '/v1/chat/token', { method: 'POST' }),
      );
      const { apiKey, apiSecret } = await devStreamCredentials(hub);
      assert.deepEqual(Object.keys(body).sort(), ['apiKey', 'baseURL', 'expiresAt', 'token', 'userId']);
      assert.equal(body.apiKey, apiKey);
      assert.equal(body.userId, 's-01');
      assert.equal(body.baseURL, `${hub.config.server.publicUrl}/stream`);
      assert.deepEqual(decodeProtectedHeader(body.token), { alg: 'HS256', typ: 'JWT' });
      const { payload } = await jwtVerify(body.token, new TextEncoder().encode(apiSecret));
      assert.deepEqual(Object.keys(payload).sort(), ['exp', 'iat', 'user_id']);
      assert.equal(payload.user_id, 's-01');
      assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 3600);
      assert.equal(body.expiresAt, new Date((payload.exp ?? 0) * 1000).toISOString());
      const { rows } = await sql<{ name: string; role: string }>`
        select data ->> 'name' as name, role from stream_users where id = 's-01'
      `.execute(hub.services.database.db);
      assert.deepEqual(rows, [{ name: 'Amara Okafor', role: 'user' }]);
    });

    it('maps a hub id outside GetStream’s alphabet to a GetStream id, and back to the same chats', async () => {
      const lee = { id: 'T.Lee@School.edu', name: 'Tom Lee', role: 'teacher' as const };
      await hub.services.directory.ensureUser(lee);
      const body = await json<ChatTokenResponse>(
        await hub.requestAs(lee.id, '/v1/chat/token', { method: 'POST' }),
      );
      assert.equal(body.userId, '_54_2e_4cee_40_53chool_2eedu');
      assert.equal(decodeJwt(body.token).user_id, body.userId);
    });
  });

  describe('error', () => {
    let group: Chat;
    before(async () => {
      group = await createGroup('t-ada', 'Errors', ['s-04']);
    });

    it('refuses bodies that do not match, naming the fields, and creates nothing', async () => {
      const before = await snapshot(hub);
      const cases: Array<[unknown, string[]]> = [
        [{}, ['memberIds', 'name']],
        [{ name: '', memberIds: ['s-01'] }, ['name']],
        [{ name: '   ', memberIds: ['s-01'] }, ['name']],
        [{ name: 'x'.repeat(101), memberIds: ['s-01'] }, ['name']],
        [{ name: 'a\u0000b', memberIds: ['s-01'] }, ['name']],
        [{ name: 'ok', memberIds: [] }, ['memberIds']],
        [{ name: 'ok', memberIds: 's-01' }, ['memberIds']],
        [{ name: 'ok', memberIds: ['s 01'] }, ['memberIds.0']],
        [{ name: 'ok', memberIds: ['s-01'], extra: true }, ['']],
      ];
      for (const [input, paths] of cases) {
        const body = await assertError(
          await hub.requestAs('t-ada', '/v1/chats', post(input)),
          400,
          'VALIDATION_FAILED',
        );
        assert.deepEqual(
          body.error.details?.map((detail) => detail.path).sort(),
          paths,
          JSON.stringify(input),
        );
      }
      await assertError(
        await hub.requestAs('t-ada', '/v1/chats', post('{"name":')),
        400,
        'VALIDATION_FAILED',
      );
      await assertError(
        await hub.requestAs('t-ada', '/v1/chats', post({ name: 'Only me', memberIds: ['t-ada'] })),
        400,
        'VALIDATION_FAILED',
      );
      await assertError(
        await hub.requestAs('t-ada', '/v1/chats/direct', post({ userId: 't-ada' })),
        400,
        'VALIDATION_FAILED',
      );
      await assertError(
        await hub.requestAs('t-ada', '/v1/chats/direct', post({ userId: ['s-01'] })),
        400,
        'VALIDATION_FAILED',
      );
      assert.deepEqual(await snapshot(hub), before);
    });

    it('answers 404 for a chat that does not exist, and 400 for an id that cannot be one', async () => {
      await assertError(
        await hub.requestAs('t-ada', '/v1/chats/g-00000000000000000000000000000000', patch({ name: 'x' })),
        404,
        'NOT_FOUND',
      );
      await assertError(
        await hub.requestAs('t-ada', '/v1/chats/not-a-chat', { method: 'DELETE' }),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('keeps the owner in the group (409) and answers 404 for removing someone who is not a member', async () => {
      const before = await snapshot(hub);
      await assertError(
        await hub.requestAs('t-ada', `/v1/chats/${group.id}/members/t-ada`, { method: 'DELETE' }),
        409,
        'CONFLICT',
      );
      await assertError(
        await hub.requestAs('t-ada', `/v1/chats/${group.id}/members/s-05`, { method: 'DELETE' }),
        404,
        'NOT_FOUND',
      );
      assert.deepEqual(await snapshot(hub), before);
    });

    it('refuses to add a student of another teacher (403 NOT_ENROLLED) and adds no one of the request', async () => {
      const before = await snapshot(hub);
      const body = await assertError(
        await hub.requestAs(
          't-ada',
          `/v1/chats/${group.id}/members`,
          post({ userIds: ['s-05', 's-09', 't-grace'] }),
        ),
        403,
        'NOT_ENROLLED',
      );
      assert.deepEqual(
        body.error.details?.map((detail) => detail.path),
        ['userIds.1', 'userIds.2'],
      );
      assert.deepEqual(await snapshot(hub), before);
    });

    it('does not rename, change or delete a direct chat', async () => {
      // The matrix above opened every allowed pair already: this answers 200 with that chat.
      const { chat } = await json<ChatResponse>(
        await hub.requestAs('t-ada', '/v1/chats/direct', post({ userId: 's-04' })),
      );
      const before = await snapshot(hub);
      await assertError(
        await hub.requestAs('t-ada', `/v1/chats/${chat.id}`, patch({ name: 'x' })),
        403,
        'FORBIDDEN',
      );
      await assertError(
        await hub.requestAs('t-ada', `/v1/chats/${chat.id}/members`, post({ userIds: ['s-05'] })),
        403,
        'FORBIDDEN',
      );
      await assertError(
        await hub.requestAs('t-ada', `/v1/chats/${chat.id}/members/s-04`, { method: 'DELETE' }),
        403,
        'FORBIDDEN',
      );
      await assertError(
        await hub.requestAs('t-ada', `/v1/chats/${chat.id}`, { method: 'DELETE' }),
        403,
        'FORBIDDEN',
      );
      assert.deepEqual(await snapshot(hub), before);
    });
  });

  describe('security', () => {
    let group: Chat;
    before(async () => {
      group = await createGroup('t-ada', 'Owner only', ['s-04', 's-08']);
    });

    it('answers 401 on every chat route without a valid token', async () => {
      const routes: Array<[string, string, unknown?]> = [
        ['GET', '/v1/chats'],
        ['POST', '/v1/chats', { name: 'x', memberIds: ['s-01'] }],
        ['POST', '/v1/chats/direct', { userId: 's-01' }],
        ['PATCH', `/v1/chats/${group.id}`, { name: 'x' }],
        ['POST', `/v1/chats/${group.id}/members`, { userIds: ['s-01'] }],
        ['DELETE', `/v1/chats/${group.id}/members/s-04`],
        ['DELETE', `/v1/chats/${group.id}`],
        ['POST', '/v1/chat/token'],
      ];
      const before = await snapshot(hub);
      for (const [method, path, body] of routes) {
        for (const headers of [{}, { Authorization: 'Bearer garbage' }] as Record<string, string>[]) {
          const init = body === undefined ? { method, headers } : jsonBody(body, { method, headers });
          await assertError(await hub.app.request(path, init), 401, 'UNAUTHENTICATED');
        }
      }
      assert.deepEqual(await snapshot(hub), before);
    });

    it('lets only the owner rename, change members or delete: another teacher gets 404, a student member 403', async () => {
      const before = await snapshot(hub);
      const attempts: Array<[string, string, RequestInit]> = [
        ['rename', `/v1/chats/${group.id}`, patch({ name: 'Taken over' })],
        ['add', `/v1/chats/${group.id}/members`, post({ userIds: ['s-09'] })],
        ['remove', `/v1/chats/${group.id}/members/s-04`, { method: 'DELETE' }],
        ['delete', `/v1/chats/${group.id}`, { method: 'DELETE' }],
      ];
      for (const [what, path, init] of attempts) {
        // Grace teaches s-08 and s-09, yet the group is not hers (and she is not in it).
        await assertError(await hub.requestAs('t-grace', path, init), 404, 'NOT_FOUND');
        assert.equal((await hub.requestAs('s-04', path, init)).status, 403, `s-04 may not ${what}`);
        await assertError(await hub.requestAs('s-01', path, init), 404, 'NOT_FOUND');
      }
      assert.deepEqual(await snapshot(hub), before);
    });

    it('does not let a student create a group, even with their own teacher', async () => {
      const before = await snapshot(hub);
      await assertError(
        await hub.requestAs('s-04', '/v1/chats', post({ name: 'Ours', memberIds: ['t-ada', 's-05'] })),
        403,
        'FORBIDDEN',
      );
      assert.deepEqual(await snapshot(hub), before);
    });
  });
});
