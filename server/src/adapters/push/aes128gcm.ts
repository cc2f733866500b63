/**
 * Web push message encryption (RFC 8291) in the aes128gcm content coding (RFC 8188) with node:crypto: the
 * ECDH, five HMACs for the three HKDFs (RFC 5869: each output here is one block, so expand is one HMAC) and
 * one AES-GCM pass. `web-push` does the same through `http_ece`, which re-derives and re-validates keys
 * several times per message: in a fan-out to thousands of subscriptions that was a third of the sender's CPU
 * (`hkdfSync` costs twice these HMACs, for its key objects). The tests check that `http_ece` decrypts what
 * this produces.
 */
import { createCipheriv, createECDH, createHmac, randomFillSync } from 'node:crypto';

/** The record size announced when the message fits in it: what browsers and `web-push` use. */
const DEFAULT_RECORD_SIZE = 4096;
const TAG_LENGTH = 16;
const SALT_LENGTH = 16;
const PUBLIC_KEY_LENGTH = 65;
const HEADER_LENGTH = SALT_LENGTH + 4 + 1 + PUBLIC_KEY_LENGTH;
const KEY_INFO_PREFIX = 'WebPush: info\0';
const CEK_INFO = Buffer.from('Content-Encoding: aes128gcm\0\x01');
const NONCE_INFO = Buffer.from('Content-Encoding: nonce\0\x01');
const LAST_RECORD_DELIMITER = Buffer.from([2]);
/**
 * RFC 8291 §3.4's key_info, `"WebPush: info" 0x00 | ua_public | as_public`, with HKDF-Expand's block counter
 * 0x01 after it (one block is all the output needs): one buffer, rewritten in place for every message (the
 * subscription's p256dh is decoded straight into it), so the HMAC takes it in one update. Safe to share: it is
 * filled and consumed within one synchronous call.
 */
const KEY_INFO_UA_OFFSET = KEY_INFO_PREFIX.length;
const KEY_INFO_AS_OFFSET = KEY_INFO_UA_OFFSET + PUBLIC_KEY_LENGTH;
const keyInfo = Buffer.alloc(KEY_INFO_AS_OFFSET + PUBLIC_KEY_LENGTH + 1);
keyInfo.write(KEY_INFO_PREFIX, 0, 'latin1');
keyInfo[keyInfo.length - 1] = 1;
const userPublicKey = keyInfo.subarray(KEY_INFO_UA_OFFSET, KEY_INFO_AS_OFFSET);
const senderPublicKeyInInfo = keyInfo.subarray(KEY_INFO_AS_OFFSET, KEY_INFO_AS_OFFSET + PUBLIC_KEY_LENGTH);
/**
 * One ECDH object whose `generateKeys()` makes a new key pair on every call: the pair is used and replaced
 * within one synchronous call, so no two messages share it, and the object is not rebuilt per message.
 * RFC 8291 §3.1: "When sending a push message, the application server also generates a new ECDH key pair on
 * the same P-256 curve", so the pair is not reused across messages (only the salt could be, and it is fresh
 * too, §3.3 / RFC 8188 §2.1). Measured on Node 20 (OpenSSL 3.0): `generateKeys()` + `computeSecret()` is the
 * cheapest way node:crypto offers (about 230 µs, half of it OpenSSL checking our own new pair); a KeyObject
 * pair (`generateKeyPairSync`) with `crypto.diffieHellman` costs more (the peer key is imported and checked per
 * subscription), and WebCrypto's `deriveBits` more again.
 */
const senderKeys = createECDH('prime256v1');
/**
 * Salts come from the CSPRNG in batches of 256 (one `randomFillSync` instead of one per message); each
 * 16 bytes are used for one message only, as RFC 8291 §3.3 and RFC 8188 §2.1 require.
 */
const SALTS_PER_FILL = 256;
const saltPool = Buffer.alloc(SALT_LENGTH * SALTS_PER_FILL);
let saltOffset = saltPool.length;

function hmac(key: Buffer, data: Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

export interface SubscriptionKeys {
  /** base64url, the user agent's uncompressed P-256 public key (65 bytes). */
  p256dh: string;
  /** base64url, the user agent's authentication secret (16 bytes). */
  auth: string;
}

/**
 * Encrypts `plaintext` for one subscription: a fresh application-server ECDH key pair and a random salt for
 * every message (RFC 8291 §3.1, §3.3), one record (RFC 8291 §4), the
 * header `salt | rs | idlen | keyid` of RFC 8188 §2.1 with the sender's public key as keyid.
 * Throws on malformed subscription keys.
 */
export function encryptAes128gcm(plaintext: Buffer, keys: SubscriptionKeys): Buffer {
  const { p256dh, auth } = keys;
  if (
    Buffer.byteLength(p256dh, 'base64url') !== PUBLIC_KEY_LENGTH ||
    userPublicKey.write(p256dh, 'base64url') !== PUBLIC_KEY_LENGTH ||
    userPublicKey[0] !== 4
  ) {
    throw new Error('the subscription p256dh key is not an uncompressed P-256 point (65 bytes)');
  }
  const authSecret = Buffer.from(auth, 'base64url');
  if (authSecret.length < 16) throw new Error('the subscription auth secret is shorter than 16 bytes');

  const senderPublicKey = senderKeys.generateKeys();
  // Throws for a point that is not on the curve.
  const sharedSecret = senderKeys.computeSecret(userPublicKey);
  senderPublicKey.copy(senderPublicKeyInInfo);
  // The body is written in place: header `salt(16) | rs(4) | idlen(1) | keyid(65)`, the record, its tag.
  const body = Buffer.allocUnsafe(HEADER_LENGTH + plaintext.length + 1 + TAG_LENGTH);
  if (saltOffset === saltPool.length) {
    randomFillSync(saltPool);
    saltOffset = 0;
  }
  saltPool.copy(body, 0, saltOffset, saltOffset + SALT_LENGTH);
  // Used once: the next message takes the next 16 bytes, and a refill overwrites these.
  saltPool.fill(0, saltOffset, saltOffset + SALT_LENGTH);
  saltOffset += SALT_LENGTH;
  const salt = body.subarray(0, SALT_LENGTH);

  // RFC 8291 §3.3-3.4: IKM = HKDF(auth, ecdh_secret, key_info, 32), then from IKM and the salt the content
  // key (16 bytes) and nonce (12 bytes). HKDF-Extract is HMAC(salt, ikm), Expand to ≤ 32 bytes HMAC(prk, info|1).
  const keyPrk = hmac(authSecret, sharedSecret);
  const inputKey = hmac(keyPrk, keyInfo);
  const prk = hmac(salt, inputKey);
  const contentKey = hmac(prk, CEK_INFO).subarray(0, 16);
  const nonce = hmac(prk, NONCE_INFO).subarray(0, 12);

  // One record: the plaintext, then the last-record delimiter 0x02 and no padding (RFC 8188 §2).
  const recordSize = Math.max(DEFAULT_RECORD_SIZE, plaintext.length + 1 + TAG_LENGTH + 1);
  body.writeUInt32BE(recordSize, SALT_LENGTH);
  body[SALT_LENGTH + 4] = PUBLIC_KEY_LENGTH;
  senderPublicKey.copy(body, SALT_LENGTH + 5);
  const cipher = createCipheriv('aes-128-gcm', contentKey, nonce);
  let offset = HEADER_LENGTH;
  offset += cipher.update(plaintext).copy(body, offset);
  offset += cipher.update(LAST_RECORD_DELIMITER).copy(body, offset);
  offset += cipher.final().copy(body, offset);
  cipher.getAuthTag().copy(body, offset);
  return body;
}
