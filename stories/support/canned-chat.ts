// Story fixtures for <hub-chat>: a HubClient whose `chat` answers from canned state held in memory, so the
// catalogue needs neither a hub nor GetStream. Stories only show states; the browser tests run the real
// service against the hub's GetStream emulator.
import { createStore } from '@teacher-hub/core';
import type {
  ChatListItem,
  ChatMessage,
  ChatService,
  ChatState,
  Conversation,
  ConversationState,
  HubClient,
} from '@teacher-hub/core';
import { CannedCalls, withCalls } from './canned-calls.ts';
import { ADA_ROSTER, ADA_USER, cannedClient } from './canned-hub.ts';
import type { StoryUser } from './canned-hub.ts';

export interface CannedChatOptions {
  /** Who is signed in. Default: Ada, a teacher. */
  me?: StoryUser;
  chats?: ChatListItem[];
  messages?: Record<string, ChatMessage[]>;
  /** Names shown as typing in every conversation. */
  typing?: string[];
  /** Never connect: the loading state. */
  hang?: boolean;
  /** Fail to connect with this message. */
  error?: string;
}

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

export function message(
  id: string,
  userId: string,
  userName: string,
  text: string,
  minutes: number,
  change: Partial<ChatMessage> = {},
): ChatMessage {
  return {
    id,
    text,
    userId,
    userName,
    createdAt: minutesAgo(minutes),
    deleted: false,
    attachments: [],
    reactionCounts: {},
    ownReactions: [],
    replyCount: 0,
    pinned: false,
    status: 'sent',
    ...change,
  };
}

export const ALGEBRA_MESSAGES: ChatMessage[] = [
  message('m1', 't-ada', 'Ada Lovelace', 'Good morning! Worksheet 4 is due Friday.', 60 * 26),
  message('m2', 's-01', 'Amara Okafor', 'Can we use calculators?', 60 * 25),
  message('m3', 't-ada', 'Ada Lovelace', 'Yes, for part B only. Notes: https://example.edu/algebra/w4', 45, {
    pinned: true,
    reactionCounts: { like: 3, love: 1 },
    ownReactions: ['love'],
    replyCount: 2,
  }),
  message('m4', 't-ada', 'Ada Lovelace', 'And bring graph paper.', 44),
  message('m5', 's-06', "Finn O'Brien", 'Here is my draft', 10, {
    attachments: [
      { kind: 'file', url: 'https://example.edu/files/draft.pdf', name: 'draft.pdf', size: 182_000 },
    ],
  }),
  message('m6', 's-01', 'Amara Okafor', 'مرحبا! I finished part A 🎉', 2, { reactionCounts: { tada: 2 } }),
];

export const ADA_CHATS: ChatListItem[] = [
  {
    id: 'chat-algebra',
    cid: 'hub-group:chat-algebra',
    kind: 'group',
    name: 'Algebra I',
    ownerId: 't-ada',
    memberIds: ['t-ada', 's-01', 's-06'],
    lastMessage: ALGEBRA_MESSAGES.at(-1),
    lastActivityAt: ALGEBRA_MESSAGES.at(-1)?.createdAt,
    unreadCount: 2,
  },
  {
    id: 'chat-amara',
    cid: 'hub-direct:chat-amara',
    kind: 'direct',
    name: 'Amara Okafor',
    ownerId: 't-ada',
    memberIds: ['t-ada', 's-01'],
    lastMessage: message('d1', 's-01', 'Amara Okafor', 'Thank you!', 300),
    lastActivityAt: minutesAgo(300),
    unreadCount: 0,
  },
  {
    id: 'chat-session',
    cid: 'hub-session:chat-session',
    kind: 'session',
    name: 'Biology lab review (Thursday)',
    ownerId: 't-ada',
    memberIds: ['t-ada', 's-04', 's-05'],
    unreadCount: 0,
  },
];

class CannedConversation {
  readonly store;
  readonly chatId: string;
  readonly me: string;
  readonly myName: string;

  constructor(chatId: string, me: StoryUser, messages: ChatMessage[], typing: string[]) {
    this.chatId = chatId;
    this.me = me.id;
    this.myName = me.name;
    this.store = createStore<ConversationState>({
      status: 'ready',
      error: undefined,
      messages: messages.map((item) => ({ ...item })),
      hasOlder: false,
      loadingOlder: false,
      typing,
      reads: [{ userId: 's-01', userName: 'Amara Okafor', lastReadAt: new Date().toISOString() }],
      pinned: messages.filter((item) => item.pinned),
      uploads: [],
      thread: undefined,
    });
  }

  get state(): ConversationState {
    return this.store.get();
  }

  #update(id: string, change: (item: ChatMessage) => Partial<ChatMessage>): void {
    this.store.set((state) => {
      const messages = state.messages.map((item) => (item.id === id ? { ...item, ...change(item) } : item));
      return { messages, pinned: messages.filter((item) => item.pinned) };
    });
  }

  async open(): Promise<void> {}
  close(): void {}
  async loadOlder(): Promise<void> {}
  async markRead(): Promise<void> {}
  keystroke(): void {}
  stopTyping(): void {}
  dismissUpload(): void {}

  async send(text: string, files: readonly File[] = [], parentId?: string): Promise<undefined> {
    const sent = message(`local-${Date.now()}`, this.me, this.myName, text.trim(), 0, {
      parentId,
      attachments: files.map((file) => ({
        kind: 'file' as const,
        url: 'https://example.edu/files/x',
        name: file.name,
        size: file.size,
      })),
    });
    if (parentId) {
      this.store.set((state) =>
        state.thread ? { thread: { ...state.thread, replies: [...state.thread.replies, sent] } } : {},
      );
      this.#update(parentId, (item) => ({ replyCount: item.replyCount + 1 }));
    } else {
      this.store.set((state) => ({ messages: [...state.messages, sent] }));
    }
    return undefined;
  }

  async edit(id: string, text: string): Promise<void> {
    this.#update(id, () => ({ text, editedAt: new Date().toISOString() }));
  }

  async remove(id: string): Promise<void> {
    this.#update(id, () => ({ deleted: true, text: '', attachments: [] }));
  }

  async toggleReaction(id: string, type: string): Promise<void> {
    this.#update(id, (item) => {
      const mine = item.ownReactions.includes(type);
      return {
        ownReactions: mine ? item.ownReactions.filter((own) => own !== type) : [...item.ownReactions, type],
        reactionCounts: {
          ...item.reactionCounts,
          [type]: (item.reactionCounts[type] ?? 0) + (mine ? -1 : 1),
        },
      };
    });
  }

  async pin(id: string): Promise<void> {
    this.#update(id, () => ({ pinned: true }));
  }

  async unpin(id: string): Promise<void> {
    this.#update(id, () => ({ pinned: false }));
  }

  async openThread(parentId: string): Promise<void> {
    const parent = this.state.messages.find((item) => item.id === parentId);
    const replies = [
      message('r1', 's-01', 'Amara Okafor', 'Does part B include the bonus?', 40, { parentId }),
      message('r2', 't-ada', 'Ada Lovelace', 'No, the bonus is optional.', 39, { parentId }),
    ].slice(0, parent?.replyCount ?? 0);
    this.store.set({ thread: { parentId, parent, replies, status: 'ready', typing: [] } });
  }

  closeThread(): void {
    this.store.set({ thread: undefined });
  }
}

/** `count` chats of Ada's (groups, one-on-ones and sessions'), the most recent first, some unread. */
export function manyChats(count: number): ChatListItem[] {
  const students = ADA_ROSTER.courses.flatMap((course) => course.students);
  return Array.from({ length: count }, (_, index): ChatListItem => {
    const student = students[index % students.length]!;
    const kind = index % 3 === 0 ? 'group' : index % 3 === 1 ? 'direct' : 'session';
    const name =
      kind === 'group'
        ? `Study group ${index / 3 + 1}`
        : kind === 'direct'
          ? student.name
          : `Review session ${Math.floor(index / 3) + 1}`;
    const minutes = 7 + index * 95;
    return {
      id: `chat-many-${index}`,
      cid: `hub-${kind}:chat-many-${index}`,
      kind,
      name,
      ownerId: 't-ada',
      memberIds: ['t-ada', student.id],
      lastMessage: message(
        `many-last-${index}`,
        student.id,
        student.name,
        `Question ${index + 1} about the homework`,
        minutes,
      ),
      lastActivityAt: minutesAgo(minutes),
      unreadCount: index < 4 ? 4 - index : 0,
    };
  });
}

/**
 * A client whose `chat` is canned: lists `chats`, opens conversations from `messages`. Its `calls` are
 * canned too (the conversation's call button holds them), with no call going.
 */
export function cannedChatClient(options: CannedChatOptions = {}): HubClient {
  const user = options.me ?? ADA_USER;
  const client = withCalls(
    cannedClient({ user, roster: user.role === 'teacher' ? ADA_ROSTER : undefined }),
    new CannedCalls({ userId: user.id, name: user.name, role: user.role }),
  );
  return withChat(client, options);
}

/** Gives `client` a canned `chat` (see `cannedChatClient`), and returns the client. */
export function withChat<C extends HubClient>(client: C, options: CannedChatOptions = {}): C {
  const user = options.me ?? ADA_USER;
  const store = createStore<ChatState>({
    status: 'idle',
    error: undefined,
    chats: [],
    me: user.id,
    totalUnread: 0,
  });
  const conversations = new Map<string, CannedConversation>();
  const chat = {
    store,
    get state() {
      return store.get();
    },
    async connect() {
      if (options.hang) return new Promise<void>(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (options.error) throw new Error(options.error);
      const chats = options.chats ?? ADA_CHATS;
      store.set({
        status: 'ready',
        chats,
        totalUnread: chats.reduce((sum, item) => sum + item.unreadCount, 0),
      });
    },
    disconnect() {},
    chat: (id: string) => store.get().chats.find((item) => item.id === id),
    async conversation(id: string) {
      let conversation = conversations.get(id);
      if (!conversation) {
        conversation = new CannedConversation(
          id,
          user,
          options.messages?.[id] ?? ALGEBRA_MESSAGES,
          options.typing ?? [],
        );
        conversations.set(id, conversation);
      }
      return conversation as unknown as Conversation;
    },
  };
  Object.defineProperty(client, 'chat', { value: chat as unknown as ChatService, configurable: true });
  return client;
}
