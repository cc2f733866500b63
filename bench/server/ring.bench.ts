/**
 * Ring: a teacher starts a call in a group chat of 100 students; every member (the teacher too) has the
 * SDK's SSE stream open, in a separate client process. Measured per member from just before the
 * `POST /v1/chats/:id/calls` to the arrival of its `call` event for that call; several calls in a row
 * (each ended before the next), p99 over every delivery.
 */
import type { Bench, BenchRow } from '../types.ts';
import { classChat, startBenchHub } from '../support/hub.ts';
import { log, ms, quantile, round } from '../support/stats.ts';
import { openLiveClients } from './support/live-clients.ts';

/**
 * The call state lists every member (~80 bytes each), so at 100 it stays under the 16 KB the soak test's
 * load client decodes (`KEEP_BYTES`); larger events are only counted and could not be matched by call id.
 */
const STUDENTS = 100;
const CALLS = 5;
const BUDGET_P99_MS = 500;

const bench: Bench = {
  id: 'ring',
  order: 33,
  async run(): Promise<BenchRow[]> {
    const hub = await startBenchHub();
    try {
      const { people, teacherToken, chatId } = await classChat(hub, 'ring', STUDENTS, { settle: true });
      const members = [people.teacher, ...people.students];
      const clients = await openLiveClients(hub, members);
      const delays: number[] = [];
      const answered: number[] = [];
      let missing = 0;
      let largestEvent = 0;
      try {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        for (let round = 0; round < CALLS; round += 1) {
          await clients.clear();
          const postedAt = Date.now();
          const { call } = await hub.call<{ call: { id: string } }>(`/v1/chats/${chatId}/calls`, {
            method: 'POST',
            token: teacherToken,
          });
          answered.push(Date.now() - postedAt);
          const deliveries = await clients.waitForAll('call', `"id":"${call.id}"`, 30_000);
          for (const delivery of deliveries) {
            if (delivery.firstAt === null) missing += 1;
            else delays.push(delivery.firstAt - postedAt);
            largestEvent = Math.max(largestEvent, delivery.largestEvent);
          }
          await hub.call(`/v1/calls/${call.id}/end`, { method: 'POST', token: teacherToken });
          // Let the end's events reach everyone before the next call starts.
          await clients.waitForAll('call', '"status":"ended"', 30_000);
        }
      } finally {
        await clients.stop();
      }
      const p50 = quantile(delays, 0.5);
      const p99 = quantile(delays, 0.99);
      log(
        `${delays.length} deliveries over ${CALLS} calls (missing ${missing}): p50 ${ms(p50)}, p99 ${ms(p99)}, ` +
          `max ${ms(Math.max(...delays))}; the POST answered in p50 ${ms(quantile(answered, 0.5))}`,
      );
      return [
        {
          id: 'ring',
          figure: `ring: call started → each member's SSE call event (${STUDENTS + 1} members × ${CALLS} calls), p99`,
          ours: `p50 ${ms(p50)} / p99 ${ms(p99)}`,
          value: round(p99),
          unit: 'ms',
          budget: `p99 ≤ ${BUDGET_P99_MS} ms`,
          pass: missing === 0 && p99 <= BUDGET_P99_MS,
          details: {
            database: hub.database,
            deliveries: delays.length,
            missing,
            maxMs: round(Math.max(...delays)),
            postAnsweredP50Ms: quantile(answered, 0.5),
            largestCallEventBytes: largestEvent,
            measuredFrom:
              'just before POST /v1/chats/:id/calls to the receipt of the call event (same machine clock)',
          },
        },
      ];
    } finally {
      await hub.stop();
    }
  },
};

export default bench;
