import type { HubApi } from '../api.ts';
import type { CacheSlot, ClientCache } from '../cache/client-cache.ts';
import type { LoadStatus } from '../resource.ts';
import { createStore } from '../store.ts';
import type { Store } from '../store.ts';
import type { ChatSession } from './chat-session.ts';
import type { ChatListItem, HubChat } from './chat-types.ts';
import type * as ChatRuntimeModule from './chat-runtime.ts';
import type { Conversation } from './conversation.ts';

type ChatRuntime = typeof ChatRuntimeModule;

/**
 * How `stream-chat` (with the code that reads its state) is loaded: a dynamic import, so it is a chunk of
 * its own that loads on the first `connect()`.
 */
export type StreamChatLoader = () => Promise<ChatRuntime>;

const loadStreamChat: StreamChatLoader = () => import('./chat-runtime.ts');

/** `connect()` was let go of (the last `disconnect()`) before the connection was ready. */
export class ChatClosedError extends Error {
  override readonly name = 'ChatClosedError';
}

/** What the client's cache keeps of the chat list. */
interface CachedChats {
  chats: ChatListItem[];
  totalUnread: number;
}

export interface ChatState {
  /** `idle` until `connect()`, `loading` while connecting and listing, then `ready` or `error`. */
  status: LoadStatus;
  error: unknown;
  /**
   * The caller's chats, most recent activity first. While `loading`, the list cached on an earlier visit
   * (if any), replaced by the live one once connected.
   */
  chats: ChatListItem[];
  /** The caller's Stream user id, once connected. */
  me: string | undefined;
  /** Unread messages over all chats. */
  totalUnread: number;
}

/**
 * Chat (`client.chat`): one `stream-chat` connection per hub client, opened while anything holds it.
 *
 * - `connect()` / `disconnect()`: reference counted; the first `connect()` loads `stream-chat` (lazily),
 *   connects with a token from `POST /v1/chat/token` (refreshed before it expires, and whenever Stream asks)
 *   and lists the chats; the last `disconnect()` closes the connection.
 * - `store`: the chat list, the hub's chats merged with Stream's live state (last message, unread count).
 * - `conversation(chatId)`: one open chat (messages, typing, reads, reactions, threads, pins, uploads).
 * - `createGroup`, `openDirect`, `rename`, `addMembers`, `removeMember`, `deleteChat`: through the hub,
 *   which alone changes channels; the list follows.
 */
export class ChatService {
  readonly store: Store<ChatState>;
  readonly #api: HubApi;
  readonly #load: StreamChatLoader;
  #session: ChatSession | undefined;
  #connecting: Promise<ChatSession> | undefined;
  #holders = 0;
  readonly #cache: ClientCache | undefined;

  constructor(
    api: HubApi,
    options: { loadStreamChat?: StreamChatLoader | undefined; cache?: ClientCache | undefined } = {},
  ) {
    this.#api = api;
    this.#load = options.loadStreamChat ?? loadStreamChat;
    this.#cache = options.cache;
    this.store = createStore<ChatState>({
      status: 'idle',
      error: undefined,
      chats: [],
      me: undefined,
      totalUnread: 0,
    });
  }

  get state(): ChatState {
    return this.store.get();
  }

  /** Holds the connection open and loads the list; resolves once both are done. */
  async connect(): Promise<void> {
    this.#holders++;
    try {
      await this.#ensureConnected();
    } catch (error) {
      if (!(error instanceof ChatClosedError)) this.store.set({ status: 'error', error });
      throw error;
    }
  }

  /** Lets go of the connection; the last holder closes it. */
  disconnect(): void {
    this.#holders = Math.max(0, this.#holders - 1);
    if (this.#holders > 0) return;
    const connecting = this.#connecting;
    this.#session = undefined;
    this.#connecting = undefined;
    this.store.set({ status: 'idle', chats: [], totalUnread: 0 });
    void connecting?.then((session) => session.close()).catch(() => undefined);
  }

  #ensureConnected(): Promise<ChatSession> {
    if (this.#connecting) return this.#connecting;
    this.store.set({ status: 'loading', error: undefined });
    const slot = this.#cache?.slot<CachedChats>('chats');
    const connecting = this.#load().then(async ({ ChatSession }) => {
      const session = new ChatSession(this.#api, this.store);
      await session.open();
      // Let go of meanwhile: close what was opened for nobody.
      if (this.#connecting !== connecting) {
        session.close();
        if (!this.#connecting) this.store.set({ status: 'idle', chats: [], totalUnread: 0 });
        throw new ChatClosedError('The chat connection was closed before it was ready.');
      }
      this.#session = session;
      this.store.set({ status: 'ready' });
      this.#save(slot);
      return session;
    });
    connecting.catch(() => {
      if (this.#connecting === connecting) this.#connecting = undefined;
    });
    this.#connecting = connecting;
    if (slot) this.#seed(slot, connecting);
    return connecting;
  }

  /**
   * Shows the cached list while `connecting` runs (stream-chat is not even loaded yet), unless the live
   * list (or a disconnect) came first: either replaces the store's `chats` array.
   */
  #seed(slot: CacheSlot<CachedChats>, connecting: Promise<ChatSession>): void {
    const empty = this.store.get().chats;
    if (empty.length > 0) return;
    void slot.read().then((cached) => {
      if (!cached || !Array.isArray(cached.chats) || cached.chats.length === 0) return;
      if (this.#connecting !== connecting || this.store.get().chats !== empty) return;
      if (this.store.get().status !== 'loading') return;
      this.store.set({ chats: cached.chats, totalUnread: cached.totalUnread });
    });
  }

  #save(slot: CacheSlot<CachedChats> | undefined): void {
    const { chats, totalUnread } = this.store.get();
    void slot?.write({ chats, totalUnread });
  }

  /** Lists the chats again (hub and Stream). */
  async reload(): Promise<void> {
    await (await this.#ensureConnected()).reloadList();
    this.#save(this.#cache?.slot('chats'));
  }

  /** The conversation of one of the caller's chats (connects first). Shared: one per chat. */
  async conversation(chatId: string): Promise<Conversation> {
    return (await this.#ensureConnected()).conversation(chatId);
  }

  /** The chat of the list with this id, if listed. */
  chat(chatId: string): ChatListItem | undefined {
    return this.store.get().chats.find((chat) => chat.id === chatId);
  }

  // ── Changes through the hub ────────────────────────────────────────────────────────────────────────

  /** Teachers: a new group chat with `memberIds`. */
  async createGroup(name: string, memberIds: string[]): Promise<HubChat> {
    const { chat } = await this.#api.createGroupChat({ name, memberIds });
    await this.#session?.reloadList();
    return chat;
  }

  /** The one-on-one chat with `userId`, made on first use. */
  async openDirect(userId: string): Promise<HubChat> {
    const { chat } = await this.#api.openDirectChat(userId);
    await this.#session?.reloadList();
    return chat;
  }

  async rename(chatId: string, name: string): Promise<HubChat> {
    const { chat } = await this.#api.renameChat(chatId, name);
    await this.#session?.reloadList();
    return chat;
  }

  async addMembers(chatId: string, userIds: string[]): Promise<HubChat> {
    const { chat } = await this.#api.addChatMembers(chatId, userIds);
    await this.#session?.reloadList();
    return chat;
  }

  async removeMember(chatId: string, userId: string): Promise<HubChat> {
    const { chat } = await this.#api.removeChatMember(chatId, userId);
    await this.#session?.reloadList();
    return chat;
  }

  async deleteChat(chatId: string): Promise<void> {
    await this.#api.deleteChat(chatId);
    this.#session?.forget(chatId);
    await this.#session?.reloadList();
  }
}
