import { sql, type Kysely, type Transaction, type Updateable } from 'kysely';
import type { Job, JobRequest, JobScheduler } from '../../domain/jobs.ts';
import type { HubDatabase, JobsTable } from '../storage/schema.ts';

type Executor = Kysely<HubDatabase> | Transaction<HubDatabase>;

/**
 * The jobs table. Bound to the database or to a transaction: a job scheduled inside the transaction of
 * the change that caused it commits or rolls back with it.
 */
export class KyselyJobStore implements JobScheduler {
  constructor(private readonly db: Executor) {}

  async schedule(job: JobRequest): Promise<boolean> {
    return (await this.scheduleMany([job])) === 1;
  }

  /** Schedules several jobs in one statement; returns how many were new. */
  async scheduleMany(jobs: readonly JobRequest[]): Promise<number> {
    if (jobs.length === 0) return 0;
    const inserted = await this.db
      .insertInto('jobs')
      .values(
        jobs.map((job) => ({
          key: job.key,
          kind: job.kind,
          payload: JSON.stringify(job.payload ?? {}),
          run_at: job.runAt,
          max_attempts: job.maxAttempts ?? 8,
        })),
      )
      .onConflict((conflict) => conflict.column('key').doNothing())
      .returning('id')
      .execute();
    return inserted.length;
  }

  async reschedule(key: string, runAt: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({ run_at: runAt, updated_at: new Date() })
      .where('key', '=', key)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async cancel(key: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('jobs')
      .where('key', '=', key)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** The keys of pending jobs whose key starts with `prefix` (a session's reminders). */
  async pendingWithPrefix(prefix: string): Promise<string[]> {
    const pattern = `${prefix.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
    const rows = await this.db
      .selectFrom('jobs')
      .select('key')
      .where('key', 'like', pattern)
      .where('status', '=', 'pending')
      .orderBy('key')
      .execute();
    return rows.map((row) => row.key);
  }

  /**
   * Claims up to `limit` due jobs for `workerId` under a lease: pending jobs whose time has come, and
   * running jobs whose lease ran out (their worker died). SKIP LOCKED lets instances claim side by side
   * without waiting on or taking each other's rows.
   */
  async claim(workerId: string, limit: number, leaseMs: number, now: Date): Promise<Job[]> {
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const { rows } = await sql<{
      id: string;
      key: string;
      kind: string;
      payload: unknown;
      run_at: Date;
      attempts: number;
      max_attempts: number;
    }>`
      update jobs
         set status = 'running', attempts = attempts + 1, lease_until = ${leaseUntil},
             locked_by = ${workerId}, updated_at = ${now}
       where id in (
         select id from jobs
          where (status = 'pending' and run_at <= ${now})
             or (status = 'running' and lease_until <= ${now})
          order by run_at, id
          limit ${limit}
          for update skip locked
       )
      returning id, key, kind, payload, run_at, attempts, max_attempts
    `.execute(this.db);
    return rows
      .map((row) => ({
        id: String(row.id),
        key: row.key,
        kind: row.kind,
        payload: row.payload,
        runAt: new Date(row.run_at),
        attempt: row.attempts,
        maxAttempts: row.max_attempts,
      }))
      .sort((a, b) => a.runAt.getTime() - b.runAt.getTime() || Number(a.id) - Number(b.id));
  }

  /** Marks a claimed job done, if this worker still holds it (a job whose lease expired may run elsewhere). */
  complete(job: Job, workerId: string, now: Date): Promise<boolean> {
    return this.#settleClaim(job, workerId, {
      status: 'done',
      lease_until: null,
      finished_at: now,
      updated_at: now,
      last_error: null,
    });
  }

  retry(job: Job, workerId: string, runAt: Date, error: string, now: Date): Promise<boolean> {
    return this.#settleClaim(job, workerId, {
      status: 'pending',
      run_at: runAt,
      lease_until: null,
      locked_by: null,
      last_error: error,
      updated_at: now,
    });
  }

  kill(job: Job, workerId: string, error: string, now: Date): Promise<boolean> {
    return this.#settleClaim(job, workerId, {
      status: 'dead',
      lease_until: null,
      finished_at: now,
      updated_at: now,
      last_error: error,
    });
  }

  /** Applies the outcome only while this worker's claim (this attempt) still stands: a fence against late workers. */
  async #settleClaim(job: Job, workerId: string, outcome: Updateable<JobsTable>): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set(outcome)
      .where('id', '=', job.id)
      .where('locked_by', '=', workerId)
      .where('attempts', '=', job.attempt)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** The earliest time a job becomes due (pending run_at or running lease end), to sleep until then. */
  async nextDueAt(): Promise<Date | null> {
    const { rows } = await sql<{ next: Date | null }>`
      select least(
        (select min(run_at) from jobs where status = 'pending'),
        (select min(lease_until) from jobs where status = 'running')
      ) as next
    `.execute(this.db);
    const next = rows[0]?.next;
    return next ? new Date(next) : null;
  }

  /**
   * Puts every running job back to pending. Only for a database no other instance can use (PGlite): after a
   * crash its leases belong to nobody, so there is no reason to wait for them to run out.
   */
  async releaseAllLeases(now: Date): Promise<number> {
    const result = await this.db
      .updateTable('jobs')
      .set({ status: 'pending', lease_until: null, locked_by: null, updated_at: now })
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Forgets finished jobs older than `before`; their keys may then be scheduled again. */
  async prune(before: Date): Promise<number> {
    const result = await this.db
      .deleteFrom('jobs')
      .where('status', 'in', ['done', 'dead'])
      .where('finished_at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
