import { Hono } from 'hono';
import { requireUser } from '../http/auth.ts';
import type { PublicEnv } from '../http/types.ts';
import type { Services } from '../services.ts';

/** `GET /v1/roster`: a teacher's courses with their students; a student's courses with their teachers. */
export function rosterRoutes(services: Services) {
  const user = requireUser({ verifier: services.tokens.verifier, directory: services.directory });
  return new Hono<PublicEnv>().get('/roster', user, async (c) =>
    c.json(await services.directory.roster(c.get('principal')), 200),
  );
}
