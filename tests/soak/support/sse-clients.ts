import { request, type IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';

/** One event as a load client keeps it: its type, its data, and when it arrived (`performance.now()`). */
export interface ReceivedEvent {
  event: string;
  /** Empty for an event larger than `KEEP_BYTES`: those are counted and measured, not decoded. */
  data: string;
  /** Bytes of the event on the wire. */
  size: number;
  at: number;
}

const NEWLINE = 0x0a;
/** Events up to this size are decoded (ready, notifications); larger ones only counted. */
const KEEP_BYTES = 16 * 1024;

/** Reads the `event:` and `data:` lines of one event block; undefined for comments alone. */
function parseEvent(block: Buffer, size: number, at: number): ReceivedEvent | undefined {
  const large = size > KEEP_BYTES;
  const text = (large ? block.subarray(0, 256) : block).toString('utf8');
  let event = 'message';
  const data: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(large ? '' : line.slice(5).trimStart());
  }
  if (data.length === 0) return undefined;
  return { event, data: data.join('\n'), size, at };
}

/**
 * One SSE client of a load test: a bare `node:http` request on a socket of its own (no agent, so no
 * pool limit), with a parser that keeps only what a load test needs (`event:` and `data:` lines). Far
 * lighter than `fetch` + `readSse`, so 2,000 of them fit in the test process beside the measuring.
 */
export interface LoadClient {
  userId: string;
  events: ReceivedEvent[];
  /** Bytes of the stream received so far. */
  bytes: number;
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
    bytes: 0,
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
    // Bytes, not text: 2,000 clients may receive hundreds of MB at once (a large call state to every
    // member), and decoding all of it would make this process, not the server, what the delays measure.
    let parts: Buffer[] = [];
    let partsLength = 0;
    let lastByte = -1;
    const finish = (tail: Buffer) => {
      const block = parts.length === 0 ? tail : Buffer.concat([...parts, tail]);
      const size = partsLength + tail.length;
      parts = [];
      partsLength = 0;
      const event = parseEvent(block, size, at);
      // A block of comments alone (a heartbeat comment) is no event.
      if (!event) return;
      client.events.push(event);
      if (event.event === 'ready' && client.readyAt === undefined) {
        client.readyAt = event.at;
        settle?.();
      }
    };
    let at = 0;
    response.on('data', (chunk: Buffer) => {
      at = performance.now();
      client.bytes += chunk.length;
      let from = 0;
      // The blank line that ends an event fell between the last chunk and this one.
      if (lastByte === NEWLINE && chunk[0] === NEWLINE && partsLength > 0) {
        const last = parts.length - 1;
        parts[last] = (parts[last] as Buffer).subarray(0, -1);
        partsLength -= 1;
        finish(Buffer.alloc(0));
        from = 1;
      }
      let boundary: number;
      while ((boundary = chunk.indexOf('\n\n', from)) >= 0) {
        finish(chunk.subarray(from, boundary));
        from = boundary + 2;
      }
      if (from < chunk.length) {
        const rest = chunk.subarray(from);
        // Of an event too large to decode, the head (which names it) is enough.
        if (partsLength < KEEP_BYTES) parts.push(rest);
        partsLength += rest.length;
      }
      lastByte = chunk[chunk.length - 1] ?? lastByte;
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
