/**
 * Live fan-out: one notification to 1,000 SSE clients. The largest single notification the hub sends is a
 * call ringing in a group chat, so a teacher rings a chat of 1,000 students: one `call.ringing`
 * notification, written for the 1,000 recipients in one transaction and published over the live bus to
 * their streams. Delivery is from the notification's `createdAt` (the hub's clock, same machine) to each
 * client's receipt of its `notification` event, in a separate client process.
 */
import type { Bench, BenchRow } from '../types.ts';
import { classChat, startBenchHub } from '../support/hub.ts';
import { log, ms, quantile, round } from '../support/stats.ts';
import { openLiveClients } from './support/live-clients.ts';

const CLIENTS = 1_000;
const BUDGET_P99_MS = 250;

const bench: Bench = {
  id: 'live-fanout',
  order: 32,
  async run(): Promise<BenchRow[]> {
    const hub = await startBenchHub();
    try {
      const { people, teacherToken, chatId } = await classChat(hub, 'fan', CLIENTS, { settle: true });
      const clients = await openLiveClients(hub, people.students);
      try {
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        const postedAt = Date.now();
        const { call } = await hub.call<{ call: { id: string } }>(`/v1/chats/${chatId}/calls`, {
          method: 'POST',
          token: teacherToken,
        });
        const answeredAt = Date.now();
        const deliveries = await clients.waitForAll('notification', `"callId":"${call.id}"`, 60_000);
        const received = deliveries.filter(
          (delivery) => delivery.firstAt !== null && delivery.createdAt !== null,
        );
        const delays = received.map(
          (delivery) => (delivery.firstAt as number) - (delivery.createdAt as number),
        );
        const fromPost = received.map((delivery) => (delivery.firstAt as number) - postedAt);
        const createdAt = received[0]?.createdAt ?? Number.NaN;
        const twice = deliveries.filter((delivery) => delivery.count > 1).length;
        const p50 = quantile(delays, 0.5);
        const p99 = quantile(delays, 0.99);
        log(
          `${received.length}/${CLIENTS} received; from createdAt p50 ${ms(p50)}, p99 ${ms(p99)}; ` +
            `from the POST p50 ${ms(quantile(fromPost, 0.5))}, p99 ${ms(quantile(fromPost, 0.99))}; ` +
            `the POST answered in ${ms(answeredAt - postedAt)}`,
        );
        return [
          {
            id: 'live-fanout',
            figure: `live fan-out: one notification (a ring) to ${CLIENTS.toLocaleString('en-US')} SSE clients, p99`,
            ours: `p50 ${ms(p50)} / p99 ${ms(p99)}`,
            value: round(p99),
            unit: 'ms',
            budget: `p99 ≤ ${BUDGET_P99_MS} ms`,
            pass: received.length === CLIENTS && twice === 0 && p99 <= BUDGET_P99_MS,
            details: {
              database: hub.database,
              received: received.length,
              receivedTwice: twice,
              maxMs: round(Math.max(...delays)),
              fromPostP50Ms: round(quantile(fromPost, 0.5)),
              fromPostP99Ms: round(quantile(fromPost, 0.99)),
              postAnsweredMs: answeredAt - postedAt,
              createdAtAfterPostMs: createdAt - postedAt,
              largestEventBytes: Math.max(...deliveries.map((delivery) => delivery.largestEvent)),
              measuredFrom: "the notification's createdAt to the client's receipt (same machine clock)",
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
