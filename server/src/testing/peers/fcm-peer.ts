/**
 * A local stand-in for Google's side of FCM, over real TLS: the OAuth 2.0 token endpoint a service account
 * trades a signed JWT assertion at (`POST https://oauth2.googleapis.com/token`), and the FCM HTTP v1 send
 * API (`POST https://fcm.googleapis.com/v1/projects/<project>/messages:send`).
 *
 * firebase-admin hard-codes both hosts, so the peer is reached through an `https.Agent` that connects every
 * request to the peer whatever its host (`peer.httpAgent()`); the peer's certificate names both Google
 * hosts and is signed by the test CA, so TLS is verified as usual. Errors come back in FCM's real shape
 * (`google.firebase.fcm.v1.FcmError` details), so firebase-admin maps them to its own error codes.
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import http2, { type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { jwtVerify } from 'jose';
import { LOCAL_HOSTS, type TestPki } from './tls.ts';

export const GOOGLE_TOKEN_HOST = 'oauth2.googleapis.com';
export const FCM_HOST = 'fcm.googleapis.com';
const GOOGLE_TOKEN_URL = `https://${GOOGLE_TOKEN_HOST}/token`;
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface ServiceAccount {
  projectId: string;
  clientEmail: string;
  /** PKCS#8 PEM, as in the service account JSON's `private_key`. */
  privateKey: string;
  publicKey: KeyObject;
}

/** A service account like the JSON a Firebase console hands out (RSA 2048). */
export function createServiceAccount(projectId = 'teacher-hub-test'): ServiceAccount {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    projectId,
    clientEmail: `firebase-adminsdk-test@${projectId}.iam.gserviceaccount.com`,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey,
  };
}

/**
 * Writes the service account as the JSON file the Firebase console hands out and returns its path. (With an
 * `httpAgent`, firebase-admin needs the service account as a file to fetch its OAuth token through the agent.)
 */
export async function writeServiceAccountFile(serviceAccount: ServiceAccount, dir: string): Promise<string> {
  const path = join(dir, `service-account-${randomUUID()}.json`);
  const json = {
    type: 'service_account',
    project_id: serviceAccount.projectId,
    private_key_id: randomUUID().replace(/-/g, ''),
    private_key: serviceAccount.privateKey,
    client_email: serviceAccount.clientEmail,
    client_id: '100000000000000000000',
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: GOOGLE_TOKEN_URL,
  };
  await writeFile(path, JSON.stringify(json, null, 2), { mode: 0o600 });
  return path;
}

/** An FCM v1 error: HTTP status, canonical gRPC status, `FcmError.errorCode` and message. */
export interface FcmErrorReply {
  httpStatus: number;
  status: string;
  errorCode?: string;
  message: string;
  retryAfter?: number | string;
}

/** The errors FCM really answers, ready for `failToken`/`failNext`. */
export const FCM_ERRORS = {
  unregistered: {
    httpStatus: 404,
    status: 'NOT_FOUND',
    errorCode: 'UNREGISTERED',
    message: 'Requested entity was not found.',
  },
  invalidToken: {
    httpStatus: 400,
    status: 'INVALID_ARGUMENT',
    errorCode: 'INVALID_ARGUMENT',
    message: 'The registration token is not a valid FCM registration token',
  },
  invalidPayload: {
    httpStatus: 400,
    status: 'INVALID_ARGUMENT',
    errorCode: 'INVALID_ARGUMENT',
    message: "Invalid value at 'message.android.ttl' (type.googleapis.com/google.protobuf.Duration)",
  },
  quotaExceeded: {
    httpStatus: 429,
    status: 'RESOURCE_EXHAUSTED',
    errorCode: 'QUOTA_EXCEEDED',
    message: "Quota exceeded for quota metric 'Send requests'",
  },
  internal: {
    httpStatus: 500,
    status: 'INTERNAL',
    errorCode: 'INTERNAL',
    message: 'Internal error encountered.',
  },
  /** Note: firebase-admin itself retries a 503 up to 4 times with backoff before it reports it. */
  unavailable: {
    httpStatus: 503,
    status: 'UNAVAILABLE',
    errorCode: 'UNAVAILABLE',
    message: 'The service is currently unavailable.',
  },
  senderIdMismatch: {
    httpStatus: 403,
    status: 'PERMISSION_DENIED',
    errorCode: 'SENDER_ID_MISMATCH',
    message: 'SenderId mismatch',
  },
} satisfies Record<string, FcmErrorReply>;

/** A message FCM accepted, as it arrived on the wire (firebase-admin's snake_case field names). */
export interface FcmDelivery {
  name: string;
  accessToken: string;
  message: {
    token: string;
    notification?: { title?: string; body?: string };
    data?: Record<string, string>;
    android?: {
      priority?: string;
      collapse_key?: string;
      ttl?: string;
      notification?: { tag?: string; channel_id?: string; [field: string]: unknown };
      [field: string]: unknown;
    };
    [field: string]: unknown;
  };
  receivedAt: number;
}

export interface FcmSendRequest {
  token?: string;
  status: number;
  errorCode?: string;
  receivedAt: number;
}

export interface FcmPeer {
  readonly port: number;
  readonly projectId: string;
  /** An agent that takes every host to this peer and trusts the test CA: firebase-admin's `httpAgent`. */
  httpAgent(): https.Agent;
  readonly deliveries: FcmDelivery[];
  readonly sendRequests: FcmSendRequest[];
  /** Access tokens issued by the token endpoint. */
  readonly accessTokensIssued: readonly string[];
  /** The most send requests that were in flight at once: how wide a sender fans out. */
  readonly maxConcurrentSends: number;
  /** Delays every answer to a send. */
  setResponseDelay(ms: number): void;
  /** Answer every send to this registration token with `reply` (undefined to stop). */
  failToken(token: string, reply: FcmErrorReply | undefined): void;
  failNext(count: number, reply: FcmErrorReply): void;
  reset(): void;
  close(): Promise<void>;
}

export interface FcmPeerOptions {
  pki: TestPki;
  /** The service account whose assertions the token endpoint accepts. */
  serviceAccount: Pick<ServiceAccount, 'projectId' | 'clientEmail' | 'publicKey'>;
  now?: () => number;
}

class FcmPeerError extends Error {
  constructor(readonly reply: FcmErrorReply) {
    super(reply.message);
  }
}

export async function startFcmPeer(options: FcmPeerOptions): Promise<FcmPeer> {
  const now = options.now ?? Date.now;
  const { projectId, clientEmail, publicKey } = options.serviceAccount;
  const certificate = await options.pki.issue([FCM_HOST, GOOGLE_TOKEN_HOST, ...LOCAL_HOSTS]);
  const deliveries: FcmDelivery[] = [];
  const sendRequests: FcmSendRequest[] = [];
  const accessTokens = new Map<string, number>();
  const accessTokensIssued: string[] = [];
  const failingTokens = new Map<string, FcmErrorReply>();
  const sockets = new Set<Socket | Duplex>();
  const agents: https.Agent[] = [];
  let failures: { remaining: number; reply: FcmErrorReply } | undefined;
  let responseDelayMs = 0;
  let sendsInFlight = 0;
  let maxConcurrentSends = 0;

  // HTTP/2 with HTTP/1.1 fallback, as Google's front ends: firebase-admin's legacy transport speaks 1.1.
  const server = http2.createSecureServer(
    { cert: certificate.certPem, key: certificate.keyPem, allowHTTP1: true },
    (req, res) => void handle(req, res),
  );
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: Http2ServerRequest, res: Http2ServerResponse) {
    const body = await readBody(req as unknown as IncomingMessage);
    const host = String(req.headers[':authority'] ?? req.headers.host ?? '').replace(/:\d+$/, '');
    const path = req.url ?? '';
    const json = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
      res.end(JSON.stringify(payload));
    };

    if (req.method === 'POST' && path === '/token' && host === GOOGLE_TOKEN_HOST) {
      const form = new URLSearchParams(body.toString('utf8'));
      try {
        await verifyAssertion(form);
      } catch (error) {
        return json(400, { error: 'invalid_grant', error_description: (error as Error).message });
      }
      const accessToken = `ya29.peer-${randomUUID()}`;
      accessTokens.set(accessToken, now() + 3600_000);
      accessTokensIssued.push(accessToken);
      return json(200, { access_token: accessToken, expires_in: 3600, token_type: 'Bearer' });
    }

    const sendMatch = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(path);
    if (req.method === 'POST' && sendMatch && host === FCM_HOST) {
      const record: FcmSendRequest = { status: 0, receivedAt: now() };
      sendRequests.push(record);
      sendsInFlight += 1;
      maxConcurrentSends = Math.max(maxConcurrentSends, sendsInFlight);
      if (responseDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, responseDelayMs));
      sendsInFlight -= 1;
      try {
        const accessToken = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
        const expiresAt = accessTokens.get(accessToken);
        if (expiresAt === undefined || expiresAt < now()) {
          throw new FcmPeerError({
            httpStatus: 401,
            status: 'UNAUTHENTICATED',
            message: 'Request had invalid authentication credentials.',
          });
        }
        if (sendMatch[1] !== projectId) throw new FcmPeerError(FCM_ERRORS.senderIdMismatch);
        const message = (JSON.parse(body.toString('utf8')) as { message?: FcmDelivery['message'] }).message;
        if (!message || typeof message.token !== 'string')
          throw new FcmPeerError(invalidArgument('message.token'));
        record.token = message.token;
        const injected = failingTokens.get(message.token) ?? takeInjectedFailure();
        if (injected) throw new FcmPeerError(injected);
        if (!/^[\w:-]{20,}$/.test(message.token)) throw new FcmPeerError(FCM_ERRORS.invalidToken);
        validateMessage(message);
        const name = `projects/${projectId}/messages/${randomUUID()}`;
        deliveries.push({ name, accessToken, message, receivedAt: record.receivedAt });
        record.status = 200;
        return json(200, { name });
      } catch (error) {
        const reply = error instanceof FcmPeerError ? error.reply : invalidArgument('body');
        record.status = reply.httpStatus;
        if (reply.errorCode) record.errorCode = reply.errorCode;
        return json(
          reply.httpStatus,
          {
            error: {
              code: reply.httpStatus,
              message: reply.message,
              status: reply.status,
              ...(reply.errorCode
                ? {
                    details: [
                      {
                        '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError',
                        errorCode: reply.errorCode,
                      },
                    ],
                  }
                : {}),
            },
          },
          reply.retryAfter !== undefined ? { 'retry-after': String(reply.retryAfter) } : {},
        );
      }
    }
    return json(404, {
      error: { code: 404, message: `no route for ${req.method} ${host}${path}`, status: 'NOT_FOUND' },
    });
  }

  /** RFC 7523: a JWT signed (RS256) by the service account's key, for Google's token endpoint, with scopes. */
  async function verifyAssertion(form: URLSearchParams) {
    if (form.get('grant_type') !== JWT_BEARER_GRANT) throw new Error('grant_type must be jwt-bearer');
    const assertion = form.get('assertion');
    if (!assertion) throw new Error('assertion is required');
    const { payload } = await jwtVerify(assertion, publicKey, {
      algorithms: ['RS256'],
      issuer: clientEmail,
      audience: GOOGLE_TOKEN_URL,
      requiredClaims: ['iat', 'exp'],
      currentDate: new Date(now()),
    });
    const scopes = String(payload.scope ?? '').split(' ');
    if (!scopes.includes('https://www.googleapis.com/auth/firebase.messaging')) {
      throw new Error('the assertion does not ask for the firebase.messaging scope');
    }
  }

  function takeInjectedFailure(): FcmErrorReply | undefined {
    if (!failures || failures.remaining <= 0) return undefined;
    failures.remaining -= 1;
    return failures.reply;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    projectId,
    httpAgent() {
      const agent = new PeerAgent('127.0.0.1', port, { ca: options.pki.caPem, keepAlive: true });
      agents.push(agent);
      return agent;
    },
    deliveries,
    sendRequests,
    accessTokensIssued,
    get maxConcurrentSends() {
      return maxConcurrentSends;
    },
    setResponseDelay(ms) {
      responseDelayMs = ms;
    },
    failToken(token, reply) {
      if (reply) failingTokens.set(token, reply);
      else failingTokens.delete(token);
    },
    failNext(count, reply) {
      failures = { remaining: count, reply };
    },
    reset() {
      deliveries.length = 0;
      sendRequests.length = 0;
      failingTokens.clear();
      failures = undefined;
      responseDelayMs = 0;
      maxConcurrentSends = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const agent of agents) agent.destroy();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Connects every request to the peer; TLS still checks the certificate against the original host name. */
class PeerAgent extends https.Agent {
  constructor(
    private readonly peerHost: string,
    private readonly peerPort: number,
    options: https.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const servername =
      (options as { servername?: string }).servername ?? options.hostname ?? options.host ?? undefined;
    return super.createConnection(
      { ...options, host: this.peerHost, port: this.peerPort, ...(servername ? { servername } : {}) },
      callback,
    );
  }
}

function invalidArgument(field: string): FcmErrorReply {
  return {
    httpStatus: 400,
    status: 'INVALID_ARGUMENT',
    errorCode: 'INVALID_ARGUMENT',
    message: `Invalid value at '${field}'`,
  };
}

/** The checks FCM makes on the fields we use. */
function validateMessage(message: FcmDelivery['message']) {
  for (const [key, value] of Object.entries(message.data ?? {})) {
    if (typeof value !== 'string') throw new FcmPeerError(invalidArgument(`message.data[${key}]`));
  }
  const android = message.android;
  if (!android) return;
  if (android.priority !== undefined && !/^(high|normal)$/i.test(android.priority)) {
    throw new FcmPeerError(invalidArgument('message.android.priority'));
  }
  if (android.ttl !== undefined && !/^\d+(\.\d{1,9})?s$/.test(android.ttl)) {
    throw new FcmPeerError(FCM_ERRORS.invalidPayload);
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
