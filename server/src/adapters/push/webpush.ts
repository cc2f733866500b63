/**
 * Web push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payload encryption (RFC 8291).
 *
 * Per subscription only the encryption is done (`encryptAes128gcm`: a fresh application-server key pair per
 * message) and one small header object; the payload and the VAPID header are made once per message and push
 * service, and requests go over HTTP/2 where the push service offers it (`PushServiceConnections`). `web-push`
 * signs the VAPID JWT, but one per push-service origin, reused until shortly before it expires, rather than one
 * per message.
 */
import https from 'node:https';
import webpush from 'web-push';
import { encryptAes128gcm } from './aes128gcm.ts';
import {
  describeError,
  hashedKey,
  isNetworkError,
  mapWithConcurrency,
  parseRetryAfter,
  ttlSecondsFor,
} from './delivery-policy.ts';
import type { DeliveryResult, PushMessage, PushProvider, PushTarget } from './push-provider.ts';
import { PushServiceConnections, type PushServiceResponse } from './push-service-connections.ts';

export interface VapidKeys {
  /** base64url, uncompressed P-256 point (65 bytes): what browsers get as `applicationServerKey`. */
  publicKey: string;
  /** base64url, 32 bytes. */
  privateKey: string;
}

export interface WebPushProviderOptions {
  vapid: VapidKeys & {
    /** `mailto:` or `https:` contact for the push service operators. */
    subject: string;
  };
  /**
   * The agent for push services that speak HTTP/1.1 only; its TLS options (`ca`) apply to the HTTP/2
   * sessions too. Default: a keep-alive agent owned by the provider. Tests pass one that trusts their local CA.
   */
  agent?: https.Agent;
  /** Socket idle timeout per request. Default 10 s. */
  timeoutMs?: number;
  /**
   * Requests in flight at once. Default 64: over HTTP/2 they are streams of one connection (push services
   * allow 100 or more), and fewer turns of the event loop per message cost less CPU.
   */
  concurrency?: number;
  /** The clock for the VAPID header cache. Default `Date.now`. */
  now?: () => number;
}

/** VAPID JWTs live 12 h (the spec allows 24 h) and are replaced after 11 h, so none is used near its end. */
export const VAPID_JWT_LIFETIME_SECONDS = 12 * 60 * 60;
export const VAPID_JWT_REFRESH_AFTER_MS = 11 * 60 * 60 * 1000;

/** A push service's `Topic` is at most 32 characters of the URL-safe base64 alphabet (RFC 8030 §5.4). */
export const TOPIC_LENGTH = 32;

export function generateVapidKeys(): VapidKeys {
  const { publicKey, privateKey } = webpush.generateVAPIDKeys();
  return { publicKey, privateKey };
}

/** The web-push-safe `Topic` for a collapse key: the same key always gives the same topic. */
export function topicForCollapseKey(collapseKey: string): string {
  return hashedKey(collapseKey, TOPIC_LENGTH);
}

/** What the service worker receives (decrypted) as `event.data.json()`. */
export interface WebPushPayload {
  notificationId: string;
  kind: string;
  priority: PushMessage['priority'];
  title: string;
  body: string;
  data: Record<string, string>;
  collapseKey: string;
}

/** The JSON text a message is sent as (encrypted), the same for every subscription. */
export function webPushPayloadText(message: PushMessage): string {
  return JSON.stringify({
    notificationId: message.notificationId,
    kind: message.kind,
    priority: message.priority,
    title: message.title,
    body: message.body,
    data: message.data,
    collapseKey: message.collapseKey,
  } satisfies WebPushPayload);
}

interface CachedAuthorization {
  header: string;
  refreshAtMs: number;
}

export class WebPushProvider implements PushProvider {
  readonly channel = 'webpush' as const;
  readonly #vapid: WebPushProviderOptions['vapid'];
  readonly #agent: https.Agent;
  readonly #ownsAgent: boolean;
  readonly #connections: PushServiceConnections;
  readonly #timeoutMs: number;
  readonly #concurrency: number;
  readonly #now: () => number;
  readonly #authorizationByOrigin = new Map<string, CachedAuthorization>();

  constructor(options: WebPushProviderOptions) {
    this.#vapid = { ...options.vapid };
    // Fail at boot on malformed keys rather than on the first notification.
    webpush.getVapidHeaders(
      'https://push.invalid',
      this.#vapid.subject,
      this.#vapid.publicKey,
      this.#vapid.privateKey,
      'aes128gcm',
    );
    this.#ownsAgent = options.agent === undefined;
    this.#agent = options.agent ?? new https.Agent({ keepAlive: true, maxSockets: 32 });
    this.#connections = new PushServiceConnections(this.#agent);
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#concurrency = options.concurrency ?? 64;
    this.#now = options.now ?? Date.now;
  }

  async send(message: PushMessage, targets: PushTarget[]): Promise<DeliveryResult[]> {
    const payload = webPushPayloadText(message);
    const ttl = ttlSecondsFor(message);
    const urgency = message.priority === 'urgent' ? 'high' : 'normal';
    const topic = topicForCollapseKey(message.collapseKey);

    const plaintext = Buffer.from(payload);
    // The VAPID header is the same for every subscription of one push service: looked up once per message and
    // origin (and signed once per origin until it nears expiry).
    const authorizationByOrigin = new Map<string, string>();
    const authorizationFor = (origin: string): string => {
      let authorization = authorizationByOrigin.get(origin);
      if (authorization === undefined) {
        authorization = this.#authorizationFor(origin);
        authorizationByOrigin.set(origin, authorization);
      }
      return authorization;
    };

    return mapWithConcurrency(targets, this.#concurrency, async (target): Promise<DeliveryResult> => {
      if (target.platform !== 'web') {
        return {
          deviceId: target.deviceId,
          status: 'failed',
          reason: `web push cannot send to ${target.platform}`,
        };
      }
      let endpoint: URL;
      try {
        endpoint = new URL(target.subscription.endpoint);
      } catch (error) {
        return {
          deviceId: target.deviceId,
          status: 'failed',
          reason: `bad subscription: ${describeError(error)}`,
        };
      }
      let authorization: string;
      try {
        authorization = authorizationFor(endpoint.origin);
      } catch (error) {
        return {
          deviceId: target.deviceId,
          status: 'failed',
          reason: `VAPID signing failed: ${describeError(error)}`,
        };
      }
      let body: Buffer;
      try {
        body = encryptAes128gcm(plaintext, target.subscription.keys);
      } catch (error) {
        // Malformed p256dh or auth keys: no push service would take this subscription.
        return {
          deviceId: target.deviceId,
          status: 'failed',
          reason: `bad subscription: ${describeError(error)}`,
        };
      }
      try {
        // One object literal per request (a fixed shape, no copying of a shared one).
        const headers = {
          authorization,
          ttl,
          urgency,
          topic,
          'content-encoding': 'aes128gcm',
          'content-type': 'application/octet-stream',
          'content-length': body.length,
        };
        const response = await this.#connections.post(endpoint, headers, body, this.#timeoutMs);
        return this.#resultFor(target.deviceId, response);
      } catch (error) {
        if (isNetworkError(error))
          return { deviceId: target.deviceId, status: 'retry', reason: describeError(error) };
        return { deviceId: target.deviceId, status: 'failed', reason: describeError(error) };
      }
    });
  }

  async close(): Promise<void> {
    this.#connections.close();
    if (this.#ownsAgent) this.#agent.destroy();
  }

  /** The `vapid t=…, k=…` header for one push-service origin, signed once and reused until 11 h old. */
  #authorizationFor(origin: string): string {
    const nowMs = this.#now();
    const cached = this.#authorizationByOrigin.get(origin);
    if (cached && nowMs < cached.refreshAtMs) return cached.header;
    const expiration = Math.floor(nowMs / 1000) + VAPID_JWT_LIFETIME_SECONDS;
    const { Authorization } = webpush.getVapidHeaders(
      origin,
      this.#vapid.subject,
      this.#vapid.publicKey,
      this.#vapid.privateKey,
      'aes128gcm',
      expiration,
    );
    this.#authorizationByOrigin.set(origin, {
      header: Authorization,
      refreshAtMs: nowMs + VAPID_JWT_REFRESH_AFTER_MS,
    });
    return Authorization;
  }

  #resultFor(deviceId: string, response: PushServiceResponse): DeliveryResult {
    const { status } = response;
    if (status >= 200 && status < 300) {
      const location = response.headers['location'];
      return { deviceId, status: 'sent', ...(typeof location === 'string' ? { providerId: location } : {}) };
    }
    const reason = `push service answered ${status}${response.body ? `: ${response.body.slice(0, 200)}` : ''}`;
    if (status === 404 || status === 410) return { deviceId, status: 'gone', reason };
    if (status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(response.headers['retry-after'], this.#now());
      return { deviceId, status: 'retry', reason, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    }
    if (status === 401 || status === 403) {
      // Our VAPID header was refused: sign a new one next time rather than resending a bad one until it expires.
      this.#authorizationByOrigin.clear();
    }
    return { deviceId, status: 'failed', reason };
  }
}
