/**
 * The chat provider as the domain sees it (GetStream, or the local emulator that stands in for it). It
 * speaks hub user ids; the adapter maps them to the provider's alphabet. Every call is server-side, after
 * the domain checked the rules. Failures are thrown as `ApiError('UNAVAILABLE')` by the adapter.
 */

export interface ChannelRef {
  type: string;
  id: string;
}

export interface ChannelMember {
  userId: string;
  /** Teachers moderate their chats (edit or delete any message). */
  moderator: boolean;
}

export interface ChatUser {
  id: string;
  name: string;
  role: 'teacher' | 'student';
}

/** A new message, from the provider's webhook. */
export interface ProviderMessageEvent {
  type: 'message.new';
  channel: ChannelRef;
  messageId: string;
  /** The sender's provider user id (see `providerUserId`). */
  senderProviderId: string | null;
  text: string;
  hasAttachments: boolean;
  /** A thread reply not shown in the channel, a silent or a system message: nothing to notify. */
  quiet: boolean;
  createdAt: Date;
}

export type ProviderEvent = ProviderMessageEvent | { type: 'other'; name: string };

export interface ChatProvider {
  readonly kind: 'emulator' | 'stream';
  /** What a client needs besides its token: the API key, and the base URL (null for GetStream's own). */
  readonly connection: { apiKey: string; baseURL: string | null };
  /** The provider's id for a hub user id (deterministic). */
  providerUserId(userId: string): string;
  /** Creates or updates users (cached: a user already sent with the same name costs nothing). */
  upsertUsers(users: readonly ChatUser[]): Promise<void>;
  /**
   * Creates the channel with these members, or (the id exists) makes sure it has them; members it has
   * already keep their role.
   */
  createChannel(
    channel: ChannelRef,
    data: { name: string | null; createdById: string; members: readonly ChannelMember[] },
  ): Promise<void>;
  renameChannel(channel: ChannelRef, name: string): Promise<void>;
  /** Adds members; existing members stay as they are. */
  addMembers(channel: ChannelRef, members: readonly ChannelMember[]): Promise<void>;
  /** Removes members; users who are not members, or a channel that is gone, are no error. */
  removeMembers(channel: ChannelRef, userIds: readonly string[]): Promise<void>;
  /** Deletes the channel with its messages; a channel that is gone is no error. */
  deleteChannel(channel: ChannelRef): Promise<void>;
  /**
   * Posts a system message (a session's "is live", "was moved") in the user's name; system messages are
   * quiet: they notify nobody.
   */
  sendSystemMessage(channel: ChannelRef, senderId: string, text: string): Promise<void>;
  /** How many messages of the channel the user has not read. */
  unreadCount(userId: string, channel: ChannelRef): Promise<number>;
  /** A client token for the user (HS256, `user_id`, `iat`, `exp`). */
  userToken(userId: string): Promise<{ token: string; expiresAt: Date }>;
}
