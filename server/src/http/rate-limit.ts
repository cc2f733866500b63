import type { MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { RateLimitBucket, RateLimiter } from '../domain/abuse/rate-limiter.ts';
import { ApiError } from '../domain/errors.ts';
import type { Principal } from '../domain/identity.ts';
import type { PublicEnv } from './types.ts';

interface SocketBindings {
  incoming?: { socket?: { remoteAddress?: string } };
}

/**
 * The client's address: the peer of the TCP connection, or, behind `trustProxyHops` reverse proxies, the
 * address the outermost trusted proxy appended to `X-Forwarded-For` (entries to its left are the
 * client's own claims and can be forged). Undefined in-process (`app.request()` without a socket).
 */
export function clientAddress(
  request: { header(name: string): string | undefined },
  bindings: unknown,
  trustProxyHops: number,
): string | undefined {
  if (trustProxyHops > 0) {
    const forwarded = (request.header('X-Forwarded-For') ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    const address = forwarded[forwarded.length - trustProxyHops] ?? forwarded[0];
    if (address) return address.toLowerCase();
  }
  const peer = (bindings as SocketBindings | undefined)?.incoming?.socket?.remoteAddress;
  // An IPv4 peer on a dual-stack socket reads as ::ffff:a.b.c.d; count it as a.b.c.d.
  return peer?.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
}

/**
 * Counts the request against its bucket for the caller (when a `requireUser` before it set one) and
 * the client IP; over either limit it answers 429 `RATE_LIMITED` with `Retry-After` (seconds) before
 * the handler runs, so a limited request changes nothing.
 */
export function rateLimit(
  limiter: RateLimiter,
  bucket: RateLimitBucket,
  options: { trustProxyHops: number },
): MiddlewareHandler<PublicEnv> {
  // `principal` is there when a `requireUser` ran before. `c.get()`: `c.var` copies every variable each time.
  return createMiddleware<PublicEnv & { Variables: { principal?: Principal } }>(async (c, next) => {
    const principal = c.get('principal');
    // Without an address (an in-process request, never one from the Node server) only the user counts.
    const verdict = await limiter.check(bucket, {
      userId: principal?.id,
      ip: clientAddress(c.req, c.env, options.trustProxyHops),
    });
    if (!verdict.allowed) {
      c.header('Retry-After', String(verdict.retryAfterSeconds));
      throw new ApiError(
        'RATE_LIMITED',
        `Too many requests (more than ${verdict.limit} per ${limiter.config.windowSeconds} s ${verdict.scope === 'user' ? 'for this user' : 'from this address'}). Try again in ${verdict.retryAfterSeconds} s.`,
      );
    }
    await next();
  });
}

/** `rateLimit` bound to the app's limiter and proxy setting: `const limit = rateLimits(services)`. */
export function rateLimits(deps: {
  rateLimiter: RateLimiter;
  config: { http: { trustProxyHops: number } };
}): (bucket: RateLimitBucket) => MiddlewareHandler<PublicEnv> {
  return (bucket) => rateLimit(deps.rateLimiter, bucket, { trustProxyHops: deps.config.http.trustProxyHops });
}
