import { Hono } from 'hono';
import type { PublicEnv } from '../http/types.ts';
import type { Services } from '../services.ts';

/** `GET /health`: mode and providers; 503 when the database does not answer. */
export function healthRoutes(services: Services) {
  return new Hono<PublicEnv>().get('/health', async (c) => {
    const health = await services.health();
    if (!health.ok) return c.json(health, 503);
    return c.json(health, 200);
  });
}
