import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { HubNotification, NotificationList } from '@teacher-hub/protocol';
import { startHubProcess, type HubProcess } from './testing/hub-process.ts';
import { startPushService, type PushServicePeer } from './testing/peers/push-service.ts';
import { createTestPki, type TestPki } from './testing/peers/tls.ts';

/**
 * Kills the hub process (SIGKILL) while notifications fan out and deliveries are in flight, restarts it
 * on the same data, and checks that every promised notification reaches the device, with at most one
 * duplicate provider call per delivery and kill, and a duplicate never shows twice (same Topic).
 */
/** How many times the test kills the hub. */
const KILLS = 2;

describe('a crash during notification delivery', () => {
  let pki: TestPki;
  let pushService: PushServicePeer;
  let dataDir: string;
  let hub: HubProcess | undefined;

  before(async () => {
    pki = await createTestPki();
    pushService = await startPushService({ pki });
    dataDir = mkdtempSync(join(tmpdir(), 'teacher-hub-crash-'));
  });
  after(async () => {
    await hub?.kill();
    await pushService.close();
    await pki.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  // The hub trusts the local push service only through NODE_EXTRA_CA_CERTS, as a deployment would.
  const start = () => startHubProcess({ HUB_DATA_DIR: dataDir, NODE_EXTRA_CA_CERTS: pki.caFile });

  async function tokenFor(url: string, userId: string): Promise<string> {
    const response = await fetch(`${url}/v1/dev/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId }),
    });
    return ((await response.json()) as { token: string }).token;
  }

  async function listed(url: string, token: string): Promise<HubNotification[]> {
    const response = await fetch(`${url}/v1/notifications?limit=100`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    return ((await response.json()) as NotificationList).notifications;
  }

  const deliveredIds = () =>
    new Set(
      pushService.deliveries.map(
        (delivery) => (JSON.parse(delivery.payload) as { notificationId: string }).notificationId,
      ),
    );

  it('delivers everything promised after restarts, each shown once on the device', async () => {
    hub = await start();
    let token = await tokenFor(hub.url, 's-01');
    const subscription = pushService.createSubscription();
    const registered = await fetch(`${hub.url}/v1/devices`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ platform: 'web', subscription }),
    });
    assert.equal(registered.status, 201);

    const promised = new Set<string>();
    const killDelays = [150 + Math.random() * 500, 50 + Math.random() * 300];
    assert.equal(killDelays.length, KILLS);
    for (const killAfterMs of killDelays) {
      // Slow answers keep deliveries in flight when the process dies.
      pushService.setResponseDelay(400);
      const url = hub.url;
      const requests = Array.from({ length: 8 }, async (_, index) => {
        await new Promise((resolve) => setTimeout(resolve, index * 40));
        try {
          const response = await fetch(`${url}/v1/notifications/test`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${token}` },
          });
          if (response.status === 202)
            promised.add(((await response.json()) as { notification: HubNotification }).notification.id);
        } catch {
          // the process died under this request: nothing was promised
        }
      });
      await new Promise((resolve) => setTimeout(resolve, killAfterMs));
      await hub.kill();
      await Promise.all(requests);
      pushService.setResponseDelay(0);
      hub = await start();
      token = await tokenFor(hub.url, 's-01');
    }
    assert.ok(promised.size > 0, 'some requests were answered before the kills');

    // Everything the hub stored (a superset of what it promised) must reach the device.
    const stored = await listed(hub.url, token);
    const storedIds = new Set(stored.map((notification) => notification.id));
    for (const id of promised) assert.ok(storedIds.has(id), `promised notification ${id} was stored`);
    const deadline = Date.now() + 30_000;
    while ([...storedIds].some((id) => !deliveredIds().has(id)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const missing = [...storedIds].filter((id) => !deliveredIds().has(id));
    assert.deepEqual(missing, [], 'every stored notification was delivered');

    const byNotification = new Map<string, Set<string | undefined>>();
    const calls = new Map<string, number>();
    for (const delivery of pushService.deliveries) {
      const { notificationId } = JSON.parse(delivery.payload) as { notificationId: string };
      byNotification.set(
        notificationId,
        (byNotification.get(notificationId) ?? new Set()).add(delivery.topic),
      );
      calls.set(notificationId, (calls.get(notificationId) ?? 0) + 1);
    }
    for (const [id, count] of calls) {
      // Each kill can repeat a delivery that was in flight (once per kill, as the second restart may
      // find the first restart's repeat in flight too); the Topic makes the device show it once.
      assert.ok(count <= 1 + KILLS, `notification ${id} reached the push service ${count} times`);
      assert.equal(
        byNotification.get(id)?.size,
        1,
        `a repeat of ${id} carries the same Topic, so it replaces the first`,
      );
    }
    const topics = [...byNotification.values()].map((set) => [...set][0]);
    assert.equal(new Set(topics).size, topics.length, 'different notifications never share a Topic');
    console.log(
      `crash test: ${promised.size} promised, ${storedIds.size} stored, ${pushService.deliveries.length} provider calls, ` +
        `${[...calls.values()].filter((count) => count > 1).length} repeated after a kill`,
    );
  });
});
