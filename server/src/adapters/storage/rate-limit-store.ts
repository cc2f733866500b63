import { sql, type Kysely } from 'kysely';
import type { RateLimitStore } from '../../domain/abuse/rate-limiter.ts';
import type { HubDatabase } from './schema.ts';

/**
 * Fixed-window counters on PGlite or PostgreSQL. One `insert … on conflict do update` per hit: the row
 * lock makes concurrent hits from several instances count one after the other, and a hit in a newer
 * window restarts the count.
 */
export class KyselyRateLimitStore implements RateLimitStore {
  readonly #db: Kysely<HubDatabase>;

  constructor(db: Kysely<HubDatabase>) {
    this.#db = db;
  }

  async hit(key: string, windowStart: Date): Promise<number> {
    const result = await sql<{ hits: number }>`
      insert into rate_limit_counters as counter (key, window_start, hits)
      values (${key}, ${windowStart}, 1)
      on conflict (key) do update set
        hits = case when counter.window_start = excluded.window_start then counter.hits + 1
                    when counter.window_start > excluded.window_start then counter.hits
                    else 1 end,
        window_start = greatest(counter.window_start, excluded.window_start)
      returning hits
    `.execute(this.#db);
    return Number(result.rows[0]?.hits ?? 1);
  }

  async prune(before: Date): Promise<void> {
    await sql`delete from rate_limit_counters where window_start < ${before}`.execute(this.#db);
  }
}
