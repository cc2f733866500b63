import { sql, type Kysely } from 'kysely';

/**
 * Scheduled sessions (DESIGN.md rules 5–8, "Time"): a series with its local start, time zone, duration and
 * recurrence; its invitees; its moved and cancelled occurrences (exceptions, named by their original
 * start); the state of occurrences that went live (room, live, ended); every join and leave for
 * attendance; and each user's private calendar feed token.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table sessions (
      id text primary key,
      owner_id text not null,
      title text not null,
      description text not null default '',
      type text not null check (type in ('class', 'one_on_one', 'group')),
      start_local text not null,
      time_zone text not null,
      duration_minutes integer not null,
      recurrence jsonb,
      email_invitees boolean not null default false,
      chat_id text not null,
      status text not null check (status in ('active', 'cancelled')),
      sequence integer not null default 0,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )
  `.execute(db);
  await sql`create index sessions_owner_idx on sessions (owner_id)`.execute(db);
  await sql`
    create table session_invitees (
      session_id text not null references sessions (id) on delete cascade,
      user_id text not null,
      primary key (session_id, user_id)
    )
  `.execute(db);
  await sql`create index session_invitees_user_idx on session_invitees (user_id)`.execute(db);
  await sql`
    create table session_exceptions (
      session_id text not null references sessions (id) on delete cascade,
      occurrence_start timestamptz not null,
      cancelled boolean not null,
      start_local text,
      duration_minutes integer,
      primary key (session_id, occurrence_start)
    )
  `.execute(db);
  await sql`
    create table session_occurrences (
      session_id text not null references sessions (id) on delete cascade,
      occurrence_start timestamptz not null,
      status text not null check (status in ('scheduled', 'live', 'ended')),
      engine text,
      room_id text,
      started_at timestamptz,
      ended_at timestamptz,
      primary key (session_id, occurrence_start)
    )
  `.execute(db);
  await sql`create index session_occurrences_room_idx on session_occurrences (room_id)`.execute(db);
  await sql`create index session_occurrences_live_idx on session_occurrences (status) where status = 'live'`.execute(
    db,
  );
  await sql`
    create table session_attendance (
      id bigserial primary key,
      session_id text not null references sessions (id) on delete cascade,
      occurrence_start timestamptz not null,
      user_id text not null,
      joined_at timestamptz not null,
      left_at timestamptz
    )
  `.execute(db);
  await sql`create index session_attendance_occurrence_idx on session_attendance (session_id, occurrence_start)`.execute(
    db,
  );
  await sql`
    create table calendar_feeds (
      user_id text primary key,
      token text not null unique,
      created_at timestamptz not null
    )
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table calendar_feeds`.execute(db);
  await sql`drop table session_attendance`.execute(db);
  await sql`drop table session_occurrences`.execute(db);
  await sql`drop table session_exceptions`.execute(db);
  await sql`drop table session_invitees`.execute(db);
  await sql`drop table sessions`.execute(db);
}
