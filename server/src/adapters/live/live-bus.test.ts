import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { InProcessLiveBus, PostgresLiveBus, type LiveEvent } from './live-bus.ts';

const event = (userIds: string[], data: unknown = { hello: 'world' }): LiveEvent => ({
  type: 'notification',
  userIds,
  id: '1',
  data,
});

function collect(bus: { subscribe: InProcessLiveBus['subscribe'] }, userId: string) {
  const seen: LiveEvent[] = [];
  const unsubscribe = bus.subscribe(userId, (received) => seen.push(received));
  return { seen, unsubscribe };
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for live events');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('InProcessLiveBus', () => {
  it('delivers an event to each addressed user once, and to nobody else', async () => {
    const bus = new InProcessLiveBus();
    const ada = collect(bus, 't-ada');
    const s01 = collect(bus, 's-01');
    const s09 = collect(bus, 's-09');
    await bus.publish(event(['t-ada', 's-01', 's-01']));
    assert.equal(ada.seen.length, 1);
    assert.equal(s01.seen.length, 1);
    assert.equal(s09.seen.length, 0);
  });

  it('stops delivering after unsubscribe and counts listeners', async () => {
    const bus = new InProcessLiveBus();
    const first = collect(bus, 's-01');
    const second = collect(bus, 's-01');
    assert.equal(bus.listenerCount(), 2);
    first.unsubscribe();
    first.unsubscribe();
    assert.equal(bus.listenerCount(), 1);
    await bus.publish(event(['s-01']));
    assert.equal(first.seen.length, 0);
    assert.equal(second.seen.length, 1);
  });
});

const databaseUrl = process.env.TEST_DATABASE_URL;

describe('PostgresLiveBus', { skip: databaseUrl ? false : 'TEST_DATABASE_URL is not set' }, () => {
  async function startInstance() {
    const listen = new pg.Client({ connectionString: databaseUrl });
    await listen.connect();
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    const bus = await PostgresLiveBus.start(listen, async (payload) => {
      await pool.query('select pg_notify($1, $2)', ['hub_live', payload]);
    });
    return {
      bus,
      close: async () => {
        await bus.close();
        await pool.end();
      },
    };
  }

  it('carries an event published on one instance to listeners on another, once each', async () => {
    const a = await startInstance();
    const b = await startInstance();
    try {
      const onA = collect(a.bus, 's-01');
      const onB = collect(b.bus, 's-01');
      await a.bus.publish(event(['s-01'], { from: 'A' }));
      await until(() => onA.seen.length === 1 && onB.seen.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(onA.seen.length, 1);
      assert.deepEqual(onB.seen[0]?.data, { from: 'A' });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('splits an event too large for one NOTIFY by recipients', async () => {
    const a = await startInstance();
    const b = await startInstance();
    try {
      const userIds = Array.from({ length: 600 }, (_, index) => `student-${String(index).padStart(4, '0')}`);
      const listeners = userIds.map((userId) => collect(b.bus, userId));
      await a.bus.publish(event(userIds, { body: 'x'.repeat(2000) }));
      await until(() => listeners.every(({ seen }) => seen.length === 1));
    } finally {
      await a.close();
      await b.close();
    }
  });
});
