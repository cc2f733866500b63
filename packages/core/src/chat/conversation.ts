import type { Attachment, Channel } from 'stream-chat';
import type { LoadStatus } from '../resource.ts';
import { createStore } from '../store.ts';
import type { Store } from '../store.ts';
import { uploadProblem } from './chat-timeline.ts';
import type { ChatMessage, ChatReadState, ChatUpload } from './chat-types.ts';
import { ChatMessageCache, sameOr } from './message-cache.ts';
import { readStates, toChatMessage, typingNames } from './stream-mapping.ts';

/** Messages fetched per page. */
export const MESSAGE_PAGE_SIZE = 30;

export interface ThreadState {
  parentId: string;
  parent: ChatMessage | undefined;
  replies: ChatMessage[];
  status: LoadStatus;
  typing: string[];
}

export interface ConversationState {
  status: LoadStatus;
  error: unknown;
  /** Oldest first. Thread-only replies are not in here (see `thread`). */
  messages: ChatMessage[];
  /** Older messages exist beyond the first one in `messages`. */
  hasOlder: boolean;
  loadingOlder: boolean;
  /** Names of the members typing now (not the current user). */
  typing: string[];
  /** Every member's read position. */
  reads: ChatReadState[];
  /** Pinned messages, newest pin first. */
  pinned: ChatMessage[];
  /** Files being uploaded for the next message. */
  uploads: ChatUpload[];
  /** The open thread, if any. */
  thread: ThreadState | undefined;
}

/**
 * One open chat (`client.chat.conversation(id)`): watches the Stream channel and mirrors its state into
 * `store`. Every action goes to Stream; the store follows Stream's events (so both sides of a chat see
 * the same thing), plus the answer to the action itself so the sender does not wait for the echo.
 */
export class Conversation {
  readonly store: Store<ConversationState>;
  readonly chatId: string;
  readonly #channel: Channel;
  readonly #me: string;
  readonly #messages: ChatMessageCache;
  #unsubscribe: (() => void) | undefined;
  #opening: Promise<void> | undefined;
  #uploadIds = 0;

  constructor(chatId: string, channel: Channel, me: string) {
    this.chatId = chatId;
    this.#channel = channel;
    this.#me = me;
    this.#messages = new ChatMessageCache(me);
    this.store = createStore<ConversationState>({
      status: 'idle',
      error: undefined,
      messages: [],
      hasOlder: false,
      loadingOlder: false,
      typing: [],
      reads: [],
      pinned: [],
      uploads: [],
      thread: undefined,
    });
  }

  get state(): ConversationState {
    return this.store.get();
  }

  /** The Stream user id of the current user. */
  get me(): string {
    return this.#me;
  }

  /** Watches the channel and loads the newest page (once; later calls share it). */
  open(): Promise<void> {
    if (this.#opening) return this.#opening;
    this.store.set({ status: 'loading', error: undefined });
    const { unsubscribe } = this.#channel.on(() => this.#sync());
    this.#unsubscribe = unsubscribe;
    this.#opening = this.#channel
      .query({ watch: true, state: true, messages: { limit: MESSAGE_PAGE_SIZE } })
      .then((response) => {
        this.store.set({ status: 'ready', hasOlder: response.messages.length >= MESSAGE_PAGE_SIZE });
        this.#sync();
      })
      .catch((error: unknown) => {
        this.#opening = undefined;
        this.store.set({ status: 'error', error });
        throw error;
      });
    return this.#opening;
  }

  /** Stops following the channel's events (the channel stays watched for the chat list). */
  close(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#opening = undefined;
  }

  /** Loads the page before the oldest message shown. */
  async loadOlder(): Promise<void> {
    const state = this.store.get();
    const oldest = state.messages[0];
    if (state.loadingOlder || !state.hasOlder || !oldest) return;
    this.store.set({ loadingOlder: true });
    try {
      const response = await this.#channel.query({
        messages: { limit: MESSAGE_PAGE_SIZE, id_lt: oldest.id },
      });
      this.store.set({ hasOlder: response.messages.length >= MESSAGE_PAGE_SIZE });
    } finally {
      this.store.set({ loadingOlder: false });
      this.#sync();
    }
  }

  /**
   * Sends a message: uploads `files` first (images through `sendImage`, others through `sendFile`, with
   * progress in `uploads`), then the text with the attachments. In a thread when `parentId` is given.
   * Throws (and keeps the failed upload in `uploads` with its reason) when a file is refused.
   */
  async send(text: string, files: readonly File[] = [], parentId?: string): Promise<ChatMessage | undefined> {
    const trimmed = text.trim();
    if (!trimmed && files.length === 0) return undefined;
    const attachments = await Promise.all(files.map((file) => this.#upload(file)));
    const response = await this.#channel.sendMessage({
      text: trimmed,
      attachments,
      ...(parentId ? { parent_id: parentId } : {}),
    });
    this.store.set({ uploads: [] });
    void this.#channel.stopTyping(parentId).catch(() => undefined);
    // The echo (\`message.new\`) usually comes first, and events after it (a quick reaction) must not be
    // overwritten by this older copy: add the answer only when the echo has not come yet.
    const known = this.#channel.state.findMessage(response.message.id, parentId);
    if (!known) this.#channel.state.addMessageSorted(response.message, true);
    this.#sync();
    return toChatMessage(response.message, this.#me);
  }

  /** Drops a finished or failed upload from `uploads`. */
  dismissUpload(id: string): void {
    this.store.set((state) => ({ uploads: state.uploads.filter((upload) => upload.id !== id) }));
  }

  async #upload(file: File): Promise<Attachment> {
    const id = `upload-${++this.#uploadIds}`;
    const setUpload = (change: Partial<ChatUpload>) =>
      this.store.set((state) => ({
        uploads: state.uploads.map((upload) => (upload.id === id ? { ...upload, ...change } : upload)),
      }));
    this.store.set((state) => ({
      uploads: [...state.uploads, { id, name: file.name, size: file.size, progress: 0 }],
    }));
    const problem = uploadProblem(file);
    if (problem) {
      setUpload({ error: problem });
      throw new Error(problem);
    }
    const isImage = /^image\/(png|jpeg|gif|webp|bmp|avif)$/.test(file.type);
    const config = {
      onUploadProgress: (event: { loaded: number; total?: number }) =>
        setUpload({ progress: event.total ? event.loaded / event.total : 0 }),
    };
    try {
      const response = isImage
        ? await this.#channel.sendImage(file, file.name, file.type, undefined, config)
        : await this.#channel.sendFile(
            file,
            file.name,
            file.type || 'application/octet-stream',
            undefined,
            config,
          );
      setUpload({ progress: 1 });
      return isImage
        ? {
            type: 'image',
            image_url: response.file,
            fallback: file.name,
            title: file.name,
            mime_type: file.type,
          }
        : {
            type: 'file',
            asset_url: response.file,
            title: file.name,
            mime_type: file.type || 'application/octet-stream',
            file_size: file.size,
          };
    } catch (error) {
      setUpload({ error: `“${file.name}” could not be uploaded: ${describe(error)}` });
      throw error;
    }
  }

  /** Replaces the text of one of the current user's messages. */
  async edit(messageId: string, text: string): Promise<void> {
    const message = this.#find(messageId);
    if (!message) return;
    const client = this.#channel.getClient();
    const response = await client.partialUpdateMessage(messageId, { set: { text: text.trim() } });
    this.#channel.state.addMessageSorted(response.message, false, false);
    this.#sync();
  }

  /** Deletes one of the current user's messages (soft: it stays as "Message deleted"). */
  async remove(messageId: string): Promise<void> {
    const response = await this.#channel.getClient().deleteMessage(messageId);
    this.#channel.state.addMessageSorted(response.message, false, false);
    this.#sync();
  }

  /** Tells the others the current user is typing (Stream throttles; call it on every input). */
  keystroke(parentId?: string): void {
    void this.#channel.keystroke(parentId).catch(() => undefined);
  }

  stopTyping(parentId?: string): void {
    void this.#channel.stopTyping(parentId).catch(() => undefined);
  }

  /** Marks everything read for the current user. */
  async markRead(): Promise<void> {
    if (this.#channel.countUnread() === 0 && this.#hasReadLatest()) return;
    await this.#channel.markRead();
    this.#sync();
  }

  #hasReadLatest(): boolean {
    const mine = this.#channel.state.read[this.#me];
    const last = this.#channel.lastMessage();
    return Boolean(mine && last?.created_at && mine.last_read >= new Date(last.created_at));
  }

  /** Adds the current user's reaction, or takes it back when they gave it already. */
  async toggleReaction(messageId: string, type: string): Promise<void> {
    const message = this.#find(messageId);
    if (!message) return;
    const response = message.ownReactions.includes(type)
      ? await this.#channel.deleteReaction(messageId, type)
      : await this.#channel.sendReaction(messageId, { type });
    if (response.message) this.#channel.state.addMessageSorted(response.message, false, false);
    this.#sync();
  }

  async pin(messageId: string): Promise<void> {
    const response = await this.#channel.getClient().pinMessage(messageId);
    this.#channel.state.addMessageSorted(response.message, false, false);
    this.#channel.state.addPinnedMessage(response.message);
    this.#sync();
  }

  async unpin(messageId: string): Promise<void> {
    const response = await this.#channel.getClient().unpinMessage(messageId);
    this.#channel.state.addMessageSorted(response.message, false, false);
    this.#channel.state.removePinnedMessage(response.message);
    this.#sync();
  }

  /** Opens the thread of `parentId` and loads its replies. */
  async openThread(parentId: string): Promise<void> {
    this.store.set({
      thread: { parentId, parent: this.#find(parentId), replies: [], status: 'loading', typing: [] },
    });
    try {
      await this.#channel.getReplies(parentId, { limit: 50 });
      this.#setThread({ status: 'ready' });
    } catch (error) {
      this.#setThread({ status: 'error' });
      throw error;
    }
    this.#sync();
  }

  closeThread(): void {
    this.store.set({ thread: undefined });
  }

  #setThread(change: Partial<ThreadState>): void {
    this.store.set((state) => (state.thread ? { thread: { ...state.thread, ...change } } : {}));
  }

  #find(messageId: string): ChatMessage | undefined {
    const { messages, thread } = this.store.get();
    return (
      messages.find((message) => message.id === messageId) ??
      thread?.replies.find((message) => message.id === messageId)
    );
  }

  /**
   * Copies the channel's state into the store. Every event of the channel (a keystroke's typing event, a
   * read receipt) comes here, with the whole history loaded perhaps: messages are converted once (see
   * `ChatMessageCache`) and unchanged lists keep their identity, so the store notifies only of changes.
   */
  #sync(): void {
    const state = this.#channel.state;
    const me = this.#me;
    const cache = this.#messages;
    const previous = this.store.get();
    const messages: ChatMessage[] = [];
    for (const message of state.messages) {
      if (!message.parent_id || message.show_in_channel) messages.push(cache.get(message));
    }
    const pinned: ChatMessage[] = [];
    for (let at = state.pinnedMessages.length - 1; at >= 0; at--) {
      const message = state.pinnedMessages[at]!;
      if (message.type !== 'deleted') pinned.push(cache.get(message));
    }
    this.store.set({
      messages: sameOr(previous.messages, messages),
      typing: sameOr(previous.typing, typingNames(this.#channel, me)),
      reads: sameOr(previous.reads, readStates(this.#channel), sameRead),
      pinned: sameOr(previous.pinned, pinned),
      thread: this.#syncThread(previous.thread),
    });
  }

  #syncThread(thread: ThreadState | undefined): ThreadState | undefined {
    if (!thread) return undefined;
    const state = this.#channel.state;
    const source = state.messages.find((message) => message.id === thread.parentId);
    const parent = source ? this.#messages.get(source) : thread.parent;
    const replies = sameOr(
      thread.replies,
      (state.threads[thread.parentId] ?? []).map((message) => this.#messages.get(message)),
    );
    const typing = sameOr(thread.typing, typingNames(this.#channel, this.#me, thread.parentId));
    if (parent === thread.parent && replies === thread.replies && typing === thread.typing) return thread;
    return { ...thread, parent, replies, typing };
  }
}

function sameRead(a: ChatReadState, b: ChatReadState): boolean {
  return a.userId === b.userId && a.userName === b.userName && a.lastReadAt === b.lastReadAt;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
