import type { Health } from '@teacher-hub/protocol';
import { DEMO_DIRECTORY } from './adapters/directory/demo-directory.ts';
import { createCallServices, type CallServices } from './calls.ts';
import { createChatServices, type ChatServices } from './chat.ts';
import { createSessionServices, type SessionServices } from './sessions.ts';
import {
  createDevTokenIssuer,
  DEV_TOKEN_AUDIENCE,
  DEV_TOKEN_ISSUER,
  generateDevTokenSecret,
} from './adapters/identity/dev-token-issuer.ts';
import { createJwtVerifier } from './adapters/identity/jwt-verifier.ts';
import { openDatabase, type Database } from './adapters/storage/database.ts';
import { KyselyDirectoryRepository } from './adapters/storage/directory-repository.ts';
import { KyselyRateLimitStore } from './adapters/storage/rate-limit-store.ts';
import { SettingsStore } from './adapters/storage/settings-store.ts';
import { RateLimiter } from './domain/abuse/rate-limiter.ts';
import { systemClock, type Clock } from './domain/clock.ts';
import { DirectoryService } from './domain/directory/directory-service.ts';
import type { TokenIssuer, TokenVerifier } from './domain/identity.ts';
import type { HubConfig } from './env.ts';
import { createConsoleLogger, type Logger } from './logger.ts';
import {
  createNotificationServices,
  type NotificationServices,
  type ProviderTransport,
} from './notifications.ts';

/** The settings key of the dev token secret: generated at the first dev boot, so dev tokens survive restarts. */
export const DEV_TOKEN_SECRET_SETTING = 'identity.dev-token-secret';

export interface Services {
  readonly config: HubConfig;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly database: Database;
  readonly settings: SettingsStore;
  readonly directory: DirectoryService;
  /** Per-user and per-IP request budgets (token, chat creation, call, test notification routes). */
  readonly rateLimiter: RateLimiter;
  readonly tokens: {
    readonly verifier: TokenVerifier;
    /** Dev mode only: signs the tokens of `POST /v1/dev/token`. */
    readonly devIssuer: TokenIssuer | null;
  };
  /** The notification pipeline: outbox, delivery worker, live bus, providers. */
  readonly notifications: NotificationServices;
  /** Chats: the rules, GetStream (or its emulator in dev mode), the webhook's digests, rule 9. */
  readonly chat: ChatServices;
  /** Instant calls: the lifecycle, the video provider (100ms, or the local mesh and its relay). */
  readonly calls: CallServices;
  /** Scheduled sessions: series and occurrences, reminders, going live, attendance, calendar feeds. */
  readonly sessions: SessionServices;
  /** Starts the background work (the job worker); `main.ts` calls it, tests drive jobs themselves. */
  start(): void;
  /** `GET /health`: the providers in use, and whether the database answers. */
  health(): Promise<Health>;
  /** Closes the database (after in-flight queries); idempotent. */
  close(): Promise<void>;
}

export interface ServiceOptions {
  logger?: Logger;
  clock?: Clock;
  /** A PGlite data directory dump for `HUB_DATA_DIR=memory` (tests start faster from one). */
  pgliteTemplate?: Blob;
  /** How providers are reached (agents and CAs for local protocol peers in tests). */
  transport?: ProviderTransport;
  /** Names this instance in job leases and delivery attempts. */
  instanceId?: string;
}

/**
 * The one place that wires adapters to domain services (DESIGN.md "Shape"). Opens and migrates the
 * database, sets up token verification for the mode, and in dev mode seeds the demo directory.
 */
export async function createServices(config: HubConfig, options: ServiceOptions = {}): Promise<Services> {
  const logger = options.logger ?? createConsoleLogger();
  const clock = options.clock ?? systemClock;
  const database = await openDatabase(config.storage, {
    pgliteTemplate: options.pgliteTemplate,
    onPoolError: (error) => logger.error('database connection lost', { error }),
  });

  try {
    const settings = new SettingsStore(database.db);
    const directory = new DirectoryService({ repository: new KyselyDirectoryRepository(database.db) });

    let verifier: TokenVerifier;
    let devIssuer: TokenIssuer | null = null;
    const identity = config.identity;
    if (identity.kind === 'dev') {
      const secret = await settings.getOrCreate(DEV_TOKEN_SECRET_SETTING, generateDevTokenSecret);
      verifier = createJwtVerifier({
        key: { kind: 'secret', secret },
        issuer: DEV_TOKEN_ISSUER,
        audience: DEV_TOKEN_AUDIENCE,
        clock,
      });
      devIssuer = createDevTokenIssuer({ secret, clock });
      await directory.seed(DEMO_DIRECTORY);
    } else {
      verifier = createJwtVerifier({
        key:
          identity.kind === 'secret'
            ? { kind: 'secret', secret: identity.secret }
            : { kind: 'jwks', url: identity.url, algorithms: identity.algorithms },
        issuer: identity.issuer,
        audience: identity.audience,
        clock,
      });
    }

    const notifications = await createNotificationServices({
      config,
      database,
      settings,
      clock,
      logger,
      ...(options.transport ? { transport: options.transport } : {}),
      ...(options.instanceId ? { instanceId: options.instanceId } : {}),
    });
    let chat: ChatServices;
    try {
      chat = await createChatServices({
        config,
        database,
        settings,
        clock,
        logger,
        notifications,
        directory,
      });
    } catch (error) {
      await notifications.close();
      throw error;
    }
    let calls: CallServices;
    try {
      calls = await createCallServices({
        config,
        database,
        settings,
        clock,
        logger,
        notifications,
        ...(options.transport ? { transport: options.transport } : {}),
      });
    } catch (error) {
      await chat.close();
      await notifications.close();
      throw error;
    }

    // The directory's known-user cache is per instance: a write anywhere clears it everywhere, and so does
    // a reconnect of the live bus (the signal may have been missed while it was away).
    directory.onDirectoryChanged(async () => {
      await notifications.live
        .signal('directory.changed')
        .catch((error: unknown) =>
          logger.error('could not tell other instances of a directory change', { error }),
        );
    });
    notifications.live.onSignal((signal) => {
      if (signal === 'directory.changed') directory.forgetKnownUsers();
    });
    notifications.live.onResync(() => directory.forgetKnownUsers());

    const sessions = createSessionServices({
      config,
      database,
      clock,
      logger,
      notifications,
      chat,
      calls,
      directory,
    });

    const rateLimiter = new RateLimiter({
      store: new KyselyRateLimitStore(database.db),
      clock,
      config: config.rateLimits,
    });

    let closed: Promise<void> | undefined;
    return {
      config,
      logger,
      clock,
      database,
      settings,
      directory,
      rateLimiter,
      tokens: { verifier, devIssuer },
      notifications,
      chat,
      calls,
      sessions,
      start() {
        notifications.worker.start();
      },
      async health() {
        let ok = true;
        try {
          await database.ping();
        } catch (error) {
          ok = false;
          logger.error('health check: the database does not answer', { error });
        }
        return {
          ok,
          mode: config.mode,
          providers: {
            db: database.kind,
            chat: chat.provider.kind,
            video: calls.video.engine,
            push: notifications.pushChannels,
            email: notifications.email.kind,
          },
        };
      },
      close() {
        closed ??= calls
          .close()
          .catch((error: unknown) => logger.error('closing calls failed', { error }))
          .then(() => chat.close())
          .catch((error: unknown) => logger.error('closing chat failed', { error }))
          .then(() => notifications.close())
          .finally(() => database.close());
        return closed;
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
