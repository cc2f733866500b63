import type { Me, Roster } from '@teacher-hub/protocol';
import { HubApiError, HubNetworkError, codeForStatus, isAbortError, isErrorBody } from './errors.ts';
import type { FetchLike, TokenManager } from './token-manager.ts';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined> | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * The hub's HTTP API, typed with `@teacher-hub/protocol`. Every endpoint is one line over `request()`;
 * later resources (chats, sessions, notifications) are added the same way.
 */
export class HubApi {
  readonly #server: string;
  readonly #tokens: TokenManager;
  readonly #fetch: FetchLike;

  constructor(server: string, tokens: TokenManager, fetchFn: FetchLike) {
    // `https://lms.example/hub/` and `https://lms.example/hub` name the same hub.
    this.#server = server.replace(/\/+$/, '');
    this.#tokens = tokens;
    this.#fetch = fetchFn;
  }

  /** `GET /v1/me`: who the token belongs to. */
  me(options?: RequestOptions): Promise<Me> {
    return this.request<Me>('GET', '/v1/me', undefined, options);
  }

  /** `GET /v1/roster`: a teacher's courses and their students (a student's: their teachers). */
  roster(options?: RequestOptions): Promise<Roster> {
    return this.request<Roster>('GET', '/v1/roster', undefined, options);
  }

  /**
   * Sends one authenticated call. A 401 gets one retry with a freshly fetched token (when the token
   * source can provide one); any other failure, or a second 401, is thrown as a `HubApiError`.
   * Transport failures throw `HubNetworkError`; aborts throw the fetch's `AbortError`.
   */
  async request<T>(method: HttpMethod, path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    const url = this.#url(path, options?.query);
    const endpoint = `${method} ${path}`;
    const token = await this.#tokens.getToken();
    let response = await this.#send(url, method, body, token, options?.signal);
    if (response.status === 401 && this.#tokens.canRefresh) {
      await response.body?.cancel().catch(() => undefined);
      this.#tokens.invalidate(token);
      const fresh = await this.#tokens.getToken();
      response = await this.#send(url, method, body, fresh, options?.signal);
      // Refused too: no third try now, but the next call starts from a fresh token rather than this one.
      if (response.status === 401) this.#tokens.invalidate(fresh);
    }
    return readResponse<T>(response, endpoint);
  }

  #url(path: string, query: RequestOptions['query']): string {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) search.set(key, String(value));
    }
    const suffix = search.size > 0 ? `?${search}` : '';
    return `${this.#server}${path}${suffix}`;
  }

  async #send(
    url: string,
    method: HttpMethod,
    body: unknown,
    token: string,
    signal: AbortSignal | undefined,
  ): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Bearer ${token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      return await this.#fetch(url, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        // The hub authenticates with the bearer token only; host-LMS cookies stay at home.
        credentials: 'omit',
        signal: signal ?? null,
      });
    } catch (error) {
      if (isAbortError(error)) throw error;
      throw new HubNetworkError(`Could not reach the hub at ${this.#server}.`, { cause: error });
    }
  }
}

async function readResponse<T>(response: Response, endpoint: string): Promise<T> {
  const text = await response.text();
  let parsed: unknown = undefined;
  let parseFailed = false;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parseFailed = true;
    }
  }
  if (response.ok && !parseFailed) return parsed as T;

  const headerRequestId = response.headers.get('x-request-id') ?? undefined;
  if (isErrorBody(parsed)) {
    throw new HubApiError({
      status: response.status,
      code: parsed.error.code,
      message: parsed.error.message,
      requestId: parsed.error.requestId ?? headerRequestId,
      details: parsed.error.details,
      endpoint,
    });
  }
  throw new HubApiError({
    status: response.status,
    code: response.ok ? 'INTERNAL' : codeForStatus(response.status),
    message: response.ok
      ? `${endpoint} answered ${response.status} with a body that is not JSON.`
      : `${endpoint} failed with ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`,
    requestId: headerRequestId,
    endpoint,
  });
}
