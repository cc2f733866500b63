import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Me } from '@teacher-hub/protocol';
import { Hono } from 'hono';
import { DEMO_DIRECTORY } from '../adapters/directory/demo-directory.ts';
import { DEV_TOKEN_AUDIENCE, DEV_TOKEN_ISSUER } from '../adapters/identity/dev-token-issuer.ts';
import { DEV_TOKEN_SECRET_SETTING } from '../services.ts';
import { assertError, json, jsonBody } from '../testing/http.ts';
import { createTestApp, PRODUCTION_ENV, type TestApp } from '../testing/test-app.ts';
import {
  claimsFor,
  createKeyPair,
  serveJwks,
  signWithSecret,
  tamperPayload,
  tamperSignature,
  unsecuredToken,
  type TestClaims,
  type TestKeyPair,
} from '../testing/tokens.ts';
import { handleError } from './errors.ts';
import { requireUser } from './auth.ts';
import type { PublicEnv } from './types.ts';

const ADA = { id: 't-ada', name: 'Ada Lovelace', role: 'teacher' };

/** How a hub is configured to verify tokens, and how a test signs one for it. */
interface Setup {
  hub: TestApp;
  valid: TestClaims;
  sign(claims: TestClaims): Promise<string>;
  adminKey: string;
}

/** Every way a request can fail to authenticate; each must end in 401 with the contract's body. */
function unauthenticatedCases(setup: () => Setup): Array<[string, () => Promise<Record<string, string>>]> {
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const now = () => Math.floor(Date.now() / 1000);
  return [
    ['no Authorization header', async () => ({})],
    ['an empty Bearer', async () => ({ Authorization: 'Bearer ' })],
    ['a Basic header', async () => ({ Authorization: 'Basic dC1hZGE6cGFzc3dvcmQ=' })],
    ['a token with spaces in it', async () => ({ Authorization: 'Bearer abc def' })],
    ['a garbage token', async () => bearer('garbage')],
    ['alg: none', async () => bearer(unsecuredToken(setup().valid))],
    ['a wrong aud', async () => bearer(await setup().sign({ ...setup().valid, aud: 'another-app' }))],
    [
      'a wrong iss',
      async () => bearer(await setup().sign({ ...setup().valid, iss: 'https://evil.example' })),
    ],
    ['an expired token', async () => bearer(await setup().sign({ ...setup().valid, exp: now() - 3600 }))],
    [
      'a token not valid yet (nbf)',
      async () => bearer(await setup().sign({ ...setup().valid, nbf: now() + 3600 })),
    ],
    ['a tampered signature', async () => bearer(tamperSignature(await setup().sign(setup().valid)))],
    [
      'a tampered payload (another sub)',
      async () => bearer(tamperPayload(await setup().sign(setup().valid), { sub: 't-grace' })),
    ],
    ['a token without role', async () => bearer(await setup().sign({ ...setup().valid, role: undefined }))],
  ];
}

function securitySuite(
  name: string,
  createSetup: () => Promise<Setup>,
  cleanup: () => Promise<void>,
  more?: (setup: () => Setup) => void,
) {
  describe(name, () => {
    let setup: Setup;
    before(async () => {
      setup = await createSetup();
    });
    after(async () => {
      await setup.hub.close();
      await cleanup();
    });

    it('accepts a valid token on /v1/me and /v1/roster', async () => {
      const headers = { Authorization: `Bearer ${await setup.sign(setup.valid)}` };
      const me = await json<Me>(await setup.hub.app.request('/v1/me', { headers }));
      assert.equal(me.user.id, 't-ada');
      await json(await setup.hub.app.request('/v1/roster', { headers }));
    });

    for (const [caseName, headers] of unauthenticatedCases(() => setup)) {
      it(`answers 401 to ${caseName} on /v1/me, /v1/roster and the admin call`, async () => {
        for (const path of ['/v1/me', '/v1/roster']) {
          await assertError(
            await setup.hub.app.request(path, { headers: await headers() }),
            401,
            'UNAUTHENTICATED',
          );
        }
        const admin = await setup.hub.app.request('/v1/admin/directory', {
          method: 'PUT',
          ...jsonBody(DEMO_DIRECTORY, { headers: await headers() }),
        });
        await assertError(admin, 401, 'UNAUTHENTICATED');
      });
    }

    it('says Bearer in WWW-Authenticate', async () => {
      const response = await setup.hub.app.request('/v1/me');
      assert.match(response.headers.get('WWW-Authenticate') ?? '', /^Bearer/);
      await response.body?.cancel();
    });

    it('does not take the token from ?access_token= on routes that did not opt in', async () => {
      const token = await setup.sign(setup.valid);
      await assertError(await setup.hub.app.request(`/v1/me?access_token=${token}`), 401, 'UNAUTHENTICATED');
    });

    it('refuses the admin key as a user token', async () => {
      const response = await setup.hub.app.request('/v1/me', {
        headers: { Authorization: `Bearer ${setup.adminKey}` },
      });
      await assertError(response, 401, 'UNAUTHENTICATED');
    });

    more?.(() => setup);
  });
}

securitySuite(
  'auth in dev mode (dev tokens)',
  async () => {
    const hub = await createTestApp();
    const secret = await hub.services.settings.get<string>(DEV_TOKEN_SECRET_SETTING);
    assert.ok(secret);
    return {
      hub,
      valid: claimsFor(ADA, { issuer: DEV_TOKEN_ISSUER, audience: DEV_TOKEN_AUDIENCE }),
      sign: (claims) => signWithSecret(secret, claims),
      adminKey: 'dev-admin-key',
    };
  },
  async () => {},
  (setup) => {
    describe('requireUser({allowQueryToken: true})', () => {
      let sse: Hono<PublicEnv>;
      before(() => {
        const { services } = setup().hub;
        sse = new Hono<PublicEnv>();
        sse.onError(handleError(services.logger));
        sse.get(
          '/stream',
          requireUser(
            { verifier: services.tokens.verifier, directory: services.directory },
            { allowQueryToken: true },
          ),
          (c) => c.json({ id: c.get('principal').id }, 200),
        );
      });

      it('takes the token from ?access_token= on a route that opted in', async () => {
        const token = await setup().hub.tokenFor('s-01');
        assert.deepEqual(await json(await sse.request(`/stream?access_token=${token}`)), { id: 's-01' });
      });

      it('still verifies it', async () => {
        const token = tamperSignature(await setup().hub.tokenFor('s-01'));
        const response = await sse.request(`/stream?access_token=${token}`);
        assert.equal(response.status, 401);
        await response.body?.cancel();
      });
    });
  },
);

securitySuite(
  'auth in production with HUB_JWT_SECRET (HS256)',
  async () => {
    const hub = await createTestApp({ env: PRODUCTION_ENV });
    await hub.services.directory.sync(DEMO_DIRECTORY);
    return {
      hub,
      valid: claimsFor(ADA, {
        issuer: PRODUCTION_ENV.HUB_JWT_ISSUER,
        audience: PRODUCTION_ENV.HUB_JWT_AUDIENCE,
      }),
      sign: (claims) => signWithSecret(PRODUCTION_ENV.HUB_JWT_SECRET, claims),
      adminKey: PRODUCTION_ENV.HUB_ADMIN_KEY,
    };
  },
  async () => {},
);

let jwks: Awaited<ReturnType<typeof serveJwks>> | undefined;
let lmsKey: TestKeyPair;
securitySuite(
  'auth in production with HUB_JWKS_URL (RS256)',
  async () => {
    lmsKey = await createKeyPair('RS256', 'lms-2026');
    jwks = await serveJwks([lmsKey]);
    const { HUB_JWT_SECRET: _secret, ...rest } = PRODUCTION_ENV;
    const hub = await createTestApp({ env: { ...rest, HUB_JWKS_URL: jwks.url } });
    await hub.services.directory.sync(DEMO_DIRECTORY);
    return {
      hub,
      valid: claimsFor(ADA, {
        issuer: PRODUCTION_ENV.HUB_JWT_ISSUER,
        audience: PRODUCTION_ENV.HUB_JWT_AUDIENCE,
      }),
      sign: (claims) => lmsKey.sign(claims),
      adminKey: PRODUCTION_ENV.HUB_ADMIN_KEY,
    };
  },
  async () => jwks?.close(),
  (setup) => {
    const me = (token: string) =>
      setup().hub.app.request('/v1/me', { headers: { Authorization: `Bearer ${token}` } });

    it('refuses a token signed by a key the JWKS does not publish', async () => {
      const stranger = await createKeyPair('RS256', 'lms-2026');
      await assertError(await me(await stranger.sign(setup().valid)), 401, 'UNAUTHENTICATED');
      const unknownKid = await createKeyPair('RS256', 'someone-elses');
      await assertError(await me(await unknownKid.sign(setup().valid)), 401, 'UNAUTHENTICATED');
    });

    it('refuses an HS256 token, whatever it was signed with (algorithm confusion)', async () => {
      for (const secret of [JSON.stringify(lmsKey.publicJwk), PRODUCTION_ENV.HUB_JWT_SECRET]) {
        await assertError(await me(await signWithSecret(secret, setup().valid)), 401, 'UNAUTHENTICATED');
      }
    });

    it('refuses ES256 while RS256 is pinned', async () => {
      const ec = await createKeyPair('ES256', 'lms-ec');
      await assertError(await me(await ec.sign(setup().valid)), 401, 'UNAUTHENTICATED');
    });
  },
);
