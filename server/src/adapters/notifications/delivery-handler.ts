import { RetryLater, type Job, type JobHandler } from '../../domain/jobs.ts';
import type { Clock } from '../../domain/clock.ts';
import type { Logger } from '../../logger.ts';
import type { EmailSender } from '../email/email-sender.ts';
import type {
  DeliveryResult,
  PushChannel,
  PushMessage,
  PushProvider,
  PushTarget,
} from '../push/push-provider.ts';
import type { DeliveryRow, NotificationStore } from '../storage/notification-store.ts';

export interface DeliveryHandlerOptions {
  store: NotificationStore;
  providers: Partial<Record<PushChannel, PushProvider>>;
  email: EmailSender | null;
  clock: Clock;
  logger: Logger;
  /** Names this instance in the attempts it records. */
  instance: string;
}

type Outcome =
  | { kind: 'sent' }
  | { kind: 'gone' | 'failed'; reason: string }
  | { kind: 'retry'; reason: string; afterMs?: number };

/**
 * Delivers the outbox: takes the due `notification.deliver` jobs, sends each notification once per
 * provider call to all of its devices on that channel, records every attempt, forgets devices the
 * provider calls gone, and turns transient failures into retries with backoff.
 */
export function createDeliveryHandler(options: DeliveryHandlerOptions): JobHandler {
  const { store, providers, email, clock, logger, instance } = options;

  async function settle(row: DeliveryRow, outcome: Outcome): Promise<Error | undefined> {
    const detail = outcome.kind === 'sent' ? null : outcome.reason;
    await store.recordAttempt(row.id, outcome.kind, detail, instance, clock.now());
    if (outcome.kind === 'gone' && row.deviceId) await store.forgetDevice(row.deviceId);
    if (outcome.kind === 'retry') return new RetryLater(outcome.reason, outcome.afterMs);
    if (outcome.kind === 'failed')
      logger.warn('delivery failed', { delivery: row.id, channel: row.channel, reason: outcome.reason });
    return undefined;
  }

  async function sendPush(channel: PushChannel, rows: DeliveryRow[]): Promise<Map<string, Outcome>> {
    const outcomes = new Map<string, Outcome>();
    const provider = providers[channel];
    const first = rows[0];
    if (!first) return outcomes;
    if (!provider) {
      for (const row of rows)
        outcomes.set(row.id, { kind: 'failed', reason: `no ${channel} provider is configured` });
      return outcomes;
    }
    const targets: PushTarget[] = [];
    const byDevice = new Map<string, DeliveryRow>();
    for (const row of rows) {
      if (!row.device || !row.deviceId) {
        outcomes.set(row.id, { kind: 'gone', reason: 'the device was removed' });
        continue;
      }
      byDevice.set(row.deviceId, row);
      targets.push(
        row.device.platform === 'web'
          ? {
              deviceId: row.deviceId,
              platform: 'web',
              subscription: {
                endpoint: row.device.address,
                keys: row.device.keys ?? { p256dh: '', auth: '' },
              },
            }
          : { deviceId: row.deviceId, platform: row.device.platform, token: row.device.address },
      );
    }
    if (targets.length === 0) return outcomes;
    const notification = first.notification;
    const message: PushMessage = {
      kind: notification.kind,
      priority: notification.priority,
      title: notification.title,
      body: notification.body,
      data: Object.fromEntries(
        Object.entries(notification.data).filter(([, value]) => typeof value === 'string'),
      ),
      collapseKey: first.collapseKey,
      ttlSeconds: first.ttlSeconds,
      notificationId: notification.id,
    };
    let results: DeliveryResult[];
    try {
      results = await provider.send(message, targets);
    } catch (error) {
      results = targets.map((target) => ({
        deviceId: target.deviceId,
        status: 'retry',
        reason: String(error),
      }));
    }
    for (const result of results) {
      const row = byDevice.get(result.deviceId);
      if (!row) continue;
      outcomes.set(
        row.id,
        result.status === 'sent'
          ? { kind: 'sent' }
          : result.status === 'retry'
            ? { kind: 'retry', reason: result.reason, afterMs: result.retryAfterMs }
            : { kind: result.status, reason: result.reason },
      );
    }
    for (const row of byDevice.values()) {
      if (!outcomes.has(row.id))
        outcomes.set(row.id, { kind: 'retry', reason: 'the provider gave no result' });
    }
    return outcomes;
  }

  async function sendEmail(row: DeliveryRow): Promise<Outcome> {
    if (!email) return { kind: 'failed', reason: 'no email sender is configured' };
    if (!row.userEmail || !row.email) return { kind: 'failed', reason: 'the recipient has no email address' };
    const result = await email
      .send({
        to: row.userEmail,
        subject: row.email.subject,
        text: row.email.text,
        ...(row.email.html ? { html: row.email.html } : {}),
        ...(row.email.calendar ? { calendar: row.email.calendar } : {}),
        idempotencyKey: row.id,
      })
      .catch((error: unknown) => ({ status: 'retry' as const, reason: String(error) }));
    if (result.status === 'sent') return { kind: 'sent' };
    return result.status === 'retry'
      ? { kind: 'retry', reason: result.reason }
      : { kind: 'failed', reason: result.reason };
  }

  return {
    async runBatch(jobs: Job[]): Promise<Array<Error | undefined>> {
      const ids = jobs.map((job) => (job.payload as { deliveryId?: string }).deliveryId ?? '');
      const rows = new Map((await store.deliveries(ids.filter(Boolean))).map((row) => [row.id, row]));
      const pending = [...rows.values()].filter((row) => row.status === 'pending');
      const outcomes = new Map<string, Outcome>();

      const pushGroups = new Map<string, DeliveryRow[]>();
      const emails: DeliveryRow[] = [];
      for (const row of pending) {
        if (row.channel === 'email') emails.push(row);
        else {
          const key = `${row.notification.id}\u0000${row.channel}`;
          pushGroups.set(key, [...(pushGroups.get(key) ?? []), row]);
        }
      }
      await Promise.all([
        ...[...pushGroups.values()].map(async (group) => {
          const channel = group[0]?.channel as PushChannel;
          for (const [id, outcome] of await sendPush(channel, group)) outcomes.set(id, outcome);
        }),
        ...emails.map(async (row) => outcomes.set(row.id, await sendEmail(row))),
      ]);

      return Promise.all(
        ids.map(async (id) => {
          const row = rows.get(id);
          const outcome = outcomes.get(id);
          // Gone from the database, or delivered already (a retry of a job whose worker died after sending).
          if (!row || !outcome) return undefined;
          return settle(row, outcome);
        }),
      );
    },
    async onDead(job: Job, error: Error): Promise<void> {
      const deliveryId = (job.payload as { deliveryId?: string }).deliveryId;
      if (deliveryId) await store.markDeliveryDead(deliveryId, error.message);
    },
  };
}
