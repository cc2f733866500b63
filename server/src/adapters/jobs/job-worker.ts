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
  /** Jobs claimed per round. */
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
 * Runs due jobs: claims a batch under a lease, runs each through its kind's handler, and records the
 * outcome (done, retry with backoff, dead). Every instance runs one; SKIP LOCKED keeps them apart.
 */
export class JobWorker {
  readonly #store: KyselyJobStore;
  readonly #options: Required<Omit<JobWorkerOptions, 'db'>>;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #lastPrune = 0;

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
    if (jobs.length === 0) return 0;
    const byKind = new Map<string, Job[]>();
    for (const job of jobs) byKind.set(job.kind, [...(byKind.get(job.kind) ?? []), job]);
    await Promise.all([...byKind].map(([kind, group]) => this.#runKind(kind, group)));
    return jobs.length;
  }

  async #runKind(kind: string, jobs: Job[]): Promise<void> {
    const handler = this.#options.handlers[kind];
    if (!handler) {
      await Promise.all(
        jobs.map((job) => this.#settle(undefined, job, new PermanentFailure(`no handler for ${kind}`))),
      );
      return;
    }
    const expired = jobs.filter((job) => job.attempt > job.maxAttempts);
    const live = jobs.filter((job) => job.attempt <= job.maxAttempts);
    await Promise.all(
      expired.map((job) =>
        this.#settle(handler, job, new PermanentFailure('gave up: its worker kept dying')),
      ),
    );
    if (live.length === 0) return;
    let outcomes: Array<Error | undefined>;
    if (handler.runBatch) {
      try {
        outcomes = await handler.runBatch(live);
      } catch (error) {
        outcomes = live.map(() => asError(error));
      }
    } else {
      const run = handler.run;
      outcomes = await Promise.all(
        live.map(async (job) => {
          try {
            await run?.(job);
            return undefined;
          } catch (error) {
            return asError(error);
          }
        }),
      );
    }
    await Promise.all(live.map((job, index) => this.#settle(handler, job, outcomes[index])));
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
      let ran = 0;
      try {
        ran = await this.runOnce();
        await this.#maybePrune();
      } catch (error) {
        logger.error('job worker round failed', { error: String(error) });
      }
      if (ran > 0 || !this.#running) continue;
      let sleepMs = pollIntervalMs;
      try {
        const next = await this.#store.nextDueAt();
        if (next) sleepMs = Math.max(5, Math.min(pollIntervalMs, next.getTime() - clock.now().getTime()));
      } catch {
        // the database is away; poll again later
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
