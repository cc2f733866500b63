import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeviceResponse, HubNotification } from '@teacher-hub/protocol';
import { json, jsonBody } from './testing/http.ts';
import { startInstancesOnOnePostgres, type InstancesOnOnePostgres } from './testing/instances.ts';
import type { PushServicePeer } from './testing/peers/push-service.ts';
import { skipWithoutPostgres } from './testing/postgres.ts';
import { readSse } from './testing/sse.ts';
import type { TestApp } from './testing/test-app.ts';

/** Several hub instances on one PostgreSQL: live events cross instances, jobs run once. */
describe('two hub instances on one PostgreSQL', { skip: skipWithoutPostgres }, () => {
  let setup: InstancesOnOnePostgres;
  let pushService: PushServicePeer;
  let a: TestApp;
  let b: TestApp;

  before(async () => {
    setup = await startInstancesOnOnePostgres(['instance-a', 'instance-b']);
    ({ pushService } = setup);
    [a, b] = setup.instances as [TestApp, TestApp];
  });
  after(() => setup?.close());

  it('brings a notification created through instance A to an SSE client connected to instance B', async () => {
    const stream = readSse(
      await b.app.request(`/v1/notifications/stream?access_token=${await b.tokenFor('s-02')}`),
    );
    try {
      await stream.next('ready');
      const { notification } = await json<{ notification: HubNotification }>(
        await a.requestAs('s-02', '/v1/notifications/test', { method: 'POST' }),
        202,
      );
      const received = JSON.parse((await stream.next('notification')).data) as HubNotification;
      assert.equal(received.id, notification.id);
    } finally {
      await stream.close();
    }
  });

  it('runs each delivery job once, not once per instance', async () => {
    // Two users, so the 20 test notifications stay under the per-user rate limit of the test route.
    const endpoints: string[] = [];
    for (const userId of ['s-03', 's-04']) {
      const subscription = pushService.createSubscription();
      endpoints.push(subscription.endpoint);
      await json<DeviceResponse>(
        await a.requestAs(
          userId,
          '/v1/devices',
          jsonBody({ platform: 'web', subscription }, { method: 'POST' }),
        ),
        201,
      );
    }
    const sent: string[] = [];
    for (let index = 0; index < 20; index += 1) {
      const { notification } = await json<{ notification: HubNotification }>(
        await (index % 2 ? a : b).requestAs(index < 10 ? 's-03' : 's-04', '/v1/notifications/test', {
          method: 'POST',
        }),
        202,
      );
      sent.push(notification.id);
    }
    const [ranOnA, ranOnB] = await Promise.all([
      a.services.notifications.worker.runDue(),
      b.services.notifications.worker.runDue(),
    ]);
    const delivered = endpoints
      .flatMap((endpoint) => pushService.deliveriesTo(endpoint))
      .map((delivery) => (JSON.parse(delivery.payload) as { notificationId: string }).notificationId);
    assert.equal(delivered.length, 20, `20 pushes, not more (A ran ${ranOnA} jobs, B ran ${ranOnB})`);
    assert.deepEqual(delivered.toSorted(), sent.toSorted());
    const instances = await a.services.database.db
      .selectFrom('delivery_attempts')
      .select('instance')
      .distinct()
      .execute();
    assert.ok(instances.length >= 1);
  });
});
