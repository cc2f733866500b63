/**
 * Firebase Cloud Messaging (HTTP v1) for Android devices, through `firebase-admin`: one named Firebase app
 * per provider (so several can live in one process), `sendEach` in batches, one result per token.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Agent } from 'node:http';
import { cert, deleteApp, initializeApp, type App, type Credential } from 'firebase-admin/app';
import { getMessaging, type Messaging, type SendResponse, type TokenMessage } from 'firebase-admin/messaging';
import { describeError, isNetworkError, ttlSecondsFor } from './delivery-policy.ts';
import type { DeliveryResult, PushMessage, PushProvider, PushTarget } from './push-provider.ts';

export interface FcmProviderOptions {
  /**
   * The service account JSON file as the Firebase console gives it (`project_id`, `client_email`,
   * `private_key`). Give this, or the three fields below.
   */
  serviceAccountFile?: string;
  projectId?: string;
  clientEmail?: string;
  /** PEM; `\n` escapes (as env files often carry them) are turned into newlines. */
  privateKey?: string;
  /**
   * The agent for every HTTP call firebase-admin makes: the OAuth token exchange and the sends (a proxy, or a
   * local FCM peer in tests). firebase-admin's HTTP/2 transport cannot use an agent, so with one the sends go
   * over its HTTP/1.1 transport. Needs `serviceAccountFile`: firebase-admin fetches the OAuth token around the
   * agent when the service account is given inline (firebase/firebase-admin-node#2960).
   */
  httpAgent?: Agent;
  /** Messages per `sendEach` call. Default 100 (one HTTP/2 session's concurrent streams); at most 500. */
  batchSize?: number;
}

/** FCM accepts at most 500 messages per `sendEach`. */
export const FCM_MAX_BATCH_SIZE = 500;
export const FCM_DEFAULT_BATCH_SIZE = 100;

/** Android notification channels the app creates: urgent alerts get their own, high-importance channel. */
export const ANDROID_CHANNELS = { urgent: 'hub-urgent', normal: 'hub-default' } as const;

/** The token will never work again. */
const GONE_CODES = new Set([
  'messaging/registration-token-not-registered',
  'messaging/invalid-registration-token',
]);

/** Throttling and server trouble: try again later. */
const RETRY_CODES = new Set([
  'messaging/message-rate-exceeded',
  'messaging/device-message-rate-exceeded',
  'messaging/topics-message-rate-exceeded',
  'messaging/too-many-requests',
  'messaging/quota-exceeded',
  'messaging/internal-error',
  'messaging/server-unavailable',
  'messaging/unavailable',
  'app/network-error',
  'app/network-timeout',
]);

let appCounter = 0;

export class FcmProvider implements PushProvider {
  readonly channel = 'fcm' as const;
  readonly #app: App;
  readonly #messaging: Messaging;
  readonly #batchSize: number;

  constructor(options: FcmProviderOptions) {
    const { credential, projectId } = serviceAccountCredential(options);
    appCounter += 1;
    this.#app = initializeApp(
      { credential, projectId, ...(options.httpAgent ? { httpAgent: options.httpAgent } : {}) },
      `teacher-hub-fcm-${appCounter}-${randomUUID()}`,
    );
    this.#messaging = getMessaging(this.#app);
    if (options.httpAgent) this.#messaging.enableLegacyHttpTransport();
    this.#batchSize = Math.max(1, Math.min(options.batchSize ?? FCM_DEFAULT_BATCH_SIZE, FCM_MAX_BATCH_SIZE));
  }

  async send(message: PushMessage, targets: PushTarget[]): Promise<DeliveryResult[]> {
    const results = new Array<DeliveryResult>(targets.length);
    const android: { index: number; deviceId: string; token: string }[] = [];
    targets.forEach((target, index) => {
      if (target.platform === 'android')
        android.push({ index, deviceId: target.deviceId, token: target.token });
      else
        results[index] = {
          deviceId: target.deviceId,
          status: 'failed',
          reason: `FCM cannot send to ${target.platform}`,
        };
    });

    for (let start = 0; start < android.length; start += this.#batchSize) {
      const batch = android.slice(start, start + this.#batchSize);
      const responses = await this.#sendBatch(batch.map((target) => fcmMessage(message, target.token)));
      batch.forEach((target, i) => {
        const response = responses[i];
        results[target.index] = response
          ? resultFor(target.deviceId, response)
          : { deviceId: target.deviceId, status: 'retry', reason: 'no answer from FCM' };
      });
    }
    return results;
  }

  async close(): Promise<void> {
    await deleteApp(this.#app);
  }

  /** One `sendEach`; a failure of the whole call becomes the same failure for every message in it. */
  async #sendBatch(messages: TokenMessage[]): Promise<SendResponse[]> {
    try {
      return (await this.#messaging.sendEach(messages)).responses;
    } catch (error) {
      const pending = (error as { pendingBatchResponse?: Promise<{ responses: SendResponse[] }> })
        .pendingBatchResponse;
      if (pending) {
        const settled = await pending.catch(() => undefined);
        if (settled) return settled.responses;
      }
      return messages.map(() => ({ success: false, error: error as SendResponse['error'] & object }));
    }
  }
}

function serviceAccountCredential(options: FcmProviderOptions): {
  credential: Credential;
  projectId: string;
} {
  if (options.serviceAccountFile) {
    const json = JSON.parse(readFileSync(options.serviceAccountFile, 'utf8')) as { project_id?: unknown };
    const projectId = options.projectId ?? json.project_id;
    if (typeof projectId !== 'string' || !projectId) {
      throw new Error(`FCM service account file ${options.serviceAccountFile} has no project_id`);
    }
    // A path, not the parsed object: only then does firebase-admin fetch the OAuth token through the agent.
    // (cert() keeps one credential per path for the whole process: the first provider's agent gets the token.)
    return { credential: cert(options.serviceAccountFile, options.httpAgent), projectId };
  }
  const { projectId, clientEmail, privateKey } = options;
  if (!projectId || !clientEmail || !privateKey) {
    throw new Error('FCM needs serviceAccountFile, or projectId, clientEmail and privateKey');
  }
  if (options.httpAgent) {
    throw new Error('FCM with an httpAgent needs serviceAccountFile (firebase-admin-node#2960)');
  }
  return {
    credential: cert({ projectId, clientEmail, privateKey: privateKey.replace(/\\n/g, '\n') }),
    projectId,
  };
}

export function fcmMessage(message: PushMessage, token: string): TokenMessage {
  const urgent = message.priority === 'urgent';
  return {
    token,
    notification: { title: message.title, body: message.body },
    data: {
      ...message.data,
      notificationId: message.notificationId,
      kind: message.kind,
      priority: message.priority,
      collapseKey: message.collapseKey,
    },
    android: {
      priority: urgent ? 'high' : 'normal',
      collapseKey: message.collapseKey,
      ttl: ttlSecondsFor(message) * 1000,
      notification: {
        tag: message.collapseKey,
        channelId: urgent ? ANDROID_CHANNELS.urgent : ANDROID_CHANNELS.normal,
      },
    },
  };
}

function resultFor(deviceId: string, response: SendResponse): DeliveryResult {
  if (response.success) {
    return { deviceId, status: 'sent', ...(response.messageId ? { providerId: response.messageId } : {}) };
  }
  const error = response.error as { code?: string; message?: string } | undefined;
  const code = error?.code ?? 'unknown';
  const reason = `${code}: ${error?.message ?? describeError(response.error)}`;
  if (GONE_CODES.has(code)) return { deviceId, status: 'gone', reason };
  // FCM v1 answers a malformed token with a bare INVALID_ARGUMENT; only its message tells it from a bad payload.
  if (code === 'messaging/invalid-argument' && /registration token/i.test(error?.message ?? '')) {
    return { deviceId, status: 'gone', reason };
  }
  if (RETRY_CODES.has(code) || isNetworkError(response.error)) return { deviceId, status: 'retry', reason };
  return { deviceId, status: 'failed', reason };
}
