import {
  buildTimeline,
  formatBytes,
  linkify,
  previewText,
  safeHref,
  seenBy,
  typingText,
} from '@teacher-hub/core/chat';
import type { TimelineItem } from '@teacher-hub/core/chat';
import type {
  ChatListItem,
  ChatMessage,
  ChatReaction,
  ChatService,
  Conversation,
  ConversationState,
  HubClient,
} from '@teacher-hub/core';
import { LitElement, html, nothing } from 'lit';
import type { CSSResultGroup, PropertyValues, TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import { define } from '../base/define.ts';
import { StoreController } from '../controllers/store-controller.ts';
import { reset, tokens } from '../styles/tokens.ts';
import type { Theme } from '../styles/tokens.ts';
import type { StudentPicker } from '../student-picker/student-picker.ts';
import { attachIcon, pinIcon } from './chat-icons.ts';
import './hub-chat-call-button.ts';
import styles from './hub-chat-conversation.styles.ts';

export const REACTION_EMOJI: Record<ChatReaction, { emoji: string; label: string }> = {
  like: { emoji: '👍', label: 'Thumbs up' },
  love: { emoji: '❤️', label: 'Heart' },
  haha: { emoji: '😂', label: 'Laughing' },
  tada: { emoji: '🎉', label: 'Party' },
  wow: { emoji: '😮', label: 'Surprised' },
};

/** Scrolled within this many px of the end counts as "at the bottom" (new messages keep it there). */
const BOTTOM_SLACK = 48;
/** Scrolled within this many px of the top loads older messages. */
const TOP_SLACK = 64;
/**
 * Rows (messages and day separators) drawn while the reader follows the newest messages: older ones leave
 * the DOM as new ones come, so a long chat costs what a short one does.
 */
export const NEWEST_ROWS = 50;
/** Rows added above on each scroll to the top, from the messages loaded already or from a new page. */
export const OLDER_ROWS = 30;
/**
 * The most rows drawn while the reader is back in the history: rows far below them leave the DOM (and come
 * back as they scroll down), so reading a long chat from its start costs what reading its end does.
 */
export const MAX_ROWS = 120;

const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric' });
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });

/**
 * The open conversation of `<hub-chat>`: messages, composer, thread and pinned panels. Internal: loaded
 * (and defined) by `<hub-chat>` only when a chat is opened, so the first paint does not carry it.
 * Fires `back` when the user asks for the chat list.
 *
 * @internal
 */
export class HubChatConversation extends LitElement {
  static override styles: CSSResultGroup = [tokens, reset, styles];

  /** The open conversation (from `client.chat.conversation(id)`), already opened. */
  @property({ attribute: false }) conversation?: Conversation;
  /** The current user's Stream id. */
  @property() me = '';
  @property({ attribute: 'chat-name' }) chatName = '';
  @property({ reflect: true }) theme?: Theme;
  /** The chat as listed (for its owner's actions). */
  @property({ attribute: false }) chat?: ChatListItem;
  /** Where the owner's actions go (rename, members). */
  @property({ attribute: false }) service?: ChatService;
  /** For the student picker of the members panel. */
  @property({ attribute: false }) client?: HubClient;

  @state() private membersOpen = false;

  @state() private threadOpen = false;
  @state() private pinsOpen = false;
  @state() private editingId: string | undefined;
  @state() private confirmDeleteId: string | undefined;
  /**
   * The messages whose toolbar is drawn: the row last pointed at and the row keyboard focus was last in
   * (each row is a tab stop; Tab from it goes into its toolbar). Drawing a toolbar for every row made it
   * about half of a row's elements, and so of opening a chat.
   */
  @state() private pointedId: string | undefined;
  @state() private focusedId: string | undefined;
  @state() private draft = '';
  @state() private threadDraft = '';
  @state() private files: File[] = [];
  @state() private sendError = '';
  @state() private announcement = '';
  @state() private dragging = false;
  /**
   * The first row drawn (a message's key) while the reader is away from the newest messages; `undefined`
   * while they follow them, when the newest `NEWEST_ROWS` are drawn.
   */
  @state() private firstRowKey: string | undefined;
  /** The last row drawn when rows below it were let go of (see `MAX_ROWS`); `undefined` up to the newest. */
  @state() private lastRowKey: string | undefined;

  @query('.messages') private messagesElement?: HTMLElement;
  @query('#composer-input') private composerInput?: HTMLTextAreaElement;
  @query('#file-input') private fileInput?: HTMLInputElement;

  readonly #conversationState = new StoreController(
    this,
    undefined,
    (conversationState: ConversationState) => conversationState,
  );

  #atBottom = true;
  /** Set by sending: the list goes to the newest message even when the reader was scrolled up. */
  #toBottom = false;
  #lastSeenMessageId: string | undefined;
  /** The row the reader's place is kept by while rows come above it, and its distance from the list's top. */
  #restoreScroll: { key: string; offset: number } | undefined;
  /** The first row drawn when a page of older messages was asked for: the rows above it show once it is in. */
  #revealAbove: string | undefined;
  /** The timeline of the conversation's `messages`, built again only when they change. */
  #timeline: { messages: readonly ChatMessage[]; items: TimelineItem[] } | undefined;

  get #conversation(): Conversation | undefined {
    return this.conversation;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // Leaving with a draft must not leave the others seeing "… is typing" until Stream's timeout.
    this.conversation?.stopTyping();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('conversation')) {
      changed.get('conversation')?.stopTyping();
      this.threadOpen = false;
      this.pinsOpen = false;
      this.editingId = undefined;
      this.draft = '';
      this.files = [];
      this.sendError = '';
      this.#atBottom = true;
      this.#lastSeenMessageId = undefined;
      this.firstRowKey = undefined;
      this.lastRowKey = undefined;
      this.#revealAbove = undefined;
      this.#restoreScroll = undefined;
      this.#conversationState.setStore(this.conversation?.store);
    } else if (this.messagesElement) {
      // Where the reader is now: a scroll whose event has not come yet counts, or an update in between
      // would take them back to the bottom (or move their rows).
      const list = this.messagesElement;
      this.#atBottom = this.#toBottom || (atEnd(list) && this.lastRowKey === undefined);
      if (!this.#atBottom) {
        this.firstRowKey ??= list.querySelector<HTMLElement>('[part="message"]')?.dataset['id'];
      }
    }
    if (this.#revealAbove && !this.#conversationState.value?.loadingOlder) {
      this.#showRowsAbove(this.#revealAbove);
      this.#revealAbove = undefined;
    }
    this.#announceArrivals();
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const list = this.messagesElement;
    if (!list) return;
    if (this.#restoreScroll) {
      if (this.#conversationState.value?.loadingOlder) return;
      const { key, offset } = this.#restoreScroll;
      this.#restoreScroll = undefined;
      const row = list.querySelector(`[data-id="${CSS.escape(key)}"]`);
      if (row) list.scrollTop += rowOffset(list, row) - offset;
    } else if (this.#atBottom) {
      list.scrollTop = list.scrollHeight;
      this.#toBottom = false;
    }
  }

  /** Announces messages from others that arrived since the last update (not the first page). */
  #announceArrivals(): void {
    const messages = this.#conversationState.value?.messages ?? [];
    const latest = messages.at(-1);
    if (!latest) return;
    const previous = this.#lastSeenMessageId;
    this.#lastSeenMessageId = latest.id;
    if (previous === undefined || previous === latest.id) return;
    if (latest.userId !== this.me) {
      this.announcement = `${latest.userName}: ${previewText(latest)}`;
      if (document.visibilityState === 'visible') void this.#conversation?.markRead().catch(() => undefined);
    }
  }

  override render(): TemplateResult {
    return html`
      <section
        class="hub-root conversation ${this.dragging ? 'dragging' : ''}"
        aria-label="Chat: ${this.chatName}"
        @dragover=${this.#onDragOver}
        @dragleave=${() => (this.dragging = false)}
        @drop=${this.#onDrop}
      >
        <header class="header" part="header">
          <button
            class="back"
            @click=${() => this.dispatchEvent(new Event('back'))}
            aria-label="Back to chats"
          >
            ←
          </button>
          <h2 class="title">${this.chatName}</h2>
          <hub-chat-call-button
            .client=${this.client}
            chat-id=${this.chat?.id ?? ''}
            theme=${this.theme ?? 'light'}
          ></hub-chat-call-button>
          <button
            class="pins-toggle"
            aria-pressed=${this.pinsOpen ? 'true' : 'false'}
            @click=${() => (this.pinsOpen = !this.pinsOpen)}
          >
            ${pinIcon} Pinned (${this.#conversationState.value?.pinned.length ?? 0})
          </button>
          ${
            this.chat && this.chat.ownerId === this.me && this.chat.kind === 'group'
              ? html`<button
                  class="members-toggle"
                  aria-pressed=${this.membersOpen ? 'true' : 'false'}
                  @click=${() => {
                    this.membersOpen = !this.membersOpen;
                    this.pinsOpen = false;
                    this.threadOpen = false;
                  }}
                >
                  Members (${this.chat.memberIds.length})
                </button>`
              : nothing
          }
        </header>
        <div class="body">
          <div class="main">${this.#renderMessages()} ${this.#renderComposer()}</div>
          ${this.threadOpen ? this.#renderThread() : nothing} ${this.pinsOpen ? this.#renderPins() : nothing}
          ${this.membersOpen ? this.#renderMembers() : nothing}
        </div>
        <div class="visually-hidden" aria-live="polite" aria-atomic="true">${this.announcement}</div>
      </section>
    `;
  }

  /** The conversation's timeline (day separators, runs by author), built once per change of messages. */
  #items(): TimelineItem[] {
    const messages = this.#conversationState.value?.messages ?? [];
    if (this.#timeline?.messages !== messages) this.#timeline = { messages, items: buildTimeline(messages) };
    return this.#timeline.items;
  }

  /** The index in `items` of the first row drawn (the day separator just before it included). */
  #firstRow(items: readonly TimelineItem[]): number {
    const newest = Math.max(0, items.length - NEWEST_ROWS);
    if (this.firstRowKey === undefined) return newest;
    const at = items.findIndex((item) => item.key === this.firstRowKey);
    if (at === -1) return newest;
    return items[at - 1]?.kind === 'day' ? at - 1 : at;
  }

  /** The index in `items` just after the last row drawn. */
  #endRow(items: readonly TimelineItem[]): number {
    if (this.lastRowKey === undefined) return items.length;
    const at = items.findIndex((item) => item.key === this.lastRowKey);
    return at === -1 ? items.length : at + 1;
  }

  /**
   * Draws from the message `OLDER_ROWS` rows above the row `key` (or from the first row, if nearer), and
   * lets go of the rows beyond `MAX_ROWS` at the bottom.
   */
  #showRowsAbove(key: string): void {
    const items = this.#items();
    const at = items.findIndex((item) => item.key === key);
    if (at === -1) return;
    const from = items.slice(Math.max(0, at - OLDER_ROWS)).find((item) => item.kind === 'message');
    this.firstRowKey = from?.key ?? key;
    const first = this.#firstRow(items);
    if (this.#endRow(items) - first > MAX_ROWS) {
      this.lastRowKey = items.slice(first, first + MAX_ROWS).findLast((item) => item.kind === 'message')?.key;
    }
  }

  /**
   * Draws `OLDER_ROWS` more rows below the last one (following the newest again once they are all drawn),
   * and lets go of the rows beyond `MAX_ROWS` at the top.
   */
  #showRowsBelow(): void {
    const items = this.#items();
    const end = Math.min(items.length, this.#endRow(items) + OLDER_ROWS);
    this.lastRowKey =
      end === items.length ? undefined : items.slice(0, end).findLast((item) => item.kind === 'message')?.key;
    if (end - this.#firstRow(items) > MAX_ROWS) {
      const from = items.slice(end - MAX_ROWS).find((item) => item.kind === 'message');
      this.firstRowKey = from?.key ?? this.firstRowKey;
    }
  }

  /** The key of the first message drawn now. */
  #firstShownKey(): string | undefined {
    const items = this.#items();
    return items.slice(this.#firstRow(items)).find((item) => item.kind === 'message')?.key;
  }

  #renderMessages(): TemplateResult {
    const conversation = this.#conversationState.value;
    if (!conversation) return html``;
    const me = this.me;
    const items = this.#items();
    const first = this.#firstRow(items);
    const end = this.#endRow(items);
    const last = conversation.messages.at(-1);
    const seen = last && last.userId === me ? seenBy(last, conversation.reads, me) : [];
    return html`
      <ol
        class="messages"
        part="messages"
        aria-label="Messages"
        tabindex="0"
        @scroll=${this.#onScroll}
        @pointerover=${this.#onRowPointed}
        @focusin=${this.#onRowFocused}
      >
        ${conversation.loadingOlder ? html`<li class="status" role="status">Loading older messages…</li>` : nothing}
        ${
          first === 0 && !conversation.hasOlder && conversation.messages.length > 0
            ? html`<li class="start">This is the start of the chat.</li>`
            : nothing
        }
        ${repeat(
          first === 0 && end === items.length ? items : items.slice(first, end),
          (item) => item.key,
          (item) =>
            item.kind === 'day'
              ? html`<li class="day" part="day">${dayFormat.format(new Date(`${item.day}T12:00`))}</li>`
              : // A row is drawn again only when its message or its own state changes, not on every event.
                guard(
                  [
                    item.message,
                    item.first,
                    me,
                    this.editingId === item.message.id,
                    this.confirmDeleteId === item.message.id,
                    this.#hasActions(item.message.id),
                  ],
                  () => this.#renderMessage(item.message, item.first, me, false),
                ),
        )}
      </ol>
      <p class="seen" part="seen" ?hidden=${seen.length === 0}>
        Seen by ${seen.map((read) => read.userName).join(', ')}
      </p>
      <p class="typing" part="typing" aria-live="polite">${typingText(conversation.typing)}</p>
    `;
  }

  #renderMessage(message: ChatMessage, first: boolean, me: string, inThread: boolean): TemplateResult {
    const own = message.userId === me;
    const time = new Date(message.createdAt);
    const editing = this.editingId === message.id;
    return html`<li
      class="message ${own ? 'own' : ''} ${first ? 'first' : ''} ${message.deleted ? 'deleted' : ''}"
      part="message"
      data-id=${message.id}
      tabindex="0"
    >
      ${
        first
          ? html`<div class="meta">
              <span class="author">${own ? 'You' : message.userName}</span>
              <time datetime=${message.createdAt}>${timeFormat.format(time)}</time>
            </div>`
          : html`<span class="visually-hidden"
              >${own ? 'You' : message.userName}, ${timeFormat.format(time)}</span
            >`
      }
      ${
        message.deleted
          ? html`<p class="bubble" part="bubble"><em>Message deleted</em></p>`
          : html`
              ${
                editing
                  ? this.#renderEditor(message)
                  : message.text
                    ? html`<p class="bubble" part="bubble" dir="auto">
                        ${this.#renderText(message.text)}${
                          message.editedAt ? html` <span class="edited">(edited)</span>` : nothing
                        }
                      </p>`
                    : nothing
              }
              ${message.attachments.length > 0 ? this.#renderAttachments(message) : nothing}
              ${this.#renderReactions(message)}
              ${
                !inThread && message.replyCount > 0
                  ? html`<button class="replies" @click=${() => this.#openThread(message.id)}>
                      ${message.replyCount === 1 ? '1 reply' : `${message.replyCount} replies`}
                    </button>`
                  : nothing
              }
              ${message.pinned ? html`<span class="pinned-flag">${pinIcon} Pinned</span>` : nothing}
              ${this.#hasActions(message.id) ? this.#renderActions(message, own, inThread) : nothing}
            `
      }
    </li>`;
  }

  /** Text with http(s)/mailto links as anchors; every part goes through lit's escaping. */
  #renderText(text: string): TemplateResult {
    const parts = linkify(text).map((part) =>
      part.kind === 'link'
        ? html`<a href=${part.href} target="_blank" rel="noopener noreferrer">${part.text}</a>`
        : part.text,
    );
    // Only this span keeps the text's own line breaks (the template's whitespace around it does not count).
    return html`<span class="text">${parts}</span>`;
  }

  #renderAttachments(message: ChatMessage): TemplateResult {
    return html`<ul class="attachments" role="list">
      ${message.attachments.map((attachment) => {
        const href = safeHref(attachment.url);
        if (!href) return nothing;
        return html`<li>
          <a
            class="attachment"
            href=${href}
            target="_blank"
            rel="noopener noreferrer"
            download=${attachment.name}
          >
            ${
              attachment.kind === 'image'
                ? html`<img src=${href} alt=${attachment.name} loading="lazy" />`
                : html`${attachIcon} <span>${attachment.name}</span>${
                      attachment.size
                        ? html` <span class="size">${formatBytes(attachment.size)}</span>`
                        : nothing
                    }`
            }
          </a>
        </li>`;
      })}
    </ul>`;
  }

  #renderReactions(message: ChatMessage): TemplateResult | typeof nothing {
    const given = Object.entries(message.reactionCounts).filter(([, count]) => count > 0);
    if (given.length === 0) return nothing;
    return html`<div class="reactions" part="reactions">
      ${given.map(([type, count]) => {
        const mine = message.ownReactions.includes(type);
        const known = REACTION_EMOJI[type as keyof typeof REACTION_EMOJI];
        return html`<button
          class="reaction ${mine ? 'mine' : ''}"
          data-type=${type}
          aria-pressed=${mine ? 'true' : 'false'}
          aria-label="${known?.label ?? type}: ${count}"
          @click=${() => this.#run(this.#conversation?.toggleReaction(message.id, type))}
        >
          <span aria-hidden="true">${known?.emoji ?? type}</span> ${count}
        </button>`;
      })}
    </div>`;
  }

  /**
   * A message's toolbar (shown on hover or focus). One template with its buttons written out and one
   * listener for them all: a template and a listener per button were about a third of drawing a row. Only
   * the rows in `pointedId` and `focusedId` have one (`#hasActions`). Its reaction buttons are those of
   * `CHAT_REACTIONS`, as `REACTION_EMOJI` labels them (a test checks the two agree).
   */
  #renderActions(message: ChatMessage, own: boolean, inThread: boolean): TemplateResult {
    const confirming = this.confirmDeleteId === message.id;
    const pressed = (type: ChatReaction) => (message.ownReactions.includes(type) ? 'true' : 'false');
    return html`<div
      class="actions"
      role="toolbar"
      aria-label="Message actions"
      @click=${(event: Event) => this.#onAction(event, message)}
      @focusout=${(event: FocusEvent) => {
        if ((event.target as Element).matches('.delete')) this.confirmDeleteId = undefined;
      }}
    >
      <button
        class="react"
        data-react="like"
        aria-label="React with Thumbs up"
        aria-pressed=${pressed('like')}
      >
        👍
      </button>
      <button class="react" data-react="love" aria-label="React with Heart" aria-pressed=${pressed('love')}>
        ❤️
      </button>
      <button
        class="react"
        data-react="haha"
        aria-label="React with Laughing"
        aria-pressed=${pressed('haha')}
      >
        😂
      </button>
      <button class="react" data-react="tada" aria-label="React with Party" aria-pressed=${pressed('tada')}>
        🎉
      </button>
      <button class="react" data-react="wow" aria-label="React with Surprised" aria-pressed=${pressed('wow')}>
        😮
      </button>
      ${inThread ? nothing : html`<button class="reply">Reply in thread</button>`}
      <button class="pin">${message.pinned ? 'Unpin' : 'Pin'}</button>
      ${
        own
          ? html`<button class="edit">Edit</button>
              <button class="delete">${confirming ? 'Really delete?' : 'Delete'}</button>`
          : nothing
      }
    </div>`;
  }

  /** A click in a message's toolbar (`#renderActions`), by the button it was on. */
  #onAction(event: Event, message: ChatMessage): void {
    const button = (event.target as Element).closest('button');
    const conversation = this.#conversation;
    if (!button) return;
    const reaction = button.dataset['react'];
    if (reaction) this.#run(conversation?.toggleReaction(message.id, reaction));
    else if (button.classList.contains('reply')) this.#openThread(message.id);
    else if (button.classList.contains('pin')) {
      this.#run(message.pinned ? conversation?.unpin(message.id) : conversation?.pin(message.id));
    } else if (button.classList.contains('edit')) this.editingId = message.id;
    else if (button.classList.contains('delete')) {
      if (this.confirmDeleteId !== message.id) {
        this.confirmDeleteId = message.id;
        return;
      }
      this.confirmDeleteId = undefined;
      this.#run(conversation?.remove(message.id));
    }
  }

  #renderEditor(message: ChatMessage): TemplateResult {
    const save = (event: Event) => {
      event.preventDefault();
      const input = (event.target as HTMLElement).closest('form')?.querySelector('textarea');
      const text = input?.value ?? '';
      this.editingId = undefined;
      if (text.trim() && text !== message.text) this.#run(this.#conversation?.edit(message.id, text));
    };
    return html`<form class="editor" @submit=${save}>
      <label class="visually-hidden" for="edit-${message.id}">Edit message</label>
      <textarea
        id="edit-${message.id}"
        .value=${message.text}
        @keydown=${(event: KeyboardEvent) => {
          if (event.key === 'Escape') this.editingId = undefined;
          if (event.key === 'Enter' && !event.shiftKey) save(event);
        }}
      ></textarea>
      <button type="submit">Save</button>
      <button type="button" @click=${() => (this.editingId = undefined)}>Cancel</button>
    </form>`;
  }

  #renderComposer(): TemplateResult {
    const uploads = this.#conversationState.value?.uploads ?? [];
    return html`<form class="composer" part="composer" @submit=${this.#onSubmit}>
      ${
        this.files.length > 0
          ? html`<ul class="pending" aria-label="Files to send">
              ${this.files.map((file, index) => {
                const upload = uploads.find((candidate) => candidate.name === file.name);
                return html`<li>
                  <span>${file.name} (${formatBytes(file.size)})</span>
                  ${
                    upload
                      ? html`<progress
                          max="1"
                          .value=${upload.progress}
                          aria-label="Uploading ${file.name}"
                        ></progress>`
                      : nothing
                  }
                  <button
                    type="button"
                    aria-label="Remove ${file.name}"
                    @click=${() => (this.files = this.files.filter((_, at) => at !== index))}
                  >
                    ✕
                  </button>
                </li>`;
              })}
            </ul>`
          : nothing
      }
      ${this.sendError ? html`<p class="error" role="alert">${this.sendError}</p>` : nothing}
      <div class="composer-row">
        <button
          type="button"
          class="attach"
          aria-label="Attach files"
          @click=${() => this.fileInput?.click()}
        >
          ${attachIcon}
        </button>
        <input id="file-input" type="file" multiple hidden @change=${this.#onFilesPicked} />
        <label class="visually-hidden" for="composer-input">Message</label>
        <textarea
          id="composer-input"
          rows="1"
          placeholder="Write a message"
          .value=${this.draft}
          @input=${(event: Event) => {
            this.draft = (event.target as HTMLTextAreaElement).value;
            if (this.draft) this.#conversation?.keystroke();
            else this.#conversation?.stopTyping();
          }}
          @blur=${() => this.#conversation?.stopTyping()}
          @keydown=${(event: KeyboardEvent) => this.#onComposerKey(event, undefined)}
          @paste=${this.#onPaste}
        ></textarea>
        <button type="submit" class="send">Send</button>
      </div>
    </form>`;
  }

  #renderThread(): TemplateResult {
    const thread = this.#conversationState.value?.thread;
    const me = this.me;
    return html`<aside class="panel thread" part="thread" aria-label="Thread" @keydown=${this.#onPanelKey}>
      <header class="panel-header">
        <h3>Thread</h3>
        <button aria-label="Close thread" @click=${this.#closeThread}>✕</button>
      </header>
      ${
        thread?.parent
          ? html`<ol
              class="thread-messages"
              role="list"
              @pointerover=${this.#onRowPointed}
              @focusin=${this.#onRowFocused}
            >
              ${this.#renderMessage(thread.parent, true, me, true)}
              <li class="day">
                ${thread.replies.length === 1 ? '1 reply' : `${thread.replies.length} replies`}
              </li>
              ${repeat(
                thread.replies,
                (reply) => reply.id,
                (reply) => this.#renderMessage(reply, true, me, true),
              )}
            </ol>`
          : html`<p class="status" role="status">Loading…</p>`
      }
      <p class="typing" aria-live="polite">${typingText(thread?.typing ?? [])}</p>
      <form
        class="composer"
        @submit=${(event: Event) => {
          event.preventDefault();
          void this.#sendReply();
        }}
      >
        <div class="composer-row">
          <label class="visually-hidden" for="thread-input">Reply</label>
          <textarea
            id="thread-input"
            rows="1"
            placeholder="Reply"
            .value=${this.threadDraft}
            @input=${(event: Event) => {
              this.threadDraft = (event.target as HTMLTextAreaElement).value;
              this.#conversation?.keystroke(thread?.parentId);
            }}
            @keydown=${(event: KeyboardEvent) => this.#onComposerKey(event, thread?.parentId)}
          ></textarea>
          <button type="submit" class="send">Reply</button>
        </div>
      </form>
    </aside>`;
  }

  #renderPins(): TemplateResult {
    const pinned = this.#conversationState.value?.pinned ?? [];
    return html`<aside
      class="panel pins"
      part="pins"
      aria-label="Pinned messages"
      @keydown=${this.#onPanelKey}
    >
      <header class="panel-header">
        <h3>Pinned messages</h3>
        <button aria-label="Close pinned messages" @click=${() => (this.pinsOpen = false)}>✕</button>
      </header>
      ${
        pinned.length === 0
          ? html`<p class="empty">Nothing is pinned.</p>`
          : html`<ul role="list" class="pin-list">
              ${pinned.map(
                (message) =>
                  html`<li class="pinned" data-id=${message.id}>
                    <span class="author">${message.userName}</span>
                    <p dir="auto">${this.#renderText(previewText(message))}</p>
                    <button @click=${() => this.#run(this.#conversation?.unpin(message.id))}>Unpin</button>
                  </li>`,
              )}
            </ul>`
      }
    </aside>`;
  }

  #renderMembers(): TemplateResult {
    const chat = this.chat;
    if (!chat) return html``;
    const names = new Map(
      (this.#conversationState.value?.reads ?? []).map((read) => [read.userId, read.userName] as const),
    );
    return html`<aside class="panel members" part="members" aria-label="Members" @keydown=${this.#onPanelKey}>
      <header class="panel-header">
        <h3>Members</h3>
        <button aria-label="Close members" @click=${() => (this.membersOpen = false)}>✕</button>
      </header>
      <div class="member-body">
        <form class="rename" @submit=${this.#rename}>
          <label for="chat-name-input">Chat name</label>
          <input id="chat-name-input" name="name" required maxlength="100" .value=${chat.name} />
          <button>Rename</button>
        </form>
        <ul role="list" class="member-list">
          ${chat.memberIds.map(
            (id) =>
              html`<li>
                <span>${names.get(id) ?? id}${id === this.me ? ' (you)' : ''}</span>
                ${
                  id === this.me
                    ? nothing
                    : html`<button
                        class="remove-member"
                        data-id=${id}
                        @click=${() => this.#run(this.service?.removeMember(chat.id, id))}
                      >
                        Remove<span class="visually-hidden"> ${names.get(id) ?? id}</span>
                      </button>`
                }
              </li>`,
          )}
        </ul>
        <form class="add" @submit=${this.#addMembers}>
          <student-picker .client=${this.client} label="Add students"></student-picker>
          <button>Add</button>
        </form>
      </div>
    </aside>`;
  }

  #rename(event: SubmitEvent): void {
    event.preventDefault();
    const name = (
      (event.target as HTMLFormElement).elements.namedItem('name') as HTMLInputElement
    ).value.trim();
    if (this.chat && name) this.#run(this.service?.rename(this.chat.id, name));
  }

  #addMembers(event: SubmitEvent): void {
    event.preventDefault();
    const picker = (event.target as HTMLFormElement).querySelector<StudentPicker>('student-picker');
    const ids = (picker?.value ?? []).filter((id) => !this.chat?.memberIds.includes(id));
    if (!this.chat || ids.length === 0) return;
    this.#run(this.service?.addMembers(this.chat.id, ids).then(() => picker && (picker.value = [])));
  }

  // ── Actions ───────────────────────────────────────────────────────────────────────────────────────

  // ── Actions ───────────────────────────────────────────────────────────────────────────────────────

  #run(action: Promise<unknown> | undefined): void {
    void action?.catch((error: unknown) => {
      this.sendError = describe(error);
    });
  }

  #openThread(parentId: string): void {
    this.threadOpen = true;
    this.pinsOpen = false;
    this.#run(this.#conversation?.openThread(parentId));
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('#thread-input')?.focus());
  }

  /** Escape closes a side panel and puts the focus back in the composer. */
  #onPanelKey(event: KeyboardEvent): void {
    if (event.key !== 'Escape' || event.defaultPrevented) return;
    event.preventDefault();
    this.#closeThread();
    this.pinsOpen = false;
    this.membersOpen = false;
    void this.updateComplete.then(() => this.composerInput?.focus());
  }

  #closeThread(): void {
    this.threadOpen = false;
    this.#conversation?.closeThread();
  }

  #onComposerKey(event: KeyboardEvent, parentId: string | undefined): void {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    if (parentId) void this.#sendReply();
    else void this.#send();
  }

  #onSubmit(event: Event): void {
    event.preventDefault();
    void this.#send();
  }

  async #send(): Promise<void> {
    const conversation = this.#conversation;
    if (!conversation) return;
    const text = this.draft;
    const files = this.files;
    if (!text.trim() && files.length === 0) return;
    this.sendError = '';
    this.#atBottom = true;
    this.#toBottom = true;
    this.firstRowKey = undefined;
    this.lastRowKey = undefined;
    try {
      await conversation.send(text, files);
      this.draft = '';
      this.files = [];
    } catch (error) {
      this.sendError = describe(error);
      for (const upload of conversation.state.uploads) conversation.dismissUpload(upload.id);
    }
    this.composerInput?.focus();
  }

  async #sendReply(): Promise<void> {
    const conversation = this.#conversation;
    const parentId = conversation?.state.thread?.parentId;
    if (!conversation || !parentId || !this.threadDraft.trim()) return;
    const text = this.threadDraft;
    this.threadDraft = '';
    try {
      await conversation.send(text, [], parentId);
    } catch (error) {
      this.threadDraft = text;
      this.sendError = describe(error);
    }
  }

  #addFiles(files: readonly File[]): void {
    if (files.length === 0) return;
    this.sendError = '';
    this.files = [...this.files, ...files];
  }

  #onFilesPicked(event: Event): void {
    const input = event.target as HTMLInputElement;
    this.#addFiles([...(input.files ?? [])]);
    input.value = '';
  }

  #onPaste(event: ClipboardEvent): void {
    const files = [...(event.clipboardData?.files ?? [])];
    if (files.length === 0) return;
    event.preventDefault();
    this.#addFiles(files);
  }

  #onDragOver(event: DragEvent): void {
    if (!event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    this.dragging = true;
  }

  #onDrop(event: DragEvent): void {
    event.preventDefault();
    this.dragging = false;
    this.#addFiles([...(event.dataTransfer?.files ?? [])]);
  }

  /** Whether the message's row has its toolbar drawn (`pointedId`, `focusedId`). */
  #hasActions(messageId: string): boolean {
    return this.pointedId === messageId || this.focusedId === messageId;
  }

  /** The message row an event in a list of messages happened in, by its id. */
  #rowOf(event: Event): string | undefined {
    return (event.target as Element).closest<HTMLElement>('li.message')?.dataset['id'];
  }

  #onRowPointed(event: Event): void {
    const id = this.#rowOf(event);
    if (id !== undefined && id !== this.pointedId) this.pointedId = id;
  }

  #onRowFocused(event: Event): void {
    const id = this.#rowOf(event);
    if (id !== undefined && id !== this.focusedId) this.focusedId = id;
  }

  #onScroll(event: Event): void {
    const list = event.target as HTMLElement;
    this.#atBottom = atEnd(list) && this.lastRowKey === undefined;
    // Back at the newest messages, the window follows them again (and drops the rows read above);
    // away from them, it stays where the reader is while new messages come.
    if (this.#atBottom) this.firstRowKey = undefined;
    else this.firstRowKey ??= this.#firstShownKey();
    if (list.scrollTop < TOP_SLACK) this.#showOlder(list);
    else if (atEnd(list) && this.lastRowKey !== undefined) this.#showNewer(list);
  }

  /** Draws the rows let go of below again, keeping the reader's place by the last row drawn. */
  #showNewer(list: HTMLElement): void {
    if (this.#restoreScroll) return;
    const rows = list.querySelectorAll<HTMLElement>('[part="message"]');
    const last = rows[rows.length - 1];
    const key = last?.dataset['id'];
    if (!last || !key) return;
    this.#restoreScroll = { key, offset: rowOffset(list, last) };
    this.#showRowsBelow();
  }

  /** Draws older rows above, keeping the reader's place: those loaded already, else the page before them. */
  #showOlder(list: HTMLElement): void {
    const conversation = this.#conversation;
    const first = this.#firstShownKey();
    if (!conversation || !first || conversation.state.loadingOlder || this.#revealAbove) return;
    const row = list.querySelector(`[data-id="${CSS.escape(first)}"]`);
    if (!row) return;
    if (this.#firstRow(this.#items()) > 0) {
      this.#restoreScroll = { key: first, offset: rowOffset(list, row) };
      this.#showRowsAbove(first);
    } else if (conversation.state.hasOlder) {
      this.#restoreScroll = { key: first, offset: rowOffset(list, row) };
      this.firstRowKey = first;
      this.#revealAbove = first;
      this.#run(conversation.loadOlder());
    }
  }
}

/** The list is scrolled to (within `BOTTOM_SLACK` of) its end. */
function atEnd(list: HTMLElement): boolean {
  return list.scrollHeight - list.scrollTop - list.clientHeight < BOTTOM_SLACK;
}

/** How far below the top of the scrolling `list` the row is drawn now. */
function rowOffset(list: Element, row: Element): number {
  return row.getBoundingClientRect().top - list.getBoundingClientRect().top;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

define('hub-chat-conversation', HubChatConversation);

declare global {
  interface HTMLElementTagNameMap {
    'hub-chat-conversation': HubChatConversation;
  }
}
