import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL the storage tests also run against; CI sets it when PostgreSQL answers. */
export const TEST_DATABASE_URL = process.env['TEST_DATABASE_URL'];

/** For `describe(name, { skip: skipWithoutPostgres }, …)`: the reason, or false when PostgreSQL is there. */
export const skipWithoutPostgres: string | false = TEST_DATABASE_URL ? false : 'TEST_DATABASE_URL not set';

export interface TestSchema {
  /** `TEST_DATABASE_URL` with this schema as its `search_path`. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * A fresh schema in the test database, so runs that share it (other test files, other machines' CI
 * jobs, a developer's hub) never see each other's tables. Drop it when done.
 */
export async function createTestSchema(): Promise<TestSchema> {
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
  const name = `hub_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`create schema ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${name}`);
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`drop schema if exists ${name} cascade`);
      } finally {
        await client.end();
      }
    },
  };
}
