/**
 * A local GetStream Chat API: the REST and WebSocket surface `stream-chat` uses for the hub's features,
 * Stream's permission model for client tokens, webhooks signed like Stream's, and state in the hub's
 * database so a demo survives a restart. It knows nothing of the hub: it stands in for GetStream.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { WebSocketServer } from 'ws';
import { acceptConnection } from './connect.ts';
import { authenticateRequest, type EmulatorContext, type EmulatorEnv, type UploadLimits } from './context.ts';
import { errorBody, ErrorCode, StreamApiError } from './errors.ts';
import { LiveConnections, type Connection } from './live.ts';
import { adminRoutes } from './routes-admin.ts';
import { channelRoutes, stopWatchingEvent } from './routes-channels.ts';
import { messageRoutes } from './routes-messages.ts';
import { threadRoutes } from './routes-threads.ts';
import { DEFAULT_UPLOAD_LIMITS, fileServingRoutes, uploadRoutes } from './routes-uploads.ts';
import { migrations, type StreamDatabase } from './schema.ts';
import {
  ensureBuiltInChannelTypes,
  getAppSettings,
  saveAppSettings,
  touchLastActive,
  type AppSettings,
} from './store.ts';
import { WebhookSender } from './webhooks.ts';

export interface StreamEmulatorOptions {
  apiKey: string;
  apiSecret: string;
  /**
   * The hub's database (PGlite or PostgreSQL through Kysely's PostgresDialect). The emulator creates and
   * migrates its own `stream_*` tables, with its history in `stream_migrations`.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>;
  /**
   * The public URL the emulator is mounted at, prefix included (e.g. `http://localhost:8787/stream`);
   * uploaded files are served under it.
   */
  publicBaseUrl: string;
  /** Where events are posted (the hub's `/v1/webhooks/stream`); overrides the app's `webhook_url`. */
  webhookUrl?: string;
  now?: () => Date;
  uploadLimits?: Partial<UploadLimits>;
  /** Delays between webhook attempts; their count + 1 is the number of attempts. Default 0.5 s, 2 s, 5 s. */
  webhookRetryDelaysMs?: number[];
  /** Reports failed webhook attempts and internal errors (default: console.warn). */
  onError?: (error: unknown, context: string) => void;
}

export interface StreamEmulator {
  /** Mount it under a prefix: `app.route('/stream', emulator.app)`; `stream-chat` then gets that as `baseURL`. */
  app: Hono<EmulatorEnv>;
  /** Hands a WebSocket upgrade for `<prefix>/connect` to the emulator (from the Node server's `upgrade` event). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Resolves once the emulator's tables are migrated and seeded. */
  ready: Promise<void>;
  /** Resolves when every webhook queued so far was delivered or given up on (for tests). */
  webhooksIdle(): Promise<void>;
  /** Closes every WebSocket and stops webhook retries. The database is left open: it is the hub's. */
  close(): Promise<void>;
}

class InlineMigrations implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}

export function createStreamEmulator(options: StreamEmulatorOptions): StreamEmulator {
  // The emulator's queries name columns as stored: plugins of the hub's instance (CamelCase…) must not apply.
  const db = (options.db as Kysely<StreamDatabase>).withoutPlugins();
  const now = options.now ?? (() => new Date());
  const report =
    options.onError ??
    ((error: unknown, context: string) => console.warn(`[stream emulator] ${context}:`, error));
  const live = new LiveConnections();
  let settings: AppSettings | undefined;

  const ctx: EmulatorContext = {
    db,
    apiKey: options.apiKey,
    apiSecret: options.apiSecret,
    secretKey: new TextEncoder().encode(options.apiSecret),
    now,
    live,
    webhooks: new WebhookSender({
      apiKey: options.apiKey,
      apiSecret: options.apiSecret,
      target: () => options.webhookUrl || settings?.webhook_url || undefined,
      retryDelaysMs: options.webhookRetryDelaysMs ?? [500, 2000, 5000],
      timeoutMs: 5000,
      onError: (error, attempt) => report(error, `webhook attempt ${attempt}`),
    }),
    settings: () => {
      if (!settings) throw new Error('the emulator is not ready');
      return settings;
    },
    saveSettings: async (next) => {
      await saveAppSettings(db, next, now());
      settings = next;
    },
    uploadLimits: {
      maxBytes: options.uploadLimits?.maxBytes ?? DEFAULT_UPLOAD_LIMITS.maxBytes,
      allowedImageTypes: options.uploadLimits?.allowedImageTypes ?? DEFAULT_UPLOAD_LIMITS.allowedImageTypes,
      allowedFileTypes:
        options.uploadLimits?.allowedFileTypes !== undefined
          ? options.uploadLimits.allowedFileTypes
          : DEFAULT_UPLOAD_LIMITS.allowedFileTypes,
    },
    publicBaseUrl: options.publicBaseUrl.replace(/\/+$/, ''),
  };

  const ready = (async () => {
    // Bookkeeping tables in the connection's own schema (as the hub's migrations do): Kysely otherwise
    // finds another schema's lock table in a shared database, skips creating its own, and fails.
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    const migrator = new Migrator({
      db,
      migrationTableSchema: rows[0]?.schema ?? 'public',
      provider: new InlineMigrations(),
      migrationTableName: 'stream_migrations',
      migrationLockTableName: 'stream_migrations_lock',
    });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error;
    await ensureBuiltInChannelTypes(db, now());
    settings = await getAppSettings(db);
  })();
  // Requests await `ready` and report its failure; keep the rejection from being unhandled meanwhile.
  ready.catch((error: unknown) => report(error, 'migration'));

  const app = new Hono<EmulatorEnv>();
  app.use(
    '*',
    cors({
      origin: '*',
      allowHeaders: [
        'Authorization',
        'Content-Type',
        'stream-auth-type',
        'X-Stream-Client',
        'x-client-request-id',
      ],
      allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      maxAge: 600,
    }),
  );
  app.use('*', async (c, next) => {
    c.set('startedAt', performance.now());
    if (/%00/.test(c.req.url)) {
      throw new StreamApiError(ErrorCode.input, 400, 'NUL characters are not allowed in the URL');
    }
    await ready;
    await next();
  });
  app.onError((error, c) => {
    const apiError =
      error instanceof StreamApiError
        ? error
        : new StreamApiError(ErrorCode.internal, 500, 'internal error in the GetStream emulator');
    if (!(error instanceof StreamApiError)) report(error, `${c.req.method} ${c.req.path}`);
    return c.json(errorBody(apiError, c.get('startedAt') ?? performance.now()), apiError.status);
  });
  app.notFound((c) =>
    c.json(
      errorBody(
        new StreamApiError(
          ErrorCode.doesNotExist,
          404,
          `${c.req.method} ${c.req.path} is not part of the emulated API`,
        ),
        c.get('startedAt') ?? performance.now(),
      ),
      404,
    ),
  );
  // JSON bodies are small; uploads have their own limit (routes-uploads.ts).
  const jsonBodyLimit = bodyLimit({
    maxSize: 1024 * 1024,
    onError: () => {
      throw new StreamApiError(ErrorCode.payloadTooBig, 413, 'the request body is larger than 1 MiB');
    },
  });
  app.use('*', (c, next) => (/\/(file|image)$/.test(c.req.path) ? next() : jsonBodyLimit(c, next)));
  // File URLs work without credentials, like Stream's CDN links; everything else needs the API key and a token.
  app.route('/', fileServingRoutes(ctx));
  app.use('*', async (c, next) => {
    c.set('caller', await authenticateRequest(ctx, c));
    await next();
  });
  app.get('/hi', (c) => c.body(null, 200));
  app.route('/', adminRoutes(ctx));
  app.route('/', uploadRoutes(ctx));
  app.route('/', messageRoutes(ctx));
  app.route('/', threadRoutes(ctx));
  app.route('/', channelRoutes(ctx));

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  let closing = false;
  const closingWork = new Set<Promise<void>>();
  const onClosed = (connection: Connection): Promise<void> => {
    const stopped = live.remove(connection);
    // While shutting down the database may already be going away: forget the connection, write nothing.
    if (closing) return Promise.resolve();
    const work = (async () => {
      try {
        for (const cid of stopped) await stopWatchingEvent(ctx, cid, connection.userId);
        if (!live.isOnline(connection.userId)) await touchLastActive(db, connection.userId, now());
      } catch (error) {
        report(error, 'closing a connection');
      }
    })();
    closingWork.add(work);
    void work.finally(() => closingWork.delete(work));
    return work;
  };

  return {
    app,
    ready,
    handleUpgrade(request, socket, head) {
      sockets.handleUpgrade(request, socket, head, (ws) =>
        acceptConnection(ctx, ws, request, ready, onClosed),
      );
    },
    webhooksIdle: () => ctx.webhooks.idle(),
    async close() {
      closing = true;
      for (const connection of live.all()) connection.socket.close(1001, 'emulator shutting down');
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      await Promise.all(closingWork);
      await ctx.webhooks.close();
    },
  };
}
