/**
 * Rule 9 inside live calls and sessions: when the LMS removes s-01 from Algebra I (her only course of
 * Ada's), she is taken out of the video rooms she is in at once, the tokens she holds no longer open them,
 * the others see her leave, and no ring or missed call reaches her for them. On the local mesh (real `ws`
 * clients against the served hub) and on 100ms (a local HTTPS 100ms that sees the removal).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type {
  Call,
  CallResponse,
  DirectorySync,
  JoinCallResponse,
  SessionResponse,
} from '@teacher-hub/protocol';
import { MESH_CLOSE } from '@teacher-hub/protocol';
import { sql } from 'kysely';
import { DEMO_DIRECTORY } from './adapters/directory/demo-directory.ts';
import type { LiveEvent } from './adapters/live/live-bus.ts';
import type { ChatResponse } from './domain/chat/chat-api.ts';
import { fixedClock } from './domain/clock.ts';
import { serveHub, type ServedHub } from './serve.ts';
import { streamChannels } from './testing/chat.ts';
import { assertError, json, jsonBody } from './testing/http.ts';
import { connectToMesh, type MeshConnection } from './testing/mesh.ts';
import { startTestHmsPeer, type HmsPeer } from './testing/peers/hms-peer.ts';
import { createTestPki, type TestPki } from './testing/peers/tls.ts';
import { createTestApp, type TestApp } from './testing/test-app.ts';

const RING_S = 30;
const post = (body?: unknown) =>
  body === undefined ? { method: 'POST' } : jsonBody(body, { method: 'POST' });
const stateOf = (call: Call) =>
  Object.fromEntries(call.members.map((member) => [member.userId, member.state]));

/** The demo directory without s-01's enrollment in Algebra I, or all of it. */
function directory(withoutAmara: boolean): DirectorySync {
  return {
    ...DEMO_DIRECTORY,
    enrollments: DEMO_DIRECTORY.enrollments.filter(
      (e) => !(withoutAmara && e.courseId === 'algebra-1' && e.userId === 's-01'),
    ),
  };
}

async function syncDirectory(hub: TestApp, withoutAmara: boolean): Promise<void> {
  await json(
    await hub.app.request(
      '/v1/admin/directory',
      jsonBody(directory(withoutAmara), {
        method: 'PUT',
        headers: { Authorization: `Bearer ${hub.config.admin.key}` },
      }),
    ),
  );
}

async function createChat(hub: TestApp, memberIds: string[]): Promise<string> {
  return (
    await json<ChatResponse>(
      await hub.requestAs('t-ada', '/v1/chats', post({ name: 'Algebra group', memberIds })),
      201,
    )
  ).chat.id;
}

async function startCall(hub: TestApp, chatId: string): Promise<Call> {
  return (await json<CallResponse>(await hub.requestAs('t-ada', `/v1/chats/${chatId}/calls`, post()), 201))
    .call;
}

const join = async (hub: TestApp, userId: string, callId: string) =>
  json<JoinCallResponse>(await hub.requestAs(userId, `/v1/calls/${callId}/join`, post()));

async function missedOf(hub: TestApp, callId: string): Promise<string[]> {
  const { rows } = await sql<{ user_id: string }>`
    select user_id from notifications where kind = 'call.missed' and data->>'callId' = ${callId}
    order by user_id
  `.execute(hub.services.database.db);
  return rows.map((row) => row.user_id);
}

/** The `call` events each user's open pages got, in order. */
function watchCalls(hub: TestApp, userIds: string[]): Map<string, Call[]> {
  const seen = new Map<string, Call[]>(userIds.map((userId) => [userId, []]));
  for (const userId of userIds) {
    hub.services.notifications.live.subscribe(userId, (event: LiveEvent) => {
      if (event.type === 'call') seen.get(userId)?.push(event.data as Call);
    });
  }
  return seen;
}

// A relay that never closes her socket fails these by the timeout instead of hanging.
describe('rule 9 in live calls on the local mesh', { timeout: 30_000 }, () => {
  const clock = fixedClock(new Date('2026-12-01T08:55:00Z'));
  let hub: TestApp;
  let served: ServedHub;
  let events: Map<string, Call[]>;
  let groupCall: Call;
  let directCall: Call;
  let groupGrant: JoinCallResponse['video'];
  let sessionGrant: JoinCallResponse['video'];
  let sessionChatId: string;
  let sessionId: string;
  let amaraInCall: MeshConnection;
  let amaraInSession: MeshConnection;
  let adaInCall: MeshConnection;

  before(async () => {
    hub = await createTestApp({ clock, env: { HUB_RING_TIMEOUT_S: String(RING_S) } });
    served = await serveHub(hub.services, hub.app, { port: 0, hostname: '127.0.0.1' });
    events = watchCalls(hub, ['t-ada', 's-01', 's-02']);

    // A group call s-01 is in (s-02 is still rung), a direct call ringing s-01, and a live session she is in.
    groupCall = await startCall(hub, await createChat(hub, ['s-01', 's-02']));
    const direct = await json<ChatResponse>(
      await hub.requestAs('t-ada', '/v1/chats/direct', post({ userId: 's-01' })),
      201,
    );
    directCall = await startCall(hub, direct.chat.id);
    groupGrant = (await join(hub, 's-01', groupCall.id)).video;
    adaInCall = await connectToMesh(served, (await join(hub, 't-ada', groupCall.id)).video);
    amaraInCall = await connectToMesh(served, groupGrant);

    const { session } = await json<SessionResponse>(
      await hub.requestAs(
        't-ada',
        '/v1/sessions',
        post({
          title: 'Algebra now',
          type: 'group',
          start: '2026-12-01T09:00',
          timeZone: 'UTC',
          durationMinutes: 60,
          inviteeIds: ['s-01', 's-02'],
        }),
      ),
      201,
    );
    sessionId = session.id;
    sessionChatId = session.chatId;
    await json(await hub.requestAs('t-ada', `/v1/sessions/${sessionId}/start`, post({})));
    sessionGrant = (
      await json<JoinCallResponse>(await hub.requestAs('s-01', `/v1/sessions/${sessionId}/join`, post({})))
    ).video;
    amaraInSession = await connectToMesh(served, sessionGrant);
    assert.equal(hub.services.calls.relay?.peerCount(groupGrant.roomId), 2);
    for (const seen of events.values()) seen.length = 0;

    await syncDirectory(hub, true);
  });
  after(async () => {
    served?.server.close();
    await hub?.close();
  });

  it('closes her connections to the call and to the live session with 4403 at once; the teacher stays', async () => {
    assert.equal(await amaraInCall.closed, MESH_CLOSE.removed);
    assert.equal(await amaraInSession.closed, MESH_CLOSE.removed);
    assert.equal(hub.services.calls.relay?.peerCount(groupGrant.roomId), 1);
    assert.equal(adaInCall.socket.readyState, adaInCall.socket.OPEN);
  });

  it('refuses her reconnects with the tokens she holds (4403), and her joins (404)', async () => {
    await assert.rejects(connectToMesh(served, groupGrant), /closed with 4403/);
    await assert.rejects(connectToMesh(served, sessionGrant), /closed with 4403/);
    for (const callId of [groupCall.id, directCall.id]) {
      await assertError(await hub.requestAs('s-01', `/v1/calls/${callId}/join`, post()), 404, 'NOT_FOUND');
    }
    await assertError(
      await hub.requestAs('s-01', `/v1/sessions/${sessionId}/join`, post({})),
      404,
      'NOT_FOUND',
    );
    assert.equal(hub.services.calls.relay?.peerCount(sessionGrant.roomId), 0);
  });

  it('tells the other members that she left, and her pages that her ring stopped', async () => {
    const latest = (userId: string, callId: string) =>
      events
        .get(userId)
        ?.filter((call) => call.id === callId)
        .at(-1);
    for (const userId of ['t-ada', 's-02']) {
      const call = latest(userId, groupCall.id);
      assert.ok(call, `${userId} heard of the group call`);
      assert.deepEqual(stateOf(call), { 't-ada': 'joined', 's-01': 'left', 's-02': 'ringing' });
    }
    const direct = latest('t-ada', directCall.id);
    assert.equal(direct && stateOf(direct)['s-01'], 'left');
    assert.equal(direct?.status, 'active', 'nobody is rung in the direct call any more');
    assert.equal(stateOf(latest('s-01', directCall.id) as Call)['s-01'], 'left');
    const { rows } = await sql<{ read: boolean }>`
      select read_at is not null as read from notifications
      where user_id = 's-01' and kind = 'call.ringing' and data->>'callId' = ${directCall.id}
    `.execute(hub.services.database.db);
    assert.deepEqual(rows, [{ read: true }], 'the ring in her notification center is read');
  });

  it('sends her no call.missed when the ring windows close, and nothing of the calls after her removal', async () => {
    events.get('s-01')!.length = 0;
    clock.advance((RING_S + 1) * 1000);
    await hub.services.notifications.worker.runDue();
    assert.deepEqual(await missedOf(hub, groupCall.id), ['s-02'], 's-02, still a member, missed it');
    assert.deepEqual(await missedOf(hub, directCall.id), []);
    assert.deepEqual(events.get('s-01'), []);
    assert.equal(
      stateOf(
        events
          .get('t-ada')!
          .filter((call) => call.id === groupCall.id)
          .at(-1) as Call,
      )['s-02'],
      'missed',
    );
  });

  it('takes her out of the session chat in GetStream too', async () => {
    const channel = (await streamChannels(hub)).find((entry) => entry.cid.endsWith(`:${sessionChatId}`));
    assert.ok(channel, 'the session chat has a channel');
    assert.deepEqual(channel.members, ['s-02', 't-ada']);
  });

  it('lets her in again with a new grant once she is enrolled and in the chat again; not with the old one', async () => {
    await syncDirectory(hub, false);
    // Opening the direct chat puts her back into it (rule 9's direct chats).
    await json(await hub.requestAs('t-ada', '/v1/chats/direct', post({ userId: 's-01' })));
    const again = await join(hub, 's-01', directCall.id);
    assert.equal(stateOf(again.call)['s-01'], 'joined');
    const back = await connectToMesh(served, again.video);
    back.socket.close();
    // Still not in the group chat: the group call's room keeps refusing her.
    await assert.rejects(connectToMesh(served, groupGrant), /closed with 4403/);
  });
});

// A teacher's removal by hand (`DELETE /v1/chats/:id/members/:userId`) reaches the chat's call like the LMS's.
describe('a member the teacher removes from the chat during a mesh call', { timeout: 30_000 }, () => {
  let hub: TestApp;
  let served: ServedHub;
  let call: Call;
  let chatId: string;
  let graceGrant: JoinCallResponse['video'];
  let graceInCall: MeshConnection;
  let amaraInCall: MeshConnection;
  let events: Map<string, Call[]>;

  before(async () => {
    hub = await createTestApp();
    served = await serveHub(hub.services, hub.app, { port: 0, hostname: '127.0.0.1' });
    chatId = await createChat(hub, ['s-01', 's-02']);
    call = await startCall(hub, chatId);
    await connectToMesh(served, (await join(hub, 't-ada', call.id)).video);
    amaraInCall = await connectToMesh(served, (await join(hub, 's-01', call.id)).video);
    graceGrant = (await join(hub, 's-02', call.id)).video;
    graceInCall = await connectToMesh(served, graceGrant);
    assert.equal(hub.services.calls.relay?.peerCount(graceGrant.roomId), 3);
    events = watchCalls(hub, ['t-ada', 's-01', 's-02']);

    const removed = await hub.requestAs('t-ada', `/v1/chats/${chatId}/members/s-02`, { method: 'DELETE' });
    assert.equal(removed.status, 200, await removed.clone().text());
    await removed.body?.cancel();
  });
  after(async () => {
    served?.server.close();
    await hub?.close();
  });

  it('closes her relay socket with 4403 at once; the others stay', async () => {
    assert.equal(await graceInCall.closed, MESH_CLOSE.removed);
    assert.equal(hub.services.calls.relay?.peerCount(graceGrant.roomId), 2);
    assert.equal(amaraInCall.socket.readyState, amaraInCall.socket.OPEN);
  });

  it('refuses her old token (4403) and her join (404)', async () => {
    await assert.rejects(connectToMesh(served, graceGrant), /closed with 4403/);
    await assertError(await hub.requestAs('s-02', `/v1/calls/${call.id}/join`, post()), 404, 'NOT_FOUND');
  });

  it('shows the others (and her page, once) that she left', async () => {
    for (const userId of ['t-ada', 's-01', 's-02']) {
      const seen = events.get(userId) ?? [];
      assert.equal(seen.length, 1, `${userId} heard of the removal once`);
      assert.equal(stateOf(seen[0] as Call)['s-02'], 'left');
    }
    const { call: now } = await json<CallResponse>(await hub.requestAs('t-ada', `/v1/calls/${call.id}`));
    assert.deepEqual(stateOf(now), { 't-ada': 'joined', 's-01': 'joined', 's-02': 'left' });
  });

  it('leaves no job behind: the removal reached the call at once', async () => {
    const { rows } = await sql<{ kind: string }>`
      select kind from jobs where kind in ('chat.members-left', 'call.remove-peers')
    `.execute(hub.services.database.db);
    assert.deepEqual(rows, []);
  });
});

describe('rule 9 in live calls on 100ms (a local 100ms peer)', () => {
  const clock = fixedClock(new Date('2026-12-01T09:00:00Z'));
  const webhookSecret = 'hub-test-100ms-webhook-secret-0123456789';
  let pki: TestPki;
  let peer: HmsPeer;
  let hub: TestApp;
  let served: ServedHub;

  before(async () => {
    pki = await createTestPki();
    const hms = await startTestHmsPeer({ pki, now: () => clock.now().getTime() });
    peer = hms.peer;
    hub = await createTestApp({
      env: { ...hms.env, HMS_WEBHOOK_SECRET: webhookSecret },
      clock,
      services: { transport: { ca: pki.caPem } },
    });
    served = await serveHub(hub.services, hub.app, { port: 0, hostname: '127.0.0.1' });
  });
  after(async () => {
    served?.server.close();
    await hub?.close();
    await peer?.close();
    await pki?.cleanup();
  });

  it('removes her peer from the running 100ms session, and only hers; a failed removal is retried by its job', async () => {
    const call = await startCall(hub, await createChat(hub, ['s-01', 's-02']));
    const { video } = await join(hub, 's-01', call.id);
    // The SDKs join with the grants; 100ms knows them by the auth token's user_id.
    peer.joinPeer(video.roomId, { userId: 't-ada', name: 'Ada Lovelace', role: 'teacher' });
    const amara = peer.joinPeer(video.roomId, { userId: 's-01', name: 'Amara Okafor', role: 'student' });
    peer.failNext(1, 503, /remove-peers$/);

    await syncDirectory(hub, true);

    assert.equal(peer.peersIn(video.roomId).length, 2, '100ms refused: she is still there');
    const { call: after } = await json<CallResponse>(await hub.requestAs('t-ada', `/v1/calls/${call.id}`));
    assert.equal(stateOf(after)['s-01'], 'left', 'the hub has her out already');
    await assertError(await hub.requestAs('s-01', `/v1/calls/${call.id}/join`, post()), 404, 'NOT_FOUND');

    clock.advance(60_000);
    await hub.services.notifications.worker.runDue();
    assert.deepEqual(
      peer.peersIn(video.roomId).map((entry) => entry.userId),
      ['t-ada'],
    );
    const removals = peer.requests.filter((request) => request.path.endsWith('/remove-peers'));
    assert.deepEqual(
      removals.map((request) => request.status),
      [503, 200],
    );
    assert.deepEqual(removals[1]?.body, {
      peer_id: amara,
      reason: 'You are no longer enrolled in this class, so you left the call.',
    });

    // A hostile client rejoins with the auth token she still holds (100ms cannot revoke it): 100ms's
    // peer.join.success webhook reaches the hub, which takes her out again; the teacher's join changes nothing.
    peer.setWebhook({
      url: `http://127.0.0.1:${served.address.port}/v1/webhooks/100ms`,
      headers: { 'X-Hub-Webhook-Secret': webhookSecret },
    });
    peer.requests.length = 0;
    const back = peer.joinPeer(video.roomId, { userId: 's-01', name: 'Amara Okafor', role: 'student' });
    peer.joinPeer(video.roomId, { userId: 't-ada', name: 'Ada Lovelace', role: 'teacher' });
    await peer.webhooksSettled();
    assert.deepEqual(
      peer.webhooks.map((delivery) => [delivery.event.data.user_id, delivery.statuses]),
      [
        ['s-01', [200]],
        ['t-ada', [200]],
      ],
    );
    assert.deepEqual(
      peer.peersIn(video.roomId).map((entry) => entry.userId),
      ['t-ada', 't-ada'],
    );
    assert.deepEqual(
      peer.requests
        .filter((request) => request.path.endsWith('/remove-peers'))
        .map((request) => (request.body as { peer_id: string }).peer_id),
      [back],
    );
    const { rows } = await sql<{
      kind: string;
    }>`select kind from jobs where kind = 'call.remove-peers' and status = 'pending'`.execute(
      hub.services.database.db,
    );
    assert.deepEqual(rows, [], 'the removal went through at once');
  });
});

describe('a rung member taken out of the chat before the ring window closes', () => {
  const clock = fixedClock(new Date('2026-12-01T09:00:00Z'));
  let hub: TestApp;

  before(async () => {
    hub = await createTestApp({ clock, env: { HUB_RING_TIMEOUT_S: String(RING_S) } });
  });
  after(() => hub?.close());

  it('is not marked missed nor sent call.missed; her page hears that the ring stopped', async () => {
    const chatId = await createChat(hub, ['s-02', 's-06']);
    const call = await startCall(hub, chatId);
    const events = watchCalls(hub, ['s-02', 's-06']);
    const removed = await hub.requestAs('t-ada', `/v1/chats/${chatId}/members/s-06`, { method: 'DELETE' });
    assert.ok(removed.ok, `removing s-06: ${removed.status}`);
    await removed.body?.cancel();

    clock.advance((RING_S + 1) * 1000);
    await hub.services.notifications.worker.runDue();

    assert.deepEqual(await missedOf(hub, call.id), ['s-02']);
    const { call: after } = await json<CallResponse>(await hub.requestAs('t-ada', `/v1/calls/${call.id}`));
    assert.deepEqual(stateOf(after), { 't-ada': 'joined', 's-02': 'missed', 's-06': 'left' });
    assert.deepEqual(
      events.get('s-06')?.map((entry) => stateOf(entry)['s-06']),
      ['left'],
    );
  });
});
