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
 * chat emulator and the call mesh use); inline styles for the demo's `style` attributes.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "connect-src 'self' ws: wss:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'self'",
].join('; ');

/** Vite names code-split chunks `chunks/<name>-<hash>.js`: their content never changes under a name. */
const HASHED_ASSET = /(^|\/)chunks\/|-[A-Za-z0-9_-]{8,}\.(js|css|map)$/;

function cacheHeaders(): MiddlewareHandler<PublicEnv> {
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
      c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
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
export function staticRoutes(options: { devMode: boolean; roots?: StaticRoots }) {
  const roots = options.roots ?? DEFAULT_STATIC_ROOTS;
  const app = new Hono<PublicEnv>();
  app.on(
    ['GET', 'HEAD'],
    '/sdk/*',
    cacheHeaders(),
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
      cacheHeaders(),
      serveFrom(roots.examples, { missing: 'The demo LMS (examples/) is missing.' }),
    );
  }
  return app;
}
