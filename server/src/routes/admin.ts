import { directorySyncSchema } from '@teacher-hub/protocol';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from '../domain/errors.ts';
import { requireAdmin } from '../http/auth.ts';
import type { PublicEnv } from '../http/types.ts';
import { validate } from '../http/validation.ts';
import type { Services } from '../services.ts';

/** The LMS's side of the hub, with `Authorization: Bearer <HUB_ADMIN_KEY>`. */
export function adminRoutes(services: Services) {
  const { maxAdminBodyBytes } = services.config.http;
  return new Hono<PublicEnv>().put(
    '/directory',
    // The key is checked before the (large) body is read.
    requireAdmin(services.config.admin.key),
    bodyLimit({
      maxSize: maxAdminBodyBytes,
      onError: () => {
        throw new ApiError('PAYLOAD_TOO_LARGE', `The directory is larger than ${maxAdminBodyBytes} bytes.`);
      },
    }),
    validate('json', directorySyncSchema),
    async (c) => c.json(await services.directory.sync(c.req.valid('json')), 200),
  );
}
