import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixedClock } from '../../domain/clock.ts';
import { ApiError } from '../../domain/errors.ts';
import type { TokenVerifier } from '../../domain/identity.ts';
import {
  claimsFor,
  createKeyPair,
  serveJwks,
  signWithSecret,
  tamperPayload,
  tamperSignature,
  unsecuredToken,
  type TestKeyPair,
} from '../../testing/tokens.ts';
import { createDevTokenIssuer, DEV_TOKEN_AUDIENCE, DEV_TOKEN_ISSUER } from './dev-token-issuer.ts';
import { createJwtVerifier } from './jwt-verifier.ts';

const NOW = new Date('2026-09-01T08:00:00Z');
const clock = fixedClock(NOW);
const SECRET = 'a-shared-secret-with-at-least-32-chars';
const ISSUER = 'https://lms.example.edu';
const AUDIENCE = 'teacher-hub';
const ADA = { id: 't-ada', name: 'Ada Lovelace', role: 'teacher' };
const valid = claimsFor(ADA, { issuer: ISSUER, audience: AUDIENCE, now: NOW });
const seconds = Math.floor(NOW.getTime() / 1000);

async function refusal(verifier: TokenVerifier, token: string): Promise<ApiError> {
  try {
    await verifier.verify(token);
  } catch (error) {
    assert.ok(error instanceof ApiError, `expected an ApiError, got ${String(error)}`);
    return error;
  }
  assert.fail('the token was accepted');
}

async function assertUnauthenticated(verifier: TokenVerifier, token: string, message?: RegExp) {
  const error = await refusal(verifier, token);
  assert.equal(error.code, 'UNAUTHENTICATED');
  if (message) assert.match(error.message, message);
}

describe('createJwtVerifier with an HS256 secret', () => {
  const verifier = createJwtVerifier({
    key: { kind: 'secret', secret: SECRET },
    issuer: ISSUER,
    audience: AUDIENCE,
    clock,
  });

  it('accepts a valid token and returns its principal', async () => {
    assert.deepEqual(await verifier.verify(await signWithSecret(SECRET, valid)), ADA);
  });

  it('trusts a token it verified again until it expires, and verifies any other text in full', async () => {
    const moving = fixedClock(NOW);
    const remembering = createJwtVerifier({
      key: { kind: 'secret', secret: SECRET },
      issuer: ISSUER,
      audience: AUDIENCE,
      clock: moving,
    });
    const token = await signWithSecret(SECRET, { ...valid, exp: seconds + 60 });
    assert.deepEqual(await remembering.verify(token), ADA);
    assert.deepEqual(await remembering.verify(token), ADA);
    await assertUnauthenticated(remembering, tamperSignature(token), /signature/);
    await assertUnauthenticated(remembering, tamperPayload(token, { sub: 't-eve' }));
    moving.advance(89_000);
    assert.deepEqual(await remembering.verify(token), ADA, 'within the 30 s of skew forgiven after exp');
    moving.advance(1_000);
    await assertUnauthenticated(remembering, token, /expired/);
  });

  it('accepts an audience list that contains the hub, and 30 s of clock skew', async () => {
    const token = await signWithSecret(SECRET, { ...valid, aud: ['other', AUDIENCE], exp: seconds - 20 });
    assert.deepEqual(await verifier.verify(token), ADA);
  });

  const refused: Array<[string, () => Promise<string>, RegExp]> = [
    ['alg: none', async () => unsecuredToken(valid), /algorithm|malformed/],
    ['a wrong audience', () => signWithSecret(SECRET, { ...valid, aud: 'someone-else' }), /aud/],
    ['a wrong issuer', () => signWithSecret(SECRET, { ...valid, iss: 'https://evil.example' }), /iss/],
    ['an expired token', () => signWithSecret(SECRET, { ...valid, exp: seconds - 3600 }), /expired/],
    [
      'a token not valid yet (nbf)',
      () => signWithSecret(SECRET, { ...valid, nbf: seconds + 3600 }),
      /not valid yet/,
    ],
    ['a token without exp', () => signWithSecret(SECRET, { ...valid, exp: undefined }), /exp/],
    ['a tampered signature', async () => tamperSignature(await signWithSecret(SECRET, valid)), /signature/],
    [
      'a tampered payload',
      async () => tamperPayload(await signWithSecret(SECRET, valid), { sub: 't-grace' }),
      /signature/,
    ],
    ['another secret', () => signWithSecret('another-secret-with-at-least-32-chars', valid), /signature/],
    [
      'HS512 with the right secret (the algorithm is pinned)',
      () => signWithSecret(SECRET, valid, { alg: 'HS512' }),
      /algorithm/,
    ],
    ['a missing role', () => signWithSecret(SECRET, { ...valid, role: undefined }), /role/],
    [
      'a role that is not teacher or student',
      () => signWithSecret(SECRET, { ...valid, role: 'admin' }),
      /role/,
    ],
    ['a missing name', () => signWithSecret(SECRET, { ...valid, name: undefined }), /name/],
    [
      'a sub outside the id alphabet',
      () => signWithSecret(SECRET, { ...valid, sub: '../etc/passwd' }),
      /sub/,
    ],
    ['garbage', async () => 'not-a-jwt', /malformed/],
    ['three garbage parts', async () => 'aaa.bbb.ccc', /malformed/],
  ];
  for (const [name, token, message] of refused) {
    it(`refuses ${name}`, async () => {
      await assertUnauthenticated(verifier, await token(), message);
    });
  }
});

describe('createJwtVerifier with a JWKS', () => {
  let rsa: TestKeyPair;
  let ec: TestKeyPair;
  let stranger: TestKeyPair;
  let jwks: Awaited<ReturnType<typeof serveJwks>>;
  let verifier: TokenVerifier;

  before(async () => {
    rsa = await createKeyPair('RS256', 'lms-rsa-1');
    ec = await createKeyPair('ES256', 'lms-ec-1');
    stranger = await createKeyPair('RS256', 'lms-rsa-1');
    jwks = await serveJwks([rsa, ec]);
    verifier = createJwtVerifier({
      key: { kind: 'jwks', url: new URL(jwks.url), algorithms: ['RS256'] },
      issuer: ISSUER,
      audience: AUDIENCE,
      clock,
    });
  });
  after(() => jwks.close());

  it('accepts a token signed by a published key with the pinned algorithm', async () => {
    assert.deepEqual(await verifier.verify(await rsa.sign(valid)), ADA);
  });

  it('accepts ES256 when it is pinned', async () => {
    const es256 = createJwtVerifier({
      key: { kind: 'jwks', url: new URL(jwks.url), algorithms: ['ES256'] },
      issuer: ISSUER,
      audience: AUDIENCE,
      clock,
    });
    assert.deepEqual(await es256.verify(await ec.sign(valid)), ADA);
    await assertUnauthenticated(es256, await rsa.sign(valid), /algorithm/);
  });

  it('refuses a published key whose algorithm is not pinned', async () => {
    await assertUnauthenticated(verifier, await ec.sign(valid), /algorithm/);
  });

  it('refuses a token signed by an unknown key, even with a known kid', async () => {
    await assertUnauthenticated(verifier, await stranger.sign(valid), /signature/);
    const unknownKid = await createKeyPair('RS256', 'not-published');
    await assertUnauthenticated(verifier, await unknownKid.sign(valid), /key this hub does not know/);
  });

  it('refuses HS256 signed with the public key (algorithm confusion) and alg: none', async () => {
    await assertUnauthenticated(
      verifier,
      await signWithSecret(JSON.stringify(rsa.publicJwk), valid),
      /algorithm/,
    );
    await assertUnauthenticated(verifier, unsecuredToken(valid));
  });

  it('checks the claims as with a secret', async () => {
    await assertUnauthenticated(verifier, await rsa.sign({ ...valid, aud: 'other' }), /aud/);
    await assertUnauthenticated(verifier, await rsa.sign({ ...valid, exp: seconds - 3600 }), /expired/);
  });

  it('answers UNAVAILABLE, not 401, when the key set cannot be fetched', async () => {
    const unreachable = createJwtVerifier({
      key: { kind: 'jwks', url: new URL('http://127.0.0.1:9/jwks.json'), algorithms: ['RS256'] },
      issuer: ISSUER,
      audience: AUDIENCE,
      clock,
    });
    const error = await refusal(unreachable, await rsa.sign(valid));
    assert.equal(error.code, 'UNAVAILABLE');
  });
});

describe('createDevTokenIssuer', () => {
  it('signs 12-hour tokens that the dev verifier accepts', async () => {
    const issuer = createDevTokenIssuer({ secret: SECRET, clock });
    const { token, expiresAt } = await issuer.issue({ id: 's-01', name: 'Amara Okafor', role: 'student' });
    assert.equal(expiresAt.toISOString(), '2026-09-01T20:00:00.000Z');
    const verifier = createJwtVerifier({
      key: { kind: 'secret', secret: SECRET },
      issuer: DEV_TOKEN_ISSUER,
      audience: DEV_TOKEN_AUDIENCE,
      clock,
    });
    assert.deepEqual(await verifier.verify(token), { id: 's-01', name: 'Amara Okafor', role: 'student' });
  });
});
