import assert from 'node:assert/strict';
import { createECDH, randomBytes, type ECDH } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { decryptAes128gcm } from '../../testing/peers/push-service.ts';
import { encryptAes128gcm } from './aes128gcm.ts';

/** `http_ece`, the decryptor `web-push` itself is built on: an implementation that is not ours. */
const ece = createRequire(import.meta.url)('http_ece') as {
  decrypt(buffer: Buffer, params: { version: 'aes128gcm'; privateKey: ECDH; authSecret: string }): Buffer;
};

function userAgent() {
  const ecdh = createECDH('prime256v1');
  const publicKey = ecdh.generateKeys();
  const authSecret = randomBytes(16);
  return {
    ecdh,
    publicKey,
    authSecret,
    keys: { p256dh: publicKey.toString('base64url'), auth: authSecret.toString('base64url') },
  };
}

describe('encryptAes128gcm (RFC 8291)', () => {
  it('gives what http_ece decrypts back to the payload, for short, empty and 4 KB payloads', () => {
    const browser = userAgent();
    for (const plaintext of [
      Buffer.from('{"title":"Algebra I starts in 15 minutes"}'),
      Buffer.alloc(0),
      randomBytes(4078),
      randomBytes(5000),
    ]) {
      const body = encryptAes128gcm(plaintext, browser.keys);
      const decrypted = ece.decrypt(body, {
        version: 'aes128gcm',
        privateKey: browser.ecdh,
        authSecret: browser.keys.auth,
      });
      assert.deepEqual(decrypted, plaintext);
      assert.deepEqual(decryptAes128gcm(body, browser), plaintext);
    }
  });

  it('uses a fresh application-server key and salt for every message, even to the same subscription', () => {
    const browser = userAgent();
    const plaintext = Buffer.from('same payload');
    const first = encryptAes128gcm(plaintext, browser.keys);
    const second = encryptAes128gcm(plaintext, browser.keys);

    // header: salt(16) | rs(4) | idlen(1) | keyid(65)
    assert.notDeepEqual(first.subarray(0, 16), second.subarray(0, 16));
    assert.notDeepEqual(first.subarray(21, 86), second.subarray(21, 86));
    assert.equal(first[20], 65);
    assert.equal(first.readUInt32BE(16), 4096);
  });

  it('cannot be decrypted with another subscription’s auth secret', () => {
    const browser = userAgent();
    const body = encryptAes128gcm(Buffer.from('secret'), browser.keys);

    assert.throws(() =>
      ece.decrypt(body, {
        version: 'aes128gcm',
        privateKey: browser.ecdh,
        authSecret: randomBytes(16).toString('base64url'),
      }),
    );
  });

  it('refuses malformed subscription keys', () => {
    const { keys } = userAgent();
    const plaintext = Buffer.from('x');
    assert.throws(() => encryptAes128gcm(plaintext, { ...keys, p256dh: 'AAAA' }), /p256dh/);
    assert.throws(() => encryptAes128gcm(plaintext, { ...keys, auth: 'AAAA' }), /auth secret/);
    const offCurve = Buffer.alloc(65, 1);
    offCurve[0] = 4;
    assert.throws(() => encryptAes128gcm(plaintext, { ...keys, p256dh: offCurve.toString('base64url') }));
  });
});
