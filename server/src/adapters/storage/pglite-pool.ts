import type { PGlite } from '@electric-sql/pglite';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

type QueryCommand = PostgresQueryResult<unknown>['command'];

/**
 * Kysely's PostgresDialect over PGlite. PGlite is one Postgres session, so this "pool" has exactly one
 * connection and hands it to one borrower at a time: a Kysely transaction holds it from `begin` to
 * `commit`, and every other query waits for it, so nothing is ever interleaved with a transaction.
 */
export class PglitePool implements PostgresPool {
  readonly #pglite: PGlite;
  /** Resolves when the current borrower releases the connection; borrowers queue behind it. */
  #tail: Promise<void> = Promise.resolve();
  #ended = false;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  async connect(): Promise<PostgresPoolClient> {
    if (this.#ended) throw new Error('The PGlite pool has ended.');
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const previous = this.#tail;
    this.#tail = previous.then(() => released);
    await previous;
    return new PgliteClient(this.#pglite, release);
  }

  /** Waits for the current borrowers, then stops handing out the connection (closing PGlite is the owner's job). */
  async end(): Promise<void> {
    this.#ended = true;
    await this.#tail;
  }
}

class PgliteClient implements PostgresPoolClient {
  readonly #pglite: PGlite;
  #release: (() => void) | undefined;

  constructor(pglite: PGlite, release: () => void) {
    this.#pglite = pglite;
    this.#release = release;
  }

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    sql: string | PostgresCursor<R>,
    parameters: ReadonlyArray<unknown> = [],
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof sql !== 'string') throw new Error('Streaming queries (cursors) are not supported on PGlite.');
    return this.#run<R>(sql, parameters);
  }

  async #run<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
    if (!this.#release) throw new Error('This PGlite connection was released.');
    const result = await this.#pglite.query<R>(sql, [...parameters]);
    return {
      // PGlite reports the command tag, so a COMMIT that rolled back an aborted transaction says
      // ROLLBACK, which Kysely turns into an error as it does on PostgreSQL.
      command: (result.command ?? 'SELECT') as QueryCommand,
      rowCount: result.rowCount ?? result.affectedRows ?? result.rows.length,
      rows: result.rows,
    };
  }

  release(): void {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }
}
