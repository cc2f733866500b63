import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/**
 * HS256 JWTs signed with `node:crypto`'s HMAC, synchronously: the JWS compact serialization of RFC 7515
 * (`base64url(header).base64url(claims).base64url(HMAC-SHA256)`) with the header `{"alg":"HS256","typ":"JWT"}`.
 *
 * The token routes sign a provider token on every request. jose (v6) signs only through WebCrypto, whose
 * per-call job costs the hub about 70 µs of CPU per token on these machines against about 4 µs here, which
 * was the largest part of a token request. jose still verifies every token the hub takes in (`hs256Key`),
 * and the tests check that jose verifies what this signs.
 */
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

const byString = new Map<string, KeyObject>();
const byBytes = new WeakMap<Uint8Array, KeyObject>();

/** The secret as a `KeyObject`, made once per secret (a string as its UTF-8 bytes, as jose takes it). */
function secretKey(secret: string | Uint8Array): KeyObject {
  if (typeof secret === 'string') {
    let key = byString.get(secret);
    if (!key) byString.set(secret, (key = createSecretKey(Buffer.from(secret, 'utf8'))));
    return key;
  }
  let key = byBytes.get(secret);
  if (!key) byBytes.set(secret, (key = createSecretKey(Buffer.from(secret))));
  return key;
}

/** A JWT of `claims` (registered ones such as `iat`, `exp`, `sub` included as given), signed with HS256. */
export function signHs256(claims: Readonly<Record<string, unknown>>, secret: string | Uint8Array): string {
  const input = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${createHmac('sha256', secretKey(secret)).update(input).digest('base64url')}`;
}
