import type { Clock } from '../clock.ts';

/** The routes that share a budget (DESIGN.md: tokens, chat creation, calls, the test notification). */
export const RATE_LIMIT_BUCKETS = ['token', 'chat-create', 'call', 'test-notification'] as const;
export type RateLimitBucket = (typeof RATE_LIMIT_BUCKETS)[number];

/** Requests allowed per window, per user and per client IP; 0 means unlimited. */
export interface RateLimit {
  perUser: number;
  perIp: number;
}

export interface RateLimitConfig {
  windowSeconds: number;
  limits: Record<RateLimitBucket, RateLimit>;
}

/**
 * Counters of a fixed window, shared by every instance on one database. `hit` counts one request for
 * `key` in the window that starts at `windowStart` (a new window starts from zero) and answers the count
 * after it, atomically, so two instances counting at once never lose a request.
 */
export interface RateLimitStore {
  hit(key: string, windowStart: Date): Promise<number>;
  /** Forgets windows that started before `before`. */
  prune(before: Date): Promise<void>;
}

export type RateLimitVerdict =
  { allowed: true } | { allowed: false; scope: 'user' | 'ip'; limit: number; retryAfterSeconds: number };

/** Old windows are pruned at most this often, by whichever request comes along. */
const PRUNE_EVERY_MS = 10 * 60 * 1000;

/**
 * Per-user and per-IP limits over fixed windows. A fixed window lets a client spend up to twice its
 * budget across one window boundary; that is enough to stop floods, and costs one upsert per key.
 */
export class RateLimiter {
  readonly #store: RateLimitStore;
  readonly #clock: Clock;
  readonly #config: RateLimitConfig;
  #lastPrune = 0;

  constructor(deps: { store: RateLimitStore; clock: Clock; config: RateLimitConfig }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#config = deps.config;
  }

  get config(): RateLimitConfig {
    return this.#config;
  }

  /** Counts the request against the caller's and the IP's budget of `bucket`. */
  async check(
    bucket: RateLimitBucket,
    subject: { userId?: string | undefined; ip?: string | undefined },
  ): Promise<RateLimitVerdict> {
    const limit = this.#config.limits[bucket];
    const windowMs = this.#config.windowSeconds * 1000;
    const now = this.#clock.now().getTime();
    const windowStart = Math.floor(now / windowMs) * windowMs;
    const retryAfterSeconds = Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000));
    await this.#pruneNowAndThen(now, windowMs);

    const checks: { scope: 'user' | 'ip'; key: string; max: number }[] = [];
    if (subject.userId !== undefined && limit.perUser > 0)
      checks.push({ scope: 'user', key: `${bucket}:user:${subject.userId}`, max: limit.perUser });
    if (subject.ip !== undefined && limit.perIp > 0)
      checks.push({ scope: 'ip', key: `${bucket}:ip:${subject.ip}`, max: limit.perIp });

    let verdict: RateLimitVerdict = { allowed: true };
    for (const check of checks) {
      const count = await this.#store.hit(check.key, new Date(windowStart));
      if (count > check.max && verdict.allowed) {
        verdict = { allowed: false, scope: check.scope, limit: check.max, retryAfterSeconds };
      }
    }
    return verdict;
  }

  async #pruneNowAndThen(now: number, windowMs: number): Promise<void> {
    if (now - this.#lastPrune < PRUNE_EVERY_MS) return;
    this.#lastPrune = now;
    await this.#store.prune(new Date(now - 2 * windowMs));
  }
}
