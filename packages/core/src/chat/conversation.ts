import type { Attachment, Channel } from 'stream-chat';
import type { LoadStatus } from '../resource.ts';
import { createStore } from '../store.ts';
import type { Store } from '../store.ts';
import { uploadProblem } from './chat-timeline.ts';
import type { ChatMessage, ChatReadState, ChatUpload } from './chat-types.ts';
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
  #unsubscribe: (() => void) | undefined;
  #opening: Promise<void> | undefined;
  #uploadIds = 0;

  constructor(chatId: string, channel: Channel, me: string) {
    this.chatId = chatId;
    this.#channel = channel;
    this.#me = me;
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

  /** Copies the channel's state into the store. */
  #sync(): void {
    const state = this.#channel.state;
    const me = this.#me;
    const messages = state.messages.filter((message) => !message.parent_id || message.show_in_channel);
    const thread = this.store.get().thread;
    this.store.set({
      messages: messages.map((message) => toChatMessage(message, me)),
      typing: typingNames(this.#channel, me),
      reads: readStates(this.#channel),
      pinned: [...state.pinnedMessages]
        .reverse()
        .filter((message) => message.type !== 'deleted')
        .map((message) => toChatMessage(message, me)),
      thread: thread
        ? {
            ...thread,
            parent: (() => {
              const parent = state.messages.find((message) => message.id === thread.parentId);
              return parent ? toChatMessage(parent, me) : thread.parent;
            })(),
            replies: (state.threads[thread.parentId] ?? []).map((message) => toChatMessage(message, me)),
            typing: typingNames(this.#channel, me, thread.parentId),
          }
        : undefined,
    });
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
