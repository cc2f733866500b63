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
const HEADER_LENGTH = 16 + 4 + 1 + 65;
const KEY_INFO_PREFIX = Buffer.from('WebPush: info\0');
// HKDF-Expand's info with its block counter 0x01 appended: one block is all each output needs.
const KEY_INFO_SUFFIX = Buffer.from([1]);
const CEK_INFO = Buffer.from('Content-Encoding: aes128gcm\0\x01');
const NONCE_INFO = Buffer.from('Content-Encoding: nonce\0\x01');
const LAST_RECORD_DELIMITER = Buffer.from([2]);
/**
 * One ECDH object whose `generateKeys()` makes a new key pair on every call: the pair is used and replaced
 * within one synchronous call, so no two messages share it, and the object is not rebuilt per message.
 */
const senderKeys = createECDH('prime256v1');

function hmac(key: Buffer, ...data: Buffer[]): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of data) mac.update(part);
  return mac.digest();
}

export interface SubscriptionKeys {
  /** base64url, the user agent's uncompressed P-256 public key (65 bytes). */
  p256dh: string;
  /** base64url, the user agent's authentication secret (16 bytes). */
  auth: string;
}

/**
 * Encrypts `plaintext` for one subscription: a fresh application-server ECDH key pair and a random salt for
 * every message (RFC 8291 §2: the key pair is discarded after one message), one record (RFC 8291 §4), the
 * header `salt | rs | idlen | keyid` of RFC 8188 §2.1 with the sender's public key as keyid.
 * Throws on malformed subscription keys.
 */
export function encryptAes128gcm(plaintext: Buffer, keys: SubscriptionKeys): Buffer {
  const userPublicKey = Buffer.from(keys.p256dh, 'base64url');
  if (userPublicKey.length !== 65 || userPublicKey[0] !== 4) {
    throw new Error('the subscription p256dh key is not an uncompressed P-256 point (65 bytes)');
  }
  const authSecret = Buffer.from(keys.auth, 'base64url');
  if (authSecret.length < 16) throw new Error('the subscription auth secret is shorter than 16 bytes');

  const senderPublicKey = senderKeys.generateKeys();
  // Throws for a point that is not on the curve.
  const sharedSecret = senderKeys.computeSecret(userPublicKey);
  // The body is written in place: header `salt(16) | rs(4) | idlen(1) | keyid(65)`, the record, its tag.
  const body = Buffer.allocUnsafe(HEADER_LENGTH + plaintext.length + 1 + TAG_LENGTH);
  const salt = randomFillSync(body, 0, 16).subarray(0, 16);

  // RFC 8291 §3.3-3.4: IKM = HKDF(auth, ecdh_secret, key_info, 32), then from IKM and the salt the content
  // key (16 bytes) and nonce (12 bytes). HKDF-Extract is HMAC(salt, ikm), Expand to ≤ 32 bytes HMAC(prk, info|1).
  const keyPrk = hmac(authSecret, sharedSecret);
  const inputKey = hmac(keyPrk, KEY_INFO_PREFIX, userPublicKey, senderPublicKey, KEY_INFO_SUFFIX);
  const prk = hmac(salt, inputKey);
  const contentKey = hmac(prk, CEK_INFO).subarray(0, 16);
  const nonce = hmac(prk, NONCE_INFO).subarray(0, 12);

  // One record: the plaintext, then the last-record delimiter 0x02 and no padding (RFC 8188 §2).
  const recordSize = Math.max(DEFAULT_RECORD_SIZE, plaintext.length + 1 + TAG_LENGTH + 1);
  body.writeUInt32BE(recordSize, 16);
  body[20] = senderPublicKey.length;
  senderPublicKey.copy(body, 21);
  const cipher = createCipheriv('aes-128-gcm', contentKey, nonce);
  let offset = HEADER_LENGTH;
  offset += cipher.update(plaintext).copy(body, offset);
  offset += cipher.update(LAST_RECORD_DELIMITER).copy(body, offset);
  offset += cipher.final().copy(body, offset);
  cipher.getAuthTag().copy(body, offset);
  return body;
}
