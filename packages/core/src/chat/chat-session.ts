import { StreamChat } from 'stream-chat';
import type { Channel, Event } from 'stream-chat';
import type { HubApi } from '../api.ts';
import type { Store } from '../store.ts';
import { TokenRefresher, tokenLifetimeMs } from '../token-refresh.ts';
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
  #refresher: TokenRefresher | undefined;
  #closed = false;

  constructor(api: HubApi, store: Store<ChatState>) {
    this.#api = api;
    this.#store = store;
  }

  /**
   * Connects with a token from the hub and lists. The Stream token is replaced before it expires (see
   * `refreshAfterMs`): the session fetches a fresh one from the hub and hands it to stream-chat's token
   * manager (`loadToken()`), so the open WebSocket stays as it is, REST calls carry the new token, and a
   * reconnect of the socket uses it too. Only when the hub fetch fails does the old token run out; then
   * Stream's code 40 makes stream-chat ask the same provider, as before.
   */
  async open(): Promise<void> {
    const first = await this.#api.chatToken();
    const lifetimeOf = (answer: ChatTokenResponse) =>
      tokenLifetimeMs(answer.token, Date.now()) ?? Math.max(0, Date.parse(answer.expiresAt) - Date.now());
    const client = new StreamChat(first.apiKey, first.baseURL ? { baseURL: first.baseURL } : {});
    /** A token fetched for stream-chat but not taken yet: the first one, then each early refresh. */
    let fetched: ChatTokenResponse | undefined = first;
    const refresher = new TokenRefresher({
      refresh: async () => {
        const fresh = await this.#api.chatToken();
        if (this.#closed) return undefined;
        fetched = fresh;
        await client.tokenManager.loadToken();
        return lifetimeOf(fresh);
      },
      onError: (error) => console.warn('[teacher-hub] could not refresh the chat token; retrying', error),
    });
    this.#refresher = refresher;
    refresher.schedule(lifetimeOf(first));
    const tokenProvider = async () => {
      const ready = fetched;
      fetched = undefined;
      if (ready) return ready.token;
      // stream-chat asks on its own (Stream refused the token): this fresh one restarts the schedule.
      const fresh = await this.#api.chatToken();
      refresher.schedule(lifetimeOf(fresh));
      return fresh.token;
    };
    try {
      await client.connectUser({ id: first.userId }, tokenProvider);
      this.#client = client;
      this.#store.set({ me: first.userId });
      const subscription = client.on((event) => this.#onEvent(event));
      this.#unsubscribe = () => subscription.unsubscribe();
      await this.reloadList();
    } catch (error) {
      // `ChatService` drops a session that did not open: nothing of it may keep running.
      this.#client ??= client;
      this.close();
      throw error;
    }
  }

  close(): void {
    this.#closed = true;
    this.#refresher?.stop();
    this.#refresher = undefined;
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
