import { consume } from '@lit/context';
import { HubClient } from '@teacher-hub/core';
import type { TokenProvider } from '@teacher-hub/core';
import { LitElement } from 'lit';
import type { CSSResultGroup, PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { hubClientContext } from '../context/hub-client-context.ts';
import { reset, tokens } from '../styles/tokens.ts';
import type { Theme } from '../styles/tokens.ts';

/**
 * The hub that served this SDK, the default `server`: a module loaded from `https://hub.example.edu/sdk/…`
 * talks to `https://hub.example.edu` unless told otherwise. Undefined when the SDK is bundled by the host.
 */
export const SDK_HUB_SERVER: string | undefined = (() => {
  try {
    const url = new URL(import.meta.url);
    const at = url.pathname.lastIndexOf('/sdk/');
    if (at < 0 || !url.protocol.startsWith('http')) return undefined;
    return url.origin + url.pathname.slice(0, at);
  } catch {
    return undefined;
  }
})();

/**
 * The base of every Teacher Hub element: finds the `HubClient` to talk through and carries the common
 * attributes of the contract.
 *
 * Where the client comes from, first match wins:
 * 1. the `client` property, when the host sets one;
 * 2. an enclosing provider (`<teacher-hub>`) through `@lit/context`, shared by all elements inside it;
 * 3. a client built from `server` plus `token`, `token-url` or `tokenProvider`, and rebuilt when any of
 *    them changes; elements on the page with the same server and token source share it.
 *
 * @cssproperty --hub-font-family - Font stack of all text.
 * @cssproperty --hub-font-size - Base text size.
 * @cssproperty --hub-color-surface - Background of the element.
 * @cssproperty --hub-color-text - Main text color.
 * @cssproperty --hub-color-text-muted - Secondary text color.
 * @cssproperty --hub-color-border - Hairlines and outlines.
 * @cssproperty --hub-color-accent - Selection, links, primary buttons.
 * @cssproperty --hub-color-danger - Error text and icons.
 * @cssproperty --hub-radius - Corner radius of the element's frame.
 * @cssproperty --hub-focus-ring-color - Color of the keyboard focus ring.
 */
export class HubElement extends LitElement {
  static override styles: CSSResultGroup = [tokens, reset];

  /**
   * The hub server's base URL, e.g. `https://hub.example.edu`. Defaults to the hub the SDK script was
   * loaded from; not needed inside `<teacher-hub>`.
   */
  @property() server?: string;

  /** A hub token signed by the host LMS for the current user. */
  @property() token?: string;

  /** A host-LMS URL that returns a fresh hub token (JSON `{token}` or text) to a credentialed `fetch`. */
  @property({ attribute: 'token-url' }) tokenUrl?: string;

  /** Returns a fresh hub token; called when none is cached, it is about to expire, or the hub refused it. */
  @property({ attribute: false }) tokenProvider?: TokenProvider;

  /** Color theme: `light` (default), `dark`, or `auto` to follow the operating system. */
  @property({ reflect: true }) theme?: Theme;

  /** The client an enclosing provider shares, if any. */
  @consume({ context: hubClientContext, subscribe: true })
  @state()
  protected contextClient?: HubClient;

  #explicitClient: HubClient | undefined;
  #ownClient: HubClient | undefined;

  /**
   * The `HubClient` in use: the one set here, else the one provided by an enclosing `<teacher-hub>`,
   * else one built from this element's own `server` and token attributes. `undefined` until one of
   * them is available.
   */
  @property({ attribute: false })
  get client(): HubClient | undefined {
    return this.#explicitClient ?? this.contextClient ?? this.#ownClient;
  }
  set client(client: HubClient | undefined) {
    this.#explicitClient = client;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const sourceChanged =
      changed.has('server') ||
      changed.has('token') ||
      changed.has('tokenUrl') ||
      changed.has('tokenProvider');
    if (this.#explicitClient || this.contextClient) {
      this.#ownClient = undefined;
    } else if (sourceChanged || this.#ownClient === undefined) {
      this.#ownClient = this.#createOwnClient();
    }
  }

  #createOwnClient(): HubClient | undefined {
    const { token, tokenUrl, tokenProvider } = this;
    const server = this.server ?? SDK_HUB_SERVER;
    if (!server || !(token || tokenUrl || tokenProvider)) return undefined;
    return pageClient(server, { token, tokenUrl, tokenProvider });
  }
}

/** Clients built for elements' own attributes, shared by every element on the page with the same ones. */
const clientsByProvider = new WeakMap<TokenProvider, Map<string, HubClient>>();
const clientsByKey = new Map<string, HubClient>();
/** Token strings change as a host refreshes them: keep the latest few clients, not all. */
const MAX_KEYED_CLIENTS = 8;

/**
 * The one client for a server and a token source on this page. Elements used alone (no `<teacher-hub>`)
 * that the host gives the same `server` and the same `tokenProvider` function (or `token` / `token-url`)
 * share it: one live stream, one roster fetch, and one call between `<hub-chat>`'s call button and
 * `<call-overlay>`.
 */
function pageClient(
  server: string,
  source: {
    token?: string | undefined;
    tokenUrl?: string | undefined;
    tokenProvider?: TokenProvider | undefined;
  },
): HubClient {
  const { token, tokenUrl, tokenProvider } = source;
  const key = JSON.stringify([server, tokenProvider ? null : (token ?? null), tokenUrl ?? null]);
  let clients: Map<string, HubClient> = clientsByKey;
  if (tokenProvider) {
    clients = clientsByProvider.get(tokenProvider) ?? new Map<string, HubClient>();
    clientsByProvider.set(tokenProvider, clients);
  }
  let client = clients.get(key);
  if (!client) {
    client = new HubClient({ server, token, tokenUrl, tokenProvider });
    clients.set(key, client);
    if (clients === clientsByKey && clients.size > MAX_KEYED_CLIENTS) {
      const [oldest] = clients.keys();
      if (oldest !== undefined) clients.delete(oldest);
    }
  }
  return client;
}
