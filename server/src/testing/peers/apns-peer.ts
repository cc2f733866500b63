/**
 * A local APNs over HTTP/2 + TLS that checks what Apple checks: the provider token (ES256 with the team's
 * key, `kid`, `iss`, `iat` within the hour, not replaced on one connection more often than every 20 minutes),
 * the path and the `apns-*` headers. It records each request and answers like APNs, including its error reasons on demand.
 */
import { generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import http2, { type Http2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import type { TestPki } from './tls.ts';

export interface ApnsKey {
  /** The .p8 contents: PKCS#8 PEM of a P-256 key. */
  keyPem: string;
  publicKey: KeyObject;
  keyId: string;
}

/** A token key like the ones Apple issues, with a random 10-character key id. */
export function createApnsKey(): ApnsKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey,
    keyId: randomBytes(8).toString('hex').slice(0, 10).toUpperCase(),
  };
}

export interface ApnsReply {
  status: number;
  /** APNs' `reason`, e.g. `Unregistered`, `BadDeviceToken`, `TooManyRequests`, `ExpiredProviderToken`. */
  reason?: string;
  retryAfter?: number | string;
}

export interface ApnsRequest {
  deviceToken: string;
  headers: {
    topic?: string;
    pushType?: string;
    priority?: string;
    expiration?: string;
    collapseId?: string;
    apnsId?: string;
  };
  payload: unknown;
  jwt?: string;
  status: number;
  reason?: string;
  apnsId?: string;
  receivedAt: number;
}

export interface ApnsPeer {
  readonly host: string;
  readonly port: number;
  /** Every request, in arrival order, with the answer given. */
  readonly requests: ApnsRequest[];
  /** The requests answered 200. */
  readonly deliveries: ApnsRequest[];
  /** The distinct provider tokens that passed verification. */
  readonly jwtsSeen: ReadonlySet<string>;
  /** TLS connections opened to the peer so far. */
  readonly connections: number;
  /** Answer every request for this device token with `reply` (undefined to stop). */
  failToken(deviceToken: string, reply: ApnsReply | undefined): void;
  /** Answer the next `count` requests with `reply`. */
  failNext(count: number, reply: ApnsReply): void;
  /** Sends GOAWAY on every open connection, as APNs does before it closes one. */
  goAway(): void;
  /** Delays every answer, e.g. to kill a sender while its requests are in flight. */
  setResponseDelay(ms: number): void;
  reset(): void;
  close(): Promise<void>;
}

export interface ApnsPeerOptions {
  pki: TestPki;
  teamId: string;
  keyId: string;
  /** The public half of the team's token key. */
  publicKey: KeyObject;
  /** The bundle id the device tokens belong to. */
  topic: string;
  /** The clock `iat` is judged by. Default `Date.now`. */
  now?: () => number;
}

const HOUR_MS = 60 * 60 * 1000;
const MIN_TOKEN_LIFETIME_MS = 20 * 60 * 1000;
const CLOCK_SKEW_MS = 60 * 1000;
const PUSH_TYPES = new Set([
  'alert',
  'background',
  'voip',
  'complication',
  'fileprovider',
  'mdm',
  'liveactivity',
]);

interface ProviderTokenState {
  jwt: string;
  issuedAtMs: number;
  expired: boolean;
}

class ApnsError extends Error {
  constructor(readonly reply: ApnsReply) {
    super(reply.reason);
  }
}

export async function startApnsPeer(options: ApnsPeerOptions): Promise<ApnsPeer> {
  const now = options.now ?? Date.now;
  const certificate = await options.pki.issue();
  const requests: ApnsRequest[] = [];
  const jwtsSeen = new Set<string>();
  const failingTokens = new Map<string, ApnsReply>();
  const sessions = new Set<Http2Session>();
  let failures: { remaining: number; reply: ApnsReply } | undefined;
  let connections = 0;
  let responseDelayMs = 0;
  /**
   * Per connection: the token in use, and whether the peer itself declared it expired (then a new one is
   * welcome at once rather than after 20 minutes).
   */
  const tokenByConnection = new WeakMap<Http2Session, ProviderTokenState>();

  const server = http2.createSecureServer({ cert: certificate.certPem, key: certificate.keyPem });
  server.on('session', (session) => {
    connections += 1;
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    session.on('error', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    void handle(stream, headers);
  });

  async function handle(stream: ServerHttp2Stream, headers: IncomingHttpHeaders) {
    const receivedAt = now();
    const path = String(headers[':path'] ?? '');
    const deviceToken = /^\/3\/device\/([^/?]+)$/.exec(path)?.[1] ?? '';
    const record: ApnsRequest = {
      deviceToken,
      headers: {
        ...optional('topic', headers['apns-topic']),
        ...optional('pushType', headers['apns-push-type']),
        ...optional('priority', headers['apns-priority']),
        ...optional('expiration', headers['apns-expiration']),
        ...optional('collapseId', headers['apns-collapse-id']),
        ...optional('apnsId', headers['apns-id']),
      },
      payload: undefined,
      status: 0,
      receivedAt,
    };
    requests.push(record);
    const apnsId = typeof headers['apns-id'] === 'string' ? headers['apns-id'] : randomUUID().toUpperCase();
    const answer = (reply: ApnsReply) => {
      record.status = reply.status;
      record.apnsId = apnsId;
      if (reply.reason) record.reason = reply.reason;
      if (stream.destroyed) return;
      const responseHeaders: Record<string, string | number> = { ':status': reply.status, 'apns-id': apnsId };
      if (reply.retryAfter !== undefined) responseHeaders['retry-after'] = String(reply.retryAfter);
      if (reply.status === 200) {
        stream.respond(responseHeaders, { endStream: true });
        return;
      }
      responseHeaders['content-type'] = 'application/json';
      stream.respond(responseHeaders);
      stream.end(
        JSON.stringify({ reason: reply.reason, ...(reply.status === 410 ? { timestamp: receivedAt } : {}) }),
      );
    };

    try {
      const body = await readStream(stream);
      if (responseDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, responseDelayMs));
      if (headers[':method'] !== 'POST') throw new ApnsError({ status: 405, reason: 'MethodNotAllowed' });
      if (!deviceToken) throw new ApnsError({ status: 404, reason: 'BadPath' });
      const connection = stream.session;
      const jwt = await verifyProviderToken(headers.authorization, connection);
      record.jwt = jwt;

      const injected = failingTokens.get(deviceToken) ?? takeInjectedFailure();
      if (injected) {
        const current = connection && tokenByConnection.get(connection);
        if (injected.reason === 'ExpiredProviderToken' && current?.jwt === jwt) current.expired = true;
        return answer(injected);
      }

      if (!headers['apns-topic']) throw new ApnsError({ status: 400, reason: 'MissingTopic' });
      if (headers['apns-topic'] !== options.topic)
        throw new ApnsError({ status: 400, reason: 'TopicDisallowed' });
      if (!PUSH_TYPES.has(String(headers['apns-push-type']))) {
        throw new ApnsError({ status: 400, reason: 'InvalidPushType' });
      }
      const priority = headers['apns-priority'];
      if (priority !== undefined && !['1', '5', '10'].includes(String(priority))) {
        throw new ApnsError({ status: 400, reason: 'BadPriority' });
      }
      const expiration = headers['apns-expiration'];
      if (expiration !== undefined && !/^\d+$/.test(String(expiration))) {
        throw new ApnsError({ status: 400, reason: 'BadExpirationDate' });
      }
      const collapseId = headers['apns-collapse-id'];
      if (collapseId !== undefined && Buffer.byteLength(String(collapseId)) > 64) {
        throw new ApnsError({ status: 400, reason: 'BadCollapseId' });
      }
      if (!/^[0-9a-f]{64,200}$/i.test(deviceToken))
        throw new ApnsError({ status: 400, reason: 'BadDeviceToken' });
      if (body.length === 0) throw new ApnsError({ status: 400, reason: 'PayloadEmpty' });
      if (body.length > 4096) throw new ApnsError({ status: 413, reason: 'PayloadTooLarge' });
      try {
        record.payload = JSON.parse(body.toString('utf8'));
      } catch {
        throw new ApnsError({ status: 400, reason: 'PayloadEmpty' });
      }
      return answer({ status: 200 });
    } catch (error) {
      if (error instanceof ApnsError) return answer(error.reply);
      return answer({ status: 500, reason: 'InternalServerError' });
    }
  }

  function takeInjectedFailure(): ApnsReply | undefined {
    if (!failures || failures.remaining <= 0) return undefined;
    failures.remaining -= 1;
    return failures.reply;
  }

  async function verifyProviderToken(
    authorization: string | string[] | undefined,
    connection: Http2Session | undefined,
  ): Promise<string> {
    const match = /^bearer (.+)$/i.exec(String(authorization ?? ''));
    if (!match) throw new ApnsError({ status: 403, reason: 'MissingProviderToken' });
    const jwt = match[1] as string;
    let claims: JWTPayload;
    try {
      const header = decodeProtectedHeader(jwt);
      if (header.alg !== 'ES256' || header.kid !== options.keyId) throw new Error('alg or kid');
      ({ payload: claims } = await jwtVerify(jwt, options.publicKey, {
        algorithms: ['ES256'],
        issuer: options.teamId,
        currentDate: new Date(now()),
      }));
    } catch {
      throw new ApnsError({ status: 403, reason: 'InvalidProviderToken' });
    }
    if (typeof claims.iat !== 'number') throw new ApnsError({ status: 403, reason: 'InvalidProviderToken' });
    const issuedAtMs = claims.iat * 1000;
    if (issuedAtMs > now() + CLOCK_SKEW_MS)
      throw new ApnsError({ status: 403, reason: 'InvalidProviderToken' });
    if (now() - issuedAtMs > HOUR_MS) throw new ApnsError({ status: 403, reason: 'ExpiredProviderToken' });
    const currentToken = connection && tokenByConnection.get(connection);
    if (currentToken && currentToken.jwt !== jwt) {
      if (issuedAtMs < currentToken.issuedAtMs)
        throw new ApnsError({ status: 403, reason: 'ExpiredProviderToken' });
      if (!currentToken.expired && issuedAtMs - currentToken.issuedAtMs < MIN_TOKEN_LIFETIME_MS) {
        throw new ApnsError({ status: 429, reason: 'TooManyProviderTokenUpdates' });
      }
    }
    if (connection && currentToken?.jwt !== jwt)
      tokenByConnection.set(connection, { jwt, issuedAtMs, expired: false });
    jwtsSeen.add(jwt);
    return jwt;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    host: '127.0.0.1',
    port,
    requests,
    get deliveries() {
      return requests.filter((request) => request.status === 200);
    },
    jwtsSeen,
    get connections() {
      return connections;
    },
    failToken(deviceToken, reply) {
      if (reply) failingTokens.set(deviceToken, reply);
      else failingTokens.delete(deviceToken);
    },
    failNext(count, reply) {
      failures = { remaining: count, reply };
    },
    goAway() {
      for (const session of sessions) {
        session.goaway(http2.constants.NGHTTP2_NO_ERROR);
        session.close();
      }
    },
    setResponseDelay(ms) {
      responseDelayMs = ms;
    },
    reset() {
      requests.length = 0;
      jwtsSeen.clear();
      failingTokens.clear();
      failures = undefined;
      responseDelayMs = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}

function optional<K extends string>(
  key: K,
  value: string | string[] | undefined,
): Partial<Record<K, string>> {
  if (value === undefined) return {};
  return { [key]: Array.isArray(value) ? value.join(',') : value } as Partial<Record<K, string>>;
}

async function readStream(stream: ServerHttp2Stream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
