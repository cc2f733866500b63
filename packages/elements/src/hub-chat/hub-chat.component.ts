import { Task } from '@lit/task';
import type { ChatState, HubClient } from '@teacher-hub/core';
import { html } from 'lit';
import type { CSSResultGroup, PropertyValues, TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { HubElement } from '../base/hub-element.ts';
import { StoreController } from '../controllers/store-controller.ts';
import { emit } from '../events/hub-events.ts';
import type { HubEvent } from '../events/hub-events.ts';
import styles from './hub-chat.styles.ts';

/** The lazy views (new chat, a conversation's Add students) use <student-picker>; the list does not. */
const loadStudentPicker = () => import('../student-picker/student-picker.ts');

declare module '../events/hub-events.ts' {
  interface HubEventDetails {
    /** `<hub-chat>`: the user opened a chat (or went back to the list: `chatId` is `undefined`). */
    'hub-chat-open': { chatId: string | undefined };
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'hub-chat-open': HubEvent<'hub-chat-open'>;
  }
}

/**
 * The chat list and, beside it (or instead of it on narrow screens, with a back button), the open
 * conversation: messages that stay pinned to the bottom and load older ones on scrolling up, day
 * separators, consecutive messages grouped by author, "seen by" under the last message, who is typing,
 * reactions, threads in a side panel, pinned messages, and editing or deleting one's own messages. The
 * composer sends on Enter (Shift+Enter for a new line) and takes files and images by the attach button,
 * drag and drop, or paste.
 *
 * `stream-chat` is loaded (a chunk of its own) only when the element connects to the chat. Message text is
 * rendered through lit's escaping only; `http:`, `https:` and `mailto:` links become anchors.
 *
 * @tag hub-chat
 * @summary Chat list and conversation: text, files and images, typing, read receipts, reactions, threads,
 * pins.
 *
 * @event {CustomEvent<{chatId: string | undefined}>} hub-chat-open - The user opened a chat, or went back
 * to the list (`chatId` undefined).
 *
 * @csspart base - The element's frame.
 * @csspart list - The chat list column.
 * @csspart chat-item - One chat in the list (a button).
 * @csspart unread-badge - A chat's unread count.
 * @csspart conversation - The open conversation.
 * @csspart header - The conversation's title row.
 * @csspart messages - The scrolling message list.
 * @csspart day - A day separator.
 * @csspart message - One message.
 * @csspart bubble - A message's text.
 * @csspart reactions - A message's reaction counts.
 * @csspart seen - "Seen by …" under the last message.
 * @csspart typing - "… is typing".
 * @csspart composer - The message composer.
 * @csspart thread - The thread side panel.
 * @csspart pins - The pinned-messages panel.
 *
 * @cssproperty --hub-chat-height - Height of the element. Default 32rem.
 * @cssproperty --hub-chat-list-width - Width of the chat list on wide screens. Default 18rem.
 * @cssproperty --hub-chat-own-bubble - Background of the user's own messages.
 * @cssproperty --hub-chat-bubble - Background of others' messages.
 */
export class HubChatElement extends HubElement {
  static override styles: CSSResultGroup = [HubElement.styles, styles];

  /** The chat to open (its hub id). Set by the element when the user opens a chat from the list. */
  @property({ attribute: 'chat-id', reflect: true }) chatId?: string;

  /** The "new chat" view is shown in place of the conversation. */
  @state() private composing = false;

  readonly #list = new StoreController(this, undefined, (chatState: ChatState) => chatState);

  /** The client whose chat connection this element holds. */
  #heldClient: HubClient | undefined;

  readonly #connectTask = new Task(this, {
    task: async ([client]) => {
      if (!client) return undefined;
      // The list view is a chunk of its own, fetched while stream-chat loads and connects.
      await Promise.all([client.chat.connect(), import('./hub-chat-list.ts')]);
      return client;
    },
    args: () => [this.#heldClient] as const,
  });

  readonly #conversationTask = new Task(this, {
    task: async ([client, chatId, status]) => {
      if (!client || !chatId || status !== 'ready') return undefined;
      // The conversation view is a chunk of its own, loaded with the first chat opened. The <student-picker>
      // of its Add students form loads beside it, not in its way (the form opens only on request).
      void loadStudentPicker();
      const [conversation] = await Promise.all([
        client.chat.conversation(chatId),
        import('./hub-chat-conversation.ts'),
      ]);
      await conversation.open();
      void conversation.markRead().catch(() => undefined);
      // The first page came in a task that also had stream-chat take it in: the conversation is drawn in a
      // task of its own, so neither is a long one.
      await new Promise((next) => setTimeout(next, 0));
      return conversation;
    },
    args: () => [this.#heldClient, this.chatId, this.#list.value?.status] as const,
  });

  override connectedCallback(): void {
    super.connectedCallback();
    this.#hold(this.client);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#hold(undefined);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (this.isConnected) this.#hold(this.client);
  }

  /** Holds `client`'s chat connection (and lets go of the previous one). */
  #hold(client: HubClient | undefined): void {
    if (client === this.#heldClient) return;
    this.#heldClient?.chat.disconnect();
    this.#heldClient = client;
    this.#list.setStore(client?.chat.store);
  }

  // ── Render ────────────────────────────────────────────────────────────────────────────────────────

  override render(): TemplateResult {
    const open = Boolean(this.chatId) || this.composing;
    return html`
      <div class="hub-root base ${open ? 'has-open' : ''}" part="base">
        ${
          this.#heldClient
            ? this.#connectTask.render({
                // The list cached on an earlier visit shows while stream-chat loads and connects.
                pending: () =>
                  this.#list.value?.chats.length
                    ? html`${this.#renderList()}
                        <div class="conversation placeholder">
                          <p class="status" role="status">Connecting to chat…</p>
                        </div>`
                    : html`<p class="status" role="status">Connecting to chat…</p>`,
                error: (error) =>
                  html`<p class="status error" role="alert">Chat is unavailable: ${describe(error)}</p>`,
                complete: () => html`${this.#renderList()} ${this.#renderConversation()}`,
              })
            : html`<p class="status">Sign in to chat.</p>`
        }
      </div>
    `;
  }

  /**
   * Opens the "new chat" form in place of the conversation, as the list's New chat button does, and
   * focuses it once the chat has connected. `<teacher-hub>`'s "New chat" quick action calls it.
   */
  async newChat(): Promise<void> {
    await this.#compose();
  }

  #renderList(): TemplateResult {
    return html`<hub-chat-list
      class="list"
      part="list"
      exportparts="chat-item, unread-badge"
      .chats=${this.#list.value?.chats ?? []}
      current=${this.chatId ?? ''}
      ?composing=${this.composing}
      theme=${this.theme ?? 'light'}
      @open=${(event: CustomEvent<{ chatId: string }>) => this.#open(event.detail.chatId)}
      @compose=${this.#compose}
    ></hub-chat-list>`;
  }

  async #compose(): Promise<void> {
    await Promise.all([import('./hub-chat-new.ts'), loadStudentPicker()]);
    this.composing = true;
    await this.updateComplete;
    this.renderRoot.querySelector('hub-chat-new')?.focus();
  }

  #renderConversation(): TemplateResult {
    if (this.composing) {
      return html`<hub-chat-new
        class="conversation"
        .client=${this.#heldClient}
        theme=${this.theme ?? 'light'}
        @cancel=${() => (this.composing = false)}
        @created=${(event: CustomEvent<{ chatId: string }>) => this.#open(event.detail.chatId)}
      ></hub-chat-new>`;
    }
    if (!this.chatId) {
      return html`<div class="conversation placeholder"><p class="empty">Choose a chat.</p></div>`;
    }
    const chat = this.#heldClient?.chat.chat(this.chatId);
    const pending = (content: TemplateResult) =>
      html`<div class="conversation">
        <div class="header">
          <button class="back" @click=${() => this.#open(undefined)} aria-label="Back to chats">←</button>
          <h2 class="title">${chat?.name ?? ''}</h2>
        </div>
        ${content}
      </div>`;
    return this.#conversationTask.render({
      initial: () => pending(html`<p class="status" role="status">Loading messages…</p>`),
      pending: () => pending(html`<p class="status" role="status">Loading messages…</p>`),
      error: (error) => pending(html`<p class="status error" role="alert">${describe(error)}</p>`),
      complete: (conversation) =>
        conversation
          ? html`<hub-chat-conversation
              class="conversation"
              part="conversation"
              exportparts="header, messages, day, message, bubble, reactions, seen, typing, composer, thread, pins"
              .conversation=${conversation}
              me=${this.#list.value?.me ?? ''}
              chat-name=${chat?.name ?? ''}
              .chat=${chat}
              .service=${this.#heldClient?.chat}
              .client=${this.#heldClient}
              theme=${this.theme ?? 'light'}
              @back=${() => this.#open(undefined)}
            ></hub-chat-conversation>`
          : html``,
    });
  }

  /** Opens a chat (or the list, with `undefined`), as a user action. */
  #open(chatId: string | undefined): void {
    this.composing = false;
    this.chatId = chatId;
    emit(this, 'hub-chat-open', { chatId });
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
