import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { postgresLiveSpill } from './live-spill.ts';
import { createTestSchema } from '../../testing/postgres.ts';
import { openDatabase } from '../storage/database.ts';
import {
  InProcessLiveBus,
  liveChannelFor,
  MAX_NOTIFY_BYTES,
  packNotifyPayloads,
  pgNotifyBatch,
  PostgresLiveBus,
  type LiveEvent,
  type LiveSignal,
  type PostgresLiveBusOptions,
} from './live-bus.ts';

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

describe('packNotifyPayloads', () => {
  it('packs payloads in order into arrays that each fit one NOTIFY, and leaves one that shares with none as it is', () => {
    const small = Array.from({ length: 300 }, (_, n) =>
      JSON.stringify({ type: 'notification', data: { n } }),
    );
    // As long as one NOTIFY takes: it shares with none.
    const frame = JSON.stringify({ type: 'call', data: { body: '' } });
    const big = JSON.stringify({ type: 'call', data: { body: 'x'.repeat(MAX_NOTIFY_BYTES - frame.length) } });
    const payloads = [...small, big, ...small.slice(0, 3)];
    const packed = packNotifyPayloads(payloads);
    assert.ok(packed.length < 10, `${packed.length} NOTIFYs`);
    for (const payload of packed) assert.ok(Buffer.byteLength(payload) <= MAX_NOTIFY_BYTES);
    assert.ok(packed.includes(big), 'the big one alone, unwrapped');
    const unpacked = packed.flatMap((payload) => {
      const parsed = JSON.parse(payload) as unknown;
      return (Array.isArray(parsed) ? parsed : [parsed]).map((message) => JSON.stringify(message));
    });
    assert.deepEqual(unpacked, payloads);
    assert.deepEqual(packNotifyPayloads([small[0] as string]), [small[0]]);
    assert.deepEqual(packNotifyPayloads([]), []);
  });
});

describe('PostgresLiveBus', { skip: databaseUrl ? false : 'TEST_DATABASE_URL is not set' }, () => {
  /** An instance; with `spill`, events too big for one NOTIFY go through the schema's `live_spill` table. */
  async function startInstance(options: PostgresLiveBusOptions = {}, url = databaseUrl, spill = false) {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const listeners: pg.Client[] = [];
    const notify = pgNotifyBatch(pool, options.channel ?? 'hub_live');
    /** The statements that carried NOTIFYs, each with how many. */
    const statements: number[] = [];
    const bus = await PostgresLiveBus.start(
      async () => {
        const listen = new pg.Client({ connectionString: url });
        await listen.connect();
        listeners.push(listen);
        return listen;
      },
      async (payloads) => {
        statements.push(payloads.length);
        await notify(payloads);
      },
      { ...options, ...(spill ? { spill: postgresLiveSpill(pool) } : {}) },
    );
    return {
      bus,
      pool,
      statements,
      /** The backend pid of the current LISTEN connection. */
      listenerPid: async () => {
        const current = listeners.at(-1);
        const { rows } = await (current as pg.Client).query<{ pid: number }>(
          'select pg_backend_pid() as pid',
        );
        return (rows[0] as { pid: number }).pid;
      },
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

  it('sends a fan-out published at once in one statement, and another instance hears all of it in order', async () => {
    const a = await startInstance();
    const b = await startInstance();
    try {
      const onB = Array.from({ length: 5 }, (_, index) => collect(b.bus, `s-0${index}`));
      const onA = collect(a.bus, 's-00');
      // A thousand notifications, two hundred per student, then one state event for all of them.
      const published = Array.from({ length: 1000 }, (_, n) =>
        a.bus.publish({ type: 'notification', userIds: [`s-0${n % 5}`], id: String(n), data: { n } }),
      );
      published.push(
        a.bus.publish({ type: 'call', userIds: onB.map((_, i) => `s-0${i}`), data: { n: 1000 } }),
      );
      await Promise.all(published);
      assert.equal(a.statements.length, 1, 'one statement for the whole fan-out');
      assert.ok((a.statements[0] as number) < 50, `the events packed in few NOTIFYs (${a.statements[0]})`);

      await until(() => onB.every(({ seen }) => seen.length === 201) && onA.seen.length === 201);
      for (const [student, { seen }] of onB.entries()) {
        const expected = [...Array.from({ length: 200 }, (_, k) => k * 5 + student), 1000];
        assert.deepEqual(
          seen.map((received) => (received.data as { n: number }).n),
          expected,
          `s-0${student} got all of its events, in the order they were published`,
        );
      }
      assert.deepEqual(
        onA.seen.map((received) => (received.data as { n: number }).n),
        onB[0]?.seen.map((received) => (received.data as { n: number }).n),
      );
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('sends what is published as earlier publishes settle, whenever that is', async () => {
    const a = await startInstance();
    const b = await startInstance();
    try {
      const onB = collect(b.bus, 's-01');
      // Each publish starts when the one before it has gone out, at every point of the outbox's turn.
      const sent: number[] = [];
      await new Promise<void>((resolve, reject) => {
        const next = (n: number) => {
          if (n === 30) return resolve();
          const published = a.bus.publish(event(['s-01'], { n }));
          for (let hops = 0, settled = published; hops <= n; hops += 1) {
            settled = settled.then(() => undefined);
            if (hops === n) settled.then(() => (sent.push(n), next(n + 1)), reject);
          }
        };
        next(0);
      });
      await until(() => onB.seen.length === 30);
      assert.deepEqual(
        onB.seen.map((received) => (received.data as { n: number }).n),
        Array.from({ length: 30 }, (_, n) => n),
      );
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('delivers the same event published twice at once twice (PostgreSQL folds repeats within one statement)', async () => {
    const a = await startInstance();
    const b = await startInstance();
    try {
      const onB = collect(b.bus, 's-01');
      const same: LiveEvent = { type: 'session', userIds: ['s-01'], data: { state: 'live' } };
      await Promise.all([a.bus.publish(same), a.bus.publish(same), a.bus.signal('directory.changed')]);
      await until(() => onB.seen.length === 2);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(onB.seen.length, 2);
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

  it('carries an event too big for one NOTIFY whole through the spill table, in order with the others', async () => {
    const schema = await createTestSchema();
    const database = await openDatabase({ kind: 'postgres', url: schema.url });
    const channel = liveChannelFor(schema.name);
    const a = await startInstance({ channel }, schema.url, true);
    const b = await startInstance({ channel }, schema.url, true);
    try {
      const members = Array.from({ length: 400 }, (_, index) => ({ userId: `s-${index}`, state: 'ringing' }));
      const onB = collect(b.bus, 's-01');
      await a.bus.publish(event(['s-01'], { step: 'before' }));
      await a.bus.publish(event(['s-01', 's-02'], { step: 'call', members }));
      await a.bus.publish(event(['s-01'], { step: 'after' }));
      await until(() => onB.seen.length === 3);
      assert.deepEqual(
        onB.seen.map((seen) => (seen.data as { step: string }).step),
        ['before', 'call', 'after'],
      );
      assert.equal((onB.seen[1]?.data as { members: unknown[] }).members.length, 400);
      assert.ok(JSON.stringify(onB.seen[1]).length > 8000, 'the event really was too big for one NOTIFY');

      // The same, published at once: the big one is read back in its place within the batch.
      onB.seen.length = 0;
      const statementsBefore = a.statements.length;
      await Promise.all([
        a.bus.publish(event(['s-01'], { step: 'before' })),
        a.bus.publish(event(['s-01', 's-02'], { step: 'call', members })),
        a.bus.publish(event(['s-01'], { step: 'after' })),
      ]);
      assert.equal(a.statements.length - statementsBefore, 1, 'one statement');
      await until(() => onB.seen.length === 3);
      assert.deepEqual(
        onB.seen.map((seen) => (seen.data as { step: string }).step),
        ['before', 'call', 'after'],
      );
      assert.equal((onB.seen[1]?.data as { members: unknown[] }).members.length, 400);
    } finally {
      await a.close();
      await b.close();
      await database.close();
      await schema.drop();
    }
  });

  it('keeps hubs in separate schemas of one database apart', async () => {
    const a = await startInstance({ channel: liveChannelFor('school_a') });
    const b = await startInstance({ channel: liveChannelFor('school_b') });
    try {
      const onA = collect(a.bus, 's-01');
      const onB = collect(b.bus, 's-01');
      await a.bus.publish(event(['s-01'], { from: 'school A' }));
      await until(() => onA.seen.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(onB.seen.length, 0, 'school B heard nothing of school A');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('carries instance-wide signals to every instance, this one included', async () => {
    const a = await startInstance();
    const b = await startInstance();
    try {
      const seen: string[] = [];
      a.bus.onSignal((signal: LiveSignal) => seen.push(`a:${signal}`));
      b.bus.onSignal((signal: LiveSignal) => seen.push(`b:${signal}`));
      await a.bus.signal('directory.changed');
      await until(() => seen.length === 2);
      assert.deepEqual(seen.toSorted(), ['a:directory.changed', 'b:directory.changed']);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('reconnects with backoff when PostgreSQL drops the LISTEN connection, and asks for a resync', async () => {
    const reconnects: Array<{ downMs: number; attempts: number }> = [];
    const errors: Error[] = [];
    const a = await startInstance();
    const b = await startInstance({
      onReconnect: (info) => reconnects.push(info),
      onError: (error) => errors.push(error),
      backoff: { initialMs: 50, maxMs: 400 },
    });
    try {
      const onB = collect(b.bus, 's-01');
      let resyncs = 0;
      b.bus.onResync(() => (resyncs += 1));
      await a.bus.publish(event(['s-01'], { n: 1 }));
      await until(() => onB.seen.length === 1);

      const pid = await b.listenerPid();
      await a.pool.query('select pg_terminate_backend($1)', [pid]);
      await until(() => !b.bus.connected, 5_000);
      // Published while B is away: NOTIFY keeps nothing, so B cannot get it, and says so with a resync.
      await a.bus.publish(event(['s-01'], { n: 2 }));
      await until(() => resyncs === 1, 10_000);
      assert.ok(b.bus.connected);
      assert.notEqual(await b.listenerPid(), pid, 'a new backend');
      assert.ok(errors.length >= 1, 'the loss was reported');

      await a.bus.publish(event(['s-01'], { n: 3 }));
      await until(() => onB.seen.some((seen) => (seen.data as { n: number }).n === 3));
      assert.equal(reconnects.length, 1);
      console.log(
        `# live bus: LISTEN connection terminated, back after ${reconnects[0]?.downMs} ms (${reconnects[0]?.attempts} attempt(s)); streams told to resync`,
      );
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('keeps trying while PostgreSQL refuses connections, and stops when closed', async () => {
    let refuse = false;
    let attempts = 0;
    let pid = 0;
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    const bus = await PostgresLiveBus.start(
      async () => {
        attempts += 1;
        if (refuse) throw new Error('connection refused');
        const listen = new pg.Client({ connectionString: databaseUrl });
        await listen.connect();
        pid = (
          (await listen.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0] as { pid: number }
        ).pid;
        return listen;
      },
      pgNotifyBatch(pool, 'hub_live'),
      { backoff: { initialMs: 20, maxMs: 80 }, onError: () => undefined },
    );
    try {
      refuse = true;
      await pool.query('select pg_terminate_backend($1)', [pid]);
      await until(() => attempts >= 4, 5_000);
      let resynced = false;
      bus.onResync(() => (resynced = true));
      refuse = false;
      await until(() => resynced, 5_000);
    } finally {
      await bus.close();
      await pool.end();
    }
    const after = attempts;
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(attempts, after, 'no attempt after close');
  });
});
