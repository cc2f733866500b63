import { sql, type Kysely } from 'kysely';

/**
 * The durable half of notifications: a jobs table (claimed with FOR UPDATE SKIP LOCKED under a lease),
 * the outbox (in-app notification rows, one delivery per device and channel, every attempt recorded),
 * devices, preferences, and the dev-mode mailbox.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table jobs (
      id bigint generated always as identity primary key,
      key text not null unique,
      kind text not null,
      payload jsonb not null default '{}'::jsonb,
      run_at timestamptz not null,
      status text not null default 'pending' check (status in ('pending', 'running', 'done', 'dead')),
      attempts integer not null default 0,
      max_attempts integer not null default 8,
      lease_until timestamptz,
      locked_by text,
      last_error text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      finished_at timestamptz
    )
  `.execute(db);
  await sql`create index jobs_due_idx on jobs (run_at) where status = 'pending'`.execute(db);
  await sql`create index jobs_lease_idx on jobs (lease_until) where status = 'running'`.execute(db);
  await sql`create index jobs_finished_idx on jobs (finished_at) where status in ('done', 'dead')`.execute(
    db,
  );

  await sql`
    create table devices (
      id text primary key,
      user_id text not null references users (id) on delete cascade,
      platform text not null check (platform in ('web', 'android', 'ios')),
      address text not null,
      keys jsonb,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (platform, address)
    )
  `.execute(db);
  await sql`create index devices_user_idx on devices (user_id)`.execute(db);

  await sql`
    create table notifications (
      id text primary key,
      seq bigint generated always as identity unique,
      user_id text not null references users (id) on delete cascade,
      kind text not null,
      priority text not null check (priority in ('urgent', 'normal')),
      title text not null,
      body text not null,
      data jsonb not null default '{}'::jsonb,
      dedupe_key text not null unique,
      listed boolean not null default true,
      created_at timestamptz not null,
      read_at timestamptz
    )
  `.execute(db);
  await sql`create index notifications_user_created_idx on notifications (user_id, created_at desc, id desc)`.execute(
    db,
  );
  await sql`create index notifications_unread_idx on notifications (user_id) where read_at is null and listed`.execute(
    db,
  );

  await sql`
    create table deliveries (
      id text primary key,
      notification_id text not null references notifications (id) on delete cascade,
      user_id text not null,
      channel text not null check (channel in ('webpush', 'fcm', 'apns', 'email')),
      device_id text references devices (id) on delete set null,
      collapse_key text not null,
      ttl_seconds integer not null,
      email jsonb,
      status text not null default 'pending' check (status in ('pending', 'sent', 'gone', 'failed', 'dead')),
      attempts integer not null default 0,
      last_error text,
      created_at timestamptz not null,
      sent_at timestamptz
    )
  `.execute(db);
  await sql`create index deliveries_notification_idx on deliveries (notification_id)`.execute(db);
  await sql`
    create table delivery_attempts (
      id bigint generated always as identity primary key,
      delivery_id text not null references deliveries (id) on delete cascade,
      attempted_at timestamptz not null,
      outcome text not null check (outcome in ('sent', 'gone', 'retry', 'failed')),
      detail text,
      instance text not null
    )
  `.execute(db);
  await sql`create index delivery_attempts_delivery_idx on delivery_attempts (delivery_id)`.execute(db);

  await sql`
    create table notification_preferences (
      user_id text not null references users (id) on delete cascade,
      kind text not null,
      channel text not null,
      enabled boolean not null,
      updated_at timestamptz not null default now(),
      primary key (user_id, kind, channel)
    )
  `.execute(db);

  await sql`
    create table mailbox (
      id text primary key,
      message_id text not null unique,
      to_address text not null,
      from_address text not null,
      subject text not null,
      text_body text not null,
      html_body text,
      calendar jsonb,
      created_at timestamptz not null default now()
    )
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'mailbox',
    'notification_preferences',
    'delivery_attempts',
    'deliveries',
    'notifications',
    'devices',
    'jobs',
  ]) {
    await sql`drop table ${sql.table(table)}`.execute(db);
  }
}
