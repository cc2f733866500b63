import type { Kysely } from 'kysely';
import type { Clock } from '../../domain/clock.ts';
import { backoffMs, PermanentFailure, RetryLater, type Job, type JobHandler } from '../../domain/jobs.ts';
import type { Logger } from '../../logger.ts';
import type { HubDatabase } from '../storage/schema.ts';
import { KyselyJobStore } from './job-store.ts';

export interface JobWorkerOptions {
  db: Kysely<HubDatabase>;
  clock: Clock;
  handlers: Record<string, JobHandler>;
  /** Names this instance in leases and delivery attempts. */
  workerId: string;
  logger: Logger;
  /** How long a claimed job is ours; another instance takes it over after that. At most 60 s. */
  leaseMs?: number;
  /**
   * The most jobs this worker runs at once. The loop keeps that many in hand: a job that ends frees its
   * slot for the next due one at once, so a slow job (a chat round trip) never holds back the others.
   */
  batchSize?: number;
  /** The longest the worker sleeps between rounds when nothing is due sooner. */
  pollIntervalMs?: number;
  /** Finished jobs are kept this long (their keys stay taken), then pruned. */
  retentionMs?: number;
  /**
   * This worker is the only one the database will ever have (PGlite): on start, jobs left running by a
   * crashed process are taken back at once instead of after their lease.
   */
  soleWorker?: boolean;
}

const MAX_LEASE_MS = 60_000;

/**
 * Runs due jobs: claims them under a lease, runs each through its kind's handler, and records the
 * outcome (done, retry with backoff, dead). Every instance runs one; SKIP LOCKED keeps them apart. The
 * loop is a pool of `batchSize` slots, filled again as each job settles rather than round by round.
 */
export class JobWorker {
  readonly #store: KyselyJobStore;
  readonly #options: Required<Omit<JobWorkerOptions, 'db'>>;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #lastPrune = 0;
  /** Jobs claimed by the loop and not yet settled. */
  #inFlight = 0;
  /** The loop's groups of jobs in hand, for `stop` to wait on. */
  readonly #inHand = new Set<Promise<void>>();

  constructor(options: JobWorkerOptions) {
    this.#store = new KyselyJobStore(options.db);
    this.#options = {
      leaseMs: Math.min(options.leaseMs ?? 30_000, MAX_LEASE_MS),
      batchSize: options.batchSize ?? 50,
      pollIntervalMs: options.pollIntervalMs ?? 1_000,
      retentionMs: options.retentionMs ?? 7 * 24 * 3_600_000,
      soleWorker: options.soleWorker ?? false,
      ...options,
    };
  }

  get workerId(): string {
    return this.#options.workerId;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Stops claiming and waits for the jobs in hand to finish. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
    await Promise.all(this.#inHand);
  }

  /** Looks for due jobs now instead of at the next poll (called when a job was just scheduled). */
  wake(): void {
    this.#wake?.();
  }

  /** Runs every job due now, round after round, and returns how many ran. For tests on a fixed clock. */
  async runDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const ran = await this.runOnce();
      total += ran;
      if (ran === 0) return total;
    }
  }

  /** Claims one batch and runs it; returns the number of jobs claimed. */
  async runOnce(): Promise<number> {
    const { clock, workerId, leaseMs, batchSize } = this.#options;
    const jobs = await this.#store.claim(workerId, batchSize, leaseMs, clock.now());
    await this.#runJobs(jobs, () => undefined);
    return jobs.length;
  }

  /** Runs claimed jobs by kind; `settled` is called once per job as its outcome is recorded. */
  async #runJobs(jobs: Job[], settled: () => void): Promise<void> {
    const byKind = new Map<string, Job[]>();
    for (const job of jobs) byKind.set(job.kind, [...(byKind.get(job.kind) ?? []), job]);
    await Promise.all([...byKind].map(([kind, group]) => this.#runKind(kind, group, settled)));
  }

  async #runKind(kind: string, jobs: Job[], settled: () => void): Promise<void> {
    const settle = async (handler: JobHandler | undefined, job: Job, error: Error | undefined) => {
      try {
        await this.#settle(handler, job, error);
      } finally {
        settled();
      }
    };
    const handler = this.#options.handlers[kind];
    if (!handler) {
      await Promise.all(
        jobs.map((job) => settle(undefined, job, new PermanentFailure(`no handler for ${kind}`))),
      );
      return;
    }
    const expired = jobs.filter((job) => job.attempt > job.maxAttempts);
    const live = jobs.filter((job) => job.attempt <= job.maxAttempts);
    await Promise.all(
      expired.map((job) => settle(handler, job, new PermanentFailure('gave up: its worker kept dying'))),
    );
    if (live.length === 0) return;
    if (handler.runBatch) {
      let outcomes: Array<Error | undefined>;
      try {
        outcomes = await handler.runBatch(live);
      } catch (error) {
        outcomes = live.map(() => asError(error));
      }
      await Promise.all(live.map((job, index) => settle(handler, job, outcomes[index])));
      return;
    }
    // Each job is settled as soon as it ends, so its slot is free for the next one.
    const run = handler.run;
    await Promise.all(
      live.map(async (job) => {
        let outcome: Error | undefined;
        try {
          await run?.(job);
        } catch (error) {
          outcome = asError(error);
        }
        await settle(handler, job, outcome);
      }),
    );
  }

  async #settle(handler: JobHandler | undefined, job: Job, error: Error | undefined): Promise<void> {
    const { clock, workerId, logger } = this.#options;
    const now = clock.now();
    if (!error) {
      await this.#store.complete(job, workerId, now);
      return;
    }
    const permanent = error instanceof PermanentFailure || job.attempt >= job.maxAttempts;
    if (permanent) {
      const killed = await this.#store.kill(job, workerId, error.message, now);
      logger.warn('job dead', { key: job.key, kind: job.kind, attempt: job.attempt, error: error.message });
      if (killed)
        await handler
          ?.onDead?.(job, error)
          .catch((cause: unknown) => logger.error('onDead failed', { cause: String(cause) }));
      return;
    }
    const floor = error instanceof RetryLater ? (error.afterMs ?? 0) : 0;
    const runAt = new Date(now.getTime() + backoffMs(job.attempt, floor));
    await this.#store.retry(job, workerId, runAt, error.message, now);
  }

  async #run(): Promise<void> {
    const { logger, pollIntervalMs, clock } = this.#options;
    if (this.#options.soleWorker) {
      const released = await this.#store.releaseAllLeases(clock.now()).catch(() => 0);
      if (released > 0) logger.info('took back jobs a stopped process left running', { jobs: released });
    }
    while (this.#running) {
      const free = this.#options.batchSize - this.#inFlight;
      let claimed = 0;
      if (free > 0) {
        try {
          claimed = this.#fill(await this.#claim(free));
          await this.#maybePrune();
        } catch (error) {
          logger.error('job worker round failed', { error: String(error) });
        }
      }
      if (claimed > 0 || !this.#running) continue;
      // Full: a settling job wakes the loop. Idle: sleep until the next job is due.
      let sleepMs = pollIntervalMs;
      if (free > 0) {
        try {
          const next = await this.#store.nextDueAt();
          if (next) sleepMs = Math.max(5, Math.min(pollIntervalMs, next.getTime() - clock.now().getTime()));
        } catch {
          // the database is away; poll again later
        }
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, sleepMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  #claim(limit: number): Promise<Job[]> {
    const { clock, workerId, leaseMs } = this.#options;
    return this.#store.claim(workerId, limit, leaseMs, clock.now());
  }

  /** Starts claimed jobs in the pool's free slots; a slot freed while the pool was full wakes the loop. */
  #fill(jobs: Job[]): number {
    if (jobs.length === 0) return 0;
    this.#inFlight += jobs.length;
    const group = this.#runJobs(jobs, () => {
      const wasFull = this.#inFlight >= this.#options.batchSize;
      this.#inFlight -= 1;
      if (wasFull) this.#wake?.();
    })
      .catch((error: unknown) => this.#options.logger.error('job run failed', { error: String(error) }))
      .finally(() => this.#inHand.delete(group));
    this.#inHand.add(group);
    return jobs.length;
  }

  async #maybePrune(): Promise<void> {
    const now = this.#options.clock.now().getTime();
    if (now - this.#lastPrune < 3_600_000) return;
    this.#lastPrune = now;
    await this.#store.prune(new Date(now - this.#options.retentionMs));
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
