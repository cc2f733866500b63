import { createHash } from 'node:crypto';

/** The kinds of chat the hub keeps, each on its own GetStream channel type (DESIGN.md). */
export const CHAT_KINDS = ['group', 'direct', 'session'] as const;
export type ChatKind = (typeof CHAT_KINDS)[number];

/** The channel type of each kind; `npm run setup:stream` gives them the hub's grants. */
export const CHANNEL_TYPES: Record<ChatKind, string> = {
  group: 'hub-group',
  direct: 'hub-direct',
  session: 'hub-session',
};

/** A chat as the hub keeps it: the source of truth for every rule check; GetStream mirrors it. */
export interface ChatRecord {
  /** The GetStream channel id, `[a-z0-9-]`, at most 64 characters. */
  id: string;
  kind: ChatKind;
  channelType: string;
  /** Null for direct chats (each side is shown the other's name). */
  name: string | null;
  /** Who may rename and change it: the teacher who created a group; null for direct chats. */
  ownerId: string | null;
  /** Whose students may be in it (rule 1); rule 9 takes out those who no longer are. */
  teacherId: string;
  /** The teacher first, then the others by id. */
  memberIds: string[];
  createdAt: Date;
}

/** A chat as `GET /v1/chats` shows it. */
export interface Chat {
  id: string;
  /** `channel_type:id`, for `client.channel(type, id)` / `queryChannels({cid})` in `stream-chat`. */
  cid: string;
  kind: ChatKind;
  /** A group's name; for a direct chat, the other person's name as the caller sees it. */
  name: string | null;
  ownerId: string | null;
  memberIds: string[];
}

export const cidOf = (chat: Pick<ChatRecord, 'channelType' | 'id'>) => `${chat.channelType}:${chat.id}`;

/** A new group's channel id from a random UUID: `g-` and 32 hex digits. */
export function groupChatId(uuid: string): string {
  return `g-${uuid.replaceAll('-', '').toLowerCase()}`;
}

/**
 * A direct chat's channel id: `d-` and 40 hex digits of SHA-256 over the sorted pair, so the same two
 * people always get the same chat, whoever opens it, and two concurrent requests meet on one primary key.
 */
export function directChatId(userA: string, userB: string): string {
  const pair = JSON.stringify([userA, userB].sort());
  return `d-${createHash('sha256').update(pair).digest('hex').slice(0, 40)}`;
}

/** Ids the hub gives channels; anything else in a URL is not a chat of ours. */
export const CHAT_ID_PATTERN = /^[gds]-[a-z0-9-]{1,62}$/;
