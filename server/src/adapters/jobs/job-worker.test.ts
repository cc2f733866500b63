import assert from 'node:assert/strict';
import { after, beforeEach, it } from 'node:test';
import { fixedClock } from '../../domain/clock.ts';
import { PermanentFailure, RetryLater, type Job, type JobHandler } from '../../domain/jobs.ts';
import { createMemoryLogger } from '../../logger.ts';
import type { Database } from '../storage/database.ts';
import { onEachDatabase } from '../../testing/databases.ts';
import { KyselyJobStore } from './job-store.ts';
import { JobWorker } from './job-worker.ts';

const start = new Date('2026-12-01T09:00:00Z');

onEachDatabase('durable jobs', (target) => {
  let database: Database;
  let clock: ReturnType<typeof fixedClock>;
  let store: KyselyJobStore;
  after(() => target.closeAll());
  beforeEach(async () => {
    database = await target.open();
    clock = fixedClock(start);
    store = new KyselyJobStore(database.db);
  });

  const worker = (handlers: Record<string, JobHandler>, workerId = 'instance-a', leaseMs = 30_000) =>
    new JobWorker({ db: database.db, clock, handlers, workerId, leaseMs, logger: createMemoryLogger() });
  const recorder = () => {
    const ran: Job[] = [];
    return { ran, handler: { run: async (job: Job) => void ran.push(job) } satisfies JobHandler };
  };

  it('treats scheduling the same key twice as a no-op', async () => {
    assert.equal(await store.schedule({ key: 'reminder:s1', kind: 'reminder', runAt: start }), true);
    assert.equal(await store.schedule({ key: 'reminder:s1', kind: 'reminder', runAt: start }), false);
    const { ran, handler } = recorder();
    assert.equal(await worker({ reminder: handler }).runDue(), 1);
    assert.equal(ran.length, 1);
    // Done jobs keep their key, so the same thing is not scheduled again after it ran.
    assert.equal(await store.schedule({ key: 'reminder:s1', kind: 'reminder', runAt: start }), false);
  });

  it('runs a job only once its time has come', async () => {
    await store.schedule({
      key: 'later',
      kind: 'reminder',
      runAt: new Date(start.getTime() + 60_000),
      payload: { n: 1 },
    });
    const { ran, handler } = recorder();
    const instance = worker({ reminder: handler });
    assert.equal(await instance.runDue(), 0);
    clock.advance(59_999);
    assert.equal(await instance.runDue(), 0);
    clock.advance(1);
    assert.equal(await instance.runDue(), 1);
    assert.deepEqual(ran[0]?.payload, { n: 1 });
    assert.equal(ran[0]?.attempt, 1);
  });

  it('moves and drops pending jobs', async () => {
    await store.schedule({ key: 'moved', kind: 'reminder', runAt: start });
    await store.schedule({ key: 'dropped', kind: 'reminder', runAt: start });
    assert.equal(await store.reschedule('moved', new Date(start.getTime() + 3_600_000)), true);
    assert.equal(await store.cancel('dropped'), true);
    assert.equal(await store.cancel('dropped'), false);
    const { ran, handler } = recorder();
    const instance = worker({ reminder: handler });
    assert.equal(await instance.runDue(), 0);
    clock.advance(3_600_000);
    assert.equal(await instance.runDue(), 1);
    assert.deepEqual(
      ran.map((job) => job.key),
      ['moved'],
    );
  });

  it('retries a failing job with growing backoff, honouring RetryLater, then gives up and reports it dead', async () => {
    await store.schedule({ key: 'flaky', kind: 'push', runAt: start, maxAttempts: 3 });
    const attempts: number[] = [];
    const dead: string[] = [];
    const instance = worker({
      push: {
        run: async (job) => {
          attempts.push(job.attempt);
          throw job.attempt === 1 ? new RetryLater('429', 120_000) : new Error('500');
        },
        onDead: async (job, error) => void dead.push(`${job.key}: ${error.message}`),
      },
    });
    assert.equal(await instance.runDue(), 1);
    clock.advance(119_000);
    assert.equal(await instance.runDue(), 0, 'Retry-After is a floor for the backoff');
    clock.advance(1_000);
    assert.equal(await instance.runDue(), 1);
    clock.advance(10 * 60_000);
    assert.equal(await instance.runDue(), 1);
    clock.advance(60 * 60_000);
    assert.equal(await instance.runDue(), 0);
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.deepEqual(dead, ['flaky: 500']);
    const row = await database.db
      .selectFrom('jobs')
      .selectAll()
      .where('key', '=', 'flaky')
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'dead');
    assert.equal(row.last_error, '500');
  });

  it('kills a job at once on a permanent failure', async () => {
    await store.schedule({ key: 'bad', kind: 'push', runAt: start });
    const attempts: number[] = [];
    const instance = worker({
      push: {
        run: async (job) => {
          attempts.push(job.attempt);
          throw new PermanentFailure('400 bad payload');
        },
      },
    });
    await instance.runDue();
    clock.advance(24 * 3_600_000);
    await instance.runDue();
    assert.deepEqual(attempts, [1]);
  });

  it('hands a job whose worker died to another instance when the lease runs out, and fences the old worker', async () => {
    await store.schedule({ key: 'ring-timeout:c1', kind: 'ring-timeout', runAt: start });
    // Instance A claims it and "dies" (never settles it).
    const claimed = await store.claim('instance-a', 10, 30_000, clock.now());
    assert.equal(claimed.length, 1);
    const { ran, handler } = recorder();
    const b = worker({ 'ring-timeout': handler }, 'instance-b');
    clock.advance(29_999);
    assert.equal(await b.runDue(), 0, 'the lease still holds');
    clock.advance(1);
    assert.equal(await b.runDue(), 1);
    assert.equal(ran[0]?.attempt, 2);
    // A comes back from a long pause: its late "done" must not count.
    const [job] = claimed;
    assert.ok(job);
    assert.equal(await store.complete(job, 'instance-a', clock.now()), false);
  });

  it('lets two instances claim side by side without running any job twice', async () => {
    for (let index = 0; index < 60; index += 1) {
      await store.schedule({ key: `job-${index}`, kind: 'count', runAt: start });
    }
    const runs = new Map<string, number>();
    const counting: JobHandler = {
      run: async (job) => {
        runs.set(job.key, (runs.get(job.key) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 1));
      },
    };
    const a = new JobWorker({
      db: database.db,
      clock,
      handlers: { count: counting },
      workerId: 'a',
      batchSize: 7,
      logger: createMemoryLogger(),
    });
    const b = new JobWorker({
      db: database.db,
      clock,
      handlers: { count: counting },
      workerId: 'b',
      batchSize: 7,
      logger: createMemoryLogger(),
    });
    const [ranA, ranB] = await Promise.all([a.runDue(), b.runDue()]);
    assert.equal(ranA + ranB, 60);
    assert.equal(runs.size, 60);
    assert.ok([...runs.values()].every((count) => count === 1));
  });

  it('gives a batch handler every due job of its kind and settles each by its own outcome', async () => {
    for (const key of ['d1', 'd2', 'd3']) await store.schedule({ key, kind: 'deliver', runAt: start });
    const batches: string[][] = [];
    const instance = worker({
      deliver: {
        runBatch: async (jobs) => {
          batches.push(jobs.map((job) => job.key));
          return jobs.map((job) => (job.key === 'd2' ? new RetryLater('busy') : undefined));
        },
      },
    });
    await instance.runDue();
    assert.deepEqual(batches, [['d1', 'd2', 'd3']]);
    const rows = await database.db.selectFrom('jobs').select(['key', 'status']).orderBy('key').execute();
    assert.deepEqual(
      rows.map((row) => `${row.key}:${row.status}`),
      ['d1:done', 'd2:pending', 'd3:done'],
    );
  });

  it('kills jobs of a kind nobody handles instead of retrying them forever', async () => {
    await store.schedule({ key: 'orphan', kind: 'unknown-kind', runAt: start });
    await worker({}).runDue();
    const row = await database.db
      .selectFrom('jobs')
      .selectAll()
      .where('key', '=', 'orphan')
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'dead');
    assert.match(row.last_error ?? '', /no handler/);
  });

  it('as the sole worker of its database, takes back at start what a crashed process left running', async () => {
    await store.schedule({ key: 'orphaned', kind: 'reminder', runAt: new Date() });
    const claimed = await store.claim('crashed-process', 10, 30_000, new Date());
    assert.equal(claimed.length, 1);
    const { ran, handler } = recorder();
    const restarted = new JobWorker({
      db: database.db,
      clock: { now: () => new Date() },
      handlers: { reminder: handler },
      workerId: 'restarted',
      pollIntervalMs: 50,
      soleWorker: true,
      logger: createMemoryLogger(),
    });
    restarted.start();
    try {
      const deadline = Date.now() + 5_000;
      while (ran.length === 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
      assert.deepEqual(
        ran.map((job) => job.key),
        ['orphaned'],
        'run long before the 30 s lease ran out',
      );
    } finally {
      await restarted.stop();
    }
  });

  it('runs on the real clock when started, woken by a newly scheduled job', async () => {
    const realDatabase = database;
    const { ran, handler } = recorder();
    const live = new JobWorker({
      db: realDatabase.db,
      clock: { now: () => new Date() },
      handlers: { reminder: handler },
      workerId: 'live',
      pollIntervalMs: 60_000,
      logger: createMemoryLogger(),
    });
    live.start();
    try {
      await store.schedule({ key: 'now', kind: 'reminder', runAt: new Date() });
      live.wake();
      const deadline = Date.now() + 5_000;
      while (ran.length === 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(ran.length, 1);
    } finally {
      await live.stop();
    }
  });

  it('fills a slot freed by a finished job at once, while a slow job still holds the other', async () => {
    const now = Date.now();
    await store.schedule({ key: 'slow', kind: 'reminder', runAt: new Date(now - 2_000) });
    for (const key of ['a', 'b', 'c'])
      await store.schedule({ key, kind: 'reminder', runAt: new Date(now - 1_000) });
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const ran: string[] = [];
    const pool = new JobWorker({
      db: database.db,
      clock: { now: () => new Date() },
      handlers: {
        reminder: {
          run: async (job: Job) => {
            if (job.key === 'slow') await held;
            ran.push(job.key);
          },
        },
      },
      workerId: 'pool',
      batchSize: 2,
      // Far longer than the wait below: only a freed slot can bring in the next job.
      pollIntervalMs: 60_000,
      logger: createMemoryLogger(),
    });
    pool.start();
    try {
      const deadline = Date.now() + 10_000;
      while (ran.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.deepEqual(ran.sort(), ['a', 'b', 'c'], 'the others ran one after another in the free slot');
    } finally {
      release();
      await pool.stop();
    }
    assert.deepEqual(ran.sort(), ['a', 'b', 'c', 'slow'], 'stop waits for the job still in hand');
    const statuses = await database.db.selectFrom('jobs').select(['key', 'status']).orderBy('key').execute();
    assert.deepEqual(
      statuses.map((row) => `${row.key}:${row.status}`),
      ['a:done', 'b:done', 'c:done', 'slow:done'],
    );
  });
});
