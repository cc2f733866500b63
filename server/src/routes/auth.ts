import { devTokenRequestSchema, type DevTokenResponse, type DevUsersResponse } from '@teacher-hub/protocol';
import { Hono } from 'hono';
import { ApiError } from '../domain/errors.ts';
import { devModeOnly, requireUser } from '../http/auth.ts';
import { rateLimits } from '../http/rate-limit.ts';
import type { PublicEnv } from '../http/types.ts';
import { validate } from '../http/validation.ts';
import type { Services } from '../services.ts';

/** Who the caller is (`GET /v1/me`), and dev mode's stand-in for a host LMS's token endpoint. */
export function authRoutes(services: Services) {
  const devOnly = devModeOnly(services.config.mode === 'dev');
  const user = requireUser({ verifier: services.tokens.verifier, directory: services.directory });
  // On /dev/token nobody is signed in yet: only the per-IP budget applies there.
  const limit = rateLimits(services);

  return new Hono<PublicEnv>()
    .post('/dev/token', devOnly, validate('json', devTokenRequestSchema), limit('token'), async (c) => {
      const { userId } = c.req.valid('json');
      const issuer = services.tokens.devIssuer;
      const found = await services.directory.findUser(userId);
      if (!issuer || !found)
        throw new ApiError('NOT_FOUND', `There is no user "${userId}" in the directory.`);
      const { token, expiresAt } = await issuer.issue({ id: found.id, name: found.name, role: found.role });
      const body: DevTokenResponse = { token, expiresAt: expiresAt.toISOString() };
      return c.json(body, 200);
    })
    .get('/dev/users', devOnly, async (c) => {
      const body: DevUsersResponse = { users: await services.directory.listUsers() };
      return c.json(body, 200);
    })
    .get('/me', user, async (c) => c.json(await services.directory.me(c.get('principal')), 200));
}
