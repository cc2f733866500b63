import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type MiddlewareHandler } from 'hono';
import { ApiError } from '../domain/errors.ts';
import type { PublicEnv } from './types.ts';

/** The repository root, found from this file rather than the working directory the server started in. */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface StaticRoots {
  /** The built SDK (`vite build` → `dist/sdk`), served at `/sdk/*` in every mode. */
  sdk: string;
  /** The demo LMS, served at `/` in dev mode only. */
  examples: string;
}

export const DEFAULT_STATIC_ROOTS: StaticRoots = {
  sdk: fileURLToPath(new URL('dist/sdk/', `file://${REPO_ROOT}`)),
  examples: fileURLToPath(new URL('examples/', `file://${REPO_ROOT}`)),
};

/**
 * For the pages the hub serves: only its own scripts; connections to itself (and WebSockets, which the
 * chat emulator and the call mesh use); inline styles for the demo's `style` attributes. `publicOrigin`
 * (from HUB_PUBLIC_URL) is allowed beside 'self': the emulator hands browsers URLs under it, and a page
 * opened at another name of the same host (127.0.0.1 for localhost) must still reach them.
 */
export function contentSecurityPolicy(publicOrigin?: string): string {
  const also = publicOrigin ? ` ${publicOrigin}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    `connect-src 'self' ws: wss:${also}`,
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${also}`,
    `media-src 'self' blob:${also}`,
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'self'",
  ].join('; ');
}

export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

/**
 * The headers of every HTML page the hub serves (the demo LMS, the dev mailbox): the policy above, no
 * MIME sniffing, and no `Referer` to anyone (a page's URL may carry a deep link or a feed token).
 */
export function pageSecurityHeaders(policy: string = CONTENT_SECURITY_POLICY): Record<string, string> {
  return {
    'Content-Security-Policy': policy,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}

/** Vite names code-split chunks `chunks/<name>-<hash>.js`: their content never changes under a name. */
const HASHED_ASSET = /(^|\/)chunks\/|-[A-Za-z0-9_-]{8,}\.(js|css|map)$/;

function cacheHeaders(policy: string): MiddlewareHandler<PublicEnv> {
  return async (c, next) => {
    await next();
    if (c.res.status !== 200 && c.res.status !== 206) return;
    c.header('X-Content-Type-Options', 'nosniff');
    // The entry keeps its name across releases, so browsers revalidate it; hashed chunks are immutable.
    c.header(
      'Cache-Control',
      HASHED_ASSET.test(c.req.path) ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    if (c.res.headers.get('Content-Type')?.startsWith('text/html')) {
      for (const [name, value] of Object.entries(pageSecurityHeaders(policy))) c.header(name, value);
    }
    // The service worker lives under /sdk/ but serves the whole hub page, so it may claim the root scope.
    if (c.req.path.endsWith('/teacher-hub-sw.js')) c.header('Service-Worker-Allowed', '/');
  };
}

/** `serveStatic` for a root that may appear later (the SDK is built after the server starts in some flows). */
function serveFrom(
  root: string,
  options: { stripPrefix?: string; missing: string },
): MiddlewareHandler<PublicEnv> {
  let serve: MiddlewareHandler | undefined;
  return async (c, next) => {
    if (!serve) {
      if (!existsSync(root)) throw new ApiError('NOT_FOUND', options.missing);
      serve = serveStatic({
        root,
        rewriteRequestPath: options.stripPrefix
          ? (path) => path.slice(options.stripPrefix?.length ?? 0) || '/'
          : undefined,
      });
    }
    return serve(c, next);
  };
}

/** The SDK at `/sdk/*` (every mode) and, in dev mode, the demo LMS at `/`. */
export function staticRoutes(options: { devMode: boolean; roots?: StaticRoots; publicUrl?: string }) {
  const roots = options.roots ?? DEFAULT_STATIC_ROOTS;
  const policy = contentSecurityPolicy(options.publicUrl ? new URL(options.publicUrl).origin : undefined);
  const app = new Hono<PublicEnv>();
  app.on(
    ['GET', 'HEAD'],
    '/sdk/*',
    cacheHeaders(policy),
    serveFrom(roots.sdk, {
      stripPrefix: '/sdk',
      missing: 'The SDK bundle is not built yet: run `npm run build:sdk`.',
    }),
  );
  if (options.devMode) {
    // Mounted after the API, so a route always wins over a file of the demo.
    app.on(
      ['GET', 'HEAD'],
      '/*',
      cacheHeaders(policy),
      serveFrom(roots.examples, { missing: 'The demo LMS (examples/) is missing.' }),
    );
  }
  return app;
}
