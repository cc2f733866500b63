import type { LocalMessage, MessageResponse } from 'stream-chat';
import type { ChatMessage } from './chat-types.ts';
import { toChatMessage } from './stream-mapping.ts';

type StreamMessage = LocalMessage | MessageResponse;

/** What `toChatMessage` reads of a Stream message, besides its id and creation time (which never change). */
function fields(message: StreamMessage): readonly unknown[] {
  return [
    message.text,
    message.type,
    message.user,
    message.attachments,
    message.own_reactions,
    message.reaction_counts,
    message.reply_count,
    message.pinned,
    message.deleted_at,
    message.parent_id,
    (message as { status?: string }).status,
    (message as { message_text_updated_at?: string }).message_text_updated_at,
  ];
}

/**
 * Stream's messages as views' `ChatMessage`s, each converted once. `stream-chat` replaces a message object
 * when an event changes it, so one event costs the conversion of the message it changed rather than of the
 * whole history, and unchanged messages keep their identity, which lets views skip them. A few of its
 * local paths edit a message in place (taking back a reaction before the server answers), so the fields
 * read are compared too.
 */
export class ChatMessageCache {
  readonly #me: string;
  #entries = new WeakMap<StreamMessage, { fields: readonly unknown[]; message: ChatMessage }>();

  constructor(me: string) {
    this.#me = me;
  }

  get(source: StreamMessage): ChatMessage {
    const now = fields(source);
    const entry = this.#entries.get(source);
    if (entry && entry.fields.every((value, index) => Object.is(value, now[index]))) return entry.message;
    const message = toChatMessage(source, this.#me);
    this.#entries.set(source, { fields: now, message });
    return message;
  }
}

/** `next` when it differs from `previous` element by element, else `previous` (so a store sees no change). */
export function sameOr<T>(
  previous: readonly T[],
  next: T[],
  equal: (a: T, b: T) => boolean = Object.is,
): T[] {
  if (previous.length === next.length && previous.every((value, index) => equal(value, next[index]!))) {
    return previous as T[];
  }
  return next;
}
