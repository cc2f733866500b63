/**
 * A local 100ms REST API (v2) over HTTPS that checks what 100ms checks: the management token (HS256 with the
 * app secret, `access_key`, `type: management`, `version: 2`, `iat`/`nbf`/`exp`, a `jti`), and the bodies of
 * the room calls the hub makes. It keeps rooms in memory, records each request with the answer given, and
 * answers like 100ms, including errors on demand. Peers join a room's session only when a test says so
 * (`joinPeer`); the hub lists them (`GET /active-rooms/<id>/peers`, filtered by `user_id` or `role`) and
 * removes them (`POST /active-rooms/<id>/remove-peers`, by `peer_id` or `role`). Stricter than 100ms where
 * the hub's rules are: ending a room must lock it and say why, and so must removing a peer.
 *
 * With a webhook set (`setWebhook`), a peer joining is told to it as 100ms does: `POST` of a
 * `peer.join.success` event (`{version: '2.0', id, account_id, app_id, timestamp, type, data: {room_id,
 * room_name, session_id, peer_id, user_id, user_name, role, joined_at, …}}`) with the headers configured for
 * the webhook (100ms signs nothing; it passes those headers on), retried while the answer is not 200.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import type { TestPki } from './tls.ts';

export interface HmsRoom {
  id: string;
  name: string;
  description: string;
  templateId: string;
  enabled: boolean;
  /** Whether a session is running (someone joined and it has not been ended). */
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A peer connected to a room's running session. */
export interface HmsActivePeer {
  id: string;
  userId: string;
  name: string;
  role: string;
  joinedAt: string;
}

export interface HmsRequest {
  method: string;
  /** The path after `/v2`, e.g. `/rooms` or `/active-rooms/<id>/end-room`. */
  path: string;
  /** The query parameters. */
  query: Record<string, string>;
  body: unknown;
  /** The management token, when one was sent. */
  jwt?: string;
  /** Its claims, when it verified. */
  claims?: JWTPayload;
  status: number;
  /** The answer's JSON body. */
  answer: unknown;
}

/** Where 100ms sends its webhooks, as configured in its dashboard. */
export interface HmsWebhookTarget {
  url: string;
  /** Sent with every delivery, as configured (the hub's secret goes here). */
  headers: Record<string, string>;
}

/** One event sent to the webhook, with the status of each attempt. */
export interface HmsWebhookDelivery {
  event: { id: string; type: string; data: Record<string, unknown> } & Record<string, unknown>;
  statuses: number[];
}

export interface HmsPeer {
  /** `https://127.0.0.1:<port>/v2`: the provider's `apiUrl`. */
  readonly apiUrl: string;
  readonly port: number;
  /** Every request in arrival order, with the answer given. */
  readonly requests: HmsRequest[];
  /** Rooms by id. */
  readonly rooms: ReadonlyMap<string, HmsRoom>;
  /** The distinct management tokens that verified. */
  readonly managementTokens: ReadonlySet<string>;
  roomByName(name: string): HmsRoom | undefined;
  /** Starts a session in the room, as when the first peer joins with an auth token. */
  startSession(roomId: string): void;
  /** A peer joins the room's session (starting it) as the SDK would with an auth token; returns its peer id. */
  joinPeer(roomId: string, peer: { userId: string; name: string; role: string }): string;
  /** Sends every join from now on to `target` (null: no webhook). */
  setWebhook(target: HmsWebhookTarget | null): void;
  /** Every webhook event sent, in order, with its attempts. */
  readonly webhooks: readonly HmsWebhookDelivery[];
  /** Resolves when every webhook delivery begun so far has got a 200 or given up. */
  webhooksSettled(): Promise<void>;
  /** The peers connected to the room's session now. */
  peersIn(roomId: string): HmsActivePeer[];
  /**
   * Answers the next `count` requests (those whose path matches `path`, when given) with `status` (and a
   * 100ms error body) without looking at them.
   */
  failNext(count: number, status: number, path?: RegExp): void;
  /** Delays every answer (for timeouts). */
  setResponseDelay(ms: number): void;
  reset(): void;
  close(): Promise<void>;
}

export interface HmsPeerOptions {
  pki: TestPki;
  accessKey: string;
  appSecret: string;
  /** Templates rooms may be created from. */
  templateIds: readonly string[];
  /** The clock tokens are judged by. Default `Date.now`. */
  now?: () => number;
  /** Waits before each webhook retry; 100ms documents three, after 1 s, 3 s and 10 s (the default). */
  webhookRetryDelaysMs?: readonly number[];
}

const CLOCK_SKEW_SECONDS = 60;
/** A sanity bound of the peer's (the hub's tokens live 24 h), not a documented 100ms limit. */
const MAX_TOKEN_LIFETIME_SECONDS = 7 * 24 * 60 * 60;
/** The 100ms app the tests' hubs are configured with (`HMS_*`), matching `startTestHmsPeer`'s peer. */
export const TEST_HMS_APP = {
  HMS_ACCESS_KEY: 'hub-test-access-key',
  HMS_APP_SECRET: 'hub-test-app-secret-with-enough-entropy-0123456789',
  HMS_TEMPLATE_ID: 'template-classroom',
} as const;

/**
 * A peer for `TEST_HMS_APP`, and `env`: what a hub needs to use it (the app's keys and `HMS_API_URL`).
 * Trust `pki` in the hub (`pki.caPem`, or `NODE_EXTRA_CA_CERTS` in a child process).
 */
export async function startTestHmsPeer(
  options: Pick<HmsPeerOptions, 'pki' | 'now'>,
): Promise<{ peer: HmsPeer; env: typeof TEST_HMS_APP & { HMS_API_URL: string } }> {
  const peer = await startHmsPeer({
    ...options,
    accessKey: TEST_HMS_APP.HMS_ACCESS_KEY,
    appSecret: TEST_HMS_APP.HMS_APP_SECRET,
    templateIds: [TEST_HMS_APP.HMS_TEMPLATE_ID],
  });
  return { peer, env: { ...TEST_HMS_APP, HMS_API_URL: peer.apiUrl } };
}

/** Room names: letters, digits and `.-_:`, at most 80 (the port's promise, `domain/calls/video-provider.ts`). */
const ROOM_NAME = /^[a-zA-Z0-9.\-_:]{1,80}$/;
const MAX_BODY_BYTES = 64 * 1024;

class HmsError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startHmsPeer(options: HmsPeerOptions): Promise<HmsPeer> {
  const now = options.now ?? Date.now;
  const secret = new TextEncoder().encode(options.appSecret);
  const certificate = await options.pki.issue();
  const requests: HmsRequest[] = [];
  const rooms = new Map<string, HmsRoom>();
  /** Room id → peer id → peer, while its session runs. */
  const sessions = new Map<string, Map<string, HmsActivePeer>>();
  const managementTokens = new Set<string>();
  let failures: { remaining: number; status: number; path: RegExp | undefined } | undefined;
  let responseDelayMs = 0;
  let webhook: HmsWebhookTarget | null = null;
  const webhooks: HmsWebhookDelivery[] = [];
  const pendingWebhooks = new Set<Promise<void>>();
  /** Room id → the id of its running session. */
  const sessionIds = new Map<string, { id: string; startedAt: string }>();
  const retryDelaysMs = options.webhookRetryDelaysMs ?? [1_000, 3_000, 10_000];

  const server = https.createServer({ cert: certificate.certPem, key: certificate.keyPem }, (req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'https://api.100ms.live');
    const path = url.pathname.replace(/^\/v2(?=\/)/, '');
    const record: HmsRequest = {
      method: req.method ?? '',
      path,
      query: Object.fromEntries(url.searchParams),
      body: undefined,
      status: 0,
      answer: undefined,
    };
    requests.push(record);
    const answer = (status: number, body: unknown) => {
      record.status = status;
      record.answer = body;
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };

    try {
      const raw = await readBody(req);
      if (responseDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, responseDelayMs));
      if (failures && failures.remaining > 0 && (!failures.path || failures.path.test(path))) {
        failures.remaining -= 1;
        throw new HmsError(failures.status, 'injected failure');
      }
      if (!url.pathname.startsWith('/v2/')) throw new HmsError(404, 'not found');
      await verifyManagementToken(req.headers.authorization, record);
      if (raw.length > 0) {
        try {
          record.body = JSON.parse(raw.toString('utf8'));
        } catch {
          throw new HmsError(400, 'invalid JSON body');
        }
      }
      const body = asObject(record.body);

      if (req.method === 'POST' && path === '/rooms') return answer(200, present(createRoom(body)));
      const roomPath = /^\/rooms\/([^/]+)$/.exec(path);
      if (roomPath) {
        const room = rooms.get(decodeURIComponent(roomPath[1] as string));
        if (!room) throw new HmsError(404, 'room not found');
        if (req.method === 'GET') return answer(200, present(room));
        if (req.method !== 'POST') throw new HmsError(405, 'method not allowed');
        if (body.enabled !== undefined && typeof body.enabled !== 'boolean') {
          throw new HmsError(400, 'enabled must be a boolean');
        }
        if (typeof body.enabled === 'boolean') room.enabled = body.enabled;
        if (typeof body.description === 'string') room.description = body.description;
        room.updatedAt = new Date(now()).toISOString();
        return answer(200, present(room));
      }
      const endPath = /^\/active-rooms\/([^/]+)\/end-room$/.exec(path);
      if (endPath && req.method === 'POST') {
        if (body.lock !== true) throw new HmsError(400, 'the hub always ends a room with lock: true');
        if (typeof body.reason !== 'string' || body.reason.trim() === '') {
          throw new HmsError(400, 'reason is required');
        }
        const room = rooms.get(decodeURIComponent(endPath[1] as string));
        if (!room?.active) throw new HmsError(404, 'active room not found');
        room.active = false;
        room.enabled = false;
        room.updatedAt = new Date(now()).toISOString();
        sessions.delete(room.id);
        sessionIds.delete(room.id);
        return answer(200, { message: 'session is ending' });
      }
      const peersPath = /^\/active-rooms\/([^/]+)\/peers$/.exec(path);
      if (peersPath && req.method === 'GET') {
        const room = rooms.get(decodeURIComponent(peersPath[1] as string));
        if (!room?.active) throw new HmsError(404, 'active room not found');
        const userId = url.searchParams.get('user_id');
        const role = url.searchParams.get('role');
        const listed = [...(sessions.get(room.id)?.values() ?? [])].filter(
          (peer) => (userId === null || peer.userId === userId) && (role === null || peer.role === role),
        );
        return answer(200, { peers: Object.fromEntries(listed.map((peer) => [peer.id, presentPeer(peer)])) });
      }
      const removePath = /^\/active-rooms\/([^/]+)\/remove-peers$/.exec(path);
      if (removePath && req.method === 'POST') {
        const peerId = body.peer_id;
        const role = body.role;
        if (peerId !== undefined && typeof peerId !== 'string')
          throw new HmsError(400, 'peer_id must be a string');
        if (role !== undefined && typeof role !== 'string') throw new HmsError(400, 'role must be a string');
        if (!peerId && !role) throw new HmsError(400, 'peer_id or role is required');
        if (typeof body.reason !== 'string' || body.reason.trim() === '') {
          throw new HmsError(400, 'the hub always says why it removes a peer (reason)');
        }
        const room = rooms.get(decodeURIComponent(removePath[1] as string));
        if (!room?.active) throw new HmsError(404, 'active room not found');
        const peers = sessions.get(room.id) ?? new Map<string, HmsActivePeer>();
        // peer_id wins over role, as 100ms documents.
        const removed = peerId
          ? [peers.get(peerId)]
          : [...peers.values()].filter((peer) => peer.role === role);
        if (peerId && !removed[0]) throw new HmsError(404, 'peer not found');
        for (const peer of removed) if (peer) peers.delete(peer.id);
        return answer(200, { message: 'peer remove request submitted' });
      }
      throw new HmsError(404, 'not found');
    } catch (error) {
      // 100ms's error body: `{code, message, details}`.
      if (error instanceof HmsError) {
        return answer(error.status, { code: error.status, message: error.message, details: [] });
      }
      return answer(500, { code: 500, message: 'internal server error', details: [] });
    }
  }

  function createRoom(body: Record<string, unknown>): HmsRoom {
    if (typeof body.name !== 'string' || !ROOM_NAME.test(body.name)) {
      throw new HmsError(400, 'name must be 1-80 characters of a-z, A-Z, 0-9 and .-_:');
    }
    if (typeof body.template_id !== 'string' || body.template_id === '') {
      throw new HmsError(400, 'template_id is required');
    }
    if (!options.templateIds.includes(body.template_id)) throw new HmsError(404, 'template not found');
    if (body.description !== undefined && typeof body.description !== 'string') {
      throw new HmsError(400, 'description must be a string');
    }
    const existing = [...rooms.values()].find((room) => room.name === body.name);
    if (existing) return existing;
    const at = new Date(now()).toISOString();
    const room: HmsRoom = {
      id: randomBytes(12).toString('hex'),
      name: body.name,
      description: body.description ?? '',
      templateId: body.template_id,
      enabled: true,
      active: false,
      createdAt: at,
      updatedAt: at,
    };
    rooms.set(room.id, room);
    return room;
  }

  async function verifyManagementToken(authorization: string | undefined, record: HmsRequest) {
    const match = /^Bearer (.+)$/.exec(authorization ?? '');
    if (!match) throw new HmsError(401, 'missing management token');
    const jwt = match[1] as string;
    record.jwt = jwt;
    let claims: JWTPayload;
    try {
      if (decodeProtectedHeader(jwt).alg !== 'HS256') throw new Error('alg');
      ({ payload: claims } = await jwtVerify(jwt, secret, {
        algorithms: ['HS256'],
        currentDate: new Date(now()),
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ['iat', 'nbf', 'exp', 'jti'],
      }));
    } catch {
      throw new HmsError(401, 'invalid management token');
    }
    const nowSeconds = now() / 1000;
    if (
      claims.access_key !== options.accessKey ||
      claims.type !== 'management' ||
      claims.version !== 2 ||
      typeof claims.jti !== 'string' ||
      claims.jti === '' ||
      (claims.iat as number) > nowSeconds + CLOCK_SKEW_SECONDS ||
      (claims.exp as number) - (claims.iat as number) > MAX_TOKEN_LIFETIME_SECONDS
    ) {
      throw new HmsError(401, 'invalid management token');
    }
    record.claims = claims;
    managementTokens.add(jwt);
  }

  function startSession(roomId: string) {
    const room = rooms.get(roomId);
    if (!room) throw new Error(`no room ${roomId}`);
    if (!room.enabled) throw new Error(`room ${roomId} is disabled: nobody can join it`);
    room.active = true;
    if (!sessionIds.has(roomId)) {
      sessionIds.set(roomId, {
        id: randomBytes(12).toString('hex'),
        startedAt: new Date(now()).toISOString(),
      });
    }
  }

  /** 100ms's `peer.join.success`, sent to the webhook (if any) with its retries. */
  function announceJoin(room: HmsRoom, peer: HmsActivePeer) {
    if (!webhook) return;
    const session = sessionIds.get(room.id);
    const delivery: HmsWebhookDelivery = {
      event: {
        version: '2.0',
        id: randomUUID(),
        account_id: 'customer-local',
        app_id: 'app-local',
        timestamp: new Date(now()).toISOString(),
        type: 'peer.join.success',
        data: {
          room_id: room.id,
          room_name: room.name,
          session_id: session?.id,
          session_started_at: session?.startedAt,
          template_id: room.templateId,
          peer_id: peer.id,
          user_id: peer.userId,
          user_name: peer.name,
          user_data: '',
          role: peer.role,
          joined_at: peer.joinedAt,
        },
      },
      statuses: [],
    };
    webhooks.push(delivery);
    const pending = deliver(webhook, delivery).finally(() => pendingWebhooks.delete(pending));
    pendingWebhooks.add(pending);
  }

  async function deliver(target: HmsWebhookTarget, delivery: HmsWebhookDelivery) {
    for (let attempt = 0; attempt <= retryDelaysMs.length; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, retryDelaysMs[attempt - 1]));
      let status = 0;
      try {
        const response = await fetch(target.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...target.headers },
          body: JSON.stringify(delivery.event),
        });
        status = response.status;
        await response.body?.cancel();
      } catch {
        // Unreachable: 0, and retried like any other failure.
      }
      delivery.statuses.push(status);
      if (status === 200) return;
    }
  }

  function presentPeer(peer: HmsActivePeer) {
    return {
      id: peer.id,
      name: peer.name,
      user_id: peer.userId,
      metadata: '',
      role: peer.role,
      joined_at: peer.joinedAt,
    };
  }

  function present(room: HmsRoom) {
    return {
      id: room.id,
      name: room.name,
      description: room.description,
      enabled: room.enabled,
      customer_id: 'customer-local',
      app_id: 'app-local',
      template_id: room.templateId,
      region: 'in',
      created_at: room.createdAt,
      updated_at: room.updatedAt,
    };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    apiUrl: `https://127.0.0.1:${port}/v2`,
    port,
    requests,
    rooms,
    managementTokens,
    roomByName: (name) => [...rooms.values()].find((room) => room.name === name),
    startSession,
    joinPeer(roomId, peer) {
      startSession(roomId);
      const joined: HmsActivePeer = { id: randomUUID(), ...peer, joinedAt: new Date(now()).toISOString() };
      const peers = sessions.get(roomId) ?? new Map<string, HmsActivePeer>();
      peers.set(joined.id, joined);
      sessions.set(roomId, peers);
      announceJoin(rooms.get(roomId) as HmsRoom, joined);
      return joined.id;
    },
    setWebhook(target) {
      webhook = target;
    },
    webhooks,
    async webhooksSettled() {
      while (pendingWebhooks.size > 0) await Promise.all([...pendingWebhooks]);
    },
    peersIn: (roomId) => [...(sessions.get(roomId)?.values() ?? [])],
    failNext(count, status, path) {
      failures = { remaining: count, status, path };
    },
    setResponseDelay(ms) {
      responseDelayMs = ms;
    },
    reset() {
      requests.length = 0;
      rooms.clear();
      sessions.clear();
      sessionIds.clear();
      webhooks.length = 0;
      webhook = null;
      managementTokens.clear();
      failures = undefined;
      responseDelayMs = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function asObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HmsError(413, 'body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
