import { previewText } from '@teacher-hub/core/chat';
import type { ChatKind, ChatListItem } from '@teacher-hub/core';
import { LitElement, css, html, nothing } from 'lit';
import type { CSSResultGroup, SVGTemplateResult, TemplateResult } from 'lit';
import { property } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { define } from '../base/define.ts';
import { reset, tokens } from '../styles/tokens.ts';
import type { Theme } from '../styles/tokens.ts';
import { directIcon, groupIcon, sessionIcon } from './chat-icons.ts';

const KIND_ICON: Record<ChatKind, { icon: SVGTemplateResult; label: string }> = {
  group: { icon: groupIcon, label: 'Group chat' },
  direct: { icon: directIcon, label: 'Direct chat' },
  session: { icon: sessionIcon, label: 'Session chat' },
};

/**
 * The chat list of \`<hub-chat>\`: kind, name, last message and unread count of each chat, and the "New
 * chat" button. Internal: loaded (and defined) by \`<hub-chat>\` while it connects. Fires \`open\`
 * (\`detail.chatId\`) and \`compose\`.
 *
 * @internal
 */
export class HubChatList extends LitElement {
  static override styles: CSSResultGroup = [
    tokens,
    reset,
    css`
      :host {
        overflow-y: auto;
        min-height: 0;
        border-inline-end: 1px solid var(--_hub-color-border);
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      .empty {
        color: var(--_hub-color-text-muted);
        padding: var(--_hub-space-4);
        margin: 0;
      }
      .icon {
        display: inline-block;
        vertical-align: middle;
        flex: none;
      }
      /* ── List ─────────────────────────────────────────────────── */

      .list-title,
      .title,
      .panel-header h3 {
        font-size: 1rem;
        font-weight: var(--_hub-font-weight-strong);
        margin: 0;
      }
      .list-head {
        display: flex;
        justify-content: space-between;
        align-items: center;
        padding: var(--_hub-space-3) var(--_hub-space-4);
      }
      .new-chat {
        border: 1px solid var(--_hub-color-border-strong);
        border-radius: var(--_hub-radius-small);
        background: var(--_hub-color-surface);
        padding: var(--_hub-space-1) var(--_hub-space-2);
      }
      ul,
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      .chat-item {
        display: flex;
        align-items: center;
        gap: var(--_hub-space-3);
        width: 100%;
        padding: var(--_hub-space-3) var(--_hub-space-4);
        border: 0;
        background: none;
        text-align: start;
      }
      .chat-item:hover {
        background: var(--_hub-color-surface-hover);
      }
      .chat-item.current {
        background: var(--_hub-color-accent-subtle);
      }
      .kind {
        display: grid;
        place-items: center;
        width: 2.25rem;
        height: 2.25rem;
        border-radius: 999px;
        background: var(--_hub-color-accent-subtle);
        color: var(--_hub-color-accent);
      }
      .chat-text {
        display: grid;
        flex: 1;
        min-width: 0;
      }
      .chat-name {
        font-weight: var(--_hub-font-weight-strong);
      }
      .preview {
        color: var(--_hub-color-text-muted);
        font-size: var(--_hub-font-size-small);
        overflow: hidden;
        white-space: nowrap;
        text-overflow: ellipsis;
      }
      .unread .preview {
        color: var(--_hub-color-text);
      }
      .badge {
        min-width: 1.5rem;
        padding: 0 var(--_hub-space-2);
        border-radius: 999px;
        background: var(--_hub-color-accent);
        color: var(--_hub-color-accent-contrast);
        font-size: var(--_hub-font-size-xsmall);
        font-weight: var(--_hub-font-weight-strong);
        text-align: center;
      }
    `,
  ];

  @property({ attribute: false }) chats: ChatListItem[] = [];
  /** The open chat's id. */
  @property() current = '';
  @property({ type: Boolean }) composing = false;
  @property({ reflect: true }) theme?: Theme;

  override render(): TemplateResult {
    const chats = this.chats;
    return html`
      <nav class="hub-root list" aria-label="Chats">
        <div class="list-head">
          <h2 class="list-title">Chats</h2>
          <button
            class="new-chat"
            aria-pressed=${this.composing ? 'true' : 'false'}
            @click=${() => this.dispatchEvent(new Event('compose'))}
          >
            New chat
          </button>
        </div>
        ${
          chats.length === 0
            ? html`<p class="empty">No chats yet.</p>`
            : html`<ul role="list">
                ${repeat(
                  chats,
                  (chat) => chat.id,
                  (chat) => this.#renderChatItem(chat),
                )}
              </ul>`
        }
      </nav>
    `;
  }

  #renderChatItem(chat: ChatListItem): TemplateResult {
    const kind = KIND_ICON[chat.kind];
    const current = chat.id === this.current;
    return html`<li>
      <button
        class="chat-item ${current ? 'current' : ''} ${chat.unreadCount > 0 ? 'unread' : ''}"
        part="chat-item"
        data-id=${chat.id}
        aria-current=${current ? 'true' : 'false'}
        @click=${() => this.dispatchEvent(new CustomEvent('open', { detail: { chatId: chat.id } }))}
      >
        <span class="kind" role="img" aria-label=${kind.label}>${kind.icon}</span>
        <span class="chat-text">
          <span class="chat-name">${chat.name}</span>
          <span class="preview">${previewText(chat.lastMessage)}</span>
        </span>
        ${
          chat.unreadCount > 0
            ? html`<span class="badge" part="unread-badge"
                >${chat.unreadCount}<span class="visually-hidden"> unread</span></span
              >`
            : nothing
        }
      </button>
    </li>`;
  }
}

define('hub-chat-list', HubChatList);

declare global {
  interface HTMLElementTagNameMap {
    'hub-chat-list': HubChatList;
  }
}
