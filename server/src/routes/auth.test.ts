import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DevTokenResponse, DevUsersResponse, Me } from '@teacher-hub/protocol';
import { decodeJwt } from 'jose';
import { assertError, json, jsonBody } from '../testing/http.ts';
import { createTestApp, PRODUCTION_ENV, type TestApp } from '../testing/test-app.ts';
import { claimsFor, signWithSecret } from '../testing/tokens.ts';

describe('dev mode', () => {
  let hub: TestApp;
  before(async () => {
    hub = await createTestApp();
  });
  after(() => hub.close());

  describe('POST /v1/dev/token', () => {
    describe('happy', () => {
      it('signs a 12-hour token for a seeded user that the hub accepts', async () => {
        const before = Date.now();
        const body = await json<DevTokenResponse>(
          await hub.app.request('/v1/dev/token', { method: 'POST', ...jsonBody({ userId: 't-ada' }) }),
        );
        const claims = decodeJwt(body.token);
        assert.deepEqual(
          { sub: claims.sub, name: claims['name'], role: claims['role'], iss: claims.iss, aud: claims.aud },
          { sub: 't-ada', name: 'Ada Lovelace', role: 'teacher', iss: 'teacher-hub-dev', aud: 'teacher-hub' },
        );
        const lifetime = Date.parse(body.expiresAt) - before;
        assert.ok(Math.abs(lifetime - 12 * 3600_000) < 60_000, `lifetime ${lifetime} ms`);
        const me = await json<Me>(
          await hub.app.request('/v1/me', { headers: { Authorization: `Bearer ${body.token}` } }),
        );
        assert.equal(me.user.id, 't-ada');
      });
    });

    describe('error', () => {
      it('answers 404 for a user the directory does not have', async () => {
        const response = await hub.app.request('/v1/dev/token', {
          method: 'POST',
          ...jsonBody({ userId: 'nobody' }),
        });
        await assertError(response, 404, 'NOT_FOUND');
      });

      it('answers 400 with details for a body that is not {userId}', async () => {
        for (const body of [
          {},
          { userId: 42 },
          { userId: 't-ada', extra: true },
          { userId: 'has space' },
          [],
        ]) {
          const response = await hub.app.request('/v1/dev/token', { method: 'POST', ...jsonBody(body) });
          const error = await assertError(response, 400, 'VALIDATION_FAILED');
          assert.ok(error.error.details && error.error.details.length > 0, JSON.stringify(body));
        }
      });

      it('answers 400 for malformed JSON and for a body that is not JSON', async () => {
        await assertError(
          await hub.app.request('/v1/dev/token', { method: 'POST', ...jsonBody('{"userId": ') }),
          400,
          'VALIDATION_FAILED',
        );
        const form = await hub.app.request('/v1/dev/token', {
          method: 'POST',
          body: 'userId=t-ada',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        });
        const error = await assertError(form, 400, 'VALIDATION_FAILED');
        assert.match(error.error.message, /JSON/);
      });
    });
  });

  describe('GET /v1/dev/users', () => {
    it('lists the demo directory, teachers first, with emails', async () => {
      const { users } = await json<DevUsersResponse>(await hub.app.request('/v1/dev/users'));
      assert.equal(users.length, 14);
      assert.deepEqual(users.slice(0, 3), [
        { id: 't-ada', name: 'Ada Lovelace', role: 'teacher', email: 't-ada@example.edu' },
        { id: 't-grace', name: 'Grace Hopper', role: 'teacher', email: 't-grace@example.edu' },
        { id: 's-01', name: 'Amara Okafor', role: 'student', email: 's-01@example.edu' },
      ]);
      for (const user of users) {
        assert.equal(user.email, `${user.id}@example.edu`);
        assert.match(user.name, /^\p{Lu}\p{Ll}+ \p{Lu}/u, 'a readable full name');
      }
    });
  });

  describe('GET /v1/me', () => {
    it('returns the caller as the directory has them', async () => {
      const me = await json<Me>(await hub.requestAs('s-04', '/v1/me'));
      assert.deepEqual(me, {
        user: { id: 's-04', name: 'Diego Hernández', role: 'student', email: 's-04@example.edu' },
      });
    });
  });
});

describe('production mode (HS256)', () => {
  let hub: TestApp;
  before(async () => {
    hub = await createTestApp({ env: PRODUCTION_ENV });
  });
  after(() => hub.close());

  describe('security', () => {
    it('has no POST /v1/dev/token and no GET /v1/dev/users', async () => {
      await assertError(
        await hub.app.request('/v1/dev/token', { method: 'POST', ...jsonBody({ userId: 't-ada' }) }),
        404,
        'NOT_FOUND',
      );
      await assertError(await hub.app.request('/v1/dev/users'), 404, 'NOT_FOUND');
    });

    it('does not seed the demo directory', async () => {
      assert.equal(await hub.services.directory.findUser('t-ada'), undefined);
    });
  });

  describe('GET /v1/me', () => {
    it("adds a token's user the LMS has not synced yet, from the claims", async () => {
      const claims = claimsFor(
        { id: 'lms-teacher-7', name: 'Rosalind Franklin', role: 'teacher' },
        { issuer: PRODUCTION_ENV.HUB_JWT_ISSUER, audience: PRODUCTION_ENV.HUB_JWT_AUDIENCE },
      );
      const token = await signWithSecret(PRODUCTION_ENV.HUB_JWT_SECRET, claims);
      const me = await json<Me>(
        await hub.app.request('/v1/me', { headers: { Authorization: `Bearer ${token}` } }),
      );
      assert.deepEqual(me, {
        user: { id: 'lms-teacher-7', name: 'Rosalind Franklin', role: 'teacher', email: null },
      });
      assert.equal((await hub.services.directory.findUser('lms-teacher-7'))?.name, 'Rosalind Franklin');
    });
  });
});
