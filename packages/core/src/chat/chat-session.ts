import { StreamChat } from 'stream-chat';
import type { Channel, Event } from 'stream-chat';
import type { HubApi } from '../api.ts';
import type { Store } from '../store.ts';
import type { ChatState } from './chat-service.ts';
import type { ChatListItem, ChatTokenResponse, HubChat } from './chat-types.ts';
import { Conversation } from './conversation.ts';
import { toChatMessage } from './stream-mapping.ts';

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
 * One `stream-chat` connection and what it knows: the channels of the caller's chats and their open
 * conversations. Made by `ChatService` on the first `connect()`, in the lazily loaded chat chunk.
 */
export class ChatSession {
  readonly #api: HubApi;
  readonly #store: Store<ChatState>;
  #client: StreamChat | undefined;
  #hubChats: HubChat[] = [];
  #channels = new Map<string, Channel>();
  #conversations = new Map<string, Conversation>();
  #unsubscribe: (() => void) | undefined;
  #closed = false;

  constructor(api: HubApi, store: Store<ChatState>) {
    this.#api = api;
    this.#store = store;
  }

  /** Connects with a token from the hub (re-fetched whenever Stream asks for a fresh one) and lists. */
  async open(): Promise<void> {
    const first = await this.#api.chatToken();
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
    this.#store.set({ me: first.userId });
    const subscription = client.on((event) => this.#onEvent(event));
    this.#unsubscribe = () => subscription.unsubscribe();
    await this.reloadList();
  }

  close(): void {
    this.#closed = true;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    for (const conversation of this.#conversations.values()) conversation.close();
    this.#conversations.clear();
    this.#channels.clear();
    void this.#client?.disconnectUser().catch(() => undefined);
    this.#client = undefined;
  }

  async reloadList(): Promise<void> {
    const client = this.#client;
    if (!client || this.#closed) return;
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
    const unknownChannel =
      event.type === 'notification.message_new' &&
      event.channel?.cid &&
      !this.#channels.has(event.channel.cid);
    if (LIST_EVENTS.has(event.type) || unknownChannel) {
      void this.reloadList().catch((error: unknown) => this.#store.set({ error }));
      return;
    }
    this.#publish();
  }

  /** Rebuilds the list from the hub's chats and the channels' state. */
  #publish(): void {
    const me = this.#store.get().me ?? '';
    const items: ChatListItem[] = this.#hubChats.map((chat) => {
      const channel = this.#channels.get(chat.cid);
      const last = channel?.lastMessage();
      const lastMessage = last ? toChatMessage(last, me) : undefined;
      return {
        ...chat,
        lastMessage,
        unreadCount: channel ? channel.countUnread() : 0,
        lastActivityAt: lastMessage?.createdAt,
      };
    });
    items.sort((a, b) => (b.lastActivityAt ?? '').localeCompare(a.lastActivityAt ?? ''));
    this.#store.set({ chats: items, totalUnread: items.reduce((sum, item) => sum + item.unreadCount, 0) });
  }

  async conversation(chatId: string): Promise<Conversation> {
    const existing = this.#conversations.get(chatId);
    if (existing) return existing;
    let chat = this.#hubChats.find((candidate) => candidate.id === chatId);
    if (!chat) {
      await this.reloadList();
      chat = this.#hubChats.find((candidate) => candidate.id === chatId);
    }
    const client = this.#client;
    if (!chat || !client) throw new Error(`You are not a member of chat ${chatId}.`);
    const at = chat.cid.indexOf(':');
    const channel =
      this.#channels.get(chat.cid) ?? client.channel(chat.cid.slice(0, at), chat.cid.slice(at + 1));
    this.#channels.set(chat.cid, channel);
    const conversation = new Conversation(chatId, channel, this.#store.get().me ?? '');
    this.#conversations.set(chatId, conversation);
    return conversation;
  }

  forget(chatId: string): void {
    this.#conversations.get(chatId)?.close();
    this.#conversations.delete(chatId);
  }
}
