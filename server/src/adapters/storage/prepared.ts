import { CompiledQuery } from 'kysely';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';

/**
 * Statements the hub runs on every request of a hot route, sent to PostgreSQL by name so that each
 * connection parses and plans them once instead of on every call (the call-seat lookup of the token
 * route: about 35 µs of PostgreSQL's CPU per call instead of about 120, measured on the CI machine).
 * Everything else goes as Kysely sends it. PGlite runs them as any other query.
 *
 * A connection pooler in front of PostgreSQL must run in session mode (the README's deployment steps), as
 * the live bus's `LISTEN` already needs.
 */
const names = new Map<string, string>();

/** The query for `sql` (with `$1`… placeholders) and `parameters`, to run with `db.executeQuery()`, prepared. */
export function preparedQuery(sql: string, parameters: readonly unknown[]): CompiledQuery {
  if (!names.has(sql)) names.set(sql, `hub_prepared_${names.size + 1}`);
  return CompiledQuery.raw(sql, [...parameters]);
}

/** Kysely's PostgresDialect pool over a pg `Pool`, sending the statements of `preparedQuery` by name. */
export class PreparingPool implements PostgresPool {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async connect(): Promise<PostgresPoolClient> {
    return new PreparingClient(await this.#pool.connect());
  }

  end(): Promise<void> {
    return this.#pool.end();
  }
}

class PreparingClient implements PostgresPoolClient {
  readonly #client: pg.PoolClient;

  constructor(client: pg.PoolClient) {
    this.#client = client;
  }

  query<R>(sql: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    sqlOrCursor: string | PostgresCursor<R>,
    parameters?: readonly unknown[],
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    const client = this.#client as unknown as {
      query(config: { name?: string; text: string; values: unknown[] }): Promise<PostgresQueryResult<R>>;
      query(cursor: PostgresCursor<R>): PostgresCursor<R>;
    };
    if (typeof sqlOrCursor !== 'string') return client.query(sqlOrCursor);
    const name = names.get(sqlOrCursor);
    return client.query({
      ...(name === undefined ? {} : { name }),
      text: sqlOrCursor,
      values: [...(parameters ?? [])],
    });
  }

  release(): void {
    this.#client.release();
  }
}
