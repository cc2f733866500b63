import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DirectorySync } from '@teacher-hub/protocol';
import { sql } from 'kysely';
import { DEMO_DIRECTORY } from '../adapters/directory/demo-directory.ts';
import { assertError, jsonBody } from '../testing/http.ts';
import { startInstancesOnOnePostgres, type InstancesOnOnePostgres } from '../testing/instances.ts';
import type { PushServicePeer } from '../testing/peers/push-service.ts';
import { skipWithoutPostgres } from '../testing/postgres.ts';
import type { TestApp } from '../testing/test-app.ts';
import { until } from '../testing/until.ts';

/** The directory without one student (and her enrollments), as an LMS sync that removed her sends it. */
const without = (userId: string): DirectorySync => ({
  users: DEMO_DIRECTORY.users.filter((user) => user.id !== userId),
  courses: DEMO_DIRECTORY.courses,
  enrollments: DEMO_DIRECTORY.enrollments.filter((enrollment) => enrollment.userId !== userId),
});

/**
 * Each instance remembers which users exist (so a token's requests after the first cost no write). A
 * directory sync on one instance that removes a user who still holds a valid token must not leave the
 * others believing in a row that is gone: a write referencing her would fail on a foreign key.
 */
describe('the known-user cache across two instances', { skip: skipWithoutPostgres }, () => {
  let setup: InstancesOnOnePostgres;
  let pushService: PushServicePeer;
  let a: TestApp;
  let b: TestApp;

  before(async () => {
    setup = await startInstancesOnOnePostgres(['directory-a', 'directory-b']);
    ({ pushService } = setup);
    [a, b] = setup.instances as [TestApp, TestApp];
  });
  after(() => setup?.close());

  const registerDevice = (hub: TestApp, userId: string) =>
    hub.requestAs(
      userId,
      '/v1/devices',
      jsonBody({ platform: 'web', subscription: pushService.createSubscription() }, { method: 'POST' }),
    );
  const userExists = async (userId: string) =>
    (await sql<{ id: string }>`select id from users where id = ${userId}`.execute(a.services.database.db))
      .rows.length === 1;

  it('forgets on every instance when a sync on one removes a user, so her next request re-creates her row', async () => {
    // B has seen s-12 (her token's first request) and knows she exists.
    assert.equal((await registerDevice(b, 's-12')).status, 201);
    const token = await a.tokenFor('s-12');

    const synced = await a.app.request('/v1/admin/directory', {
      method: 'PUT',
      ...jsonBody(without('s-12'), { headers: { Authorization: 'Bearer dev-admin-key' } }),
    });
    assert.equal(synced.status, 200);
    assert.equal(await userExists('s-12'), false, 'the sync removed her');

    // Her token is still valid. Every answer from B is a success or a 4xx, never a 500, and once the
    // directory.changed signal has crossed over (milliseconds), B re-creates her row and registers.
    const statuses: number[] = [];
    await until(async () => {
      const response = await b.app.request('/v1/devices', {
        method: 'POST',
        ...jsonBody(
          { platform: 'web', subscription: pushService.createSubscription() },
          { headers: { Authorization: `Bearer ${token}` } },
        ),
      });
      statuses.push(response.status);
      return response.status === 201;
    }, 5_000);
    assert.ok(
      statuses.every((status) => status === 201 || status === 409),
      `statuses ${statuses.join(', ')}`,
    );
    assert.equal(await userExists('s-12'), true);
    console.log(
      `# directory cache: user removed by a sync on A registered a device on B: ${statuses.join(' → ')}`,
    );
  });

  it('answers 409, not 500, when the signal was missed, and re-creates the user on the retry', async () => {
    assert.equal((await registerDevice(b, 's-11')).status, 201);
    const token = await b.tokenFor('s-11');
    const register = () =>
      b.app.request('/v1/devices', {
        method: 'POST',
        ...jsonBody(
          { platform: 'web', subscription: pushService.createSubscription() },
          { headers: { Authorization: `Bearer ${token}` } },
        ),
      });
    // The row disappears without any instance being told (as if the signal was lost).
    await sql`delete from users where id = 's-11'`.execute(a.services.database.db);

    await assertError(await register(), 409, 'CONFLICT');
    assert.equal((await register()).status, 201, 'the retry re-creates her row');
    assert.equal(await userExists('s-11'), true);
    assert.ok(!b.logLines.some((line) => line.includes('unexpected error')), 'nothing was logged as a 500');
  });
});
