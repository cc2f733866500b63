import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { Platform } from '@teacher-hub/protocol';
import pg from 'pg';
import type { EmailSender } from './adapters/email/email-sender.ts';
import { MailboxEmailSender } from './adapters/email/mailbox.ts';
import { SmtpEmailSender } from './adapters/email/smtp.ts';
import { JobWorker } from './adapters/jobs/job-worker.ts';
import {
  InProcessLiveBus,
  liveChannelFor,
  pgNotifyBatch,
  PostgresLiveBus,
  type LiveBus,
} from './adapters/live/live-bus.ts';
import { postgresLiveSpill } from './adapters/live/live-spill.ts';
import { createDeliveryHandler } from './adapters/notifications/delivery-handler.ts';
import { ApnsProvider } from './adapters/push/apns.ts';
import { FcmProvider } from './adapters/push/fcm.ts';
import type { PushChannel, PushProvider } from './adapters/push/push-provider.ts';
import { generateVapidKeys, WebPushProvider, type VapidKeys } from './adapters/push/webpush.ts';
import type { Database } from './adapters/storage/database.ts';
import {
  DELIVER_JOB,
  KyselyOutbox,
  NotificationStore,
  publicNotification,
} from './adapters/storage/notification-store.ts';
import type { SettingsStore } from './adapters/storage/settings-store.ts';
import type { Clock } from './domain/clock.ts';
import type { JobHandler } from './domain/jobs.ts';
import { Notifier } from './domain/notifications/notifier.ts';
import type { HubConfig } from './env.ts';
import type { Logger } from './logger.ts';

export const VAPID_KEYS_SETTING = 'webpush.vapid-keys';
const DEV_VAPID_SUBJECT = 'mailto:dev@teacher-hub.invalid';

/** Transport options for reaching providers through local peers (tests) or a corporate proxy. */
export interface ProviderTransport {
  /** Web push requests (and APNs / SMTP certificate trust through `ca`). */
  webPushAgent?: HttpsAgent;
  fcmHttpAgent?: HttpAgent;
  /** Extra CA certificates trusted for APNs and SMTP. */
  ca?: string | Buffer;
}

export interface NotificationServices {
  readonly notifier: Notifier;
  readonly store: NotificationStore;
  readonly live: LiveBus;
  readonly worker: JobWorker;
  readonly vapidPublicKey: string;
  /** Push channels with a provider (web push always; FCM and APNs when configured). */
  readonly pushChannels: PushChannel[];
  /** The device platforms notifications are delivered to (what the outbox writes deliveries for). */
  readonly platforms: ReadonlySet<Platform>;
  readonly email: EmailSender;
  /** Dev mode's mailbox, when email goes there. */
  readonly mailbox: MailboxEmailSender | null;
  /** Registers the handler of a job kind (later issues add reminders and ring timeouts). */
  handle(kind: string, handler: JobHandler): void;
  close(): Promise<void>;
}

export interface NotificationDeps {
  config: HubConfig;
  database: Database;
  settings: SettingsStore;
  clock: Clock;
  logger: Logger;
  transport?: ProviderTransport;
  /** Names this instance in job leases and delivery attempts. */
  instanceId?: string;
}

/** Builds the notification pipeline: providers from the configuration, the outbox, the worker, the live bus. */
export async function createNotificationServices(deps: NotificationDeps): Promise<NotificationServices> {
  const { config, database, settings, clock, logger, transport = {} } = deps;
  const instanceId = deps.instanceId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;

  const vapid: VapidKeys & { subject: string } = config.vapid ?? {
    ...(await settings.getOrCreate<VapidKeys>(VAPID_KEYS_SETTING, generateVapidKeys)),
    subject: DEV_VAPID_SUBJECT,
  };
  const providers: Partial<Record<PushChannel, PushProvider>> = {
    webpush: new WebPushProvider({
      vapid,
      ...(transport.webPushAgent ? { agent: transport.webPushAgent } : {}),
    }),
  };
  if (config.fcm) {
    providers.fcm = new FcmProvider({
      ...config.fcm,
      ...(transport.fcmHttpAgent ? { httpAgent: transport.fcmHttpAgent } : {}),
    });
  }
  if (config.apns) {
    providers.apns = new ApnsProvider({
      keyFile: config.apns.keyFile,
      keyId: config.apns.keyId,
      teamId: config.apns.teamId,
      topic: config.apns.topic,
      host: config.apns.host,
      ...(config.apns.port ? { port: config.apns.port } : {}),
      ...(transport.ca ? { ca: transport.ca } : {}),
      now: () => clock.now().getTime(),
    });
  }
  const mailbox = config.smtp ? null : new MailboxEmailSender(database.db);
  const email: EmailSender =
    mailbox ??
    new SmtpEmailSender({
      smtpUrl: config.smtp?.url ?? '',
      from: config.smtp?.from ?? '',
      ...(transport.ca ? { ca: transport.ca } : {}),
    });

  const platforms = new Set<Platform>(['web']);
  if (providers.fcm) platforms.add('android');
  if (providers.apns) platforms.add('ios');

  const live = await createLiveBus(config, logger, instanceId);
  const store = new NotificationStore(database.db);
  const handlers: Record<string, JobHandler> = {
    [DELIVER_JOB]: createDeliveryHandler({ store, providers, email, clock, logger, instance: instanceId }),
  };
  const worker = new JobWorker({
    db: database.db,
    clock,
    handlers,
    workerId: instanceId,
    logger,
    leaseMs: config.jobLeaseSeconds * 1000,
    // PGlite is one process's database: a crashed predecessor's leases can be taken back at once.
    soleWorker: database.kind === 'pglite',
  });

  const notifier = new Notifier({
    clock,
    newId: randomUUID,
    transaction: (work) => database.db.transaction().execute((trx) => work(new KyselyOutbox(trx, platforms))),
    announce: async (notifications) => {
      await Promise.all(
        notifications.map((notification) =>
          live.publish({
            type: 'notification',
            userIds: [notification.userId],
            id: notification.seq,
            data: publicNotification(notification),
          }),
        ),
      );
      // Let the streams write them before the caller's next database work holds the event loop.
      await new Promise((resolve) => setImmediate(resolve));
    },
    wake: () => worker.wake(),
  });

  return {
    notifier,
    store,
    live,
    worker,
    vapidPublicKey: vapid.publicKey,
    pushChannels: Object.keys(providers) as PushChannel[],
    platforms,
    email,
    mailbox,
    handle(kind, handler) {
      handlers[kind] = handler;
    },
    async close() {
      await worker.stop();
      await live.close();
      await Promise.all(Object.values(providers).map((provider) => provider.close?.()));
      await email.close?.();
    },
  };
}

async function createLiveBus(config: HubConfig, logger: Logger, instanceId: string): Promise<LiveBus> {
  if (config.storage.kind !== 'postgres') return new InProcessLiveBus();
  const url = config.storage.url;
  const notifyPool = new pg.Pool({ connectionString: url, max: 2 });
  notifyPool.on('error', (error) => logger.error('live bus connection lost', { error }));
  // One channel per schema: hubs sharing a database in separate schemas must not hear each other.
  const { rows } = await notifyPool.query<{ schema: string }>('select current_schema() as schema');
  const channel = liveChannelFor(rows[0]?.schema ?? 'public');
  const bus = await PostgresLiveBus.start(
    async () => {
      // Named, so `pg_stat_activity` shows which instance holds which LISTEN connection.
      const listen = new pg.Client({
        connectionString: url,
        keepAlive: true,
        application_name: `hub-live:${instanceId}`.slice(0, 63),
      });
      await listen.connect();
      return listen;
    },
    pgNotifyBatch(notifyPool, channel),
    {
      channel,
      spill: postgresLiveSpill(notifyPool),
      onError: (error) => logger.error('live bus', { error }),
      onReconnect: ({ downMs, attempts }) =>
        logger.info('live bus reconnected; open streams resynchronise', { downMs, attempts }),
    },
  );
  const close = bus.close.bind(bus);
  bus.close = async () => {
    await close();
    await notifyPool.end();
  };
  return bus;
}
