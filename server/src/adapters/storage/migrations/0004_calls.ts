import { sql, type Kysely } from 'kysely';

/**
 * Instant calls (DESIGN.md rules 4, 5): one row per call with its video room, and each member's state.
 * At most one call per chat is open (not ended): a partial unique index, so two teachers' clicks at once
 * meet on it and the second gets the first's call.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table calls (
      id text primary key,
      chat_id text not null references chats (id) on delete cascade,
      status text not null check (status in ('ringing', 'active', 'ended')),
      engine text not null,
      room_id text not null,
      started_by text not null,
      started_at timestamptz not null,
      ring_expires_at timestamptz not null,
      ended_at timestamptz,
      ended_by text
    )
  `.execute(db);
  await sql`create unique index calls_one_open_per_chat on calls (chat_id) where status <> 'ended'`.execute(
    db,
  );
  await sql`create index calls_room_idx on calls (room_id)`.execute(db);
  await sql`
    create table call_members (
      call_id text not null references calls (id) on delete cascade,
      user_id text not null,
      state text not null check (state in ('ringing', 'joined', 'declined', 'missed', 'left')),
      joined_at timestamptz,
      updated_at timestamptz not null,
      primary key (call_id, user_id)
    )
  `.execute(db);
  await sql`create index call_members_user_idx on call_members (user_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table call_members`.execute(db);
  await sql`drop table calls`.execute(db);
}
