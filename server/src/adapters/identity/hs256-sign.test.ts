import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { signHs256 } from './hs256-sign.ts';

const SECRET = 'a-secret-of-at-least-thirty-two-bytes!!';

describe('signHs256', () => {
  it('makes a JWT that jose verifies with the same secret, with the claims as given', async () => {
    const claims = { user_id: 'stu-amara', iat: 1_800_000_000, exp: 1_800_003_600, note: 'é ✓ "quoted"' };
    const token = signHs256(claims, SECRET);
    assert.deepEqual(decodeProtectedHeader(token), { alg: 'HS256', typ: 'JWT' });
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET), {
      algorithms: ['HS256'],
      currentDate: new Date(1_800_000_100_000),
    });
    assert.deepEqual(payload, claims);
  });

  it('takes the secret as bytes too, the same as its UTF-8 text', async () => {
    const bytes = new TextEncoder().encode(SECRET);
    assert.equal(signHs256({ sub: 'x' }, bytes), signHs256({ sub: 'x' }, SECRET));
    await jwtVerify(signHs256({ sub: 'x' }, bytes), bytes, { algorithms: ['HS256'] });
  });

  it('is refused by jose under another secret, or with its claims changed', async () => {
    const token = signHs256({ sub: 'stu-amara', role: 'student' }, SECRET);
    await assert.rejects(
      jwtVerify(token, new TextEncoder().encode(`${SECRET}-other`)),
      errors.JWSSignatureVerificationFailed,
    );
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'stu-amara', role: 'teacher' })).toString('base64url');
    await assert.rejects(
      jwtVerify(`${header}.${forged}.${signature}`, new TextEncoder().encode(SECRET)),
      errors.JWSSignatureVerificationFailed,
    );
  });
});
