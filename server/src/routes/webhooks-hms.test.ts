/**
 * `POST /v1/webhooks/100ms` on a hub using 100ms (a local HTTPS 100ms peer): only requests carrying the
 * webhook secret get in; on `peer.join.success` a peer who is not entitled to the room (removed from the
 * call's chat, never in the call, not invited to the live session) is taken out again, durably; unknown
 * rooms and users, and other events, are answered 200 and change nothing.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Call, CallResponse, JoinCallResponse, SessionResponse } from '@teacher-hub/protocol';
import fc from 'fast-check';
import { sql } from 'kysely';
import type { ChatResponse } from '../domain/chat/chat-api.ts';
import { fixedClock } from '../domain/clock.ts';
import { ConfigError, loadConfig } from '../env.ts';
import { assertUnchanged } from '../security/support.ts';
import { assertError, json, jsonBody } from '../testing/http.ts';
import { startTestHmsPeer, TEST_HMS_APP, type HmsPeer } from '../testing/peers/hms-peer.ts';
import { createTestPki, type TestPki } from '../testing/peers/tls.ts';
import { createTestApp, type TestApp } from '../testing/test-app.ts';

const SECRET = 'hub-test-100ms-webhook-secret-0123456789';
const post = (body?: unknown) =>
  body === undefined ? { method: 'POST' } : jsonBody(body, { method: 'POST' });

/** A `peer.join.success` event as 100ms documents it. */
function joined(roomId: string, userId: string, peerId: string = randomUUID()) {
  return {
    version: '2.0',
    id: randomUUID(),
    account_id: 'customer-local',
    app_id: 'app-local',
    timestamp: '2026-12-01T09:00:00Z',
    type: 'peer.join.success',
    data: {
      room_id: roomId,
      room_name: 'call-room',
      session_id: 'session-1',
      peer_id: peerId,
      user_id: userId,
      user_name: userId,
      role: 'student',
      joined_at: '2026-12-01T09:00:00.000Z',
    },
  };
}

describe('POST /v1/webhooks/100ms', () => {
  const clock = fixedClock(new Date('2026-12-01T08:55:00Z'));
  let pki: TestPki;
  let peer: HmsPeer;
  let hub: TestApp;
  let call: Call;
  let chatId: string;
  let roomId: string;

  const send = (body: unknown, secret: string | null = SECRET) =>
    hub.app.request('/v1/webhooks/100ms', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(secret === null ? {} : { 'X-Hub-Webhook-Secret': secret }),
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const outcomeOf = async (response: Response) =>
    (await json<{ ok: boolean; outcome: string }>(response, 200)).outcome;
  const removals = () =>
    peer.requests
      .filter((request) => request.path.endsWith('/remove-peers'))
      .map((request) => [
        request.status,
        (request.body as { peer_id?: string } | undefined)?.peer_id ?? null,
      ]);
  const pendingRemovals = async () =>
    (
      await sql<{ kind: string }>`
        select kind from jobs where kind = 'call.remove-peers' and status = 'pending'
      `.execute(hub.services.database.db)
    ).rows.length;

  before(async () => {
    pki = await createTestPki();
    const hms = await startTestHmsPeer({ pki, now: () => clock.now().getTime() });
    peer = hms.peer;
    hub = await createTestApp({
      env: { ...hms.env, HMS_WEBHOOK_SECRET: SECRET },
      clock,
      services: { transport: { ca: pki.caPem } },
    });
    chatId = (
      await json<ChatResponse>(
        await hub.requestAs(
          't-ada',
          '/v1/chats',
          post({ name: 'Algebra group', memberIds: ['s-01', 's-02'] }),
        ),
        201,
      )
    ).chat.id;
    call = (await json<CallResponse>(await hub.requestAs('t-ada', `/v1/chats/${chatId}/calls`, post()), 201))
      .call;
    roomId = (await json<JoinCallResponse>(await hub.requestAs('t-ada', `/v1/calls/${call.id}/join`, post())))
      .video.roomId;
  });
  after(async () => {
    await hub?.close();
    await peer?.close();
    await pki?.cleanup();
  });

  it('refuses a missing, wrong or near-miss secret with 401 in the contract body, and changes nothing', async () => {
    await assertUnchanged(hub, 'unauthenticated 100ms webhooks', async () => {
      for (const secret of [null, '', 'wrong', SECRET.slice(0, -1), `${SECRET}x`, SECRET.toUpperCase()]) {
        await assertError(await send(joined(roomId, 's-03'), secret), 401, 'UNAUTHENTICATED');
      }
    });
    assert.deepEqual(removals(), []);
  });

  it('refuses an authenticated body that is not JSON or not a 100ms event (400)', async () => {
    await assertError(await send('{"type":'), 400, 'VALIDATION_FAILED');
    for (const body of [[], 'peer.join.success', { type: 'peer.join.success' }, { id: 'e', type: 3 }]) {
      await assertError(await send(body), 400, 'VALIDATION_FAILED');
    }
    const noUser = joined(roomId, 's-03');
    delete (noUser.data as Partial<typeof noUser.data>).user_id;
    await assertError(await send(noUser), 400, 'VALIDATION_FAILED');
  });

  it('answers other events, unknown rooms and unknown users 200 and does nothing', async () => {
    const other = { ...joined(roomId, 's-03'), type: 'peer.leave.success' };
    assert.equal(await outcomeOf(await send(other)), 'ignored');
    assert.equal(await outcomeOf(await send(joined('no-such-room', 's-03'))), 'unknown');
    // A user the hub does not know (a 100ms recorder, a dashboard test join) is not the hub's business.
    assert.equal(await outcomeOf(await send(joined(roomId, 'beam-recorder'))), 'unknown');
    assert.deepEqual(removals(), []);
  });

  it('leaves members of the call who are still in its chat in the room', async () => {
    const amara = peer.joinPeer(roomId, { userId: 's-01', name: 'Amara Okafor', role: 'student' });
    assert.equal(await outcomeOf(await send(joined(roomId, 's-01', amara))), 'entitled');
    assert.equal(await outcomeOf(await send(joined(roomId, 't-ada'))), 'entitled');
    assert.deepEqual(removals(), []);
  });

  it('takes out again a member removed from the chat who rejoins with her token, retrying through the job', async () => {
    const grace = peer.joinPeer(roomId, { userId: 's-02', name: 'Grace Ito', role: 'student' });
    const removed = await hub.requestAs('t-ada', `/v1/chats/${chatId}/members/s-02`, { method: 'DELETE' });
    assert.equal(removed.status, 200);
    await removed.body?.cancel();
    assert.ok(!peer.peersIn(roomId).some((entry) => entry.userId === 's-02'), 'the removal took her out');
    peer.requests.length = 0;

    // Her 24-hour auth token still opens the room; 100ms refuses the first removal (unread: no body).
    const back = peer.joinPeer(roomId, { userId: 's-02', name: 'Grace Ito', role: 'student' });
    assert.notEqual(back, grace);
    peer.failNext(1, 503, /remove-peers$/);
    assert.equal(await outcomeOf(await send(joined(roomId, 's-02', back))), 'removed');
    assert.equal(await pendingRemovals(), 1, 'the removal waits in its job');
    assert.ok(peer.peersIn(roomId).some((entry) => entry.id === back));

    clock.advance(60_000);
    await hub.services.notifications.worker.runDue();
    assert.ok(!peer.peersIn(roomId).some((entry) => entry.userId === 's-02'), 'the job took her out');
    assert.deepEqual(removals(), [
      [503, null],
      [200, back],
    ]);
    assert.equal(await pendingRemovals(), 0);
    const { call: now } = await json<CallResponse>(await hub.requestAs('t-ada', `/v1/calls/${call.id}`));
    assert.equal(now.members.find((member) => member.userId === 's-02')?.state, 'left');
  });

  it('takes out a known user who was never in the call', async () => {
    peer.requests.length = 0;
    const stranger = peer.joinPeer(roomId, { userId: 's-03', name: 'Someone else', role: 'student' });
    assert.equal(await outcomeOf(await send(joined(roomId, 's-03', stranger))), 'removed');
    assert.deepEqual(removals(), [[200, stranger]]);
  });

  it('takes out of a live session a known user who is not invited, retrying through its job; invitees stay', async () => {
    const { session } = await json<SessionResponse>(
      await hub.requestAs(
        't-ada',
        '/v1/sessions',
        post({
          title: 'Algebra now',
          type: 'group',
          start: '2026-12-01T09:05',
          timeZone: 'UTC',
          durationMinutes: 60,
          inviteeIds: ['s-01'],
        }),
      ),
      201,
    );
    await json(await hub.requestAs('t-ada', `/v1/sessions/${session.id}/start`, post({})));
    const { video } = await json<JoinCallResponse>(
      await hub.requestAs('s-01', `/v1/sessions/${session.id}/join`, post({})),
    );
    peer.requests.length = 0;
    const amara = peer.joinPeer(video.roomId, { userId: 's-01', name: 'Amara Okafor', role: 'student' });
    const grace = peer.joinPeer(video.roomId, { userId: 's-02', name: 'Grace Ito', role: 'student' });
    assert.equal(await outcomeOf(await send(joined(video.roomId, 's-01', amara))), 'entitled');
    // 100ms refuses the first removal: its durable job (video.remove-peer) tries again.
    peer.failNext(1, 503, /remove-peers$/);
    assert.equal(await outcomeOf(await send(joined(video.roomId, 's-02', grace))), 'removed');
    assert.equal(peer.peersIn(video.roomId).length, 2);
    const pending = await sql<{ kind: string }>`
      select kind from jobs where kind = 'video.remove-peer' and status = 'pending'
    `.execute(hub.services.database.db);
    assert.equal(pending.rows.length, 1);
    clock.advance(60_000);
    await hub.services.notifications.worker.runDue();
    assert.deepEqual(
      peer.peersIn(video.roomId).map((entry) => entry.userId),
      ['s-01'],
    );
    assert.deepEqual(removals(), [
      [503, null],
      [200, grace],
    ]);
    // Unknown users stay out of it there too.
    assert.equal(await outcomeOf(await send(joined(video.roomId, 'beam-recorder'))), 'unknown');
  });

  it('never answers an authenticated arbitrary JSON value with a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (body) => {
        const response = await send(body);
        const text = await response.text();
        assert.ok(response.status === 200 || response.status === 400, `${response.status}: ${text}`);
      }),
      { numRuns: 100 },
    );
  });
});

describe('HMS_WEBHOOK_SECRET', () => {
  const refused = (env: Record<string, string>) =>
    assert.throws(
      () => loadConfig(env),
      (error) =>
        error instanceof ConfigError && error.issues.some((issue) => issue.variable === 'HMS_WEBHOOK_SECRET'),
    );

  it('is read with the 100ms group, at least 32 characters, and only with it', () => {
    assert.equal(loadConfig({ ...TEST_HMS_APP, HMS_WEBHOOK_SECRET: SECRET }).hms?.webhookSecret, SECRET);
    assert.equal(loadConfig(TEST_HMS_APP).hms?.webhookSecret, null);
    refused({ ...TEST_HMS_APP, HMS_WEBHOOK_SECRET: 'too-short' });
    refused({ HMS_WEBHOOK_SECRET: SECRET });
  });
});
