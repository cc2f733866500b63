import {
  cancelSessionSchema,
  createSessionSchema,
  occurrenceActionSchema,
  updateSessionSchema,
  type AttendanceResponse,
  type CalendarFeedResponse,
  type JoinSessionResponse,
  type OccurrenceActionRequest,
  type OccurrenceList,
  type OccurrenceResponse,
  type SessionResponse,
} from '@teacher-hub/protocol';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { ApiError } from '../domain/errors.ts';
import { requireUser } from '../http/auth.ts';
import { rateLimits } from '../http/rate-limit.ts';
import type { PublicEnv } from '../http/types.ts';
import { detailsOf, validate } from '../http/validation.ts';
import type { Services } from '../services.ts';

/** Session ids are UUIDs the hub made; anything else in a URL is not a session of ours. */
const sessionParamsSchema = z.object({
  id: z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'is not a session id'),
});
const listQuerySchema = z
  .object({
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
const attendanceQuerySchema = z.object({ occurrenceStart: z.iso.datetime({ offset: true }) }).strict();
/** `<token>.ics`: the token is 32 base64url characters. */
const feedParamsSchema = z.object({ file: z.string().regex(/^[A-Za-z0-9_-]{16,64}\.ics$/) });

/** The optional `{occurrenceStart}` body of start / join / end: none at all means the default occurrence. */
async function occurrenceAction(c: Context): Promise<OccurrenceActionRequest> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError('VALIDATION_FAILED', 'The request body is not valid JSON.', [
      { path: '', message: 'is not JSON' },
    ]);
  }
  const parsed = occurrenceActionSchema.safeParse(body);
  if (!parsed.success) {
    throw new ApiError('VALIDATION_FAILED', 'The request json is not valid.', detailsOf(parsed.error));
  }
  return parsed.data;
}

/**
 * Scheduled sessions (`/v1/sessions…`), the calendar feed (`/v1/calendar/feed`) and the feed itself
 * (`/calendar/<token>.ics`, no auth: the token is the key). The rules are the session service's; a refused
 * call changes nothing. Mounted at `/`.
 */
export function sessionRoutes(services: Services) {
  const { service } = services.sessions;
  const user = requireUser({ verifier: services.tokens.verifier, directory: services.directory });
  const limit = rateLimits(services);

  return new Hono<PublicEnv>()
    .post('/v1/sessions', user, validate('json', createSessionSchema), async (c) => {
      const body: SessionResponse = {
        session: await service.create(c.get('principal'), c.req.valid('json')),
      };
      return c.json(body, 201);
    })
    .get('/v1/sessions', user, validate('query', listQuerySchema), async (c) => {
      const body: OccurrenceList = {
        occurrences: await service.list(c.get('principal'), c.req.valid('query')),
      };
      return c.json(body, 200);
    })
    .get('/v1/sessions/:id', user, validate('param', sessionParamsSchema), async (c) => {
      const body: SessionResponse = {
        session: await service.get(c.get('principal'), c.req.valid('param').id),
      };
      return c.json(body, 200);
    })
    .patch(
      '/v1/sessions/:id',
      user,
      validate('param', sessionParamsSchema),
      validate('json', updateSessionSchema),
      async (c) => {
        const session = await service.update(
          c.get('principal'),
          c.req.valid('param').id,
          c.req.valid('json'),
        );
        const body: SessionResponse = { session };
        return c.json(body, 200);
      },
    )
    .post(
      '/v1/sessions/:id/cancel',
      user,
      validate('param', sessionParamsSchema),
      validate('json', cancelSessionSchema),
      async (c) => {
        const session = await service.cancel(
          c.get('principal'),
          c.req.valid('param').id,
          c.req.valid('json'),
        );
        const body: SessionResponse = { session };
        return c.json(body, 200);
      },
    )
    .post('/v1/sessions/:id/start', user, validate('param', sessionParamsSchema), async (c) => {
      const request = await occurrenceAction(c);
      const body: OccurrenceResponse = {
        occurrence: await service.start(c.get('principal'), c.req.valid('param').id, request),
      };
      return c.json(body, 200);
    })
    .post(
      '/v1/sessions/:id/join',
      user,
      validate('param', sessionParamsSchema),
      limit('token'),
      async (c) => {
        const request = await occurrenceAction(c);
        const body: JoinSessionResponse = await service.join(
          c.get('principal'),
          c.req.valid('param').id,
          request,
        );
        return c.json(body, 200);
      },
    )
    .post('/v1/sessions/:id/end', user, validate('param', sessionParamsSchema), async (c) => {
      const request = await occurrenceAction(c);
      const body: OccurrenceResponse = {
        occurrence: await service.end(c.get('principal'), c.req.valid('param').id, request),
      };
      return c.json(body, 200);
    })
    .get(
      '/v1/sessions/:id/attendance',
      user,
      validate('param', sessionParamsSchema),
      validate('query', attendanceQuerySchema),
      async (c) => {
        const attendance = await service.attendance(
          c.get('principal'),
          c.req.valid('param').id,
          c.req.valid('query').occurrenceStart,
        );
        const body: AttendanceResponse = { attendance };
        return c.json(body, 200);
      },
    )
    .get('/v1/calendar/feed', user, async (c) => {
      const body: CalendarFeedResponse = { url: await service.feedUrl(c.get('principal')) };
      return c.json(body, 200);
    })
    .delete('/v1/calendar/feed', user, async (c) => {
      await service.revokeFeed(c.get('principal'));
      return c.body(null, 204);
    })
    .get('/calendar/:file', async (c) => {
      const parsed = feedParamsSchema.safeParse(c.req.param());
      const feed = parsed.success ? await service.feed(parsed.data.file.slice(0, -'.ics'.length)) : undefined;
      if (feed === undefined) throw new ApiError('NOT_FOUND', 'There is no such calendar feed.');
      return c.body(feed, 200, {
        'Content-Type': 'text/calendar; charset=utf-8',
        'Cache-Control': 'private, max-age=300',
      });
    });
}
