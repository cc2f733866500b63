/**
 * Apple Push Notification service over HTTP/2 (node:http2), authenticated with a .p8 token key: one
 * persistent connection per provider, and one provider JWT (ES256) reused across sends and replaced every
 * 40 minutes. APNs refuses a token older than an hour (ExpiredProviderToken) and one replaced more often than
 * every 20 minutes (TooManyProviderTokenUpdates), so the refresh sits between the two.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http2, { type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { SignJWT } from 'jose';
import {
  describeError,
  hashedKey,
  isNetworkError,
  mapWithConcurrency,
  parseRetryAfter,
  ttlSecondsFor,
} from './delivery-policy.ts';
import type { DeliveryResult, PushMessage, PushProvider, PushTarget } from './push-provider.ts';

export interface ApnsProviderOptions {
  /** The token key as downloaded from Apple (`AuthKey_<keyId>.p8`, PKCS#8 PEM). Give this or `keyFile`. */
  keyPem?: string;
  /** Path of the .p8 file, read once at construction. */
  keyFile?: string;
  /** The 10-character key id of the .p8 key. */
  keyId: string;
  teamId: string;
  /** The app's bundle id (`apns-topic`). */
  topic: string;
  /** `api.push.apple.com` (default), `api.sandbox.push.apple.com` for development builds, or a local peer. */
  host?: string;
  port?: number;
  /** Extra trusted CA certificates (tests). */
  ca?: string | Buffer;
  /** The clock for the provider token and `apns-expiration`. Default `Date.now`. */
  now?: () => number;
  /** Per request. Default 10 s. */
  requestTimeoutMs?: number;
  /** Streams in flight at once on the connection. Default 100. */
  concurrency?: number;
}

export const APNS_TOKEN_REFRESH_AFTER_MS = 40 * 60 * 1000;
/** APNs answers TooManyProviderTokenUpdates when a token is replaced sooner than this. */
export const APNS_TOKEN_MIN_LIFETIME_MS = 20 * 60 * 1000;
/** `apns-collapse-id` is at most 64 bytes. */
export const APNS_COLLAPSE_ID_MAX_BYTES = 64;

export function apnsCollapseId(collapseKey: string): string {
  return Buffer.byteLength(collapseKey) <= APNS_COLLAPSE_ID_MAX_BYTES
    ? collapseKey
    : hashedKey(collapseKey, 43);
}

interface ProviderToken {
  jwt: string;
  issuedAtMs: number;
}

interface ApnsResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * Reasons that mean the device token will never work again (besides any 410). Not `DeviceTokenNotForTopic`:
 * that is a wrong `APNS_TOPIC` on our side, and treating it as gone would delete every iOS device.
 */
const GONE_REASONS = new Set(['BadDeviceToken', 'Unregistered']);

export class ApnsProvider implements PushProvider {
  readonly channel = 'apns' as const;
  readonly #key: KeyObject;
  readonly #keyId: string;
  readonly #teamId: string;
  readonly #topic: string;
  readonly #authority: string;
  readonly #ca: string | Buffer | undefined;
  readonly #now: () => number;
  readonly #requestTimeoutMs: number;
  readonly #concurrency: number;
  #token: ProviderToken | undefined;
  #signing: Promise<ProviderToken> | undefined;
  #session: ClientHttp2Session | undefined;
  #closed = false;

  constructor(options: ApnsProviderOptions) {
    const pem = options.keyPem ?? (options.keyFile ? readFileSync(options.keyFile, 'utf8') : undefined);
    if (!pem) throw new Error('APNs needs the .p8 token key: keyPem or keyFile');
    this.#key = createPrivateKey(pem);
    if (this.#key.asymmetricKeyType !== 'ec' || this.#key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new Error('The APNs token key must be a P-256 (ES256) key, as Apple issues them');
    }
    this.#keyId = options.keyId;
    this.#teamId = options.teamId;
    this.#topic = options.topic;
    this.#authority = `https://${options.host ?? 'api.push.apple.com'}:${options.port ?? 443}`;
    this.#ca = options.ca;
    this.#now = options.now ?? Date.now;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#concurrency = options.concurrency ?? 100;
  }

  async send(message: PushMessage, targets: PushTarget[]): Promise<DeliveryResult[]> {
    const urgent = message.priority === 'urgent';
    const body = JSON.stringify({
      ...message.data,
      notificationId: message.notificationId,
      kind: message.kind,
      aps: {
        alert: { title: message.title, body: message.body },
        ...(urgent ? { sound: 'default' } : {}),
        'interruption-level': urgent ? 'time-sensitive' : 'active',
        'thread-id': message.data.chatId ?? message.data.sessionId ?? message.data.callId ?? message.kind,
      },
    });
    const ttl = ttlSecondsFor(message);
    const headers = {
      'apns-topic': this.#topic,
      'apns-push-type': 'alert',
      'apns-priority': urgent ? '10' : '5',
      'apns-collapse-id': apnsCollapseId(message.collapseKey),
      'content-type': 'application/json',
    };

    return mapWithConcurrency(targets, this.#concurrency, async (target): Promise<DeliveryResult> => {
      if (target.platform !== 'ios') {
        return {
          deviceId: target.deviceId,
          status: 'failed',
          reason: `APNs cannot send to ${target.platform}`,
        };
      }
      // 0 means "deliver now or never" to APNs, which is what a TTL of 0 asks for.
      const expiration = ttl === 0 ? 0 : Math.floor(this.#now() / 1000) + ttl;
      const request = { ...headers, 'apns-expiration': String(expiration) };
      try {
        let token = await this.#providerToken();
        let response = await this.#post(target.token, request, token.jwt, body);
        if (reasonOf(response) === 'ExpiredProviderToken' && this.#retireToken(token)) {
          token = await this.#providerToken();
          response = await this.#post(target.token, request, token.jwt, body);
        }
        return this.#result(target.deviceId, response);
      } catch (error) {
        if (isNetworkError(error))
          return { deviceId: target.deviceId, status: 'retry', reason: describeError(error) };
        return { deviceId: target.deviceId, status: 'failed', reason: describeError(error) };
      }
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const session = this.#session;
    this.#session = undefined;
    if (session && !session.closed) await new Promise<void>((resolve) => session.close(resolve));
  }

  #result(deviceId: string, response: ApnsResponse): DeliveryResult {
    const reason = reasonOf(response);
    const description = `APNs answered ${response.status}${reason ? ` ${reason}` : ''}`;
    if (response.status === 200) {
      const apnsId = response.headers['apns-id'];
      return { deviceId, status: 'sent', ...(typeof apnsId === 'string' ? { providerId: apnsId } : {}) };
    }
    if (response.status === 410 || (reason !== undefined && GONE_REASONS.has(reason))) {
      return { deviceId, status: 'gone', reason: description };
    }
    if (
      response.status === 429 ||
      response.status === 500 ||
      response.status === 503 ||
      reason === 'ExpiredProviderToken'
    ) {
      const retryAfterMs = parseRetryAfter(response.headers['retry-after'], this.#now());
      return {
        deviceId,
        status: 'retry',
        reason: description,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      };
    }
    return { deviceId, status: 'failed', reason: description };
  }

  /** The current provider token, signing a new one when it is 40 minutes old; concurrent sends share one. */
  async #providerToken(): Promise<ProviderToken> {
    const nowMs = this.#now();
    if (this.#token && nowMs - this.#token.issuedAtMs < APNS_TOKEN_REFRESH_AFTER_MS) return this.#token;
    this.#signing ??= this.#sign(nowMs).finally(() => {
      this.#signing = undefined;
    });
    return this.#signing;
  }

  async #sign(nowMs: number): Promise<ProviderToken> {
    const issuedAtSeconds = Math.floor(nowMs / 1000);
    const jwt = await new SignJWT({ iss: this.#teamId, iat: issuedAtSeconds })
      .setProtectedHeader({ alg: 'ES256', kid: this.#keyId })
      .sign(this.#key);
    this.#token = { jwt, issuedAtMs: issuedAtSeconds * 1000 };
    return this.#token;
  }

  /**
   * APNs said the token expired: drop it so the next send signs a new one — unless it is younger than 20
   * minutes, when a new one would look just as old to APNs (our clock is off) and would only earn
   * TooManyProviderTokenUpdates. Answers whether a retry with a new token makes sense.
   */
  #retireToken(token: ProviderToken): boolean {
    if (this.#now() - token.issuedAtMs < APNS_TOKEN_MIN_LIFETIME_MS) return false;
    if (this.#token === token) this.#token = undefined;
    return true;
  }

  #connection(): ClientHttp2Session {
    if (this.#closed) throw new Error('APNs provider is closed');
    const current = this.#session;
    if (current && !current.closed && !current.destroyed) return current;
    const session = http2.connect(this.#authority, this.#ca ? { ca: this.#ca } : {});
    const forget = () => {
      if (this.#session === session) this.#session = undefined;
    };
    // After GOAWAY or a broken connection the next request opens a new one; streams in flight fail and retry.
    session.on('goaway', forget);
    session.on('close', forget);
    session.on('error', forget);
    this.#session = session;
    return session;
  }

  #post(
    deviceToken: string,
    headers: Record<string, string>,
    jwt: string,
    body: string,
  ): Promise<ApnsResponse> {
    return new Promise<ApnsResponse>((resolve, reject) => {
      const stream = this.#connection().request({
        ':method': 'POST',
        ':path': `/3/device/${encodeURIComponent(deviceToken)}`,
        authorization: `bearer ${jwt}`,
        ...headers,
      });
      let responseHeaders: IncomingHttpHeaders | undefined;
      let responseBody = '';
      const settle = () => {
        if (responseHeaders) {
          resolve({
            status: Number(responseHeaders[':status']),
            headers: responseHeaders,
            body: responseBody,
          });
        } else {
          const error = new Error(`APNs stream closed without an answer (code ${stream.rstCode})`);
          reject(Object.assign(error, { code: 'ERR_HTTP2_STREAM_ERROR' }));
        }
      };
      stream.setEncoding('utf8');
      stream.setTimeout(this.#requestTimeoutMs, () => {
        reject(Object.assign(new Error('APNs request timed out'), { code: 'ETIMEDOUT' }));
        stream.close(http2.constants.NGHTTP2_CANCEL);
      });
      stream.on('response', (incoming) => {
        responseHeaders = incoming;
      });
      stream.on('data', (chunk: string) => {
        responseBody += chunk;
      });
      stream.on('error', reject);
      // 'close' follows 'end' and every failure; whichever settles the promise first wins.
      stream.on('close', settle);
      stream.end(body);
    });
  }
}

function reasonOf(response: ApnsResponse): string | undefined {
  if (!response.body) return undefined;
  try {
    const reason = (JSON.parse(response.body) as { reason?: unknown }).reason;
    return typeof reason === 'string' ? reason : undefined;
  } catch {
    return undefined;
  }
}
