import { Task } from '@lit/task';
import { decodeTokenClaims, shallowEqual } from '@teacher-hub/core';
import type { HubClient } from '@teacher-hub/core';
import type { Call, Role } from '@teacher-hub/protocol';
import { LitElement, css, html, nothing } from 'lit';
import type { CSSResultGroup, PropertyValues, TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { define } from '../base/define.ts';
import { describeError } from '../base/describe-error.ts';
import { phoneIcon } from '../call-overlay/call-icons.ts';
import { callsOf } from '../call-overlay/calls-client.ts';
import type { CallsApi, CallsState } from '../call-overlay/calls-client.ts';
import { StoreController } from '../controllers/store-controller.ts';
import { reset, tokens } from '../styles/tokens.ts';
import type { Theme } from '../styles/tokens.ts';

interface Me {
  id: string;
  role: Role;
}

/** Who is signed in, per client: from the token's claims, else `GET /v1/me` (one ask per client). */
const signedIn = new WeakMap<HubClient, Promise<Me>>();
function whoAmI(client: HubClient): Promise<Me> {
  let me = signedIn.get(client);
  if (!me) {
    me = (async () => {
      const claims = decodeTokenClaims(await client.tokens.getToken());
      if (claims?.sub && (claims.role === 'teacher' || claims.role === 'student')) {
        return { id: claims.sub, role: claims.role };
      }
      const { user } = await client.api.me();
      return { id: user.id, role: user.role };
    })();
    me.catch(() => signedIn.delete(client));
    signedIn.set(client, me);
  }
  return me;
}

/**
 * The call button in `<hub-chat>`'s conversation header. Teachers get "Start call" (or "Join call" when a
 * call is already going in the chat); students get "Join call" only while a call in the chat is live.
 * Holds `client.calls` while shown, so the chat's live calls are known without a `<call-overlay>`, which
 * shows the call itself. Internal: loaded with the conversation view.
 *
 * @internal
 */
export class HubChatCallButton extends LitElement {
  static override styles: CSSResultGroup = [
    tokens,
    reset,
    css`
      :host {
        display: inline-flex;
        align-items: center;
        gap: var(--_hub-space-2);
      }
      button {
        display: inline-flex;
        align-items: center;
        gap: var(--_hub-space-1);
        border: 1px solid var(--_hub-color-accent);
        border-radius: var(--_hub-radius-small);
        background: var(--_hub-color-accent);
        color: var(--_hub-color-accent-contrast);
        padding: var(--_hub-space-1) var(--_hub-space-2);
        font-weight: var(--_hub-font-weight-strong);
      }
      button:hover:not(:disabled) {
        background: var(--_hub-color-accent-hover);
      }
      button:disabled {
        background: var(--_hub-color-surface-muted);
        border-color: var(--_hub-color-border-strong);
        color: var(--_hub-color-text-muted);
      }
      .icon {
        width: 1.125rem;
        height: 1.125rem;
      }
      .error {
        margin: 0;
        font-size: var(--_hub-font-size-small);
        color: var(--_hub-color-danger);
      }
    `,
  ];

  @property({ attribute: false }) client?: HubClient | undefined;
  /** The chat's hub id. */
  @property({ attribute: 'chat-id' }) chatId = '';
  @property({ reflect: true }) theme?: Theme;

  @state() private busy: 'start' | 'join' | undefined;
  @state() private error = '';

  readonly #calls = new StoreController(
    this,
    undefined,
    (callsState: CallsState) => ({ calls: callsState.calls, active: callsState.active }),
    shallowEqual,
  );

  readonly #me = new Task(this, {
    task: ([client]) => (client ? whoAmI(client) : Promise.resolve(undefined)),
    args: () => [this.client] as const,
  });

  #heldCalls: CallsApi | undefined;
  #release: (() => void) | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#hold();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#hold();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('chatId')) this.error = '';
    this.#hold();
  }

  #hold(): void {
    const calls = this.isConnected ? callsOf(this.client) : undefined;
    if (calls === this.#heldCalls) return;
    this.#release?.();
    this.#release = undefined;
    this.#heldCalls = calls;
    this.#calls.setStore(calls?.store);
    if (calls) this.#release = calls.connect();
  }

  /** The call going on in this chat that `me` may join, if any. */
  #liveCall(me: Me): Call | undefined {
    const calls = Object.values(this.#calls.value?.calls ?? {});
    return calls.find(
      (call) =>
        call.chatId === this.chatId &&
        call.status !== 'ended' &&
        call.members.some((member) => member.userId === me.id),
    );
  }

  override render(): TemplateResult | typeof nothing {
    const me = this.#me.value;
    if (!me || !this.#heldCalls || !this.chatId) return nothing;
    const live = this.#liveCall(me);
    const active = this.#calls.value?.active;
    const inIt =
      live !== undefined &&
      active?.callId === live.id &&
      active.connection !== 'left' &&
      active.connection !== 'ended' &&
      active.connection !== 'failed';
    let content: TemplateResult;
    if (inIt) {
      content = html`<button disabled title="You are in this call">${phoneIcon} In call</button>`;
    } else if (live) {
      content = html`<button
        ?disabled=${this.busy !== undefined}
        title=${this.busy ? 'Joining the call…' : ''}
        @click=${() => this.#run('join', (calls) => calls.join(live.id))}
      >
        ${phoneIcon} ${this.busy === 'join' ? 'Joining…' : 'Join call'}
      </button>`;
    } else if (me.role === 'teacher') {
      content = html`<button
        ?disabled=${this.busy !== undefined}
        title=${this.busy ? 'Starting the call…' : 'Call everyone in this chat'}
        @click=${() => this.#run('start', (calls) => calls.start(this.chatId))}
      >
        ${phoneIcon} ${this.busy === 'start' ? 'Starting…' : 'Start call'}
      </button>`;
    } else {
      return nothing;
    }
    return html`${content}${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}`;
  }

  async #run(action: 'start' | 'join', run: (calls: CallsApi) => Promise<unknown>): Promise<void> {
    const calls = this.#heldCalls;
    if (!calls || this.busy) return;
    this.busy = action;
    this.error = '';
    try {
      await run(calls);
    } catch (error) {
      const what = action === 'start' ? 'The call could not start' : 'The call could not be joined';
      this.error = `${what}: ${describeError(error, { showOtherMessages: true }).detail}`;
    } finally {
      this.busy = undefined;
    }
  }
}

define('hub-chat-call-button', HubChatCallButton);

declare global {
  interface HTMLElementTagNameMap {
    'hub-chat-call-button': HubChatCallButton;
  }
}
