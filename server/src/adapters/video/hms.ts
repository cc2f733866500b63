/**
 * 100ms (engine `hms`): rooms through the v2 REST API (`POST /rooms`, `POST /active-rooms/<id>/end-room`,
 * `POST /rooms/<id>`, `GET /active-rooms/<id>/peers`, `POST /active-rooms/<id>/remove-peers`), authenticated with a management token, and a peer auth token per member for
 * `hms-video-store`'s `join`. Both tokens are HS256 JWTs signed with the app secret, as 100ms documents.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Role, VideoGrant } from '@teacher-hub/protocol';
import type { Clock } from '../../domain/clock.ts';
import { ApiError } from '../../domain/errors.ts';
import type { VideoProvider } from '../../domain/calls/video-provider.ts';
import type { Logger } from '../../logger.ts';
import { signHs256 } from '../identity/hs256-sign.ts';

export interface HmsVideoProviderOptions {
  accessKey: string;
  appSecret: string;
  /** The template rooms are created from (its roles must include `teacherRole` and `studentRole`). */
  templateId: string;
  /** `https://api.100ms.live/v2`, or a local peer in tests. */
  apiUrl: string;
  teacherRole: string;
  studentRole: string;
  clock: Clock;
  /** Extra trusted CA certificates (a local peer in tests). */
  ca?: string | Buffer;
  logger?: Logger;
  /** Per request, connect to last byte. Default 10 s. */
  requestTimeoutMs?: number;
}

const HOUR_MS = 60 * 60 * 1000;
/** How long a management token is valid; it is reused for every request meanwhile. */
export const HMS_MANAGEMENT_TOKEN_TTL_MS = 24 * HOUR_MS;
/** A management token with less than this left is replaced before the next request. */
export const HMS_MANAGEMENT_TOKEN_REFRESH_MS = HOUR_MS;
/**
 * How long a peer auth token is valid. 100ms reads it when the member joins and again when the SDK
 * reconnects after a network drop, so it must outlive the longest call (a lesson can run for hours); the
 * room lock at the end of the call, not the expiry, is what keeps members out afterwards.
 */
export const HMS_AUTH_TOKEN_TTL_MS = 24 * HOUR_MS;
/** The most of a 100ms error body quoted in a message (enough for its `message`). */
const QUOTED_BODY_CHARS = 200;

interface ManagementToken {
  jwt: string;
  expiresAtMs: number;
}

interface HmsResponse {
  status: number;
  body: string;
}

export class HmsVideoProvider implements VideoProvider {
  readonly engine = 'hms' as const;
  /** 100ms tokens cannot be revoked: a removed user who joins is taken out again by the webhook. */
  readonly readmitsOnGrant = false;
  readonly #accessKey: string;
  readonly #secret: Uint8Array;
  readonly #templateId: string;
  readonly #apiUrl: string;
  readonly #roles: Record<Role, string>;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #requestTimeoutMs: number;
  readonly #agent: http.Agent;
  #token: ManagementToken | undefined;

  constructor(options: HmsVideoProviderOptions) {
    this.#accessKey = options.accessKey;
    this.#secret = new TextEncoder().encode(options.appSecret);
    this.#templateId = options.templateId;
    this.#apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.#roles = { teacher: options.teacherRole, student: options.studentRole };
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#agent = this.#apiUrl.startsWith('http:')
      ? new http.Agent({ keepAlive: true })
      : new https.Agent({ keepAlive: true, ...(options.ca ? { ca: options.ca } : {}) });
  }

  /** `POST /rooms`. 100ms answers an existing room of the same name with that room, so a retry is safe. */
  async createRoom(request: { name: string; description: string }): Promise<{ roomId: string }> {
    const response = await this.#request('POST', '/rooms', {
      name: request.name,
      description: request.description,
      template_id: this.#templateId,
    });
    if (response.status !== 200 && response.status !== 201) throw this.#refused('create a room', response);
    const id = parseJson(response.body)?.id;
    if (typeof id !== 'string' || id === '') {
      throw new ApiError('UNAVAILABLE', '100ms answered a created room without an id');
    }
    return { roomId: id };
  }

  /**
   * `POST /active-rooms/<id>/end-room` with `lock: true`: everyone is removed and the room is disabled. A room
   * with no session running has no active room (100ms answers 404), so it is locked by disabling it
   * (`POST /rooms/<id>` `{enabled: false}`), which also makes a second end a no-op.
   */
  async endRoom(roomId: string, reason: string): Promise<void> {
    const path = encodeURIComponent(roomId);
    const ended = await this.#request('POST', `/active-rooms/${path}/end-room`, { reason, lock: true });
    if (ended.status === 200) return;
    if (ended.status !== 404) throw this.#refused('end a room', ended);
    const disabled = await this.#request('POST', `/rooms/${path}`, { enabled: false });
    if (disabled.status !== 200) throw this.#refused('lock a room', disabled);
  }

  /** A peer auth token for the room in the template role that goes with the member's hub role. */
  async grant(request: { roomId: string; userId: string; name: string; role: Role }): Promise<VideoGrant> {
    const role = this.#roles[request.role];
    const nowSeconds = Math.floor(this.#clock.now().getTime() / 1000);
    const authToken = signHs256(
      {
        access_key: this.#accessKey,
        room_id: request.roomId,
        user_id: request.userId,
        role,
        type: 'app',
        version: 2,
        iat: nowSeconds,
        nbf: nowSeconds,
        exp: nowSeconds + HMS_AUTH_TOKEN_TTL_MS / 1000,
        jti: randomUUID(),
      },
      this.#secret,
    );
    return { engine: 'hms', roomId: request.roomId, authToken, role };
  }

  /**
   * Takes the user out of the room's running session: 100ms removes peers by peer id, so the user's peers
   * are found first (`GET /active-rooms/<id>/peers?user_id=`: our user id is the auth token's `user_id`),
   * then each is removed (`POST /active-rooms/<id>/remove-peers {peer_id, reason}`). No session running
   * (404), or a peer gone meanwhile (404), is no error. 100ms cannot revoke the auth token she holds: the hub
   * grants her no new one, and the SDK does not rejoin by itself after a removal.
   */
  async removePeer(request: { roomId: string; userId: string; reason: string }): Promise<void> {
    const room = encodeURIComponent(request.roomId);
    const listed = await this.#request(
      'GET',
      `/active-rooms/${room}/peers?user_id=${encodeURIComponent(request.userId)}`,
    );
    if (listed.status === 404) return;
    if (listed.status !== 200) throw this.#refused('list the peers of a room', listed);
    // `{peers: {<peer id>: {id, user_id, …}}}`; the filter is applied again, whatever 100ms did with it.
    const peerIds = Object.values(asRecord(parseJson(listed.body)?.peers)).flatMap((value) => {
      const peer = asRecord(value);
      return peer.user_id === request.userId && typeof peer.id === 'string' ? [peer.id] : [];
    });
    for (const peerId of peerIds) {
      const removed = await this.#request('POST', `/active-rooms/${room}/remove-peers`, {
        peer_id: peerId,
        reason: request.reason,
      });
      if (removed.status !== 200 && removed.status !== 404) throw this.#refused('remove a peer', removed);
    }
  }

  /** Closes the kept-alive connections to 100ms. */
  close(): void {
    this.#agent.destroy();
  }

  /** The current management token, signing a new one when less than an hour is left; requests share one. */
  #managementToken(): string {
    const nowMs = this.#clock.now().getTime();
    if (this.#token && this.#token.expiresAtMs - nowMs > HMS_MANAGEMENT_TOKEN_REFRESH_MS) {
      return this.#token.jwt;
    }
    return this.#signManagementToken(nowMs).jwt;
  }

  #signManagementToken(nowMs: number): ManagementToken {
    const nowSeconds = Math.floor(nowMs / 1000);
    const expiresAtSeconds = nowSeconds + HMS_MANAGEMENT_TOKEN_TTL_MS / 1000;
    const jwt = signHs256(
      {
        access_key: this.#accessKey,
        type: 'management',
        version: 2,
        iat: nowSeconds,
        nbf: nowSeconds,
        exp: expiresAtSeconds,
        jti: randomUUID(),
      },
      this.#secret,
    );
    this.#token = { jwt, expiresAtMs: expiresAtSeconds * 1000 };
    return this.#token;
  }

  /** A request to 100ms; a GET has no body. */
  async #request(method: 'POST' | 'GET', path: string, body?: unknown): Promise<HmsResponse> {
    const token = this.#managementToken();
    let response: HmsResponse;
    try {
      const text = body === undefined ? '' : JSON.stringify(body);
      response = await this.#send(method, `${this.#apiUrl}${path}`, token, text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#logger?.warn('100ms unreachable', { method, path, reason });
      throw new ApiError('UNAVAILABLE', `100ms could not be reached (${reason})`);
    }
    // 100ms refused the token: sign a new one for the next request (the clock may have jumped).
    if (response.status === 401 && this.#token?.jwt === token) this.#token = undefined;
    return response;
  }

  #send(method: string, url: string, token: string, body: string): Promise<HmsResponse> {
    const transport = url.startsWith('http:') ? http : https;
    return new Promise<HmsResponse>((resolve, reject) => {
      const request = transport.request(
        url,
        {
          method,
          agent: this.#agent,
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            accept: 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
        },
      );
      // One deadline for the whole exchange: a peer that accepts but never answers fails like one that is down.
      const deadline = setTimeout(() => {
        request.destroy(new Error(`no answer within ${this.#requestTimeoutMs} ms`));
      }, this.#requestTimeoutMs);
      request.on('close', () => clearTimeout(deadline));
      request.on('error', reject);
      request.end(body);
    });
  }

  #refused(action: string, response: HmsResponse): ApiError {
    const message = parseJson(response.body)?.message;
    const quoted =
      typeof message === 'string'
        ? message.slice(0, QUOTED_BODY_CHARS)
        : response.body.slice(0, QUOTED_BODY_CHARS);
    this.#logger?.warn(`100ms refused to ${action}`, { status: response.status, body: quoted });
    const why =
      response.status === 401 || response.status === 403
        ? 'check HMS_ACCESS_KEY and HMS_APP_SECRET'
        : quoted || 'no details';
    return new ApiError('UNAVAILABLE', `100ms refused to ${action} (${response.status}: ${why})`);
  }
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}
