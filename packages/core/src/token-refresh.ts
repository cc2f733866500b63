import { decodeTokenClaims } from './token-manager.ts';

/*
 * Early refresh of the short-lived tokens the hub hands out for other services: the GetStream user token
 * (chat) and the video grant's token (the mesh's room token, 100ms's peer token). Each is replaced a
 * margin before it expires, while the old one still works, so nothing that holds it (a WebSocket, a
 * reconnect) ever has to meet an expired token.
 */

/** Timers and time, injectable so tests drive the schedule with a fake clock. */
export interface RefreshClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemRefreshClock: RefreshClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A token is refreshed no later than this long before it expires… */
export const REFRESH_MARGIN_MS = 60_000;
/** …and no later than at this share of its lifetime, whichever comes first… */
export const REFRESH_AT_SHARE = 0.8;
/** …but never before half of it has passed (a very short token would otherwise be refreshed in a loop). */
export const REFRESH_NOT_BEFORE_SHARE = 0.5;

/**
 * How long after receiving a token that lives `lifetimeMs` to replace it: at 80 % of its lifetime or a
 * minute before it ends, whichever is earlier, but not before half of it. A 1-hour Stream token is
 * replaced after 48 min, a 2-hour mesh token after 96 min, a 24-hour 100ms token after 19.2 h, a 2-minute
 * token after 60 s, a 5-second one after 2.5 s.
 */
export function refreshAfterMs(lifetimeMs: number): number {
  const early = Math.min(lifetimeMs * REFRESH_AT_SHARE, lifetimeMs - REFRESH_MARGIN_MS);
  return Math.max(lifetimeMs * REFRESH_NOT_BEFORE_SHARE, early);
}

/**
 * How long a JWT received now still lives, in milliseconds; `undefined` when it says no `exp` (then there
 * is nothing to refresh). With `iat` too the lifetime is `exp − iat`, both from the issuer's clock, counted
 * from now: a local clock that is off by minutes would otherwise make tokens look expired on arrival.
 */
export function tokenLifetimeMs(token: string, now: number): number | undefined {
  const claims = decodeTokenClaims(token);
  if (typeof claims?.exp !== 'number') return undefined;
  if (typeof claims.iat === 'number' && claims.exp > claims.iat) return (claims.exp - claims.iat) * 1000;
  return Math.max(0, claims.exp * 1000 - now);
}

export interface TokenRefresherOptions {
  /**
   * Fetches and installs a fresh token; resolves with its lifetime in milliseconds (`undefined`: stop,
   * e.g. the call ended). A rejection is retried a little later, until `stop()`.
   */
  refresh: () => Promise<number | undefined>;
  clock?: RefreshClock | undefined;
  /** Told of each failed attempt (it is retried). */
  onError?: ((error: unknown) => void) | undefined;
}

/**
 * Runs `refresh` once per token, `refreshAfterMs(lifetime)` after it arrived, and again for each token
 * it yields. A failed refresh is retried every `lifetime / 20` (1–30 s) while the old token may still be
 * good. `schedule()` also takes tokens that arrived another way (stream-chat asking its provider itself).
 */
export class TokenRefresher {
  readonly #refresh: () => Promise<number | undefined>;
  readonly #clock: RefreshClock;
  readonly #onError: (error: unknown) => void;
  #timer: unknown;
  #stopped = false;
  /** Bumped by every `schedule()`, so a refresh that a newer token overtook does not reschedule. */
  #generation = 0;

  constructor(options: TokenRefresherOptions) {
    this.#refresh = options.refresh;
    this.#clock = options.clock ?? systemRefreshClock;
    this.#onError = options.onError ?? (() => undefined);
  }

  /** Plans the refresh of a token that was just received and lives `lifetimeMs` (nothing when undefined). */
  schedule(lifetimeMs: number | undefined): void {
    if (this.#stopped) return;
    this.#clear();
    const generation = ++this.#generation;
    if (lifetimeMs === undefined || !Number.isFinite(lifetimeMs)) return;
    this.#arm(generation, refreshAfterMs(lifetimeMs), retryDelayMs(lifetimeMs));
  }

  /** No more refreshes (a refresh in flight finishes but schedules nothing). */
  stop(): void {
    this.#stopped = true;
    this.#clear();
  }

  #arm(generation: number, delayMs: number, retryMs: number): void {
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      void this.#run(generation, retryMs);
    }, delayMs);
  }

  async #run(generation: number, retryMs: number): Promise<void> {
    if (this.#stopped || generation !== this.#generation) return;
    let lifetimeMs: number | undefined;
    try {
      lifetimeMs = await this.#refresh();
    } catch (error) {
      if (this.#stopped || generation !== this.#generation) return;
      this.#onError(error);
      this.#arm(generation, retryMs, retryMs);
      return;
    }
    if (generation !== this.#generation) return;
    if (lifetimeMs === undefined) this.stop();
    else this.schedule(lifetimeMs);
  }

  #clear(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

function retryDelayMs(lifetimeMs: number): number {
  return Math.min(30_000, Math.max(1_000, lifetimeMs / 20));
}
