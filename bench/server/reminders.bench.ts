/**
 * Reminder lateness: a hub process on the real clock with `HUB_REMINDER_LEAD_MIN=1`; 200 one-on-one
 * sessions (one student each) all start on the same minute, so their 200 reminders fall due at once, a
 * minute before, as sessions on the hour do. Lateness per reminder is its receipt on the student's SSE
 * stream (a separate client process) minus its due time (start − 1 minute); the notification's own
 * `createdAt` (the hub's durable record of sending it) minus the due time is in the details.
 */
import type { Bench, BenchRow } from '../types.ts';
import { classOf, startBenchHub, syncClass } from '../support/hub.ts';
import { log, ms, quantile, round } from '../support/stats.ts';
import { openLiveClients } from './support/live-clients.ts';

const REMINDERS = 200;
const LEAD_MS = 60_000;
/** The shared due time is the first whole minute at least this far ahead, to leave time for the setup. */
const SETUP_ALLOWANCE_MS = 30_000;
const CREATE_CONCURRENCY = 4;
const BUDGET_P99_MS = 5_000;

/** `2026-11-26T18:05` in UTC, as `POST /v1/sessions` takes a local time and a zone. */
const localUtc = (date: Date) => date.toISOString().slice(0, 16);

const bench: Bench = {
  id: 'reminders',
  order: 35,
  async run(): Promise<BenchRow[]> {
    const hub = await startBenchHub({ HUB_REMINDER_LEAD_MIN: '1' });
    try {
      const people = classOf('rem', REMINDERS);
      await syncClass(hub, 'reminder-course', people);
      const clients = await openLiveClients(hub, people.students);
      try {
        const teacherToken = await hub.token(people.teacher);
        const setupStartedAt = Date.now();
        const dueAt = Math.ceil((Date.now() + SETUP_ALLOWANCE_MS) / 60_000) * 60_000;
        const start = new Date(dueAt + LEAD_MS);
        const sessionIds: string[] = [];
        let next = 0;
        await Promise.all(
          Array.from({ length: CREATE_CONCURRENCY }, async () => {
            while (next < people.students.length) {
              const student = people.students[next++];
              const { session } = await hub.call<{ session: { id: string } }>('/v1/sessions', {
                method: 'POST',
                token: teacherToken,
                body: {
                  title: `Office hour with ${student?.name}`,
                  type: 'one_on_one',
                  start: localUtc(start),
                  timeZone: 'UTC',
                  durationMinutes: 15,
                  inviteeIds: [student?.id],
                },
              });
              sessionIds.push(session.id);
            }
          }),
        );
        const setupDoneAt = Date.now();
        log(
          `${REMINDERS} sessions created in ${ms(setupDoneAt - setupStartedAt)}; ` +
            `their reminders fall due in ${ms(dueAt - setupDoneAt)}`,
        );
        if (setupDoneAt > dueAt - 1_000) {
          throw new Error(
            `creating ${REMINDERS} sessions took past their reminders' due time: the setup is too slow`,
          );
        }
        const deliveries = await clients.waitForAll(
          'notification',
          '"kind":"session.reminder"',
          dueAt - Date.now() + 60_000,
        );
        const received = deliveries.filter((delivery) => delivery.firstAt !== null);
        const lateness = received.map((delivery) => (delivery.firstAt as number) - dueAt);
        const recorded = received.flatMap((delivery) =>
          delivery.createdAt === null ? [] : [delivery.createdAt - dueAt],
        );
        const early = lateness.filter((value) => value < 0).length;
        const p50 = quantile(lateness, 0.5);
        const p99 = quantile(lateness, 0.99);
        log(
          `${received.length}/${REMINDERS} reminders received: lateness p50 ${ms(p50)}, p99 ${ms(p99)}, ` +
            `max ${ms(Math.max(...lateness))}; written (createdAt) p99 ${ms(quantile(recorded, 0.99))} after due`,
        );
        return [
          {
            id: 'reminders.lateness',
            figure: `reminder lateness after its due time, ${REMINDERS} reminders due at once, p99`,
            ours: `p50 ${ms(p50)} / p99 ${ms(p99)}`,
            value: round(p99),
            unit: 'ms',
            budget: `p99 ≤ ${BUDGET_P99_MS / 1000} s`,
            pass: received.length === REMINDERS && early === 0 && p99 <= BUDGET_P99_MS,
            details: {
              database: hub.database,
              received: received.length,
              receivedEarly: early,
              maxMs: round(Math.max(...lateness)),
              writtenP50Ms: round(quantile(recorded, 0.5)),
              writtenP99Ms: round(quantile(recorded, 0.99)),
              leadMinutes: 1,
              measuredFrom:
                "the due time (start − lead) to the student's SSE receipt; written = the notification's createdAt",
            },
          },
        ];
      } finally {
        await clients.stop();
      }
    } finally {
      await hub.stop();
    }
  },
};

export default bench;
