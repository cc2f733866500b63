/**
 * A local web push service (RFC 8030) over real HTTPS, HTTP/2 with HTTP/1.1 for clients that do not offer h2
 * by ALPN (as FCM, Mozilla autopush and Apple do): it holds the browser side of each subscription (the
 * P-256 ECDH key pair and the auth secret), verifies the VAPID `Authorization` (RFC 8292), decrypts the
 * aes128gcm payload (RFC 8188 + RFC 8291) with node:crypto, and records what a browser would get.
 *
 * It can also misbehave on request: answer 404/410/429/500/… for one subscription or for the next N requests.
 */
import { createDecipheriv, createECDH, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import http2, { type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { importJWK, jwtVerify, type JWTPayload } from 'jose';
import type { TestPki } from './tls.ts';

export interface PeerSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface PushServiceReply {
  status: number;
  /** Sent as `Retry-After`: seconds or an HTTP date. */
  retryAfter?: number | string;
  body?: string;
}

/** One request as the push service saw it. */
export interface PushServiceRequest {
  endpoint: string;
  subscriptionId: string;
  /** What the push service answered. */
  status: number;
  /** `2.0` over HTTP/2, `1.1` over HTTP/1.1. */
  httpVersion: string;
  /** Why it refused, when it did on its own (VAPID, headers, decryption); injected replies have no reason. */
  reason?: string;
  headers: { ttl?: string; urgency?: string; topic?: string; contentEncoding?: string };
  /** The VAPID JWT, when the `Authorization` header carried one. */
  jwt?: string;
  receivedAt: number;
}

/** A message the push service accepted (201): what the browser would hand to the service worker. */
export interface PushDelivery {
  endpoint: string;
  subscriptionId: string;
  ttl: number;
  /** `Urgency`, `normal` when absent (RFC 8030 §5.3). */
  urgency: string;
  topic?: string;
  /** The decrypted payload as text. */
  payload: string;
  jwt: string;
  jwtClaims: JWTPayload;
  /** The `k=` key of the VAPID header: the application server's public key. */
  vapidPublicKey: string;
  messageId: string;
  receivedAt: number;
}

export interface PushServicePeer {
  /** `https://127.0.0.1:<port>`: the VAPID audience. */
  readonly origin: string;
  readonly port: number;
  /**
   * A new subscription on this service, as `PushSubscription.toJSON()` gives it in a browser. With
   * `applicationServerKey`, only VAPID headers signed by that key are accepted for it (else 403).
   */
  createSubscription(options?: { applicationServerKey?: string }): PeerSubscription;
  /** Messages accepted with 201, in arrival order. */
  readonly deliveries: PushDelivery[];
  deliveriesTo(endpoint: string): PushDelivery[];
  /** Every request, including refused ones. */
  readonly requests: PushServiceRequest[];
  /** The distinct VAPID JWTs seen in valid `Authorization` headers. */
  readonly jwtsSeen: ReadonlySet<string>;
  /** Answer the next `count` requests (to any subscription) with `reply`. */
  failNext(count: number, reply: PushServiceReply): void;
  /** Answer every request to this subscription with `reply` until `failSubscription(endpoint, undefined)`. */
  failSubscription(endpoint: string, reply: PushServiceReply | undefined): void;
  /** TLS connections open from clients now. */
  readonly openConnections: number;
  /** Delays every answer, e.g. to kill a sender while its requests are in flight. */
  setResponseDelay(ms: number): void;
  /** Forgets recorded requests, deliveries, JWTs and injected failures (keeps subscriptions). */
  reset(): void;
  close(): Promise<void>;
}

export interface PushServiceOptions {
  pki: TestPki;
  /** The clock the VAPID `exp` is checked against. Default `Date.now`. */
  now?: () => number;
  /** Largest accepted encrypted body. Default 4096 bytes, as the big push services. */
  maxBodyBytes?: number;
  /** Offer only HTTP/1.1 by ALPN, as an older push service might. Default: HTTP/2 and HTTP/1.1. */
  http1Only?: boolean;
}

interface SubscriptionState {
  id: string;
  ecdh: ReturnType<typeof createECDH>;
  publicKey: Buffer;
  authSecret: Buffer;
  applicationServerKey?: string;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    reason: string,
  ) {
    super(reason);
  }
}

const MAX_VAPID_LIFETIME_MS = 24 * 60 * 60 * 1000;
const CLOCK_SKEW_MS = 60 * 1000;

export async function startPushService(options: PushServiceOptions): Promise<PushServicePeer> {
  const now = options.now ?? Date.now;
  const maxBodyBytes = options.maxBodyBytes ?? 4096;
  const certificate = await options.pki.issue();
  const subscriptions = new Map<string, SubscriptionState>();
  const deliveries: PushDelivery[] = [];
  const requests: PushServiceRequest[] = [];
  const jwtsSeen = new Set<string>();
  const failingSubscriptions = new Map<string, PushServiceReply>();
  let failures: { remaining: number; reply: PushServiceReply } | undefined;
  let responseDelayMs = 0;
  let origin = '';

  const tlsOptions = { cert: certificate.certPem, key: certificate.keyPem };
  const onRequest = (req: Request, res: Http2ServerResponse | ServerResponse) => {
    void handle(req, res);
  };
  const server = options.http1Only
    ? https.createServer(tlsOptions, onRequest)
    : http2.createSecureServer({ ...tlsOptions, allowHTTP1: true }, onRequest);
  const connections = new Set<TLSSocket>();
  server.on('secureConnection', (socket: TLSSocket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
  });

  async function handle(req: Request, res: Http2ServerResponse | ServerResponse) {
    const receivedAt = now();
    const subscriptionId = /^\/push\/([\w-]+)$/.exec(req.url ?? '')?.[1] ?? '';
    const endpoint = `${origin}/push/${subscriptionId}`;
    const headers = {
      ttl: header(req, 'ttl'),
      urgency: header(req, 'urgency'),
      topic: header(req, 'topic'),
      contentEncoding: header(req, 'content-encoding'),
    };
    const record: PushServiceRequest = {
      endpoint,
      subscriptionId,
      status: 0,
      httpVersion: req.httpVersion,
      headers,
      receivedAt,
    };
    requests.push(record);
    const answer = async (reply: PushServiceReply, extraHeaders: Record<string, string> = {}) => {
      if (responseDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, responseDelayMs));
      record.status = reply.status;
      const responseHeaders: Record<string, string> = { ...extraHeaders };
      if (reply.retryAfter !== undefined) responseHeaders['retry-after'] = String(reply.retryAfter);
      // A client that gave up (timeout) has closed its stream already.
      if (res.destroyed) return;
      res.writeHead(reply.status, responseHeaders);
      res.end(reply.body ?? '');
    };

    try {
      const body = await readBody(req, maxBodyBytes);
      if (req.method !== 'POST') throw new Refusal(405, 'only POST');
      const subscription = subscriptions.get(subscriptionId);
      if (!subscription) throw new Refusal(404, 'no such subscription');
      const vapid = await verifyVapid(header(req, 'authorization'), subscription);
      record.jwt = vapid.jwt;
      jwtsSeen.add(vapid.jwt);

      const injected = failingSubscriptions.get(endpoint) ?? takeInjectedFailure();
      if (injected) return await answer(injected);

      if (headers.ttl === undefined || !/^\d+$/.test(headers.ttl))
        throw new Refusal(400, 'TTL header missing');
      const urgency = headers.urgency ?? 'normal';
      if (!['very-low', 'low', 'normal', 'high'].includes(urgency))
        throw new Refusal(400, `bad Urgency ${urgency}`);
      if (headers.topic !== undefined && !/^[A-Za-z0-9_-]{1,32}$/.test(headers.topic)) {
        throw new Refusal(400, `bad Topic ${headers.topic}`);
      }
      if (headers.contentEncoding !== 'aes128gcm') throw new Refusal(415, 'only aes128gcm');
      let payload: string;
      try {
        payload = decryptAes128gcm(body, subscription).toString('utf8');
      } catch (error) {
        throw new Refusal(400, `cannot decrypt: ${(error as Error).message}`);
      }
      const messageId = randomUUID();
      deliveries.push({
        endpoint,
        subscriptionId,
        ttl: Number(headers.ttl),
        urgency,
        ...(headers.topic !== undefined ? { topic: headers.topic } : {}),
        payload,
        jwt: vapid.jwt,
        jwtClaims: vapid.claims,
        vapidPublicKey: vapid.publicKey,
        messageId,
        receivedAt,
      });
      return await answer({ status: 201 }, { location: `${origin}/message/${messageId}` });
    } catch (error) {
      if (error instanceof Refusal) {
        record.reason = error.message;
        return await answer({ status: error.status, body: error.message });
      }
      record.reason = String(error);
      return await answer({ status: 500, body: 'push service peer failed' });
    }
  }

  function takeInjectedFailure(): PushServiceReply | undefined {
    if (!failures || failures.remaining <= 0) return undefined;
    failures.remaining -= 1;
    return failures.reply;
  }

  async function verifyVapid(authorization: string | undefined, subscription: SubscriptionState) {
    const match = /^vapid\s+(.+)$/i.exec(authorization ?? '');
    if (!match) throw new Refusal(401, 'Authorization must be "vapid t=…, k=…"');
    const params = new Map(
      (match[1] as string).split(',').map((part) => {
        const [name, ...value] = part.trim().split('=');
        return [name?.trim() ?? '', value.join('=').trim()] as const;
      }),
    );
    const jwt = params.get('t');
    const publicKey = params.get('k');
    if (!jwt || !publicKey) throw new Refusal(401, 'VAPID t= and k= are required');
    if (subscription.applicationServerKey && subscription.applicationServerKey !== publicKey) {
      throw new Refusal(403, 'VAPID key does not match the subscription');
    }
    const point = Buffer.from(publicKey, 'base64url');
    if (point.length !== 65 || point[0] !== 4)
      throw new Refusal(401, 'k= is not an uncompressed P-256 point');
    const key = await importJWK(
      {
        kty: 'EC',
        crv: 'P-256',
        x: point.subarray(1, 33).toString('base64url'),
        y: point.subarray(33).toString('base64url'),
      },
      'ES256',
    );
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(jwt, key, {
        algorithms: ['ES256'],
        audience: origin,
        requiredClaims: ['exp', 'sub'],
        currentDate: new Date(now()),
      }));
    } catch (error) {
      throw new Refusal(401, `VAPID JWT refused: ${(error as Error).message}`);
    }
    if ((claims.exp as number) * 1000 > now() + MAX_VAPID_LIFETIME_MS + CLOCK_SKEW_MS) {
      throw new Refusal(401, 'VAPID JWT expires more than 24 hours ahead');
    }
    if (!/^(mailto:|https:)/.test(String(claims.sub)))
      throw new Refusal(401, 'VAPID sub must be mailto: or https:');
    return { jwt, claims, publicKey };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `https://127.0.0.1:${port}`;

  return {
    origin,
    port,
    createSubscription({ applicationServerKey } = {}) {
      const ecdh = createECDH('prime256v1');
      const publicKey = ecdh.generateKeys();
      const state: SubscriptionState = {
        id: randomUUID(),
        ecdh,
        publicKey,
        authSecret: randomBytes(16),
        ...(applicationServerKey !== undefined ? { applicationServerKey } : {}),
      };
      subscriptions.set(state.id, state);
      return {
        endpoint: `${origin}/push/${state.id}`,
        keys: { p256dh: publicKey.toString('base64url'), auth: state.authSecret.toString('base64url') },
      };
    },
    deliveries,
    get openConnections() {
      return connections.size;
    },
    deliveriesTo: (endpoint) => deliveries.filter((delivery) => delivery.endpoint === endpoint),
    requests,
    jwtsSeen,
    failNext(count, reply) {
      failures = { remaining: count, reply };
    },
    failSubscription(endpoint, reply) {
      if (reply) failingSubscriptions.set(endpoint, reply);
      else failingSubscriptions.delete(endpoint);
    },
    setResponseDelay(ms) {
      responseDelayMs = ms;
    },
    reset() {
      deliveries.length = 0;
      requests.length = 0;
      jwtsSeen.clear();
      failingSubscriptions.clear();
      failures = undefined;
      responseDelayMs = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of connections) socket.destroy();
      }),
  };
}

type Request = Http2ServerRequest | IncomingMessage;

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: Request, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new Refusal(413, `payload over ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * RFC 8291 §3.4 key derivation and RFC 8188 §2 record decryption, as the browser does it:
 * header = salt(16) | rs(4) | idlen(1) | keyid (the sender's ephemeral public key), then records of `rs` bytes.
 */
export function decryptAes128gcm(
  body: Buffer,
  subscription: { ecdh: ReturnType<typeof createECDH>; publicKey: Buffer; authSecret: Buffer },
): Buffer {
  if (body.length < 21) throw new Error('shorter than the aes128gcm header');
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const keyIdLength = body[20] as number;
  const senderPublicKey = body.subarray(21, 21 + keyIdLength);
  if (keyIdLength !== 65) throw new Error('keyid is not the sender public key');
  if (recordSize < 18) throw new Error('record size too small');

  const sharedSecret = subscription.ecdh.computeSecret(senderPublicKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), subscription.publicKey, senderPublicKey]);
  const inputKey = Buffer.from(hkdfSync('sha256', sharedSecret, subscription.authSecret, keyInfo, 32));
  const contentKey = Buffer.from(
    hkdfSync('sha256', inputKey, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16),
  );
  const baseNonce = Buffer.from(
    hkdfSync('sha256', inputKey, salt, Buffer.from('Content-Encoding: nonce\0'), 12),
  );

  const ciphertext = body.subarray(21 + keyIdLength);
  const plaintext: Buffer[] = [];
  for (let offset = 0, sequence = 0; offset < ciphertext.length; offset += recordSize, sequence += 1) {
    const record = ciphertext.subarray(offset, offset + recordSize);
    const isLast = offset + recordSize >= ciphertext.length;
    const nonce = Buffer.from(baseNonce);
    // The record sequence number is XORed into the low bytes (fewer than 2^32 records here).
    nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ sequence) >>> 0, 8);
    const decipher = createDecipheriv('aes-128-gcm', contentKey, nonce);
    decipher.setAuthTag(record.subarray(record.length - 16));
    const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
    // Strip the padding: zeros, then a delimiter (2 for the last record, 1 otherwise).
    let end = padded.length - 1;
    while (end >= 0 && padded[end] === 0) end -= 1;
    if (end < 0 || padded[end] !== (isLast ? 2 : 1)) throw new Error('bad padding delimiter');
    plaintext.push(padded.subarray(0, end));
  }
  return Buffer.concat(plaintext);
}
