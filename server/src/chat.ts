import { randomBytes, randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { streamAppProblems } from './adapters/chat/stream-app.ts';
import { StreamChatProvider } from './adapters/chat/stream-provider.ts';
import { KyselyJobStore } from './adapters/jobs/job-store.ts';
import { KyselyChatRepository } from './adapters/storage/chat-repository.ts';
import type { Database } from './adapters/storage/database.ts';
import type { SettingsStore } from './adapters/storage/settings-store.ts';
import { ChatService } from './domain/chat/chat-service.ts';
import type { Clock } from './domain/clock.ts';
import type { DirectoryService } from './domain/directory/directory-service.ts';
import { createStreamEmulator, type StreamEmulator } from './emulators/stream/index.ts';
import type { HubConfig } from './env.ts';
import type { Logger } from './logger.ts';
import type { NotificationServices } from './notifications.ts';

/** The settings key of the emulator's API key and secret: generated at the first boot without GetStream. */
export const STREAM_DEV_CREDENTIALS_SETTING = 'chat.stream-dev-credentials';

/** Where the emulator is mounted on the hub; `stream-chat` clients get `${HUB_PUBLIC_URL}/stream`. */
export const EMULATOR_PATH = '/stream';

export interface ChatServices {
  readonly service: ChatService;
  readonly provider: StreamChatProvider;
  /** The local GetStream emulator when GetStream is not configured (dev mode); mounted at `/stream`. */
  readonly emulator: StreamEmulator | null;
  /**
   * Tells the emulator where this process listens, so its webhooks come back here (over loopback, whatever
   * `HUB_PUBLIC_URL` says). GetStream's webhook URL is set by `npm run setup:stream` instead.
   */
  listening(origin: string): Promise<void>;
  /** Closes the emulator's WebSockets and stops its webhooks; idempotent. */
  close(): Promise<void>;
}

export interface ChatDeps {
  config: HubConfig;
  database: Database;
  settings: SettingsStore;
  clock: Clock;
  logger: Logger;
  notifications: NotificationServices;
  directory: DirectoryService;
}

/** A GetStream app that is not set up for the hub; the message says what is wrong and how to fix it. */
export class StreamAppError extends Error {
  override readonly name = 'StreamAppError';
}

/**
 * Builds chat: GetStream when `STREAM_API_KEY`/`STREAM_API_SECRET` are set (after checking the app is safe
 * to use), otherwise the local emulator on the hub's own database. Registers the chat jobs with the
 * worker and rule 9 with the directory.
 */
export async function createChatServices(deps: ChatDeps): Promise<ChatServices> {
  const { config, database, settings, clock, logger, notifications, directory } = deps;
  let emulator: StreamEmulator | null = null;
  let provider: StreamChatProvider;

  if (config.stream) {
    provider = new StreamChatProvider({
      kind: 'stream',
      apiKey: config.stream.apiKey,
      apiSecret: config.stream.apiSecret,
      baseURL: config.stream.baseUrl,
      clientBaseURL: config.stream.baseUrl ?? null,
      tokenTtlSeconds: config.tokenTtlSeconds.stream,
      clock,
      logger,
    });
    await assertSafeStreamApp(provider, config.stream.apiKey);
  } else {
    const credentials = await settings.getOrCreate(STREAM_DEV_CREDENTIALS_SETTING, () => ({
      apiKey: `hub-dev-${randomBytes(6).toString('hex')}`,
      apiSecret: randomBytes(32).toString('base64url'),
    }));
    const publicBaseUrl = `${config.server.publicUrl}${EMULATOR_PATH}`;
    emulator = createStreamEmulator({
      ...credentials,
      db: database.db,
      publicBaseUrl,
      onError: (error, context) => logger.warn(`stream emulator: ${context}`, { error }),
    });
    await emulator.ready;
    // The hub's own calls reach the emulator in-process, through the same routes as browsers' calls.
    const mounted = new Hono().route(EMULATOR_PATH, emulator.app);
    provider = new StreamChatProvider({
      kind: 'emulator',
      ...credentials,
      baseURL: publicBaseUrl,
      clientBaseURL: publicBaseUrl,
      fetch: (input, init) => Promise.resolve(mounted.fetch(new Request(input, init))),
      tokenTtlSeconds: config.tokenTtlSeconds.stream,
      clock,
      logger,
    });
  }

  const service = new ChatService({
    repository: new KyselyChatRepository(database.db, { platforms: notifications.platforms }),
    provider,
    notifier: notifications.notifier,
    jobs: new KyselyJobStore(database.db),
    clock,
    newId: randomUUID,
    logger,
  });
  for (const [kind, handler] of Object.entries(service.jobHandlers())) notifications.handle(kind, handler);
  directory.onEnrollmentsRemoved(async (removed) => {
    await service.applyEnrollmentRemovals(removed);
  });

  let closed: Promise<void> | undefined;
  return {
    service,
    provider,
    emulator,
    async listening(origin) {
      if (!emulator) return;
      await provider.client.updateAppSettings({ webhook_url: `${origin}/v1/webhooks/stream` });
    },
    close() {
      closed ??= emulator ? emulator.close() : Promise.resolve();
      return closed;
    },
  };
}

async function assertSafeStreamApp(provider: StreamChatProvider, apiKey: string): Promise<void> {
  let problems: string[];
  try {
    problems = await streamAppProblems(provider.client);
  } catch (error) {
    throw new StreamAppError(
      `The hub cannot read the settings of the GetStream app ${apiKey} (STREAM_API_KEY / STREAM_API_SECRET / STREAM_BASE_URL): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (problems.length > 0) {
    throw new StreamAppError(
      [
        `The GetStream app ${apiKey} is not safe for Teacher Hub, so the hub does not start:`,
        ...problems.map((problem) => `  - ${problem}`),
        'Run `npm run setup:stream` (with the same STREAM_* and HUB_PUBLIC_URL) to configure it.',
      ].join('\n'),
    );
  }
}
