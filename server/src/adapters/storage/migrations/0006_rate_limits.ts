import { sql, type Kysely } from 'kysely';

/**
 * Rate limit counters (issue 8, abuse limits): one row per key (`<bucket>:user:<id>` or
 * `<bucket>:ip:<address>`) with the start of its current fixed window and the requests counted in it.
 * In the database rather than in memory, so every instance behind a load balancer spends one budget.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table rate_limit_counters (
      key text primary key,
      window_start timestamptz not null,
      hits integer not null
    )
  `.execute(db);
  await sql`create index rate_limit_counters_window_idx on rate_limit_counters (window_start)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table rate_limit_counters`.execute(db);
}
