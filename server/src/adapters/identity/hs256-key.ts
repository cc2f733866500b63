/**
 * HS256 keys as WebCrypto `CryptoKey`s, imported once per secret. jose signs and verifies with a
 * `CryptoKey` as it is, but imports raw bytes or a secret `KeyObject` again on every call (an export and a
 * `subtle.importKey` each time), which is most of what a token costs the hub's token routes.
 */
const byBytes = new WeakMap<Uint8Array, Promise<CryptoKey>>();
const byString = new Map<string, Promise<CryptoKey>>();

const importHs256 = (bytes: Uint8Array<ArrayBuffer>): Promise<CryptoKey> =>
  crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);

/** The `CryptoKey` for an HS256 secret (the same object for the same secret), to hand to jose. */
export function hs256Key(secret: string | Uint8Array): Promise<CryptoKey> {
  if (typeof secret === 'string') {
    let key = byString.get(secret);
    if (!key) byString.set(secret, (key = importHs256(new TextEncoder().encode(secret))));
    return key;
  }
  let key = byBytes.get(secret);
  if (!key) byBytes.set(secret, (key = importHs256(new Uint8Array(secret))));
  return key;
}
