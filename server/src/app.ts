import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { ApiError } from './domain/errors.ts';
import { createOriginMatcher } from './http/cors.ts';
import { handleError, handleNotFound } from './http/errors.ts';
import { requestHeader, requestIds } from './http/request-header.ts';
import { staticRoutes, type StaticRoots } from './http/static.ts';
import type { PublicEnv } from './http/types.ts';
import { EMULATOR_PATH } from './chat.ts';
import { adminRoutes } from './routes/admin.ts';
import { authRoutes } from './routes/auth.ts';
import { callRoutes } from './routes/calls.ts';
import { chatRoutes } from './routes/chats.ts';
import { devMailboxRoutes } from './routes/dev-mailbox.ts';
import { healthRoutes } from './routes/health.ts';
import { notificationRoutes, type NotificationRouteOptions } from './routes/notifications.ts';
import { rosterRoutes } from './routes/roster.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import type { Services } from './services.ts';

/**
 * Bootstrap's stylesheet (and its source map) for the demo's second host page, `examples/bootstrap.html`,
 * read from `node_modules`: dev mode works offline, with no CDN. Dev mode only, like the demo.
 */
const VENDOR_FILES: Record<string, { specifier: string; type: string }> = {
  'bootstrap.min.css': { specifier: 'bootstrap/dist/css/bootstrap.min.css', type: 'text/css; charset=utf-8' },
  'bootstrap.min.css.map': {
    specifier: 'bootstrap/dist/css/bootstrap.min.css.map',
    type: 'application/json; charset=utf-8',
  },
};

function vendorRoutes() {
  const resolve = createRequire(import.meta.url).resolve;
  return new Hono<PublicEnv>().on(['GET', 'HEAD'], '/vendor/:file', async (c) => {
    const file = VENDOR_FILES[c.req.param('file')];
    let body: Buffer | undefined;
    try {
      if (file) body = await readFile(resolve(file.specifier));
    } catch {
      // Not installed (an install without devDependencies): answered below like any unknown file.
    }
    if (!file || !body) throw new ApiError('NOT_FOUND', `There is no ${c.req.path}.`);
    c.header('Content-Type', file.type);
    c.header('Cache-Control', 'no-cache');
    c.header('X-Content-Type-Options', 'nosniff');
    return c.body(new Uint8Array(body), 200);
  });
}

export interface AppOptions {
  /** Where the SDK bundle and the demo LMS are read from; defaults to `dist/sdk` and `examples` of the repo. */
  staticRoots?: StaticRoots;
  notifications?: NotificationRouteOptions;
}

/** What @hono/node-server passes as `c.env`; absent for in-process requests (`app.request()`). */
interface NodeBindings {
  incoming?: { httpVersionMajor?: number };
}

/** Builds the hub's HTTP app from its services. `AppType` (below) is its exact type for typed clients. */
export function createApp(services: Services, options: AppOptions = {}) {
  const { config, logger } = services;
  const isAllowedOrigin = createOriginMatcher(config.http.allowedOrigins);
  const limitBody = bodyLimit({
    maxSize: config.http.maxBodyBytes,
    onError: () => {
      throw new ApiError(
        'PAYLOAD_TOO_LARGE',
        `The request body is larger than ${config.http.maxBodyBytes} bytes.`,
      );
    },
  });

  const app = new Hono<PublicEnv>();
  app.onError(handleError(logger));
  app.notFound(handleNotFound);
  app.use(requestIds());
  // The GetStream emulator (dev mode) answers CORS itself (any origin: clients send tokens, not cookies),
  // has its own body limits (uploads are larger) and errors in GetStream's shape, so it goes before the
  // hub's middleware: its routes answer and nothing after them runs.
  if (services.chat.emulator) app.route(EMULATOR_PATH, services.chat.emulator.app);
  const allowCors = cors({
    origin: (origin) => (isAllowedOrigin(origin) ? origin : null),
    credentials: true,
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
    exposeHeaders: ['X-Request-Id'],
    maxAge: 600,
  });
  // Another origin gets no CORS header at all (not even Allow-Credentials), and its preflight falls
  // through to a 404: the browser refuses both. `Vary` keeps caches from mixing the two answers.
  app.use((c, next) => {
    const origin = requestHeader(c, 'Origin');
    if (origin !== undefined && isAllowedOrigin(origin)) return allowCors(c, next);
    c.header('Vary', 'Origin');
    return next();
  });
  // The admin directory has its own, larger limit, checked after its key. An HTTP/1.1 request from the
  // Node server that is not chunked is judged by its Content-Length alone (none means no body), as
  // `bodyLimit` would, but without reading `raw.body`, which makes @hono/node-server build a whole Request
  // and stream for it: most of what a bodiless POST (a token route) would otherwise cost.
  app.use((c, next) => {
    if (c.req.path.startsWith('/v1/admin/')) return next();
    const length = requestHeader(c, 'Content-Length');
    const judgedByHeader =
      (c.env as NodeBindings | undefined)?.incoming?.httpVersionMajor === 1 &&
      requestHeader(c, 'Transfer-Encoding') === undefined &&
      (length === undefined || Number(length) <= config.http.maxBodyBytes);
    return judgedByHeader ? next() : limitBody(c, next);
  });

  const routes = app
    .route('/', healthRoutes(services))
    .route('/v1', authRoutes(services))
    .route('/v1', rosterRoutes(services))
    .route('/v1', notificationRoutes(services, options.notifications))
    .route('/v1', chatRoutes(services))
    .route('/v1', callRoutes(services))
    .route('/', sessionRoutes(services))
    .route('/v1', webhookRoutes(services))
    .route('/', devMailboxRoutes(services))
    .route('/v1/admin', adminRoutes(services));

  if (config.mode === 'dev') app.route('/', vendorRoutes());
  app.route(
    '/',
    staticRoutes({
      devMode: config.mode === 'dev',
      roots: options.staticRoots,
      publicUrl: config.server.publicUrl,
    }),
  );
  return routes;
}

export type AppType = ReturnType<typeof createApp>;
