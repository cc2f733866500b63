import { sql, type Kysely } from 'kysely';

/**
 * Live events too big for one PostgreSQL NOTIFY (under 8000 bytes), such as a large call's state: the
 * publishing instance stores the event here and notifies its id; every instance reads it back. Rows are
 * only needed for moments and are pruned after a few minutes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table live_spill (
      id bigserial primary key,
      payload text not null,
      created_at timestamptz not null default now()
    )
  `.execute(db);
  await sql`create index live_spill_created_at_idx on live_spill (created_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table live_spill`.execute(db);
}
