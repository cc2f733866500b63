import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { DirectoryService } from '../domain/directory/directory-service.ts';
import { ApiError } from '../domain/errors.ts';
import type { TokenVerifier } from '../domain/identity.ts';
import { isMissingUserReference } from './errors.ts';
import { requestHeader } from './request-header.ts';
import type { PublicEnv, UserEnv } from './types.ts';

/** RFC 6750 b64token; a JWT is three base64url parts joined by dots. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = BEARER.exec(header);
  if (!match?.[1])
    throw new ApiError('UNAUTHENTICATED', 'The Authorization header must be "Bearer <token>".');
  return match[1];
}

export interface RequireUserOptions {
  /**
   * Also accept the token as `?access_token=` (only when there is no Authorization header). For the SSE
   * stream alone: `EventSource` cannot set headers, and URLs end up in logs, so no other route opts in.
   */
  allowQueryToken?: boolean;
}

/**
 * Authenticates the caller from `Authorization: Bearer <hub token>` and sets `principal`. A caller the
 * directory does not know yet is added from the token's claims, so an LMS can go live before its first sync.
 */
export function requireUser(
  deps: { verifier: TokenVerifier; directory: DirectoryService },
  options: RequireUserOptions = {},
): MiddlewareHandler<UserEnv> {
  return createMiddleware<UserEnv>(async (c, next) => {
    let token = bearerToken(requestHeader(c, 'Authorization'));
    if (token === undefined && options.allowQueryToken) token = c.req.query('access_token') || undefined;
    if (token === undefined) {
      throw new ApiError('UNAUTHENTICATED', 'Send the hub token as "Authorization: Bearer <token>".');
    }
    const principal = await deps.verifier.verify(token);
    await deps.directory.ensureUser(principal);
    c.set('principal', principal);
    await next();
    // The directory lost this user after it was checked (see `isMissingUserReference`): check again next time.
    if (isMissingUserReference(c.error)) deps.directory.forgetUser(principal.id);
  });
}

/** Compares in constant time (over digests, so lengths do not leak either). */
export function secretsMatch(expected: string, presented: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(expected), digest(presented));
}

/** Admin calls carry `Authorization: Bearer <HUB_ADMIN_KEY>`. */
export function requireAdmin(adminKey: string): MiddlewareHandler<PublicEnv> {
  return createMiddleware<PublicEnv>(async (c, next) => {
    const presented = bearerToken(requestHeader(c, 'Authorization'));
    if (presented === undefined) {
      throw new ApiError('UNAUTHENTICATED', 'Send the admin key as "Authorization: Bearer <HUB_ADMIN_KEY>".');
    }
    if (!secretsMatch(adminKey, presented))
      throw new ApiError('UNAUTHENTICATED', 'The admin key is not valid.');
    await next();
  });
}

/** Routes that exist in dev mode only answer 404 in production, as if they were not there. */
export function devModeOnly(isDevMode: boolean): MiddlewareHandler<PublicEnv> {
  return createMiddleware<PublicEnv>(async (c, next) => {
    if (!isDevMode) throw new ApiError('NOT_FOUND', `There is no ${c.req.method} ${c.req.path}.`);
    await next();
  });
}
