/** The kinds of hub chat: a teacher's group, a one-on-one chat, a scheduled session's chat. */
export const CHAT_KINDS = ['group', 'direct', 'session'] as const;
export type ChatKind = (typeof CHAT_KINDS)[number];

/** A chat as the hub lists it (`GET /v1/chats`). */
export interface HubChat {
  id: string;
  /** The Stream channel id, `hub-group:…`. */
  cid: string;
  kind: ChatKind;
  name: string;
  ownerId: string;
  memberIds: string[];
}

/** `POST /v1/chat/token`: what `stream-chat` connects with. `baseURL` is the local emulator in dev mode. */
export interface ChatTokenResponse {
  apiKey: string;
  userId: string;
  token: string;
  expiresAt: string;
  baseURL: string | null;
}

/** The reactions `<hub-chat>` offers, as Stream reaction types. */
export const CHAT_REACTIONS = ['like', 'love', 'haha', 'tada', 'wow'] as const;
export type ChatReaction = (typeof CHAT_REACTIONS)[number];

export interface ChatAttachment {
  kind: 'image' | 'file';
  url: string;
  name: string;
  mimeType?: string | undefined;
  size?: number | undefined;
}

/** One message, flattened from Stream's shape to what views need. */
export interface ChatMessage {
  id: string;
  text: string;
  userId: string;
  userName: string;
  createdAt: string;
  /** Set when the text was edited after sending. */
  editedAt?: string | undefined;
  deleted: boolean;
  attachments: ChatAttachment[];
  /** Reaction type → count. */
  reactionCounts: Record<string, number>;
  /** Reaction types the current user gave. */
  ownReactions: string[];
  replyCount: number;
  pinned: boolean;
  /** The thread's parent, for a reply. */
  parentId?: string | undefined;
  /** `sending` and `failed` for the current user's messages still on their way. */
  status: 'sending' | 'sent' | 'failed';
}

/** One chat in the list: the hub's chat plus Stream's live state. */
export interface ChatListItem extends HubChat {
  lastMessage?: ChatMessage | undefined;
  unreadCount: number;
  /** ISO time of the last message (or undefined): the list is sorted by it, newest first. */
  lastActivityAt?: string | undefined;
}

/** A member's read position: who has seen up to when. */
export interface ChatReadState {
  userId: string;
  userName: string;
  lastReadAt: string;
}

/** A file waiting to be sent, with its upload progress. */
export interface ChatUpload {
  id: string;
  name: string;
  size: number;
  /** 0–1. */
  progress: number;
  error?: string | undefined;
}
