import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { HubNotification } from '@teacher-hub/protocol';
import { sql } from 'kysely';
import { json } from '../testing/http.ts';
import { createTestSchema, skipWithoutPostgres, type TestSchema } from '../testing/postgres.ts';
import { readSse } from '../testing/sse.ts';
import { createTestApp, type TestApp } from '../testing/test-app.ts';

/**
 * PostgreSQL drops the LISTEN connection of one instance (a restart, a failover, an idle-session
 * timeout): the instance reconnects by itself, and its SSE clients catch up on what was sent meanwhile.
 */
describe('an instance whose LISTEN connection PostgreSQL drops', { skip: skipWithoutPostgres }, () => {
  let schema: TestSchema;
  let a: TestApp;
  let b: TestApp;
  // Unique, as other test files may run instances on the same database at the same time.
  const idB = `resync-b-${randomBytes(4).toString('hex')}`;

  before(async () => {
    schema = await createTestSchema();
    a = await createTestApp({ env: { DATABASE_URL: schema.url }, services: { instanceId: `${idB}-a` } });
    b = await createTestApp({ env: { DATABASE_URL: schema.url }, services: { instanceId: idB } });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await schema?.drop();
  });

  const sendTest = async (userId: string) =>
    (
      await json<{ notification: HubNotification }>(
        await a.requestAs(userId, '/v1/notifications/test', { method: 'POST' }),
        202,
      )
    ).notification;

  it('reconnects, replays the notifications its SSE clients missed, and sends ready again to resync the rest', async () => {
    const stream = readSse(
      await b.app.request(`/v1/notifications/stream?access_token=${await b.tokenFor('s-01')}`),
    );
    try {
      const ready = JSON.parse((await stream.next('ready')).data) as { pingMs?: number };
      assert.equal(ready.pingMs, 15_000, 'the client learns how often to expect a ping');
      const first = await sendTest('s-01');
      assert.equal((await stream.next('notification')).id, await seqOf(first.id));

      const terminatedAt = Date.now();
      const { rows } = await sql<{ terminated: boolean }>`
        select pg_terminate_backend(pid) as terminated from pg_stat_activity
         where application_name = ${`hub-live:${idB}`}
      `.execute(a.services.database.db);
      assert.deepEqual(
        rows.map((row) => row.terminated),
        [true],
      );
      // Published through A while B's LISTEN connection is (most likely) down.
      const missed = await sendTest('s-01');

      const seen: string[] = [];
      for (;;) {
        const event = await stream.next(undefined, 15_000);
        if (event.event === 'notification') seen.push((JSON.parse(event.data) as HubNotification).id);
        if (event.event === 'ready') {
          assert.equal((JSON.parse(event.data) as { resync?: boolean }).resync, true);
          break;
        }
      }
      const resyncedMs = Date.now() - terminatedAt;
      assert.deepEqual(seen, [missed.id], 'the missed notification, once, before the resync');

      const later = await sendTest('s-01');
      assert.equal((JSON.parse((await stream.next('notification')).data) as HubNotification).id, later.id);
      console.log(
        `# live resync: LISTEN backend terminated; SSE client resynchronised ${resyncedMs} ms later, missed notification replayed once`,
      );
    } finally {
      await stream.close();
    }
  });

  async function seqOf(id: string): Promise<string> {
    const { rows } = await sql<{
      seq: string;
    }>`select seq::text as seq from notifications where id = ${id}`.execute(a.services.database.db);
    return rows[0]?.seq ?? '';
  }
});
