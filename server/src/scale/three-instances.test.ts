import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Call, CallResponse, DeviceResponse, HubNotification } from '@teacher-hub/protocol';
import { sql } from 'kysely';
import type { ChatResponse } from '../domain/chat/chat-api.ts';
import { json, jsonBody } from '../testing/http.ts';
import { startInstancesOnOnePostgres, type InstancesOnOnePostgres } from '../testing/instances.ts';
import type { PushServicePeer } from '../testing/peers/push-service.ts';
import { skipWithoutPostgres } from '../testing/postgres.ts';
import { until } from '../testing/until.ts';
import { readSse } from '../testing/sse.ts';
import type { TestApp } from '../testing/test-app.ts';

const RING_TIMEOUT_S = 5;

/**
 * Three hub instances in one process on one PostgreSQL schema, each with its own live bus (LISTEN/NOTIFY)
 * and its own job worker on the real clock, as three servers behind a load balancer would run.
 */
describe('three hub instances on one PostgreSQL', { skip: skipWithoutPostgres }, () => {
  let setup: InstancesOnOnePostgres;
  let pushService: PushServicePeer;
  let instances: TestApp[] = [];

  before(async () => {
    setup = await startInstancesOnOnePostgres(['instance-a', 'instance-b', 'instance-c'], {
      HUB_RING_TIMEOUT_S: String(RING_TIMEOUT_S),
      HUB_REMINDER_LEAD_MIN: '15',
    });
    ({ pushService, instances } = setup);
  });
  after(() => setup?.close());

  const openStream = async (instance: TestApp, userId: string) => {
    const stream = readSse(
      await instance.app.request(`/v1/notifications/stream?access_token=${await instance.tokenFor(userId)}`),
    );
    await stream.next('ready');
    return stream;
  };

  it('brings notifications and call events created on any instance to SSE clients on every instance', async () => {
    const streams = await Promise.all(instances.map((instance) => openStream(instance, 's-01')));
    try {
      for (const [origin, instance] of instances.entries()) {
        const { notification } = await json<{ notification: HubNotification }>(
          await instance.requestAs('s-01', '/v1/notifications/test', { method: 'POST' }),
          202,
        );
        for (const [index, stream] of streams.entries()) {
          const received = JSON.parse((await stream.next('notification')).data) as HubNotification;
          assert.equal(received.id, notification.id, `made on ${origin}, seen on ${index}`);
        }
      }

      const [a, b] = instances as [TestApp, TestApp, TestApp];
      const { chat } = await json<ChatResponse>(
        await a.requestAs(
          't-ada',
          '/v1/chats',
          jsonBody({ name: 'Scale-out study group', memberIds: ['s-01', 's-02'] }, { method: 'POST' }),
        ),
        201,
      );
      const { call } = await json<CallResponse>(
        await b.requestAs('t-ada', `/v1/chats/${chat.id}/calls`, { method: 'POST' }),
        201,
      );
      for (const [index, stream] of streams.entries()) {
        const seen = JSON.parse((await stream.next('call')).data) as Call;
        assert.equal(seen.id, call.id, `the call started on instance 1 reached instance ${index}`);
        assert.equal(seen.status, 'ringing');
      }
      await json(await b.requestAs('t-ada', `/v1/calls/${call.id}/end`, { method: 'POST' }), 200);
      console.log(
        `# scale-out: 3 instances, SSE clients on each got ${instances.length} notifications and 1 call event made on the others`,
      );
    } finally {
      await Promise.all(streams.map((stream) => stream.close()));
    }
  });

  it('runs each reminder, ring timeout and push delivery once across three running workers', async () => {
    const [a, b, c] = instances as [TestApp, TestApp, TestApp];
    const devices = new Map<string, string>();
    const users = ['s-01', 's-02', 's-03', 's-04', 's-05'];
    for (const [index, userId] of users.entries()) {
      const subscription = pushService.createSubscription();
      await json<DeviceResponse>(
        await instances[index % 3]!.requestAs(
          userId,
          '/v1/devices',
          jsonBody({ platform: 'web', subscription }, { method: 'POST' }),
        ),
        201,
      );
      devices.set(subscription.endpoint, userId);
    }
    for (const instance of instances) instance.services.start();

    // A ring timeout: nobody answers, so s-01 and s-02 get call.missed once the 5 s ring window ends.
    const { chat } = await json<ChatResponse>(
      await a.requestAs(
        't-ada',
        '/v1/chats',
        jsonBody({ name: 'Exactly once', memberIds: ['s-01', 's-02'] }, { method: 'POST' }),
      ),
      201,
    );
    const { call } = await json<CallResponse>(
      await c.requestAs('t-ada', `/v1/chats/${chat.id}/calls`, { method: 'POST' }),
      201,
    );
    // A reminder due at once: the session starts in 10 minutes, inside the 15-minute lead.
    const startsAt = new Date(Date.now() + 10 * 60_000);
    const session = (
      await json<{ session: { id: string } }>(
        await b.requestAs(
          't-ada',
          '/v1/sessions',
          jsonBody(
            {
              title: 'Scale-out review',
              type: 'group',
              start: startsAt.toISOString().slice(0, 16),
              timeZone: 'UTC',
              durationMinutes: 30,
              inviteeIds: ['s-01', 's-02', 's-03'],
            },
            { method: 'POST' },
          ),
        ),
        201,
      )
    ).session;
    // Deliveries: test notifications made through every instance in turn (under the per-user rate limit).
    for (let index = 0; index < 25; index += 1) {
      const userId = users[index % users.length] as string;
      await json(
        await instances[index % 3]!.requestAs(userId, '/v1/notifications/test', { method: 'POST' }),
        202,
      );
    }

    const rows = async (kind: string, field: 'callId' | 'sessionId', id: string) =>
      (
        await sql<{ user_id: string }>`
          select user_id from notifications where kind = ${kind} and data->>${field} = ${id} order by user_id
        `.execute(a.services.database.db)
      ).rows.map((row) => row.user_id);
    const notificationIds = async () =>
      (
        await sql<{ id: string }>`
          select notification_id as id from deliveries where channel = 'webpush'
        `.execute(a.services.database.db)
      ).rows;

    await until(async () => (await rows('call.missed', 'callId', call.id)).length === 2, 15_000);
    await until(async () => (await rows('session.reminder', 'sessionId', session.id)).length === 3, 10_000);
    const expected = await notificationIds();
    const pushedIds = () =>
      pushService.deliveries
        .filter((delivery) => devices.has(delivery.endpoint))
        .map((delivery) => (JSON.parse(delivery.payload) as { notificationId: string }).notificationId);
    await until(() => new Set(pushedIds()).size >= expected.length, 15_000);
    // Give a second run of anything a chance to show before counting.
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    assert.deepEqual(await rows('call.missed', 'callId', call.id), ['s-01', 's-02']);
    assert.deepEqual(await rows('session.reminder', 'sessionId', session.id), ['s-01', 's-02', 's-03']);
    const pushed = pushedIds();
    assert.equal(
      pushed.length,
      expected.length,
      'one push per notification and device, not one per instance',
    );
    assert.deepEqual(pushed.toSorted(), expected.map((row) => row.id).toSorted());

    const jobs = (
      await sql<{ kind: string; locked_by: string; attempts: number; count: string }>`
        select kind, locked_by, attempts, count(*) as count from jobs where status = 'done'
        group by kind, locked_by, attempts order by kind, locked_by
      `.execute(a.services.database.db)
    ).rows;
    assert.ok(
      jobs.every((row) => row.attempts === 1),
      `every job ran on its first claim: ${JSON.stringify(jobs)}`,
    );
    const byInstance = new Map<string, number>();
    for (const row of jobs)
      byInstance.set(row.locked_by, (byInstance.get(row.locked_by) ?? 0) + Number(row.count));
    const ran = (kind: string) =>
      jobs
        .filter((row) => row.kind === kind)
        .map((row) => `${row.locked_by.replace('instance-', '')}:${row.count}`)
        .join(' ');
    console.log(
      `# scale-out: 3 running workers, ${jobs.reduce((sum, row) => sum + Number(row.count), 0)} jobs each run once ` +
        `(by instance: ${[...byInstance].map(([id, count]) => `${id.replace('instance-', '')}=${count}`).join(', ')}); ` +
        `ring timeout ${ran('call.ring-timeout')}, reminder ${ran('session.reminder')}; ` +
        `${pushed.length} pushes for ${expected.length} notification×device pairs, 0 repeated`,
    );
  });
});
