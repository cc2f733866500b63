import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql, type Generated } from 'kysely';
import { pgliteTemplate } from '../../testing/pglite-template.ts';
import { PglitePool } from './pglite-pool.ts';

interface TestDatabase {
  events: { id: Generated<number>; label: string };
}

describe('PglitePool', () => {
  let pglite: PGlite;
  let db: Kysely<TestDatabase>;

  before(async () => {
    pglite = await PGlite.create({ loadDataDir: await pgliteTemplate() });
    db = new Kysely<TestDatabase>({ dialect: new PostgresDialect({ pool: new PglitePool(pglite) }) });
    await sql`create table events (id serial primary key, label text not null)`.execute(db);
  });

  after(async () => {
    await db.destroy();
    await pglite.close();
  });

  it('makes other queries wait until a transaction commits, so none runs inside it', async () => {
    await sql`truncate events`.execute(db);
    const order: string[] = [];
    let releaseTransaction!: () => void;
    const transactionMayFinish = new Promise<void>((resolve) => (releaseTransaction = resolve));

    const transaction = db.transaction().execute(async (tx) => {
      await tx.insertInto('events').values({ label: 'inside' }).execute();
      order.push('transaction wrote');
      await transactionMayFinish;
      order.push('transaction commits');
    });
    await delay(20);
    const outside = db
      .insertInto('events')
      .values({ label: 'outside' })
      .execute()
      .then(() => order.push('outside wrote'));
    await delay(50);
    assert.deepEqual(order, ['transaction wrote'], 'the outside query waits for the connection');
    releaseTransaction();
    await Promise.all([transaction, outside]);

    assert.deepEqual(order, ['transaction wrote', 'transaction commits', 'outside wrote']);
  });

  it('keeps a rolled-back transaction from leaking its writes into later queries', async () => {
    await sql`truncate events`.execute(db);
    await assert.rejects(
      db.transaction().execute(async (tx) => {
        await tx.insertInto('events').values({ label: 'rolled back' }).execute();
        throw new Error('changed my mind');
      }),
      /changed my mind/,
    );
    const rows = await db.selectFrom('events').select('label').execute();
    assert.deepEqual(rows, []);
  });

  it('reports a COMMIT of an aborted transaction as a failure, as PostgreSQL does', async () => {
    await sql`truncate events`.execute(db);
    await assert.rejects(
      db.transaction().execute(async (tx) => {
        await tx.insertInto('events').values({ label: 'lost' }).execute();
        // Swallowing the error leaves the transaction aborted; its COMMIT answers ROLLBACK.
        await sql`select 1 / 0`.execute(tx).catch(() => undefined);
      }),
    );
    assert.equal(pglite.isInTransaction(), false);
    const rows = await db.selectFrom('events').select('label').execute();
    assert.deepEqual(rows, []);
  });

  it('serves many concurrent queries one at a time, in order, with affected-row counts', async () => {
    await sql`truncate events`.execute(db);
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, index) =>
        db
          .insertInto('events')
          .values({ label: `event ${index}` })
          .executeTakeFirst(),
      ),
    );
    assert.ok(results.every((result) => result.numInsertedOrUpdatedRows === 1n));
    const deleted = await db.deleteFrom('events').where('label', 'like', 'event 1%').executeTakeFirst();
    assert.equal(deleted.numDeletedRows, 11n);
  });

  it('waits for the current borrower when ended, then refuses new ones', async () => {
    const pool = new PglitePool(pglite);
    const client = await pool.connect();
    let ended = false;
    const ending = pool.end().then(() => (ended = true));
    await delay(10);
    assert.equal(ended, false);
    client.release();
    await ending;
    await assert.rejects(pool.connect(), /ended/);
  });
});
