import { describe } from 'node:test';
import { openDatabase, type Database } from '../adapters/storage/database.ts';
import { pgliteTemplate } from './pglite-template.ts';
import { createTestSchema, skipWithoutPostgres } from './postgres.ts';

export interface DatabaseUnderTest {
  kind: 'pglite' | 'postgres';
  /** A fresh, migrated database (PGlite in memory, or a new schema in TEST_DATABASE_URL). Closed by `closeAll`. */
  open(): Promise<Database>;
  closeAll(): Promise<void>;
}

/**
 * Runs the same storage suite on PGlite and on PostgreSQL; the PostgreSQL run is skipped, with the
 * reason, when TEST_DATABASE_URL is not set.
 */
export function onEachDatabase(name: string, suite: (target: DatabaseUnderTest) => void): void {
  describe(`${name} on PGlite`, () => suite(target('pglite')));
  describe(`${name} on PostgreSQL`, { skip: skipWithoutPostgres }, () => suite(target('postgres')));
}

function target(kind: 'pglite' | 'postgres'): DatabaseUnderTest {
  const cleanups: Array<() => Promise<void>> = [];
  return {
    kind,
    async open() {
      if (kind === 'pglite') {
        const database = await openDatabase(
          { kind: 'pglite', dataDir: 'memory' },
          { pgliteTemplate: await pgliteTemplate() },
        );
        cleanups.push(() => database.close());
        return database;
      }
      const schema = await createTestSchema();
      const database = await openDatabase({ kind: 'postgres', url: schema.url });
      cleanups.push(async () => {
        await database.close();
        await schema.drop();
      });
      return database;
    },
    async closeAll() {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    },
  };
}
