import { sql, type Kysely } from 'kysely';

/**
 * The hub's own record of chats: which chats exist, who is in them and who owns them. It is the source of
 * truth for every rule check (GetStream mirrors it). Members carry no foreign key to `users`, so a user
 * the LMS removed stays listed until rule 9 has taken them out of GetStream as well.
 *
 * Also: the ids of Stream webhook deliveries already handled (deduplication), and the per-member digest
 * of messages waiting to be notified (so a burst of messages becomes one notification).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table chats (
      id text primary key,
      kind text not null check (kind in ('group', 'direct', 'session')),
      channel_type text not null,
      name text,
      owner_id text,
      teacher_id text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )
  `.execute(db);
  // Rule 9 looks for the chats of a teacher whose students changed.
  await sql`create index chats_teacher_idx on chats (teacher_id)`.execute(db);
  await sql`
    create table chat_members (
      chat_id text not null references chats (id) on delete cascade,
      user_id text not null,
      added_at timestamptz not null default now(),
      primary key (chat_id, user_id)
    )
  `.execute(db);
  await sql`create index chat_members_user_idx on chat_members (user_id)`.execute(db);

  await sql`
    create table chat_webhook_events (
      id text primary key,
      received_at timestamptz not null
    )
  `.execute(db);
  await sql`create index chat_webhook_events_received_idx on chat_webhook_events (received_at)`.execute(db);

  await sql`
    create table chat_digests (
      chat_id text not null references chats (id) on delete cascade,
      user_id text not null,
      generation integer not null default 1,
      message_count integer not null default 0,
      sender_ids jsonb not null default '[]'::jsonb,
      last_sender_id text,
      last_text text,
      last_message_at timestamptz,
      last_notified_at timestamptz,
      primary key (chat_id, user_id)
    )
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['chat_digests', 'chat_webhook_events', 'chat_members', 'chats']) {
    await sql`drop table ${sql.table(table)}`.execute(db);
  }
}
