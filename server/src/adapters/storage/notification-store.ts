import type {
  DeviceRegistration,
  HubNotification,
  NotificationKind,
  NotificationChannel,
  Platform,
  Priority,
} from '@teacher-hub/protocol';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type {
  DeliveryChannel,
  EmailContent,
  FanOutPlan,
  Recipient,
} from '../../domain/notifications/fan-out.ts';
import type { Outbox, StoredNotification } from '../../domain/notifications/notifier.ts';
import { resolvePreferences, type PreferenceSwitch } from '../../domain/notifications/preferences.ts';
import { KyselyJobStore } from '../jobs/job-store.ts';
import type { HubDatabase, NotificationsTable } from './schema.ts';

type Executor = Kysely<HubDatabase> | Transaction<HubDatabase>;

/** The job kind that delivers one delivery row; its key is `deliver:<deliveryId>`. */
export const DELIVER_JOB = 'notification.deliver';

export function toNotification(row: Selectable<NotificationsTable>): StoredNotification {
  return {
    id: row.id,
    seq: String(row.seq),
    userId: row.user_id,
    kind: row.kind as NotificationKind,
    priority: row.priority as Priority,
    title: row.title,
    body: row.body,
    data: row.data,
    listed: row.listed,
    createdAt: new Date(row.created_at).toISOString(),
    readAt: row.read_at ? new Date(row.read_at).toISOString() : null,
  };
}

export function publicNotification(notification: StoredNotification): HubNotification {
  const { id, kind, priority, title, body, data, createdAt, readAt } = notification;
  return { id, kind, priority, title, body, data, createdAt, readAt };
}

/** The outbox bound to one transaction. `platforms` are those with a configured provider. */
export class KyselyOutbox implements Outbox {
  constructor(
    private readonly db: Executor,
    private readonly platforms: ReadonlySet<Platform>,
  ) {}

  async loadRecipients(userIds: readonly string[]): Promise<Recipient[]> {
    if (userIds.length === 0) return [];
    const [users, devices, switches] = await Promise.all([
      this.db.selectFrom('users').select(['id', 'email']).where('id', 'in', userIds).execute(),
      this.db
        .selectFrom('devices')
        .select(['id', 'user_id', 'platform'])
        .where('user_id', 'in', userIds)
        .execute(),
      this.db
        .selectFrom('notification_preferences')
        .select(['user_id', 'kind', 'channel', 'enabled'])
        .where('user_id', 'in', userIds)
        .execute(),
    ]);
    return users.map((user) => ({
      userId: user.id,
      email: user.email,
      devices: devices
        .filter((device) => device.user_id === user.id && this.platforms.has(device.platform))
        .map((device) => ({ id: device.id, platform: device.platform })),
      preferences: resolvePreferences(
        switches
          .filter((row) => row.user_id === user.id)
          .map((row) => ({
            kind: row.kind as NotificationKind,
            channel: row.channel as NotificationChannel,
            enabled: row.enabled,
          })),
      ),
    }));
  }

  async write(plan: FanOutPlan): Promise<StoredNotification[]> {
    if (plan.notifications.length === 0) return [];
    // One statement with one array per column: a ring to a thousand students binds ten parameters, not
    // ten thousand, and reads back only what the database adds (ids and seqs), not the rows.
    const rows = plan.notifications;
    const { rows: inserted } = await sql<{ id: string; seq: string }>`
      insert into notifications
        (id, user_id, kind, priority, title, body, data, dedupe_key, listed, created_at)
      select * from unnest(
        ${rows.map((row) => row.id)}::text[],
        ${rows.map((row) => row.userId)}::text[],
        ${rows.map((row) => row.kind)}::text[],
        ${rows.map((row) => row.priority)}::text[],
        ${rows.map((row) => row.title)}::text[],
        ${rows.map((row) => row.body)}::text[],
        ${rows.map((row) => JSON.stringify(row.data))}::jsonb[],
        ${rows.map((row) => row.dedupeKey)}::text[],
        ${rows.map((row) => row.listed)}::boolean[],
        ${rows.map((row) => row.createdAt.toISOString())}::timestamptz[]
      )
      on conflict (dedupe_key) do nothing
      returning id, seq
    `.execute(this.db);
    const seqs = new Map(inserted.map((row) => [row.id, String(row.seq)]));
    const written = new Set(seqs.keys());
    const deliveries = plan.deliveries.filter((delivery) => written.has(delivery.notificationId));
    if (deliveries.length > 0) {
      await this.db
        .insertInto('deliveries')
        .values(
          deliveries.map((delivery) => ({
            id: delivery.id,
            notification_id: delivery.notificationId,
            user_id: delivery.userId,
            channel: delivery.channel,
            device_id: delivery.deviceId,
            collapse_key: delivery.collapseKey,
            ttl_seconds: delivery.ttlSeconds,
            email: delivery.email ? JSON.stringify(delivery.email) : null,
            created_at: plan.notifications[0]?.createdAt ?? new Date(),
          })),
        )
        .execute();
      const runAt = plan.notifications[0]?.createdAt ?? new Date();
      await new KyselyJobStore(this.db).scheduleMany(
        deliveries.map((delivery) => ({
          key: `deliver:${delivery.id}`,
          kind: DELIVER_JOB,
          runAt,
          payload: { deliveryId: delivery.id },
          maxAttempts: 10,
        })),
      );
    }
    return plan.notifications.flatMap((notification) => {
      const seq = seqs.get(notification.id);
      if (seq === undefined) return [];
      return [
        {
          id: notification.id,
          seq,
          userId: notification.userId,
          kind: notification.kind,
          priority: notification.priority,
          title: notification.title,
          body: notification.body,
          data: notification.data,
          listed: notification.listed,
          createdAt: notification.createdAt.toISOString(),
          readAt: null,
        },
      ];
    });
  }
}

export interface DeliveryRow {
  id: string;
  channel: DeliveryChannel;
  status: string;
  collapseKey: string;
  ttlSeconds: number;
  email: EmailContent | null;
  deviceId: string | null;
  device: { platform: Platform; address: string; keys: { p256dh: string; auth: string } | null } | null;
  userEmail: string | null;
  notification: StoredNotification;
}

/** Reads and writes of the notification center, devices, preferences and the delivery worker. */
export class NotificationStore {
  constructor(private readonly db: Kysely<HubDatabase>) {}

  async list(userId: string, limit: number, before?: Date): Promise<StoredNotification[]> {
    let query = this.db
      .selectFrom('notifications')
      .selectAll()
      .where('user_id', '=', userId)
      .where('listed', '=', true)
      .orderBy('created_at', 'desc')
      .orderBy('seq', 'desc')
      .limit(limit);
    if (before) query = query.where('created_at', '<', before);
    return (await query.execute()).map(toNotification);
  }

  async unreadCount(userId: string): Promise<number> {
    const row = await this.db
      .selectFrom('notifications')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('user_id', '=', userId)
      .where('listed', '=', true)
      .where('read_at', 'is', null)
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }

  /** Listed notifications after `seq`, oldest first: what a reconnecting stream missed. */
  async since(userId: string, seq: string, limit = 200): Promise<StoredNotification[]> {
    const rows = await this.db
      .selectFrom('notifications')
      .selectAll()
      .where('user_id', '=', userId)
      .where('listed', '=', true)
      .where('seq', '>', seq as never)
      .orderBy('seq', 'asc')
      .limit(limit)
      .execute();
    return rows.map(toNotification);
  }

  /** Marks the caller's own notifications read; ids of other users' notifications are ignored. Returns ids changed. */
  async markRead(userId: string, target: { ids: string[] } | { all: true }, now: Date): Promise<string[]> {
    let query = this.db
      .updateTable('notifications')
      .set({ read_at: now })
      .where('user_id', '=', userId)
      .where('read_at', 'is', null);
    if ('ids' in target) query = query.where('id', 'in', target.ids);
    const rows = await query.returning('id').execute();
    return rows.map((row) => row.id);
  }

  /** Marks the user's unread notifications with these dedupe keys read. Returns the ids changed. */
  async markReadByKeys(userId: string, dedupeKeys: readonly string[], now: Date): Promise<string[]> {
    if (dedupeKeys.length === 0) return [];
    const rows = await this.db
      .updateTable('notifications')
      .set({ read_at: now })
      .where('user_id', '=', userId)
      .where('read_at', 'is', null)
      .where('dedupe_key', 'in', [...dedupeKeys])
      .returning('id')
      .execute();
    return rows.map((row) => row.id);
  }

  async registerDevice(
    userId: string,
    id: string,
    registration: DeviceRegistration,
  ): Promise<{ id: string; platform: Platform }> {
    const address = registration.platform === 'web' ? registration.subscription.endpoint : registration.token;
    const keys = registration.platform === 'web' ? JSON.stringify(registration.subscription.keys) : null;
    // A browser or phone belongs to whoever registered it last (a shared computer changes hands).
    const row = await this.db
      .insertInto('devices')
      .values({ id, user_id: userId, platform: registration.platform, address, keys })
      .onConflict((conflict) =>
        conflict
          .columns(['platform', 'address'])
          .doUpdateSet({ user_id: userId, keys, updated_at: new Date() }),
      )
      .returning(['id', 'platform'])
      .executeTakeFirstOrThrow();
    return row;
  }

  /** Removes the caller's device; false when it is not theirs (or not there). */
  async removeDevice(userId: string, deviceId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('devices')
      .where('id', '=', deviceId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async devicesOf(userId: string): Promise<Array<{ id: string; platform: Platform }>> {
    return this.db.selectFrom('devices').select(['id', 'platform']).where('user_id', '=', userId).execute();
  }

  async preferenceSwitches(userId: string): Promise<PreferenceSwitch[]> {
    const rows = await this.db
      .selectFrom('notification_preferences')
      .select(['kind', 'channel', 'enabled'])
      .where('user_id', '=', userId)
      .execute();
    return rows.map((row) => ({
      kind: row.kind as NotificationKind,
      channel: row.channel as NotificationChannel,
      enabled: row.enabled,
    }));
  }

  async savePreferenceSwitches(userId: string, switches: readonly PreferenceSwitch[]): Promise<void> {
    if (switches.length === 0) return;
    await this.db
      .insertInto('notification_preferences')
      .values(switches.map((entry) => ({ user_id: userId, ...entry })))
      .onConflict((conflict) =>
        conflict
          .columns(['user_id', 'kind', 'channel'])
          .doUpdateSet((eb) => ({ enabled: eb.ref('excluded.enabled'), updated_at: new Date() })),
      )
      .execute();
  }

  async deliveries(ids: readonly string[]): Promise<DeliveryRow[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('deliveries as d')
      .innerJoin('notifications as n', 'n.id', 'd.notification_id')
      .leftJoin('devices as dev', 'dev.id', 'd.device_id')
      .leftJoin('users as u', 'u.id', 'd.user_id')
      .selectAll('n')
      .select([
        'd.id as delivery_id',
        'd.channel',
        'd.status as delivery_status',
        'd.collapse_key',
        'd.ttl_seconds',
        'd.email',
        'd.device_id',
        'dev.platform as device_platform',
        'dev.address as device_address',
        'dev.keys as device_keys',
        'u.email as user_email',
      ])
      .where('d.id', 'in', ids)
      .execute();
    return rows.map((row) => ({
      id: row.delivery_id,
      channel: row.channel,
      status: row.delivery_status,
      collapseKey: row.collapse_key,
      ttlSeconds: row.ttl_seconds,
      email: row.email as EmailContent | null,
      deviceId: row.device_id,
      device:
        row.device_platform && row.device_address
          ? { platform: row.device_platform, address: row.device_address, keys: row.device_keys ?? null }
          : null,
      userEmail: row.user_email ?? null,
      notification: toNotification(row),
    }));
  }

  async recordAttempt(
    deliveryId: string,
    outcome: 'sent' | 'gone' | 'retry' | 'failed',
    detail: string | null,
    instance: string,
    now: Date,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('delivery_attempts')
        .values({ delivery_id: deliveryId, attempted_at: now, outcome, detail, instance })
        .execute();
      const status = outcome === 'retry' ? 'pending' : outcome;
      await trx
        .updateTable('deliveries')
        .set((eb) => ({
          status,
          attempts: eb('attempts', '+', 1),
          last_error: outcome === 'sent' ? null : detail,
          sent_at: outcome === 'sent' ? now : null,
        }))
        .where('id', '=', deliveryId)
        .execute();
    });
  }

  async markDeliveryDead(deliveryId: string, reason: string): Promise<void> {
    await this.db
      .updateTable('deliveries')
      .set({ status: 'dead', last_error: reason })
      .where('id', '=', deliveryId)
      .where('status', '=', 'pending')
      .execute();
  }

  /** The provider said the device is gone for good: forget it (its pending deliveries end as gone). */
  async forgetDevice(deviceId: string): Promise<void> {
    await this.db.deleteFrom('devices').where('id', '=', deviceId).execute();
  }

  /** For health and tests: deliveries by status. */
  async deliveryCounts(): Promise<Record<string, number>> {
    const { rows } = await sql<{ status: string; count: string }>`
      select status, count(*) as count from deliveries group by status
    `.execute(this.db);
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
  }
}
