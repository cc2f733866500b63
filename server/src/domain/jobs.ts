/**
 * Durable jobs as the domain sees them: reminders, ring timeouts and notification deliveries are rows
 * that some instance runs at or after `runAt`, exactly once, even across crashes.
 */

export interface JobRequest {
  /** Deterministic: scheduling the same key again is a no-op (`call:<id>:ring-timeout`). */
  key: string;
  kind: string;
  runAt: Date;
  payload?: unknown;
  /** Attempts before the job is dead. Default 8. */
  maxAttempts?: number;
}

export interface JobScheduler {
  /** Returns false when a job with this key already exists (in any state). */
  schedule(job: JobRequest): Promise<boolean>;
  /** Moves a pending job; returns false when there is none pending under this key. */
  reschedule(key: string, runAt: Date): Promise<boolean>;
  /** Drops a pending job; returns false when there is none pending under this key. */
  cancel(key: string): Promise<boolean>;
}

export interface Job {
  id: string;
  key: string;
  kind: string;
  payload: unknown;
  runAt: Date;
  /** This run's number, from 1. */
  attempt: number;
  maxAttempts: number;
}

/** Thrown by a handler for a transient failure: the job runs again after a backoff of at least `afterMs`. */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly afterMs?: number,
  ) {
    super(message);
  }
}

/** Thrown by a handler when trying again cannot help: the job is dead at once. */
export class PermanentFailure extends Error {}

export interface JobHandler {
  /** Runs one job. Resolve to finish it; throw RetryLater / PermanentFailure (any other error retries). */
  run?(job: Job): Promise<void>;
  /**
   * Runs several due jobs of this kind together (deliveries batch per provider call). Returns one
   * outcome per job, in order: undefined for done, or the error as `run` would throw it.
   */
  runBatch?(jobs: Job[]): Promise<Array<Error | undefined>>;
  /** Called once when a job of this kind is given up (dead), so its owner can record it. */
  onDead?(job: Job, error: Error): Promise<void>;
}

/** Exponential backoff with jitter: 2 s, 4 s, 8 s … capped at 10 minutes, never before `floorMs`. */
export function backoffMs(attempt: number, floorMs = 0, random: () => number = Math.random): number {
  const exponential = Math.min(2_000 * 2 ** Math.max(0, attempt - 1), 600_000);
  const jittered = exponential * (0.8 + 0.4 * random());
  return Math.round(Math.max(jittered, floorMs));
}
