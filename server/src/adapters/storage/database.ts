import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { MIGRATIONS } from './migrations/index.ts';
import { PglitePool } from './pglite-pool.ts';
import { PreparingPool } from './prepared.ts';
import type { HubDatabase } from './schema.ts';

/** Where the data lives: embedded PGlite (a directory, or `memory`) or a PostgreSQL server. */
export type StorageConfig = { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string };

export interface OpenDatabaseOptions {
  /**
   * A PGlite data directory dump to start an in-memory database from instead of running `initdb`
   * (about 2 s); tests use one to keep the suite fast.
   */
  pgliteTemplate?: Blob;
  /** Where the pg pool reports errors of idle connections (a lost server), which would otherwise crash. */
  onPoolError?: (error: Error) => void;
}

/** The hub's database: a Kysely instance over PGlite or PostgreSQL, migrated to the latest version. */
export interface Database {
  readonly db: Kysely<HubDatabase>;
  readonly kind: StorageConfig['kind'];
  /** Answers when the database does (`select 1`); throws otherwise. */
  ping(): Promise<void>;
  /** Waits for queries in flight, then closes; idempotent. */
  close(): Promise<void>;
}

/** Opens the database and runs every pending migration; the same SQL on PGlite and PostgreSQL. */
export async function openDatabase(
  storage: StorageConfig,
  options: OpenDatabaseOptions = {},
): Promise<Database> {
  const opened =
    storage.kind === 'pglite'
      ? await openPglite(storage.dataDir, options)
      : openPostgres(storage.url, options);
  let closing: Promise<void> | undefined;
  // Closing twice (a shutdown racing a test's cleanup) is harmless.
  const database: Database = { ...opened, close: () => (closing ??= opened.close()) };
  try {
    await migrateToLatest(database.db);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

async function openPglite(dataDir: string, options: OpenDatabaseOptions): Promise<Database> {
  let pglite: PGlite;
  if (dataDir === 'memory') {
    pglite = await PGlite.create(options.pgliteTemplate ? { loadDataDir: options.pgliteTemplate } : {});
  } else {
    const directory = resolve(dataDir);
    mkdirSync(directory, { recursive: true });
    pglite = await PGlite.create({ dataDir: directory });
  }
  const db = new Kysely<HubDatabase>({ dialect: new PostgresDialect({ pool: new PglitePool(pglite) }) });
  return {
    db,
    kind: 'pglite',
    ping: () => ping(db),
    close: async () => {
      await db.destroy();
      await pglite.close();
    },
  };
}

function openPostgres(url: string, options: OpenDatabaseOptions): Database {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on('error', (error) => options.onPoolError?.(error));
  const db = new Kysely<HubDatabase>({ dialect: new PostgresDialect({ pool: new PreparingPool(pool) }) });
  return { db, kind: 'postgres', ping: () => ping(db), close: () => db.destroy() };
}

async function ping(db: Kysely<HubDatabase>): Promise<void> {
  await sql`select 1`.execute(db);
}

/** Runs pending migrations; returns the names it ran. */
export async function migrateToLatest(db: Kysely<HubDatabase>): Promise<string[]> {
  // Keep Kysely's bookkeeping tables in the schema the connection works in (search_path), so several
  // hubs (or test runs) can share one PostgreSQL database in separate schemas.
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const migrator = new Migrator({
    db,
    migrationTableSchema: rows[0]?.schema ?? 'public',
    provider: { getMigrations: async () => MIGRATIONS },
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  const failed = results.find((result) => result.status === 'Error');
  if (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${reason}`, { cause: error });
  }
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
