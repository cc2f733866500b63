import { sql, type Kysely } from 'kysely';

/**
 * The LMS directory (users, courses, enrollments) and the settings the hub keeps for itself (such as the
 * dev token secret). Plain SQL, so PGlite and PostgreSQL run exactly the same statements.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table users (
      id text primary key,
      name text not null,
      email text,
      role text not null check (role in ('teacher', 'student')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )
  `.execute(db);
  await sql`
    create table courses (
      id text primary key,
      name text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )
  `.execute(db);
  await sql`
    create table enrollments (
      course_id text not null references courses (id) on delete cascade,
      user_id text not null references users (id) on delete cascade,
      role text not null check (role in ('teacher', 'student')),
      created_at timestamptz not null default now(),
      primary key (course_id, user_id)
    )
  `.execute(db);
  // Rosters and rule checks start from a user ("the courses this teacher teaches").
  await sql`create index enrollments_user_role_idx on enrollments (user_id, role)`.execute(db);
  await sql`
    create table settings (
      key text primary key,
      value jsonb not null,
      updated_at timestamptz not null default now()
    )
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table settings`.execute(db);
  await sql`drop table enrollments`.execute(db);
  await sql`drop table courses`.execute(db);
  await sql`drop table users`.execute(db);
}
