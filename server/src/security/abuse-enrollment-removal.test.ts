/**
 * Rule 9, end to end: when the LMS removes s-01 from Algebra I (her only course of Ada's), her access to
 * Ada ends at once — in the hub and in GetStream, for chats, calls, sessions and new direct chats.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type {
  CallResponse,
  DirectorySync,
  LiveNow,
  OccurrenceList,
  SessionResponse,
} from '@teacher-hub/protocol';
import { DEMO_DIRECTORY } from '../adapters/directory/demo-directory.ts';
import { EMULATOR_PATH } from '../chat.ts';
import type { ChatList, ChatResponse } from '../domain/chat/chat-api.ts';
import { fixedClock } from '../domain/clock.ts';
import { assertError, json, jsonBody } from '../testing/http.ts';
import { createTestApp, type TestApp } from '../testing/test-app.ts';

const post = (body?: unknown) =>
  body === undefined ? { method: 'POST' } : jsonBody(body, { method: 'POST' });

describe('rule 9: access removed at once when the LMS removes an enrollment', () => {
  const clock = fixedClock(new Date('2026-12-01T08:55:00Z'));
  let hub: TestApp;
  let group: ChatResponse['chat'];
  let direct: ChatResponse['chat'];
  let callId: string;
  let sessionId: string;
  let liveSessionId: string;
  let streamToken: { apiKey: string; token: string };

  /** s-01's own GetStream client, over REST as `stream-chat` calls it. */
  const streamAs = (cid: string, action: 'query' | 'message', body: unknown) => {
    const [type, id] = cid.split(':');
    return hub.app.request(
      `${EMULATOR_PATH}/channels/${type}/${id}/${action}?api_key=${streamToken.apiKey}`,
      jsonBody(body, {
        method: 'POST',
        headers: { Authorization: streamToken.token, 'stream-auth-type': 'jwt' },
      }),
    );
  };
  const send = (cid: string, text: string) => streamAs(cid, 'message', { message: { text } });
  const read = (cid: string) => streamAs(cid, 'query', { state: true, messages: { limit: 10 } });

  const createSession = async (title: string, start: string) =>
    (
      await json<SessionResponse>(
        await hub.requestAs(
          't-ada',
          '/v1/sessions',
          post({
            title,
            type: 'group',
            start,
            timeZone: 'UTC',
            durationMinutes: 60,
            inviteeIds: ['s-01', 's-02'],
          }),
        ),
        201,
      )
    ).session;

  before(async () => {
    hub = await createTestApp({ clock });
    group = (
      await json<ChatResponse>(
        await hub.requestAs(
          't-ada',
          '/v1/chats',
          post({ name: 'Algebra group', memberIds: ['s-01', 's-02'] }),
        ),
        201,
      )
    ).chat;
    direct = (
      await json<ChatResponse>(
        await hub.requestAs('t-ada', '/v1/chats/direct', post({ userId: 's-01' })),
        201,
      )
    ).chat;
    liveSessionId = (await createSession('Algebra now', '2026-12-01T09:00')).id;
    sessionId = (await createSession('Algebra next week', '2026-12-08T09:00')).id;
    await json(await hub.requestAs('t-ada', `/v1/sessions/${liveSessionId}/start`, post({})));
    callId = (
      await json<CallResponse>(await hub.requestAs('t-ada', `/v1/chats/${group.id}/calls`, post()), 201)
    ).call.id;
    streamToken = await json(await hub.requestAs('s-01', '/v1/chat/token', post()));

    // Before: s-01 is in everything, and her client reads and sends in both chats.
    for (const chat of [group, direct]) {
      assert.equal((await send(chat.cid, `before, in ${chat.kind}`)).status, 201);
      assert.equal((await read(chat.cid)).status, 201);
    }
    const live = await json<LiveNow>(await hub.requestAs('s-01', '/v1/live'));
    assert.equal(live.calls.length, 1);
    assert.equal(live.sessions.length, 1);

    const directory: DirectorySync = {
      ...DEMO_DIRECTORY,
      enrollments: DEMO_DIRECTORY.enrollments.filter(
        (enrollment) => !(enrollment.courseId === 'algebra-1' && enrollment.userId === 's-01'),
      ),
    };
    await json(
      await hub.app.request(
        '/v1/admin/directory',
        jsonBody(directory, { method: 'PUT', headers: { Authorization: `Bearer ${hub.config.admin.key}` } }),
      ),
    );
  });
  after(() => hub.close());

  it('takes her out of Ada’s group and direct chats in the hub', async () => {
    const { chats } = await json<ChatList>(await hub.requestAs('s-01', '/v1/chats'));
    assert.deepEqual(
      chats.filter((chat) => chat.ownerId === 't-ada' || chat.memberIds.includes('t-ada')),
      [],
    );
    const adas = await json<ChatList>(await hub.requestAs('t-ada', '/v1/chats'));
    assert.ok(!adas.chats.find((chat) => chat.id === group.id)?.memberIds.includes('s-01'));
  });

  it('takes her out in GetStream too: her client can neither read nor send there', async () => {
    for (const chat of [group, direct]) {
      const sent = await send(chat.cid, `after, in ${chat.kind}`);
      assert.equal(sent.status, 403, `send in ${chat.cid}: ${await sent.clone().text()}`);
      const fetched = await read(chat.cid);
      assert.equal(fetched.status, 403, `read ${chat.cid}: ${await fetched.clone().text()}`);
    }
  });

  it('takes her out of future session invitations', async () => {
    const { occurrences } = await json<OccurrenceList>(
      await hub.requestAs('s-01', '/v1/sessions?from=2026-12-01T00:00:00Z&to=2027-01-01T00:00:00Z'),
    );
    assert.deepEqual(occurrences, []);
    await assertError(await hub.requestAs('s-01', `/v1/sessions/${sessionId}`), 404, 'NOT_FOUND');
    const { session } = await json<SessionResponse>(
      await hub.requestAs('t-ada', `/v1/sessions/${sessionId}`),
    );
    assert.deepEqual(session.inviteeIds, ['s-02']);
  });

  it('lets her join neither Ada’s live call nor her live session, and shows her neither as live', async () => {
    const live = await json<LiveNow>(await hub.requestAs('s-01', '/v1/live'));
    assert.deepEqual(live, { calls: [], sessions: [] });
    const call = await hub.requestAs('s-01', `/v1/calls/${callId}/join`, post());
    assert.ok([403, 404].includes(call.status), `call join: ${call.status} ${await call.clone().text()}`);
    await call.body?.cancel();
    const session = await hub.requestAs('s-01', `/v1/sessions/${liveSessionId}/join`, post({}));
    assert.ok(
      [403, 404].includes(session.status),
      `session join: ${session.status} ${await session.clone().text()}`,
    );
    await session.body?.cancel();
  });

  it('refuses Ada a new direct chat with her (403), and her one with Ada', async () => {
    await assertError(
      await hub.requestAs('t-ada', '/v1/chats/direct', post({ userId: 's-01' })),
      403,
      'NOT_ENROLLED',
    );
    await assertError(
      await hub.requestAs('s-01', '/v1/chats/direct', post({ userId: 't-ada' })),
      403,
      'NOT_ENROLLED',
    );
  });

  it('leaves s-02, still enrolled, where she was', async () => {
    const live = await json<LiveNow>(await hub.requestAs('s-02', '/v1/live'));
    assert.equal(live.calls.length, 1);
    assert.equal(live.sessions.length, 1);
    const joined = await json<{ video: { authToken: string } }>(
      await hub.requestAs('s-02', `/v1/calls/${callId}/join`, post()),
    );
    assert.ok(joined.video.authToken);
  });
});
