/**
 * `HUB_MESH_TOKEN_TTL_S`: the lifetime of the mesh join tokens, and what the SDK's early refresh relies
 * on: asking `POST /v1/calls/:id/join` again while joined hands out a fresh grant and changes nothing else.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Call, JoinSessionResponse, Session, VideoGrant } from '@teacher-hub/protocol';
import { decodeJwt } from 'jose';
import { sql } from 'kysely';
import { fixedClock } from '../../domain/clock.ts';
import { ConfigError, loadConfig } from '../../env.ts';
import { json, jsonBody } from '../../testing/http.ts';
import { createTestApp, type TestApp } from '../../testing/test-app.ts';

function refused(value: string): string[] {
  try {
    loadConfig({ HUB_MESH_TOKEN_TTL_S: value });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.issues.map((issue) => issue.variable);
  }
  assert.fail(`HUB_MESH_TOKEN_TTL_S=${value} was accepted`);
}

describe('HUB_MESH_TOKEN_TTL_S', () => {
  it('defaults to two hours and takes whole seconds from 60 to 86400', () => {
    assert.equal(loadConfig({}).tokenTtlSeconds.mesh, 7200);
    assert.equal(loadConfig({ HUB_MESH_TOKEN_TTL_S: '60' }).tokenTtlSeconds.mesh, 60);
    assert.equal(loadConfig({ HUB_MESH_TOKEN_TTL_S: '86400' }).tokenTtlSeconds.mesh, 86400);
    for (const value of ['59', '86401', '90.5', 'two hours', '-1']) {
      assert.deepEqual(refused(value), ['HUB_MESH_TOKEN_TTL_S'], value);
    }
  });

  describe('on a hub with mesh tokens of 5 minutes', () => {
    let hub: TestApp;
    let call: Call;
    const post = async <T>(userId: string, path: string, body?: unknown, status = 200): Promise<T> =>
      json<T>(await hub.requestAs(userId, path, { method: 'POST', ...(body ? jsonBody(body) : {}) }), status);

    before(async () => {
      hub = await createTestApp({ env: { HUB_MESH_TOKEN_TTL_S: '300' } });
      const { chat } = await post<{ chat: { id: string } }>(
        't-ada',
        '/v1/chats',
        {
          name: 'Mesh token lifetimes',
          memberIds: ['s-01'],
        },
        201,
      );
      ({ call } = await post<{ call: Call }>('t-ada', `/v1/chats/${chat.id}/calls`, undefined, 201));
    });
    after(() => hub.close());

    it('grants mesh tokens that live HUB_MESH_TOKEN_TTL_S', async () => {
      const { video } = await post<{ video: VideoGrant }>('s-01', `/v1/calls/${call.id}/join`);
      assert.equal(video.engine, 'mesh');
      const claims = decodeJwt(video.authToken);
      assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 300);
    });

    it('joining again while joined (the SDK’s refresh) returns a fresh grant and changes nothing else', async () => {
      const first = await post<{ call: Call; video: VideoGrant }>('s-01', `/v1/calls/${call.id}/join`);
      const again = await post<{ call: Call; video: VideoGrant }>('s-01', `/v1/calls/${call.id}/join`);
      assert.deepEqual(again.call, first.call, 'the call and its members are as they were');
      assert.equal(again.call.members.find((member) => member.userId === 's-01')?.state, 'joined');
      assert.equal(again.video.roomId, first.video.roomId);
      assert.equal(decodeJwt(again.video.authToken).room, decodeJwt(first.video.authToken).room);
    });
  });

  describe('a live session occurrence', () => {
    let hub: TestApp;
    let session: Session;
    const clock = fixedClock(new Date('2026-12-07T14:55:00Z'));
    const post = async <T>(userId: string, path: string, body?: unknown, status = 200): Promise<T> =>
      json<T>(await hub.requestAs(userId, path, { method: 'POST', ...(body ? jsonBody(body) : {}) }), status);

    before(async () => {
      hub = await createTestApp({ clock, env: { HUB_MESH_TOKEN_TTL_S: '600' } });
      ({ session } = await post<{ session: Session }>(
        't-ada',
        '/v1/sessions',
        {
          title: 'Long lesson',
          type: 'class',
          start: '2026-12-07T15:00',
          timeZone: 'UTC',
          durationMinutes: 120,
          inviteeIds: ['s-01'],
        },
        201,
      ));
      await post('t-ada', `/v1/sessions/${session.id}/start`);
    });
    after(() => hub.close());

    it('joining again while joined (the SDK’s refresh) hands out a fresh grant and keeps one attendance stay', async () => {
      const first = await post<JoinSessionResponse>('s-01', `/v1/sessions/${session.id}/join`);
      clock.advance(8 * 60_000);
      const again = await post<JoinSessionResponse>('s-01', `/v1/sessions/${session.id}/join`);
      assert.deepEqual(again.occurrence, first.occurrence);
      assert.equal(again.video.roomId, first.video.roomId);
      const claims = decodeJwt(again.video.authToken);
      assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 600);
      assert.ok((claims.iat ?? 0) > (decodeJwt(first.video.authToken).iat ?? 0), 'a token minted now');
      const { rows } = await sql<{ joined_at: Date; open: boolean }>`
        select joined_at, left_at is null as open from session_attendance
        where session_id = ${session.id} and user_id = 's-01'
      `.execute(hub.services.database.db);
      assert.deepEqual(
        rows.map((row) => [row.joined_at.toISOString(), row.open]),
        [['2026-12-07T14:55:00.000Z', true]],
        'one open stay, from the first join',
      );
    });
  });
});
