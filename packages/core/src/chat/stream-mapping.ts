import type { Channel, LocalMessage, MessageResponse } from 'stream-chat';
import type { ChatAttachment, ChatMessage, ChatReadState } from './chat-types.ts';

type StreamMessage = LocalMessage | MessageResponse;

function iso(value: Date | string | null | undefined): string {
  if (!value) return new Date(0).toISOString();
  return typeof value === 'string' ? value : value.toISOString();
}

/** Stream's message, flattened to what views need (`me` decides `ownReactions`). */
export function toChatMessage(message: StreamMessage, me: string): ChatMessage {
  const attachments: ChatAttachment[] = [];
  for (const attachment of message.attachments ?? []) {
    const url =
      attachment.type === 'image' ? (attachment.image_url ?? attachment.asset_url) : attachment.asset_url;
    if (!url) continue;
    attachments.push({
      kind: attachment.type === 'image' ? 'image' : 'file',
      url,
      name: attachment.title ?? attachment.fallback ?? (attachment.type === 'image' ? 'Image' : 'File'),
      mimeType: attachment.mime_type,
      size: typeof attachment.file_size === 'number' ? attachment.file_size : undefined,
    });
  }
  const status = (message as { status?: string }).status;
  const own = (message.own_reactions ?? []).filter(
    (reaction) => !reaction.user_id || reaction.user_id === me,
  );
  const edited = (message as { message_text_updated_at?: string }).message_text_updated_at;
  return {
    id: message.id,
    text: message.text ?? '',
    userId: message.user?.id ?? '',
    userName: message.user?.name || message.user?.id || 'Someone',
    createdAt: iso(message.created_at),
    editedAt: edited ? iso(edited) : undefined,
    deleted: message.type === 'deleted' || Boolean(message.deleted_at),
    attachments,
    reactionCounts: { ...(message.reaction_counts ?? {}) },
    ownReactions: own.map((reaction) => reaction.type),
    replyCount: message.reply_count ?? 0,
    pinned: Boolean(message.pinned),
    parentId: message.parent_id,
    status: status === 'failed' || status === 'error' ? 'failed' : status === 'sending' ? 'sending' : 'sent',
  };
}

/** The members' read positions of a watched channel. */
export function readStates(channel: Channel): ChatReadState[] {
  return Object.values(channel.state.read).map((read) => ({
    userId: read.user.id,
    userName: read.user.name || read.user.id,
    lastReadAt: iso(read.last_read),
  }));
}

/** Names of the members typing now, the current user left out. */
export function typingNames(channel: Channel, me: string, parentId?: string): string[] {
  return Object.values(channel.state.typing)
    .filter((event) => event.user && event.user.id !== me && (event.parent_id ?? undefined) === parentId)
    .map((event) => event.user?.name || event.user?.id || 'Someone');
}
