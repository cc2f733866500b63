import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  MESH_CLOSE,
  type Call,
  type CallResponse,
  type CallTokenResponse,
  type JoinCallResponse,
  type LiveNow,
} from '@teacher-hub/protocol';
import { jwtVerify } from 'jose';
import { sql } from 'kysely';
import type { LiveEvent } from './adapters/live/live-bus.ts';
import type { ChatResponse } from './domain/chat/chat-api.ts';
import { fixedClock } from './domain/clock.ts';
import { assertError, json, jsonBody } from './testing/http.ts';
import { startTestHmsPeer, TEST_HMS_APP, type HmsPeer } from './testing/peers/hms-peer.ts';
import { createTestPki, type TestPki } from './testing/peers/tls.ts';
import { createTestSchema, skipWithoutPostgres, type TestSchema } from './testing/postgres.ts';
import { connectToMesh } from './testing/mesh.ts';
import { createTestApp, type TestApp } from './testing/test-app.ts';
import { serveHub, type ServedHub } from './serve.ts';

const RING_S = 30;

interface NotificationRow {
  user_id: string;
  kind: string;
  priority: string;
  data: { callId?: string; chatId?: string; link?: string };
}

async function notificationsOf(hub: TestApp, callId: string): Promise<NotificationRow[]> {
  const { rows } = await sql<NotificationRow>`
    select user_id, kind, priority, data from notifications
    where data->>'callId' = ${callId} order by kind, user_id
  `.execute(hub.services.database.db);
  return rows;
}

async function deliveriesOf(
  hub: TestApp,
  callId: string,
): Promise<Array<{ user_id: string; kind: string; collapse_key: string; ttl_seconds: number }>> {
  const { rows } = await sql<{ user_id: string; kind: string; collapse_key: string; ttl_seconds: number }>`
    select d.user_id, n.kind, d.collapse_key, d.ttl_seconds from deliveries d
    join notifications n on n.id = d.notification_id
    where n.data->>'callId' = ${callId} order by n.kind, d.user_id
  `.execute(hub.services.database.db);
  return rows;
}

const stateOf = (call: Call) =>
  Object.fromEntries(call.members.map((member) => [member.userId, member.state]));

async function createGroup(hub: TestApp, memberIds: string[], name = 'Algebra study group'): Promise<string> {
  const { chat } = await json<ChatResponse>(
    await hub.requestAs('t-ada', '/v1/chats', jsonBody({ name, memberIds }, { method: 'POST' })),
    201,
  );
  return chat.id;
}

async function startCall(hub: TestApp, chatId: string, as = 't-ada', status = 201): Promise<Call> {
  return (
    await json<CallResponse>(await hub.requestAs(as, `/v1/chats/${chatId}/calls`, { method: 'POST' }), status)
  ).call;
}

const post = (hub: TestApp, as: string, path: string) => hub.requestAs(as, path, { method: 'POST' });

describe('instant calls on 100ms (a local 100ms peer), with a clock that stands still', () => {
  let pki: TestPki;
  let peer: HmsPeer;
  let hub: TestApp;
  const clock = fixedClock(new Date('2026-12-01T09:00:00Z'));
  const events: LiveEvent[] = [];
  let chatId: string;

  before(async () => {
    pki = await createTestPki();
    const hms = await startTestHmsPeer({ pki, now: () => clock.now().getTime() });
    peer = hms.peer;
    hub = await createTestApp({
      env: { ...hms.env, HUB_RING_TIMEOUT_S: String(RING_S) },
      clock,
      services: { transport: { ca: pki.caPem } },
    });
    for (const user of ['t-ada', 's-01', 's-06', 's-02']) {
      hub.services.notifications.live.subscribe(user, (event) => {
        if (event.type === 'call') events.push({ ...event, userIds: [user] });
      });
    }
    chatId = await createGroup(hub, ['s-01', 's-06']);
  });
  after(async () => {
    await hub?.close();
    await peer?.close();
    await pki?.cleanup();
  });
  beforeEach(() => {
    events.length = 0;
  });

  it('rings every other member at once: a 100ms room, the live event and an urgent call.ringing for the ring window', async () => {
    const call = await startCall(hub, chatId);
    assert.equal(call.status, 'ringing');
    assert.equal(call.chatId, chatId);
    assert.equal(call.chatName, 'Algebra study group');
    assert.equal(call.startedBy, 't-ada');
    assert.equal(call.ringExpiresAt, new Date(clock.now().getTime() + RING_S * 1000).toISOString());
    assert.deepEqual(stateOf(call), { 't-ada': 'joined', 's-01': 'ringing', 's-06': 'ringing' });
    assert.deepEqual(
      call.members.map((member) => [member.userId, member.name, member.role]),
      [
        ['t-ada', 'Ada Lovelace', 'teacher'],
        ['s-01', 'Amara Okafor', 'student'],
        ['s-06', "Finn O'Brien", 'student'],
      ],
    );

    const room = peer.roomByName(`call-${call.id}`);
    assert.ok(room, 'a 100ms room named after the call');
    assert.equal(room.templateId, TEST_HMS_APP.HMS_TEMPLATE_ID);

    assert.deepEqual(
      events.map((event) => event.userIds[0]).sort(),
      ['s-01', 's-06', 't-ada'],
      'every member hears of the call at once',
    );
    const rings = await notificationsOf(hub, call.id);
    assert.deepEqual(
      rings.map((row) => [row.user_id, row.kind, row.priority, row.data.link]),
      [
        ['s-01', 'call.ringing', 'urgent', `#call/${call.id}`],
        ['s-06', 'call.ringing', 'urgent', `#call/${call.id}`],
      ],
    );

    // A second start in the same chat is the same call.
    const again = await startCall(hub, chatId, 't-ada', 200);
    assert.equal(again.id, call.id);
    assert.equal(peer.rooms.size, 1);

    // Clean up for the next test: the teacher ends it.
    await json<CallResponse>(await post(hub, 't-ada', `/v1/calls/${call.id}/end`));
  });

  it('sends the ring to devices with the ring window as TTL and the call as collapse key', async () => {
    const device = await json<{ device: { id: string } }>(
      await hub.requestAs(
        's-01',
        '/v1/devices',
        jsonBody(
          {
            platform: 'web',
            subscription: {
              endpoint: 'https://push.example.test/s-01',
              keys: {
                p256dh:
                  'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM',
                auth: 'tBHItJI5svbpez7KI4CCXg',
              },
            },
          },
          { method: 'POST' },
        ),
      ),
      201,
    );
    const call = await startCall(hub, chatId);
    assert.deepEqual(
      (await deliveriesOf(hub, call.id)).map((row) => [
        row.user_id,
        row.kind,
        row.collapse_key,
        row.ttl_seconds,
      ]),
      [['s-01', 'call.ringing', `call:${call.id}:ring`, RING_S]],
    );
    await json<CallResponse>(await post(hub, 't-ada', `/v1/calls/${call.id}/end`));
    await hub.requestAs('s-01', `/v1/devices/${device.device.id}`, { method: 'DELETE' });
  });

  it('lets a member accept with a 100ms grant for their role, and another decline; then it stops ringing', async () => {
    const call = await startCall(hub, chatId);
    const joined = await json<JoinCallResponse>(await post(hub, 's-01', `/v1/calls/${call.id}/join`));
    assert.equal(joined.video.engine, 'hms');
    assert.equal(joined.video.role, 'student');
    const room = peer.roomByName(`call-${call.id}`);
    assert.equal(joined.video.roomId, room?.id);
    const { payload } = await jwtVerify(
      joined.video.authToken,
      new TextEncoder().encode(TEST_HMS_APP.HMS_APP_SECRET),
      {
        algorithms: ['HS256'],
        currentDate: clock.now(),
      },
    );
    assert.equal(payload.room_id, room?.id);
    assert.equal(payload.user_id, 's-01');
    assert.equal(payload.role, 'student');
    assert.equal(stateOf(joined.call)['s-01'], 'joined');
    assert.equal(joined.call.status, 'ringing', 's-06 is still rung');

    const teacher = await json<JoinCallResponse>(await post(hub, 't-ada', `/v1/calls/${call.id}/join`));
    assert.equal(teacher.video.role, 'teacher');

    const ringRead = async (userId: string) =>
      (
        await sql<{ read: boolean }>`
          select read_at is not null as read from notifications
          where user_id = ${userId} and kind = 'call.ringing' and data->>'callId' = ${call.id}
        `.execute(hub.services.database.db)
      ).rows[0]?.read;
    assert.equal(await ringRead('s-01'), true, 'an answered ring is no longer unread news');
    assert.equal(await ringRead('s-06'), false);

    const declined = await json<CallResponse>(await post(hub, 's-06', `/v1/calls/${call.id}/decline`));
    assert.equal(stateOf(declined.call)['s-06'], 'declined');
    assert.equal(await ringRead('s-06'), true);
    assert.equal(declined.call.status, 'active', 'nobody is rung any more');

    // The ring window closes without anyone to mark missed.
    clock.advance((RING_S + 1) * 1000);
    await hub.services.notifications.worker.runDue();
    const after = await json<CallResponse>(await hub.requestAs('s-06', `/v1/calls/${call.id}`));
    assert.equal(stateOf(after.call)['s-06'], 'declined');
    assert.deepEqual(
      (await notificationsOf(hub, call.id)).filter((row) => row.kind === 'call.missed'),
      [],
    );
    await json<CallResponse>(await post(hub, 't-ada', `/v1/calls/${call.id}/end`));
  });

  it('marks those who neither joined nor declined missed when the ring window closes, once, replacing the ring', async () => {
    const call = await startCall(hub, chatId);
    await json<JoinCallResponse>(await post(hub, 's-01', `/v1/calls/${call.id}/join`));
    events.length = 0;

    clock.advance((RING_S - 1) * 1000);
    await hub.services.notifications.worker.runDue();
    assert.equal(
      stateOf((await json<CallResponse>(await hub.requestAs('s-06', `/v1/calls/${call.id}`))).call)['s-06'],
      'ringing',
    );

    clock.advance(2000);
    await hub.services.notifications.worker.runDue();
    await hub.services.notifications.worker.runDue();
    const { call: after } = await json<CallResponse>(await hub.requestAs('s-06', `/v1/calls/${call.id}`));
    assert.equal(after.status, 'active', 'the call and its room stay open');
    assert.deepEqual(stateOf(after), { 't-ada': 'joined', 's-01': 'joined', 's-06': 'missed' });
    const missed = (await notificationsOf(hub, call.id)).filter((row) => row.kind === 'call.missed');
    assert.deepEqual(
      missed.map((row) => [row.user_id, row.priority]),
      [['s-06', 'normal']],
    );
    assert.ok(
      events.some((event) => event.userIds[0] === 's-06' && stateOf(event.data as Call)['s-06'] === 'missed'),
      'an open page stops ringing through the live event',
    );

    // A missed member may still join while the call is open.
    const late = await json<JoinCallResponse>(await post(hub, 's-06', `/v1/calls/${call.id}/join`));
    assert.equal(stateOf(late.call)['s-06'], 'joined');
    await json<CallResponse>(await post(hub, 't-ada', `/v1/calls/${call.id}/end`));
  });

  it('keeps the call open when everyone leaves, lets members rejoin, and only a teacher ends it', async () => {
    const call = await startCall(hub, chatId);
    await json<JoinCallResponse>(await post(hub, 's-01', `/v1/calls/${call.id}/join`));
    const left = await json<CallResponse>(await post(hub, 's-01', `/v1/calls/${call.id}/leave`));
    assert.equal(stateOf(left.call)['s-01'], 'left');
    await json<CallResponse>(await post(hub, 't-ada', `/v1/calls/${call.id}/leave`));
    const { call: empty } = await json<CallResponse>(await hub.requestAs('t-ada', `/v1/calls/${call.id}`));
    assert.notEqual(empty.status, 'ended', 'an empty call stays open');

    const rejoined = await json<JoinCallResponse>(await post(hub, 's-01', `/v1/calls/${call.id}/join`));
    assert.equal(stateOf(rejoined.call)['s-01'], 'joined');

    const requestsBefore = peer.requests.length;
    await assertError(await post(hub, 's-01', `/v1/calls/${call.id}/end`), 403, 'FORBIDDEN');
    assert.equal(peer.requests.length, requestsBefore, 'a refused end never reaches 100ms');
    assert.notEqual(
      (await json<CallResponse>(await hub.requestAs('t-ada', `/v1/calls/${call.id}`))).call.status,
      'ended',
    );

    const ended = await json<CallResponse>(await post(hub, 't-ada', `/v1/calls/${call.id}/end`));
    assert.equal(ended.call.status, 'ended');
    assert.ok(ended.call.endedAt);
    assert.deepEqual(stateOf(ended.call), { 't-ada': 'left', 's-01': 'left', 's-06': 'missed' });
    const endRoom = peer.requests.find((request) => request.path.endsWith('/end-room'));
    assert.deepEqual((endRoom?.body as { lock?: boolean }).lock, true, 'the room is ended with lock: true');

    await assertError(await post(hub, 's-01', `/v1/calls/${call.id}/join`), 409, 'CONFLICT');
    await assertError(await post(hub, 's-06', `/v1/calls/${call.id}/decline`), 409, 'CONFLICT');
    // Ending again is no error and changes nothing.
    assert.equal(
      (await json<CallResponse>(await post(hub, 't-ada', `/v1/calls/${call.id}/end`))).call.status,
      'ended',
    );

    // The chat can have a new call.
    const next = await startCall(hub, chatId);
    assert.notEqual(next.id, call.id);
    await json<CallResponse>(await post(hub, 't-ada', `/v1/calls/${next.id}/end`));
  });

  it('refuses students, non-members and bad ids without changing anything', async () => {
    const roomsBefore = peer.rooms.size;
    await assertError(await post(hub, 's-01', `/v1/chats/${chatId}/calls`), 403, 'FORBIDDEN');
    await assertError(await post(hub, 't-grace', `/v1/chats/${chatId}/calls`), 404, 'NOT_FOUND');
    await assertError(
      await post(hub, 't-ada', '/v1/chats/g-00000000000000000000000000000000/calls'),
      404,
      'NOT_FOUND',
    );
    await assertError(await post(hub, 't-ada', '/v1/chats/not%20a%20chat/calls'), 400, 'VALIDATION_FAILED');
    assert.equal(peer.rooms.size, roomsBefore);

    const call = await startCall(hub, chatId);
    for (const action of ['join', 'decline', 'leave', 'end']) {
      await assertError(await post(hub, 's-02', `/v1/calls/${call.id}/${action}`), 404, 'NOT_FOUND');
    }
    await assertError(await hub.requestAs('s-02', `/v1/calls/${call.id}`), 404, 'NOT_FOUND');
    await assertError(await post(hub, 's-01', '/v1/calls/nope/join'), 400, 'VALIDATION_FAILED');
    await assertError(await hub.app.request(`/v1/calls/${call.id}`), 401, 'UNAUTHENTICATED');

    // A joined member cannot "decline" afterwards.
    await json<JoinCallResponse>(await post(hub, 's-01', `/v1/calls/${call.id}/join`));
    await assertError(await post(hub, 's-01', `/v1/calls/${call.id}/decline`), 409, 'CONFLICT');

    const live = await json<LiveNow>(await hub.requestAs('s-06', '/v1/live'));
    assert.deepEqual(
      live.calls.map((entry) => entry.id),
      [call.id],
    );
    assert.deepEqual((await json<LiveNow>(await hub.requestAs('s-02', '/v1/live'))).calls, []);
    await json<CallResponse>(await post(hub, 't-ada', `/v1/calls/${call.id}/end`));
    assert.deepEqual((await json<LiveNow>(await hub.requestAs('s-06', '/v1/live'))).calls, []);
  });

  it('answers 503 and records nothing when 100ms fails; an end that fails at 100ms leaves the call open', async () => {
    const count = async () =>
      (await sql<{ n: number }>`select count(*)::int as n from calls`.execute(hub.services.database.db))
        .rows[0]?.n;
    const before = await count();
    peer.failNext(1, 500);
    await assertError(await post(hub, 't-ada', `/v1/chats/${chatId}/calls`), 503, 'UNAVAILABLE');
    assert.equal(await count(), before);

    const call = await startCall(hub, chatId);
    peer.failNext(1, 502);
    await assertError(await post(hub, 't-ada', `/v1/calls/${call.id}/end`), 503, 'UNAVAILABLE');
    assert.notEqual(
      (await json<CallResponse>(await hub.requestAs('t-ada', `/v1/calls/${call.id}`))).call.status,
      'ended',
    );
    await json<CallResponse>(await post(hub, 't-ada', `/v1/calls/${call.id}/end`));
  });

  it('lets a member already in an active call join again (a new grant, the call unchanged), unless she left the chat while it ran', async () => {
    const chat = await createGroup(hub, ['s-01', 's-06'], 'Rejoin group');
    const call = await startCall(hub, chat);
    await json<JoinCallResponse>(await post(hub, 's-01', `/v1/calls/${call.id}/join`));
    await json<CallResponse>(await post(hub, 's-06', `/v1/calls/${call.id}/decline`));
    const again = await json<JoinCallResponse>(await post(hub, 's-01', `/v1/calls/${call.id}/join`));
    assert.equal(again.call.status, 'active');
    assert.equal(again.call.chatName, 'Rejoin group');
    assert.deepEqual(stateOf(again.call), { 't-ada': 'joined', 's-01': 'joined', 's-06': 'declined' });
    assert.equal(again.video.roomId, peer.roomByName(`call-${call.id}`)?.id);

    // Ada takes her out of the chat while her repeat join is being granted: the removal wins.
    const video = hub.services.calls.video;
    const grant = video.grant.bind(video);
    video.grant = async (request) => {
      await json(await hub.requestAs('t-ada', `/v1/chats/${chat}/members/s-01`, { method: 'DELETE' }));
      return grant(request);
    };
    try {
      await assertError(await post(hub, 's-01', `/v1/calls/${call.id}/join`), 404, 'NOT_FOUND');
    } finally {
      video.grant = grant;
    }
    const { call: after } = await json<CallResponse>(await hub.requestAs('t-ada', `/v1/calls/${call.id}`));
    assert.equal(stateOf(after)['s-01'], 'left');
    await json<CallResponse>(await post(hub, 't-ada', `/v1/calls/${call.id}/end`));
  });

  it('gives a member who is in the call a new 100ms grant by the token route, and nobody else, changing nothing', async () => {
    const chat = await createGroup(hub, ['s-01', 's-06'], 'Token group');
    const call = await startCall(hub, chat);
    const room = peer.roomByName(`call-${call.id}`);
    const tokenOf = (as: string, id = call.id) => post(hub, as, `/v1/calls/${id}/token`);
    // Rung but not in it yet: she joins first (the join marks her joined; the token route never does).
    await assertError(await tokenOf('s-01'), 409, 'CONFLICT');
    await json<JoinCallResponse>(await post(hub, 's-01', `/v1/calls/${call.id}/join`));
    const before = (await json<CallResponse>(await hub.requestAs('t-ada', `/v1/calls/${call.id}`))).call;
    const events = await notificationsOf(hub, call.id);

    const { video } = await json<CallTokenResponse>(await tokenOf('s-01'));
    assert.equal(video.engine, 'hms');
    assert.equal(video.roomId, room?.id);
    assert.equal(video.role, 'student');
    const { payload } = await jwtVerify(
      video.authToken,
      new TextEncoder().encode(TEST_HMS_APP.HMS_APP_SECRET),
      {
        algorithms: ['HS256'],
        currentDate: clock.now(),
      },
    );
    assert.deepEqual([payload.room_id, payload.user_id, payload.role], [room?.id, 's-01', 'student']);
    const teacher = await json<CallTokenResponse>(await tokenOf('t-ada'));
    assert.equal(teacher.video.role, 'teacher');

    // Not a member, a bad id, a call that is not there, someone still rung: nothing for them.
    await assertError(await tokenOf('s-02'), 404, 'NOT_FOUND');
    await assertError(await tokenOf('s-06'), 409, 'CONFLICT');
    await assertError(await tokenOf('s-01', 'not-a-call'), 400, 'VALIDATION_FAILED');
    await assertError(await tokenOf('s-01', '00000000-0000-4000-8000-000000000000'), 404, 'NOT_FOUND');
    await assertError(
      await hub.app.request(`/v1/calls/${call.id}/token`, { method: 'POST' }),
      401,
      'UNAUTHENTICATED',
    );
    const after = (await json<CallResponse>(await hub.requestAs('t-ada', `/v1/calls/${call.id}`))).call;
    assert.deepEqual(after, before, 'the call is as it was');
    assert.deepEqual(await notificationsOf(hub, call.id), events, 'and nobody was told anything');

    // Taken out of the chat: no more grants. Ended: none for anyone.
    await json(await hub.requestAs('t-ada', `/v1/chats/${chat}/members/s-01`, { method: 'DELETE' }));
    await assertError(await tokenOf('s-01'), 404, 'NOT_FOUND');
    await json<CallResponse>(await post(hub, 't-ada', `/v1/calls/${call.id}/end`));
    await assertError(await tokenOf('t-ada'), 409, 'CONFLICT');
  });

  it('calls one student from a direct chat', async () => {
    const { chat } = await json<ChatResponse>(
      await hub.requestAs('t-ada', '/v1/chats/direct', jsonBody({ userId: 's-02' }, { method: 'POST' })),
      201,
    );
    const call = await startCall(hub, chat.id);
    assert.equal(call.chatName, null);
    assert.deepEqual(stateOf(call), { 't-ada': 'joined', 's-02': 'ringing' });
    await assertError(await post(hub, 's-02', `/v1/calls/${call.id}/end`), 403, 'FORBIDDEN');
    await json<CallResponse>(await post(hub, 't-ada', `/v1/calls/${call.id}/end`));
  });
});

describe('instant calls on the local mesh (dev mode), served over HTTP', () => {
  let hub: TestApp;
  let served: ServedHub;

  before(async () => {
    hub = await createTestApp();
    served = await serveHub(hub.services, hub.app, { port: 0, hostname: '127.0.0.1' });
  });
  after(async () => {
    served?.server.close();
    await hub?.close();
  });

  const connect = (video: JoinCallResponse['video']) => connectToMesh(served, video);

  it('grants mesh rooms, marks a member whose connection closes as left, and locks the room at the end', async () => {
    const chatId = await createGroup(hub, ['s-01', 's-06']);
    const call = await startCall(hub, chatId);
    const teacher = await json<JoinCallResponse>(await post(hub, 't-ada', `/v1/calls/${call.id}/join`));
    const student = await json<JoinCallResponse>(await post(hub, 's-01', `/v1/calls/${call.id}/join`));
    assert.equal(student.video.engine, 'mesh');
    assert.equal(student.video.roomId, teacher.video.roomId);
    assert.equal(student.video.role, 'student');
    assert.match(student.video.signalUrl ?? '', /^ws:\/\/.+\/v1\/mesh\/connect$/);

    const ada = await connect(teacher.video);
    const amara = await connect(student.video);
    amara.socket.close();
    const deadline = Date.now() + 5_000;
    let state: string | undefined;
    while (Date.now() < deadline) {
      state = stateOf((await json<CallResponse>(await hub.requestAs('s-01', `/v1/calls/${call.id}`))).call)[
        's-01'
      ];
      if (state === 'left') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(state, 'left', 'a closed tab counts as leaving');

    await json<CallResponse>(await post(hub, 't-ada', `/v1/calls/${call.id}/end`));
    assert.equal(await ada.closed, MESH_CLOSE.ended, 'the end closes the room for those in it');
    await assert.rejects(connect(student.video), /closed with 4410/, 'and nobody gets back in');
  });

  it('gives a member in a mesh call a new grant that connects, but not when she is taken out of the chat while it is made', async () => {
    const chatId = await createGroup(hub, ['s-01', 's-06'], 'Mesh token group');
    const call = await startCall(hub, chatId);
    await json<JoinCallResponse>(await post(hub, 's-01', `/v1/calls/${call.id}/join`));
    const { video } = await json<CallTokenResponse>(await post(hub, 's-01', `/v1/calls/${call.id}/token`));
    assert.equal(video.engine, 'mesh');
    const amara = await connect(video);

    // The teacher takes her out while the new grant is made (which readmits on the mesh): the removal wins.
    const provider = hub.services.calls.video;
    const grant = provider.grant.bind(provider);
    provider.grant = async (request) => {
      await json(await hub.requestAs('t-ada', `/v1/chats/${chatId}/members/s-01`, { method: 'DELETE' }));
      return grant(request);
    };
    try {
      await assertError(await post(hub, 's-01', `/v1/calls/${call.id}/token`), 404, 'NOT_FOUND');
    } finally {
      provider.grant = grant;
    }
    assert.equal(await amara.closed, MESH_CLOSE.removed, 'she is out of the room');
    await assert.rejects(connect(video), /closed with 4403/, 'and her grants are refused');
    await json<CallResponse>(await post(hub, 't-ada', `/v1/calls/${call.id}/end`));
  });
});

describe('ring timeouts with two hub instances on one PostgreSQL', { skip: skipWithoutPostgres }, () => {
  let pki: TestPki;
  let peer: HmsPeer;
  let schema: TestSchema;
  let a: TestApp;
  let b: TestApp;
  const clock = fixedClock(new Date('2026-12-01T09:00:00Z'));

  before(async () => {
    pki = await createTestPki();
    const hms = await startTestHmsPeer({ pki, now: () => clock.now().getTime() });
    peer = hms.peer;
    schema = await createTestSchema();
    const instance = (instanceId: string) =>
      createTestApp({
        env: { ...hms.env, DATABASE_URL: schema.url },
        clock,
        services: { instanceId, transport: { ca: pki.caPem } },
      });
    a = await instance('instance-a');
    b = await instance('instance-b');
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await schema?.drop();
    await peer?.close();
    await pki?.cleanup();
  });

  it('fires the timeout once: one missed notification per member, whichever instance runs it', async () => {
    const chatId = await createGroup(a, ['s-01', 's-06']);
    const call = await startCall(a, chatId);
    clock.advance((RING_S + 1) * 1000);
    await Promise.all([
      a.services.notifications.worker.runDue(),
      b.services.notifications.worker.runDue(),
      a.services.notifications.worker.runDue(),
      b.services.notifications.worker.runDue(),
    ]);
    const missed = (await notificationsOf(b, call.id)).filter((row) => row.kind === 'call.missed');
    assert.deepEqual(
      missed.map((row) => row.user_id),
      ['s-01', 's-06'],
    );
    const { call: after } = await json<CallResponse>(await b.requestAs('s-01', `/v1/calls/${call.id}`));
    assert.deepEqual(stateOf(after), { 't-ada': 'joined', 's-01': 'missed', 's-06': 'missed' });
  });
});
