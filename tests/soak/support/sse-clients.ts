import { request, type IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';

/** One event as a load client keeps it: its type, its data, and when it arrived (`performance.now()`). */
export interface ReceivedEvent {
  event: string;
  data: string;
  at: number;
}

/**
 * One SSE client of a load test: a bare `node:http` request on a socket of its own (no agent, so no
 * pool limit), with a parser that keeps only what a load test needs (`event:` and `data:` lines). Far
 * lighter than `fetch` + `readSse`, so 2,000 of them fit in the test process beside the measuring.
 */
export interface LoadClient {
  userId: string;
  events: ReceivedEvent[];
  /** When the `ready` event arrived; undefined until then. */
  readyAt?: number;
  /** Set when the connection failed or ended while it should have been open. */
  failure?: string;
  close(): void;
}

export interface OpenOptions {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** `[userId, token]` for each client to open. */
  users: ReadonlyArray<readonly [userId: string, token: string]>;
  /**
   * How many connections may be opening at once. Opening all at the same instant would overflow the
   * server's listen backlog (Node's is 511) and stall the excess for a SYN retransmit; a browser
   * population never arrives in one instant either.
   */
  window: number;
  /** Gives up on a client that has no `ready` event after this long. */
  readyTimeoutMs: number;
}

/** Opens every client (at most `window` pending at once) and resolves when each is ready or failed. */
export async function openLoadClients(options: OpenOptions): Promise<LoadClient[]> {
  const clients: LoadClient[] = [];
  let next = 0;
  const worker = async () => {
    while (next < options.users.length) {
      const [userId, token] = options.users[next++] as readonly [string, string];
      const client = openOne(options.origin, userId, token);
      clients.push(client.client);
      await client.ready(options.readyTimeoutMs);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.window, options.users.length) }, worker));
  return clients;
}

function openOne(origin: string, userId: string, token: string) {
  const url = new URL('/v1/notifications/stream', origin);
  // As the SDK's EventSource does: the token in the query, since EventSource cannot set headers.
  url.searchParams.set('access_token', token);
  let settle: (() => void) | undefined;
  let closing = false;
  let res: IncomingMessage | undefined;

  const client: LoadClient = {
    userId,
    events: [],
    close() {
      closing = true;
      res?.destroy();
      req.destroy();
    },
  };
  const fail = (why: string) => {
    if (closing) return;
    client.failure ??= why;
    settle?.();
  };

  const req = request(url, { agent: false, headers: { Accept: 'text/event-stream' } }, (response) => {
    res = response;
    if (response.statusCode !== 200) {
      fail(`status ${response.statusCode}`);
      response.resume();
      return;
    }
    response.setEncoding('utf8');
    let buffer = '';
    response.on('data', (chunk: string) => {
      const at = performance.now();
      buffer += chunk;
      let boundary: number;
      while ((boundary = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
        }
        // A block of comments alone (the heartbeat) is no event.
        if (data.length === 0) continue;
        client.events.push({ event, data: data.join('\n'), at });
        if (event === 'ready' && client.readyAt === undefined) {
          client.readyAt = at;
          settle?.();
        }
      }
    });
    response.on('end', () => fail('the stream ended'));
    response.on('error', (error) => fail(error.message));
  });
  req.on('error', (error) => fail(error.message));
  req.end();

  return {
    client,
    ready: (timeoutMs: number) =>
      new Promise<void>((resolve) => {
        if (client.readyAt !== undefined || client.failure !== undefined) return resolve();
        const timer = setTimeout(() => {
          fail(`no ready event within ${timeoutMs} ms`);
          resolve();
        }, timeoutMs);
        settle = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
  };
}

/** The `q` quantile (0…1) of `values`, nearest-rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] as number;
}
