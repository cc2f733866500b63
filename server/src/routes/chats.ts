import { Hono } from 'hono';
import {
  addChatMembersSchema,
  chatMemberParamsSchema,
  chatParamsSchema,
  createGroupChatSchema,
  openDirectChatSchema,
  renameChatSchema,
  type ChatList,
  type ChatResponse,
  type ChatTokenResponse,
} from '../domain/chat/chat-api.ts';
import { requireUser } from '../http/auth.ts';
import { rateLimits } from '../http/rate-limit.ts';
import type { PublicEnv } from '../http/types.ts';
import { validate } from '../http/validation.ts';
import type { Services } from '../services.ts';

/**
 * Chats (`/v1/chats…`) and the GetStream token (`/v1/chat/token`). The rules are the chat service's; a
 * refused call changes nothing, here or in GetStream.
 */
export function chatRoutes(services: Services) {
  const { service, provider } = services.chat;
  const user = requireUser({ verifier: services.tokens.verifier, directory: services.directory });
  const limit = rateLimits(services);

  return new Hono<PublicEnv>()
    .post('/chat/token', user, limit('token'), async (c) => {
      // The directory's record of the caller (its name as the LMS synced it): cached, no query.
      const me = await services.directory.ensureUser(c.get('principal'));
      const { userId, token, expiresAt } = await service.clientToken(me);
      const body: ChatTokenResponse = {
        apiKey: provider.connection.apiKey,
        userId,
        token,
        expiresAt: expiresAt.toISOString(),
        baseURL: provider.connection.baseURL,
      };
      return c.json(body, 200);
    })
    .get('/chats', user, async (c) => {
      const body: ChatList = { chats: await service.list(c.get('principal')) };
      return c.json(body, 200);
    })
    .post('/chats', user, validate('json', createGroupChatSchema), limit('chat-create'), async (c) => {
      const body: ChatResponse = { chat: await service.createGroup(c.get('principal'), c.req.valid('json')) };
      return c.json(body, 201);
    })
    .post('/chats/direct', user, validate('json', openDirectChatSchema), limit('chat-create'), async (c) => {
      const { chat, created } = await service.openDirect(c.get('principal'), c.req.valid('json').userId);
      const body: ChatResponse = { chat };
      // 201 when this call made the chat, 200 when the pair had it already.
      return created ? c.json(body, 201) : c.json(body, 200);
    })
    .patch(
      '/chats/:id',
      user,
      validate('param', chatParamsSchema),
      validate('json', renameChatSchema),
      async (c) => {
        const { id } = c.req.valid('param');
        const body: ChatResponse = {
          chat: await service.rename(c.get('principal'), id, c.req.valid('json').name),
        };
        return c.json(body, 200);
      },
    )
    .post(
      '/chats/:id/members',
      user,
      validate('param', chatParamsSchema),
      validate('json', addChatMembersSchema),
      async (c) => {
        const { id } = c.req.valid('param');
        const body: ChatResponse = {
          chat: await service.addMembers(c.get('principal'), id, c.req.valid('json').userIds),
        };
        return c.json(body, 200);
      },
    )
    .delete('/chats/:id/members/:userId', user, validate('param', chatMemberParamsSchema), async (c) => {
      const { id, userId } = c.req.valid('param');
      const body: ChatResponse = { chat: await service.removeMember(c.get('principal'), id, userId) };
      return c.json(body, 200);
    })
    .delete('/chats/:id', user, validate('param', chatParamsSchema), async (c) => {
      await service.deleteChat(c.get('principal'), c.req.valid('param').id);
      return c.body(null, 204);
    });
}
