import type { CallResponse, CallTokenResponse, JoinCallResponse, LiveNow } from '@teacher-hub/protocol';
import { Hono } from 'hono';
import { z } from 'zod';
import { chatParamsSchema } from '../domain/chat/chat-api.ts';
import { requireUser } from '../http/auth.ts';
import { rateLimits } from '../http/rate-limit.ts';
import type { PublicEnv } from '../http/types.ts';
import { validate } from '../http/validation.ts';
import type { Services } from '../services.ts';

/** Call ids are UUIDs the hub made; anything else in a URL is not a call of ours. */
const callParamsSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'is not a call id'),
});

/**
 * Instant calls (`/v1/chats/:id/calls`, `/v1/calls/:id…`) and what is live now (`/v1/live`). The rules are
 * the call service's; a refused call changes nothing, here or at the video provider.
 */
export function callRoutes(services: Services) {
  const { service } = services.calls;
  const user = requireUser({ verifier: services.tokens.verifier, directory: services.directory });
  const limit = rateLimits(services);
  type Action = 'decline' | 'leave' | 'end';

  const routes = new Hono<PublicEnv>()
    .post('/chats/:id/calls', user, validate('param', chatParamsSchema), limit('call'), async (c) => {
      const { call, created } = await service.start(c.get('principal'), c.req.valid('param').id);
      const body: CallResponse = { call };
      // 201 when this request started the call, 200 with the call already going in the chat.
      return created ? c.json(body, 201) : c.json(body, 200);
    })
    .get('/calls/:id', user, validate('param', callParamsSchema), async (c) => {
      const body: CallResponse = { call: await service.get(c.get('principal'), c.req.valid('param').id) };
      return c.json(body, 200);
    })
    .post('/calls/:id/join', user, validate('param', callParamsSchema), limit('token'), async (c) => {
      const body: JoinCallResponse = await service.join(c.get('principal'), c.req.valid('param').id);
      return c.json(body, 200);
    })
    .post('/calls/:id/token', user, validate('param', callParamsSchema), limit('token'), async (c) => {
      const body: CallTokenResponse = {
        video: await service.token(c.get('principal'), c.req.valid('param').id),
      };
      return c.json(body, 200);
    })
    .get('/live', user, async (c) => {
      const principal = c.get('principal');
      const body: LiveNow = {
        calls: await service.live(principal),
        sessions: await services.sessions.service.live(principal),
      };
      return c.json(body, 200);
    });

  const actions: Action[] = ['decline', 'leave', 'end'];
  for (const action of actions) {
    routes.post(`/calls/:id/${action}`, user, validate('param', callParamsSchema), async (c) => {
      const body: CallResponse = { call: await service[action](c.get('principal'), c.req.valid('param').id) };
      return c.json(body, 200);
    });
  }
  return routes;
}
