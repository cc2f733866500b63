/** What every push channel decides the same way: time to live, retry timing, and how wide to fan out. */
import { createHash } from 'node:crypto';
import type { PushMessage } from './push-provider.ts';

/** Non-urgent notifications are worth nothing after a day (DESIGN rule 8 and the notification pipeline). */
export const MAX_NORMAL_TTL_SECONDS = 24 * 60 * 60;

/** Urgent: exactly the message's window (the ring window for a call). Normal: at most one day. */
export function ttlSecondsFor(message: Pick<PushMessage, 'priority' | 'ttlSeconds'>): number {
  const ttl = Math.max(0, Math.floor(message.ttlSeconds));
  return message.priority === 'urgent' ? ttl : Math.min(ttl, MAX_NORMAL_TTL_SECONDS);
}

/** base64url SHA-256 of the key, for providers whose collapse identifier has a size or alphabet limit. */
export function hashedKey(key: string, length: number): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, length);
}

/**
 * `Retry-After` as milliseconds from `nowMs`: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Undefined when absent or unreadable; never negative.
 */
export function parseRetryAfter(
  value: string | string[] | undefined,
  nowMs: number = Date.now(),
): number | undefined {
  const header = Array.isArray(value) ? value[0] : value;
  if (header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Maps `items` through `worker` with at most `limit` in flight, keeping the input order. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  worker: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await worker(items[index] as T, index);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Node's error codes for a connection that failed or dropped: always worth another try. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'ERR_HTTP2_GOAWAY_SESSION',
  'ERR_HTTP2_SESSION_ERROR',
  'ERR_HTTP2_STREAM_ERROR',
  'ERR_HTTP2_STREAM_CANCEL',
  'ERR_HTTP2_INVALID_SESSION',
  'ERR_HTTP2_ERROR',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
]);

export function isNetworkError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return true;
  // Libraries that wrap a network failure (firebase-admin's credential errors) keep only its text.
  const message = error instanceof Error ? error.message : String(error);
  return /socket hang up|timed? ?out|network|ECONNRESET|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/i.test(
    message,
  );
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
