import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { sql } from 'kysely';
import { onEachDatabase } from '../../testing/databases.ts';
import { preparedQuery } from './prepared.ts';

const ADD = 'select $1::int + $2::int as sum, current_schema() as schema';

onEachDatabase('preparedQuery', (target) => {
  after(() => target.closeAll());

  it('runs with each call’s own parameters', async () => {
    const { db } = await target.open();
    for (const [a, b] of [
      [1, 2],
      [40, 2],
      [-5, 5],
    ] as const) {
      const { rows } = await db.executeQuery<{ sum: number }>(preparedQuery(ADD, [a, b]));
      assert.equal(rows[0]?.sum, a + b);
    }
  });

  // PGlite runs it as any other query (the test above); on PostgreSQL it is prepared.
  if (target.kind !== 'postgres') return;
  it('is prepared by name on PostgreSQL, once per connection, in the connection’s schema', async () => {
    const { db } = await target.open();
    await db.transaction().execute(async (trx) => {
      // One connection for the whole transaction: the statement is prepared on it, then reused.
      const first = await trx.executeQuery<{ schema: string }>(preparedQuery(ADD, [1, 1]));
      await trx.executeQuery(preparedQuery(ADD, [2, 2]));
      const { rows } = await sql<{ name: string }>`
        select name from pg_prepared_statements where statement = ${ADD}`.execute(trx);
      assert.equal(rows.length, 1);
      assert.match(rows[0]!.name, /^hub_prepared_\d+$/);
      const { rows: schema } = await sql<{ schema: string }>`select current_schema() as schema`.execute(trx);
      assert.equal(first.rows[0]?.schema, schema[0]?.schema);
    });
  });
});
