/**
 * SSE clients of the live benches in a process of their own, so the hub's figures are not the readers'.
 * Uses the soak test's load client (`tests/soak/support/sse-clients.ts`: one bare `node:http` stream per
 * user, as the SDK's EventSource opens it). Times are epoch milliseconds (`performance.timeOrigin + at`),
 * comparable with the hub's and the bench's `Date.now()` on the same machine.
 *
 * Requests, one JSON line each, answered with one JSON line:
 * - `{ open: { origin, users: [[id, token]…], window } }` → `{ connected, failures, firstFailure }`
 * - `{ collect: { event, contains } }` → for each client, its events named `event` whose data contains
 *   `contains`: `{ userId, count, firstAt, createdAt }` (`createdAt` of the first, when its data has one)
 * - `{ clear: true }` → forgets the events received so far.
 */
import { performance } from 'node:perf_hooks';
import { openLoadClients, type LoadClient } from '../../../tests/soak/support/sse-clients.ts';
import { answerRequests } from '../../support/child.ts';

interface OpenRequest {
  open: { origin: string; users: Array<[string, string]>; window: number };
}
interface CollectRequest {
  collect: { event: string; contains: string };
}

let clients: LoadClient[] = [];

answerRequests(async (message) => {
  if ('open' in (message as object)) {
    const { origin, users, window } = (message as OpenRequest).open;
    clients = await openLoadClients({ origin, users, window, readyTimeoutMs: 60_000 });
    const failed = clients.filter((client) => client.failure !== undefined || client.readyAt === undefined);
    return {
      connected: clients.length - failed.length,
      failures: failed.length,
      firstFailure: failed[0]?.failure,
    };
  }
  if ('collect' in (message as object)) {
    const { event, contains } = (message as CollectRequest).collect;
    return clients.map((client) => {
      const matching = client.events.filter(
        (received) => received.event === event && received.data.includes(contains),
      );
      const first = matching[0];
      let createdAt: number | undefined;
      if (first) {
        try {
          const parsed = JSON.parse(first.data) as { createdAt?: string };
          if (parsed.createdAt) createdAt = Date.parse(parsed.createdAt);
        } catch {
          // not JSON: no creation time
        }
      }
      return {
        userId: client.userId,
        count: matching.length,
        firstAt: first ? performance.timeOrigin + first.at : null,
        createdAt: createdAt ?? null,
        failure: client.failure ?? null,
        largestEvent: Math.max(0, ...client.events.map((received) => received.size)),
      };
    });
  }
  for (const client of clients) client.events.length = 0;
  return { cleared: true };
});
process.on('SIGTERM', () => {
  for (const client of clients) client.close();
  process.exit(0);
});
console.log(JSON.stringify({ ready: true }));
