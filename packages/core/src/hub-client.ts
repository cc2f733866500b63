import type { Roster } from '@teacher-hub/protocol';
import { HubApi } from './api.ts';
import { Resource } from './resource.ts';
import { TokenManager } from './token-manager.ts';
import type { FetchLike, TokenProvider } from './token-manager.ts';

export interface HubClientOptions {
  /** The hub server's base URL, e.g. `https://hub.example.edu` (a path prefix is fine). */
  server: string;
  /** A hub token. Alone it is used until the hub refuses it; with `tokenUrl`/`tokenProvider` it is the first one. */
  token?: string | undefined;
  /** A host-LMS URL that returns a fresh hub token to a credentialed `fetch` (JSON `{token}` or plain text). */
  tokenUrl?: string | undefined;
  /** Returns a fresh hub token; wins over `tokenUrl`. */
  tokenProvider?: TokenProvider | undefined;
  /** The `fetch` to use (defaults to the global one); for hosts that route calls, and for story fixtures. */
  fetch?: FetchLike | undefined;
  /** Refresh the token this long before it expires. Default 30 s. */
  refreshLeewaySeconds?: number | undefined;
}

/**
 * The headless Teacher Hub client: one per page (or per `<teacher-hub>`), shared by every element in it.
 * `api` is the typed HTTP API; the resources (`roster`, later chats and sessions) are shared, observable
 * state that elements subscribe to, so several elements cause one fetch.
 */
export class HubClient {
  readonly server: string;
  readonly tokens: TokenManager;
  readonly api: HubApi;
  /** The caller's roster (`GET /v1/roster`). */
  readonly roster: Resource<Roster>;

  constructor(options: HubClientOptions) {
    if (!options.server) throw new TypeError('HubClient needs the hub server URL (`server`).');
    const fetchFn: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.server = options.server;
    this.tokens = new TokenManager({
      token: options.token,
      tokenUrl: options.tokenUrl,
      tokenProvider: options.tokenProvider,
      fetch: fetchFn,
      refreshLeewaySeconds: options.refreshLeewaySeconds,
    });
    this.api = new HubApi(options.server, this.tokens, fetchFn);
    this.roster = new Resource(() => this.api.roster());
  }
}
