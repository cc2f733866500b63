import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startHubProcess, type HubProcess } from '../testing/hub-process.ts';
import { startPushService, type PushServicePeer } from '../testing/peers/push-service.ts';
import { createTestPki, type TestPki } from '../testing/peers/tls.ts';
import { createTestSchema, skipWithoutPostgres, type TestSchema } from '../testing/postgres.ts';
import { until } from '../testing/until.ts';

const LEASE_S = 5;
/** Longer than the hold of a push in flight, so a live instance never loses a lease while it waits. */
const HOLD_MS = 3_000;
const DEVICES = 8;

/**
 * Three hub processes on one PostgreSQL. The one holding leased delivery jobs is killed (SIGKILL) while
 * its pushes are in flight; another instance takes the jobs over once the lease runs out. Each delivery
 * in flight at the kill may reach the push service a second time (documented: at most one repeat per
 * delivery and kill, with the same Topic, so the device shows it once); nothing is lost.
 */
describe('killing an instance that holds leased jobs', { skip: skipWithoutPostgres }, () => {
  let pki: TestPki;
  let pushService: PushServicePeer;
  let schema: TestSchema;
  let db: pg.Client;
  const hubs: HubProcess[] = [];

  before(async () => {
    pki = await createTestPki();
    pushService = await startPushService({ pki });
    schema = await createTestSchema();
    db = new pg.Client({ connectionString: schema.url });
    await db.connect();
    const env = {
      DATABASE_URL: schema.url,
      HUB_JOB_LEASE_S: String(LEASE_S),
      // The hub trusts the local push service only through NODE_EXTRA_CA_CERTS, as a deployment would.
      NODE_EXTRA_CA_CERTS: pki.caFile,
    };
    // The first one migrates and seeds; the others find it done.
    hubs.push(await startHubProcess(env));
    hubs.push(...(await Promise.all([startHubProcess(env), startHubProcess(env)])));
  });
  after(async () => {
    await Promise.all(hubs.map((hub) => hub.kill()));
    await db?.end();
    await schema?.drop();
    await pushService?.close();
    await pki?.cleanup();
  });

  async function tokenFor(url: string, userId: string): Promise<string> {
    const response = await fetch(`${url}/v1/dev/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId }),
    });
    return ((await response.json()) as { token: string }).token;
  }

  const post = async (url: string, token: string, path: string, body?: unknown) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  const notificationOf = (payload: string) =>
    (JSON.parse(payload) as { notificationId: string }).notificationId;

  it('hands the jobs of a killed instance to another within one lease, each in-flight push repeated at most once', async () => {
    const [first] = hubs as [HubProcess, HubProcess, HubProcess];
    const token = await tokenFor(first.url, 's-01');
    const endpoints = new Set<string>();
    for (let index = 0; index < DEVICES; index += 1) {
      const subscription = pushService.createSubscription();
      endpoints.add(subscription.endpoint);
      const registered = await post(first.url, token, '/v1/devices', { platform: 'web', subscription });
      assert.equal(registered.status, 201);
    }

    // One notification, one delivery job per device, written in one transaction; the instance that
    // made it is woken at once and claims them all (SKIP LOCKED keeps the others off).
    pushService.setResponseDelay(HOLD_MS);
    const made = await post(first.url, token, '/v1/notifications/test');
    assert.equal(made.status, 202);
    const inFlight = ((await made.json()) as { notification: { id: string } }).notification.id;
    await until(
      () => pushService.requests.length >= DEVICES,
      10_000,
      'the pushes did not reach the push service',
    );
    const sentAt = Math.min(...pushService.requests.map((request) => request.receivedAt));

    const { rows: holders } = await db.query<{ locked_by: string; jobs: string }>(
      `select locked_by, count(*) as jobs from jobs where status = 'running' group by locked_by order by jobs desc`,
    );
    const holder = holders[0];
    assert.ok(holder, 'some instance holds the delivery jobs');
    const victim = hubs.find((hub) => holder.locked_by.includes(`-${hub.process.pid}-`));
    assert.ok(victim, `the holder ${holder.locked_by} is one of the three processes`);
    const killedAt = Date.now();
    await victim.kill();
    pushService.setResponseDelay(0);
    const survivors = hubs.filter((hub) => hub !== victim);

    const receiptsOf = (id: string) =>
      pushService.deliveries.filter((delivery) => notificationOf(delivery.payload) === id);
    // The jobs the killed instance held that were pushes in flight (the test notification also emails).
    const { rows: held } = await db.query<{ pushes: string }>(
      `select count(*) as pushes from jobs j join deliveries d on d.id = j.payload->>'deliveryId'
        where j.status = 'running' and j.locked_by = $1 and d.channel = 'webpush'`,
      [holder.locked_by],
    );
    const heldPushes = Number(held[0]?.pushes);
    assert.ok(heldPushes > 0);
    await until(
      () => receiptsOf(inFlight).length >= DEVICES + heldPushes,
      (LEASE_S + 5) * 1_000,
      'the killed instance’s jobs were not taken over',
    );
    const repeats = receiptsOf(inFlight).filter((delivery) => delivery.receivedAt >= killedAt);
    const takenOverAt = Math.max(...repeats.map((delivery) => delivery.receivedAt));
    // Liveness bound: the lease began at the claim (just before the first send), plus one poll and slack.
    assert.ok(
      takenOverAt - sentAt <= LEASE_S * 1_000 + 2_500,
      `taken over ${takenOverAt - sentAt} ms after the claim`,
    );

    // The survivors keep working: a notification made after the kill goes out once per device.
    const survivorToken = await tokenFor((survivors[0] as HubProcess).url, 's-01');
    const after = await post((survivors[0] as HubProcess).url, survivorToken, '/v1/notifications/test');
    assert.equal(after.status, 202);
    const afterId = ((await after.json()) as { notification: { id: string } }).notification.id;
    await until(() => receiptsOf(afterId).length >= DEVICES, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    for (const endpoint of endpoints) {
      const atDevice = (id: string) =>
        pushService.deliveries.filter(
          (delivery) => delivery.endpoint === endpoint && notificationOf(delivery.payload) === id,
        );
      const inFlightCopies = atDevice(inFlight);
      assert.ok(
        inFlightCopies.length >= 1 && inFlightCopies.length <= 2,
        `${inFlightCopies.length} copies: delivered, and repeated at most once for the one kill`,
      );
      assert.equal(
        new Set(inFlightCopies.map((copy) => copy.topic)).size,
        1,
        'a repeat carries the same Topic',
      );
      assert.equal(atDevice(afterId).length, 1, 'made after the kill: exactly once');
    }
    const { rows: jobs } = await db.query<{ status: string; count: string }>(
      `select status, count(*) as count from jobs where kind = 'notification.deliver' group by status`,
    );
    assert.deepEqual(
      jobs.map((row) => row.status),
      ['done'],
      `every delivery job finished: ${JSON.stringify(jobs)}`,
    );
    const repeated = receiptsOf(inFlight).length - DEVICES;
    console.log(
      `# instance kill: 3 processes, lease ${LEASE_S} s; killed the holder of ${heldPushes} leased pushes with pushes in flight; ` +
        `taken over ${takenOverAt - killedAt} ms after the kill (${takenOverAt - sentAt} ms after the claim); ` +
        `${repeated} of ${DEVICES} pushes repeated once (same Topic), 0 lost, ${DEVICES} made after the kill sent once each`,
    );
  });
});
