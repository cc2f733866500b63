/** The SSE client process of the live benches (`sse-client-process.ts`), opened for a set of users. */
import { startHelper, type HelperProcess } from '../../support/child.ts';
import type { BenchHub, BenchUser } from '../../support/hub.ts';

export interface Delivery {
  userId: string;
  count: number;
  /** Epoch ms the first matching event arrived; null when none did. */
  firstAt: number | null;
  /** Epoch ms from the event's own `createdAt`, when it has one. */
  createdAt: number | null;
  failure: string | null;
  /** Bytes of the largest event this client received since the last clear. */
  largestEvent: number;
}

export interface LiveClients {
  count: number;
  /** Each client's first event named `event` whose data contains `contains`. */
  collect(event: string, contains: string): Promise<Delivery[]>;
  /** Polls `collect` until every client has one, or `timeoutMs` passed. */
  waitForAll(event: string, contains: string, timeoutMs: number): Promise<Delivery[]>;
  clear(): Promise<void>;
  stop(): Promise<void>;
}

/** Opens one stream per user (100 opening at a time, as the soak test does), all in one helper process. */
export async function openLiveClients(hub: BenchHub, users: readonly BenchUser[]): Promise<LiveClients> {
  const helper: HelperProcess = await startHelper('bench/server/support/sse-client-process.ts');
  try {
    const pairs = await Promise.all(users.map(async (user) => [user.id, await hub.token(user)] as const));
    const opened = await helper.ask<{ connected: number; failures: number; firstFailure?: string }>({
      open: { origin: hub.url, users: pairs, window: 100 },
    });
    if (opened.failures > 0) {
      throw new Error(`${opened.failures} of ${users.length} streams failed to open: ${opened.firstFailure}`);
    }
  } catch (error) {
    await helper.stop();
    throw error;
  }
  const collect = (event: string, contains: string) =>
    helper.ask<Delivery[]>({ collect: { event, contains } });
  return {
    count: users.length,
    collect,
    async waitForAll(event, contains, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const deliveries = await collect(event, contains);
        if (deliveries.every((delivery) => delivery.firstAt !== null) || Date.now() > deadline)
          return deliveries;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    clear: async () => {
      await helper.ask({ clear: true });
    },
    stop: () => helper.stop(),
  };
}
