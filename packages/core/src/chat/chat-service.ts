import type { Channel, Event, StreamChat } from 'stream-chat';
import type { HubApi } from '../api.ts';
import type { LoadStatus } from '../resource.ts';
import { createStore } from '../store.ts';
import type { Store } from '../store.ts';
import type { ChatListItem, ChatTokenResponse, HubChat } from './chat-types.ts';
import type * as ChatRuntimeModule from './chat-runtime.ts';
import type { Conversation } from './conversation.ts';

type ChatRuntime = typeof ChatRuntimeModule;

/**
 * How `stream-chat` (with the code that reads its state) is loaded: a dynamic import, so it is a chunk of
 * its own that loads on the first `connect()`.
 */
export type StreamChatLoader = () => Promise<ChatRuntime>;

const loadStreamChat: StreamChatLoader = () => import('./chat-runtime.ts');

export interface ChatState {
  /** `idle` until `connect()`, `loading` while connecting and listing, then `ready` or `error`. */
  status: LoadStatus;
  error: unknown;
  /** The caller's chats, most recent activity first. */
  chats: ChatListItem[];
  /** The caller's Stream user id, once connected. */
  me: string | undefined;
  /** Unread messages over all chats. */
  totalUnread: number;
}

/** Stream lists at most this many channels per query. */
const CHANNELS_PER_QUERY = 30;

/** Events after which the hub's list of chats may have changed (membership, names). */
const LIST_EVENTS = new Set([
  'notification.added_to_channel',
  'notification.removed_from_channel',
  'notification.channel_deleted',
  'channel.deleted',
  'channel.updated',
  'member.added',
  'member.removed',
]);

/**
 * Chat (`client.chat`): one `stream-chat` connection per hub client, opened while anything holds it.
 *
 * - `connect()` / `disconnect()`: reference counted; the first `connect()` loads `stream-chat` (lazily),
 *   connects with a token from `POST /v1/chat/token` (re-fetched whenever Stream asks for a fresh one)
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
  #client: StreamChat | undefined;
  #runtime: ChatRuntime | undefined;
  #connecting: Promise<StreamChat> | undefined;
  #holders = 0;
  #hubChats: HubChat[] = [];
  #channels = new Map<string, Channel>();
  #conversations = new Map<string, Conversation>();
  #unsubscribe: (() => void) | undefined;

  constructor(api: HubApi, options: { loadStreamChat?: StreamChatLoader | undefined } = {}) {
    this.#api = api;
    this.#load = options.loadStreamChat ?? loadStreamChat;
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
      this.store.set({ status: 'error', error });
      throw error;
    }
  }

  /** Lets go of the connection; the last holder closes it. */
  disconnect(): void {
    this.#holders = Math.max(0, this.#holders - 1);
    if (this.#holders > 0) return;
    const client = this.#client;
    this.#client = undefined;
    this.#connecting = undefined;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    for (const conversation of this.#conversations.values()) conversation.close();
    this.#conversations.clear();
    this.#channels.clear();
    this.store.set({ status: 'idle', chats: [], totalUnread: 0 });
    void client?.disconnectUser().catch(() => undefined);
  }

  #ensureConnected(): Promise<StreamChat> {
    if (this.#connecting) return this.#connecting;
    this.store.set({ status: 'loading', error: undefined });
    const connecting = this.#open().then(
      async (client) => {
        await this.#reloadList(client);
        this.store.set({ status: 'ready' });
        return client;
      },
      (error: unknown) => {
        this.#connecting = undefined;
        throw error;
      },
    );
    this.#connecting = connecting;
    return connecting;
  }

  async #open(): Promise<StreamChat> {
    const [runtime, first] = await Promise.all([this.#load(), this.#api.chatToken()]);
    this.#runtime = runtime;
    const { StreamChat } = runtime;
    let pending: ChatTokenResponse | undefined = first;
    const client = new StreamChat(first.apiKey, first.baseURL ? { baseURL: first.baseURL } : {});
    // The first token is the one just fetched; every later call (expiry, a 401) fetches a fresh one.
    const tokenProvider = async () => {
      const token = pending?.token ?? (await this.#api.chatToken()).token;
      pending = undefined;
      return token;
    };
    await client.connectUser({ id: first.userId }, tokenProvider);
    this.#client = client;
    this.store.set({ me: first.userId });
    const subscription = client.on((event) => this.#onEvent(event));
    this.#unsubscribe = () => subscription.unsubscribe();
    return client;
  }

  /** Lists the chats again (hub and Stream). */
  async reload(): Promise<void> {
    const client = await this.#ensureConnected();
    await this.#reloadList(client);
  }

  async #reloadList(client: StreamChat): Promise<void> {
    const { chats } = await this.#api.chats();
    this.#hubChats = chats;
    const cids = chats.map((chat) => chat.cid);
    for (let at = 0; at < cids.length; at += CHANNELS_PER_QUERY) {
      const batch = cids.slice(at, at + CHANNELS_PER_QUERY);
      const channels = await client.queryChannels(
        { cid: { $in: batch } },
        { last_message_at: -1 },
        { watch: true, state: true, limit: CHANNELS_PER_QUERY, message_limit: 30 },
      );
      for (const channel of channels) this.#channels.set(channel.cid, channel);
    }
    this.#publish();
  }

  #onEvent(event: Event): void {
    if (LIST_EVENTS.has(event.type) && this.#client) {
      void this.#reloadList(this.#client).catch((error: unknown) => this.store.set({ error }));
      return;
    }
    if (
      event.type === 'notification.message_new' &&
      event.channel?.cid &&
      !this.#channels.has(event.channel.cid)
    ) {
      if (this.#client) void this.#reloadList(this.#client).catch(() => undefined);
      return;
    }
    this.#publish();
  }

  /** Rebuilds the list from the hub's chats and the channels' state. */
  #publish(): void {
    const me = this.store.get().me ?? '';
    const toChatMessage = this.#runtime?.toChatMessage;
    const items: ChatListItem[] = this.#hubChats.map((chat) => {
      const channel = this.#channels.get(chat.cid);
      const last = channel?.lastMessage();
      const lastMessage = last && toChatMessage ? toChatMessage(last, me) : undefined;
      return {
        ...chat,
        lastMessage,
        unreadCount: channel ? channel.countUnread() : 0,
        lastActivityAt: lastMessage?.createdAt,
      };
    });
    items.sort((a, b) => (b.lastActivityAt ?? '').localeCompare(a.lastActivityAt ?? ''));
    this.store.set({ chats: items, totalUnread: items.reduce((sum, item) => sum + item.unreadCount, 0) });
  }

  /** The conversation of one of the caller's chats (connects first). Shared: one per chat. */
  async conversation(chatId: string): Promise<Conversation> {
    const client = await this.#ensureConnected();
    const existing = this.#conversations.get(chatId);
    if (existing) return existing;
    let chat = this.#hubChats.find((candidate) => candidate.id === chatId);
    if (!chat) {
      await this.#reloadList(client);
      chat = this.#hubChats.find((candidate) => candidate.id === chatId);
    }
    if (!chat) throw new Error(`You are not a member of chat ${chatId}.`);
    const [type, id] = splitCid(chat.cid);
    const channel = this.#channels.get(chat.cid) ?? client.channel(type, id);
    this.#channels.set(chat.cid, channel);
    const { Conversation } = this.#runtime ?? (await this.#load());
    const conversation = new Conversation(chatId, channel, this.store.get().me ?? '');
    this.#conversations.set(chatId, conversation);
    return conversation;
  }

  /** The chat of the list with this id, if listed. */
  chat(chatId: string): ChatListItem | undefined {
    return this.store.get().chats.find((chat) => chat.id === chatId);
  }

  // ── Changes through the hub ────────────────────────────────────────────────────────────────────────

  /** Teachers: a new group chat with `memberIds`. */
  async createGroup(name: string, memberIds: string[]): Promise<HubChat> {
    const { chat } = await this.#api.createGroupChat({ name, memberIds });
    await this.#afterChange();
    return chat;
  }

  /** The one-on-one chat with `userId`, made on first use. */
  async openDirect(userId: string): Promise<HubChat> {
    const { chat } = await this.#api.openDirectChat(userId);
    await this.#afterChange();
    return chat;
  }

  async rename(chatId: string, name: string): Promise<HubChat> {
    const { chat } = await this.#api.renameChat(chatId, name);
    await this.#afterChange();
    return chat;
  }

  async addMembers(chatId: string, userIds: string[]): Promise<HubChat> {
    const { chat } = await this.#api.addChatMembers(chatId, userIds);
    await this.#afterChange();
    return chat;
  }

  async removeMember(chatId: string, userId: string): Promise<HubChat> {
    const { chat } = await this.#api.removeChatMember(chatId, userId);
    await this.#afterChange();
    return chat;
  }

  async deleteChat(chatId: string): Promise<void> {
    await this.#api.deleteChat(chatId);
    this.#conversations.get(chatId)?.close();
    this.#conversations.delete(chatId);
    await this.#afterChange();
  }

  async #afterChange(): Promise<void> {
    if (this.#client) await this.#reloadList(this.#client);
  }
}

function splitCid(cid: string): [string, string] {
  const at = cid.indexOf(':');
  return [cid.slice(0, at), cid.slice(at + 1)];
}
