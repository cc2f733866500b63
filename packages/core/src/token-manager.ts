import type { HubTokenClaims } from '@teacher-hub/protocol';
import { HubError, HubNetworkError, HubTokenError, isAbortError } from './errors.ts';

/** Returns a fresh hub token; called again whenever the cached one is about to expire or was refused. */
export type TokenProvider = () => Promise<string>;

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface TokenManagerOptions {
  /** A hub token to start with. Alone it is used until the hub refuses it; with a source below it is the first token. */
  token?: string | undefined;
  /** A host-LMS URL that answers a credentialed GET with a hub token: JSON `{token}` or the bare token as text. */
  tokenUrl?: string | undefined;
  /** Asks the host for a fresh hub token. Wins over `tokenUrl`. */
  tokenProvider?: TokenProvider | undefined;
  fetch?: FetchLike | undefined;
  /** Fetch a new token this long before the current one expires (capped at half its lifetime). Default 30 s. */
  refreshLeewaySeconds?: number | undefined;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: (() => number) | undefined;
}

/**
 * Reads a JWT's claims without verifying it. The client only needs `exp`/`iat` to plan a refresh (and the
 * hub checks the signature anyway), so a token that does not decode is simply treated as non-expiring.
 */
export function decodeTokenClaims(token: string): Partial<HubTokenClaims> | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof claims === 'object' && claims !== null ? (claims as Partial<HubTokenClaims>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Holds the hub token: fetches it from the configured source, caches it, refreshes it a little before it
 * expires, and lets every concurrent caller share one fetch.
 */
export class TokenManager {
  readonly #source: TokenProvider | undefined;
  readonly #leewayMs: number;
  readonly #now: () => number;
  #token: string | undefined;
  /** Local time at which the cached token should be replaced; `Infinity` when it never needs to be. */
  #refreshAt = Infinity;
  #pending: Promise<string> | undefined;

  constructor(options: TokenManagerOptions) {
    const fetchFn: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    const { tokenProvider, tokenUrl } = options;
    this.#source = tokenProvider
      ? () => callProvider(tokenProvider)
      : tokenUrl
        ? () => fetchTokenFromUrl(fetchFn, tokenUrl)
        : undefined;
    this.#leewayMs = (options.refreshLeewaySeconds ?? 30) * 1000;
    this.#now = options.now ?? Date.now;
    if (options.token) this.#store(options.token);
  }

  /** Whether a refused token can be replaced (false with a fixed `token` only). */
  get canRefresh(): boolean {
    return this.#source !== undefined;
  }

  /** The current token, fetching a fresh one when there is none or it is about to expire. */
  getToken(): Promise<string> {
    if (this.#token !== undefined && (this.#source === undefined || this.#now() < this.#refreshAt)) {
      return Promise.resolve(this.#token);
    }
    return this.#fetch();
  }

  /**
   * The hub refused `token` (401): forget it so the next `getToken()` fetches another. A no-op when the
   * cache already moved on, so concurrent 401s for the same token lead to one refresh.
   */
  invalidate(token: string): void {
    if (this.#source !== undefined && this.#token === token) {
      this.#token = undefined;
      this.#refreshAt = Infinity;
    }
  }

  #fetch(): Promise<string> {
    if (!this.#source)
      return Promise.reject(new HubTokenError('No hub token: set token, tokenUrl or tokenProvider.'));
    this.#pending ??= this.#source()
      .then((token) => {
        this.#store(token);
        return token;
      })
      .finally(() => {
        this.#pending = undefined;
      });
    return this.#pending;
  }

  #store(token: string): void {
    this.#token = token;
    const claims = decodeTokenClaims(token);
    if (typeof claims?.exp !== 'number') {
      this.#refreshAt = Infinity;
      return;
    }
    if (typeof claims.iat === 'number' && claims.exp > claims.iat) {
      // exp and iat come from the same (issuer's) clock: measuring the lifetime from when we received the
      // token keeps a skewed local clock from making every token look expired on arrival.
      const lifetimeMs = (claims.exp - claims.iat) * 1000;
      this.#refreshAt = this.#now() + lifetimeMs - Math.min(this.#leewayMs, lifetimeMs / 2);
    } else {
      this.#refreshAt = claims.exp * 1000 - this.#leewayMs;
    }
  }
}

async function callProvider(provider: TokenProvider): Promise<string> {
  let token: unknown;
  try {
    token = await provider();
  } catch (error) {
    if (error instanceof HubError || isAbortError(error)) throw error;
    throw new HubTokenError('The tokenProvider failed.', { cause: error });
  }
  if (typeof token !== 'string' || token.trim() === '') {
    throw new HubTokenError('The tokenProvider returned no token.');
  }
  return token.trim();
}

async function fetchTokenFromUrl(fetchFn: FetchLike, tokenUrl: string): Promise<string> {
  let response: Response;
  try {
    response = await fetchFn(tokenUrl, {
      method: 'GET',
      credentials: 'include',
      headers: { Accept: 'application/json, text/plain;q=0.9' },
    });
  } catch (error) {
    if (isAbortError(error)) throw error;
    throw new HubNetworkError(`Could not reach the token URL ${tokenUrl}.`, { cause: error });
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new HubTokenError(`The token URL answered ${response.status}.`, { status: response.status });
  }
  const token = parseTokenBody(await response.text());
  if (!token) throw new HubTokenError('The token URL returned no token.');
  return token;
}

/** Accepts `{"token": "…"}`, a JSON string, or the bare token as text. */
export function parseTokenBody(text: string): string | undefined {
  const body = text.trim();
  let token: unknown = body;
  if (body.startsWith('{') || body.startsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(body);
      token = typeof parsed === 'string' ? parsed : (parsed as { token?: unknown } | null)?.token;
    } catch {
      return undefined;
    }
  }
  return typeof token === 'string' && token.trim() !== '' && !/\s/.test(token.trim())
    ? token.trim()
    : undefined;
}
