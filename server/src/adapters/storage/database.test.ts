import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { onEachDatabase } from '../../testing/databases.ts';
import type { Database } from './database.ts';
import { migrateToLatest } from './database.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { SettingsStore } from './settings-store.ts';

onEachDatabase('migrations', (target) => {
  let database: Database;
  before(async () => {
    database = await target.open();
  });
  after(() => target.closeAll());

  it('creates the directory and settings tables', async () => {
    const tables = await database.db.introspection.getTables();
    const names = tables.map((table) => table.name);
    for (const table of ['users', 'courses', 'enrollments', 'settings'])
      assert.ok(names.includes(table), table);
    const users = tables.find((table) => table.name === 'users');
    const createdAt = users?.columns.find((column) => column.name === 'created_at');
    assert.equal(createdAt?.dataType, 'timestamptz');
  });

  it('records every migration, and running them again changes nothing', async () => {
    assert.deepEqual(await migrateToLatest(database.db), []);
    const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
      database.db,
    );
    assert.deepEqual(
      rows.map((row) => row.name),
      Object.keys(MIGRATIONS),
    );
  });

  it('enforces the directory constraints (roles, enrollments need their user and course)', async () => {
    await assert.rejects(
      database.db
        .insertInto('users')
        .values({ id: 'x', name: 'X', email: null, role: 'admin' as never })
        .execute(),
    );
    await assert.rejects(
      database.db
        .insertInto('enrollments')
        .values({ course_id: 'nope', user_id: 'nope', role: 'student' })
        .execute(),
    );
  });

  it('answers a ping', async () => {
    await database.ping();
  });

  it('keeps settings as JSON and creates each one once', async () => {
    const settings = new SettingsStore(database.db);
    let created = 0;
    const make = () => ({ secret: `generated ${++created}` });
    const [first, second] = await Promise.all([
      settings.getOrCreate('test.secret', make),
      settings.getOrCreate('test.secret', make),
    ]);
    assert.deepEqual(first, second);
    assert.deepEqual(await settings.get('test.secret'), first);
    assert.equal(await settings.get('test.absent'), undefined);
  });
});
