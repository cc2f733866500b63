import { idSchema } from '@teacher-hub/protocol';
import { z } from 'zod';
import { CHAT_ID_PATTERN, type Chat } from './chat.ts';

/*
 * The bodies of the chat routes (CONTRACT.md). Written with zod alone, so they can move to
 * `@teacher-hub/protocol` as they are once the client shares them.
 */

/**
 * Control characters (NUL above all, which PostgreSQL cannot store) and unpaired surrogates (which
 * GetStream's JSON cannot) have no place in a chat's name.
 */
const chatName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[^\p{Cc}\p{Cs}]*$/u, 'must not contain control characters or unpaired surrogates');

const userIds = z.array(idSchema).min(1, 'must name at least one user').max(200, 'at most 200 users at once');

/** `POST /v1/chats`: a teacher's new group chat. */
export const createGroupChatSchema = z.object({ name: chatName, memberIds: userIds }).strict();
export type CreateGroupChatRequest = z.infer<typeof createGroupChatSchema>;

/** `POST /v1/chats/direct`. */
export const openDirectChatSchema = z.object({ userId: idSchema }).strict();
export type OpenDirectChatRequest = z.infer<typeof openDirectChatSchema>;

/** `PATCH /v1/chats/:id`. */
export const renameChatSchema = z.object({ name: chatName }).strict();
export type RenameChatRequest = z.infer<typeof renameChatSchema>;

/** `POST /v1/chats/:id/members`. */
export const addChatMembersSchema = z.object({ userIds }).strict();
export type AddChatMembersRequest = z.infer<typeof addChatMembersSchema>;

export const chatParamsSchema = z.object({ id: z.string().regex(CHAT_ID_PATTERN, 'is not a chat id') });
export const chatMemberParamsSchema = chatParamsSchema.extend({ userId: idSchema });

export interface ChatList {
  chats: Chat[];
}

export interface ChatResponse {
  chat: Chat;
}

/** `POST /v1/chat/token`: what `stream-chat` needs to connect as the caller. */
export interface ChatTokenResponse {
  apiKey: string;
  /** The caller's GetStream user id (hub ids are mapped to GetStream's alphabet). */
  userId: string;
  token: string;
  expiresAt: string;
  /** The emulator's URL in dev mode; null for GetStream's own. */
  baseURL: string | null;
}
