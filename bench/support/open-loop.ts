/**
 * An open-loop load at a fixed rate: requests leave on a schedule (request i at `i / rate` seconds) whether
 * or not earlier ones have answered, and each latency runs from the request's scheduled time to the end of
 * its response, so a generator that falls behind counts its own delay too (no coordinated omission).
 *
 * Requests go over a fixed pool of keep-alive connections, all opened before the clock starts and used in
 * turn (as wrk2 and autocannon keep theirs): when every connection is busy, a request waits for one, and
 * that wait is in its latency. Opening connections on demand would measure connection set-up in bursts
 * (the first stall makes a crowd of new connections, which the server then accepts and sets up while behind),
 * which is a load generator's artefact, not what a client behind a keep-alive proxy or browser sees.
 *
 * Why not autocannon's `overallRate`: it gives each connection a quota per second and sends it back to back
 * as soon as answers come, so "1,000 req/s" is a burst at full speed at the start of every second; and its
 * coordinated-omission correction takes an expected interval of `Math.ceil(1 / rate)` = 1 ms (the
 * per-connection rate per second read as per millisecond), adding R - 1 synthetic samples for a response of
 * R ms. autocannon stays for the most a server answers (unthrottled), which is what it is made for.
 */
import http from 'node:http';
import { quantile } from './stats.ts';

export interface OpenLoopRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
}

export interface OpenLoopResult {
  /** Answered requests per second over the phase. */
  reqPerS: number;
  /** Non-2xx answers, connection errors and timeouts. */
  failures: number;
  /** Per request group (`groups` given), each group's latencies in ms, in the order answered. */
  latencies: number[][];
  p50: number;
  p99: number;
  max: number;
}

/** Connections in the pool, unless the caller says otherwise. */
const CONNECTIONS = 32;
/** How often the schedule is caught up with; requests due in between leave together. */
const TICK_MS = 1;
const TIMEOUT_MS = 10_000;

/**
 * Sends `rate` requests per second for `seconds` to `url`, taking the groups' requests in turn (group 0's
 * first, group 1's first, …, group 0's second, …), and answers when every request has answered.
 */
export async function openLoop(
  url: string,
  groups: readonly (readonly OpenLoopRequest[])[],
  options: {
    rate: number;
    seconds: number;
    /** The pool's size (32 by default). */
    connections?: number;
    /** What opens each connection before the clock starts (not measured); the first group's first request by default. */
    connect?: OpenLoopRequest;
  },
): Promise<OpenLoopResult> {
  const target = new URL(url);
  const connections = options.connections ?? CONNECTIONS;
  // FIFO: a freed connection goes to the back of the line, so every one is in use and none idles into the
  // server's keep-alive timeout.
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections, scheduling: 'fifo' });
  const exchange = (request: OpenLoopRequest, onAnswer: (ok: boolean) => void) => {
    let settled = false;
    const once = (ok: boolean) => {
      if (settled) return;
      settled = true;
      onAnswer(ok);
    };
    const outgoing = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: request.path,
        method: request.method,
        headers: request.headers,
        agent,
        timeout: TIMEOUT_MS,
      },
      (response) => {
        const ok = response.statusCode !== undefined && response.statusCode < 300;
        response.resume();
        response.on('end', () => once(ok));
        response.on('error', () => once(false));
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error('timed out')));
    outgoing.on('error', () => once(false));
    outgoing.end();
  };
  const opening = options.connect ?? groups[0]?.[0];
  if (!opening) throw new Error('openLoop needs at least one request');
  // All at once, so the agent opens a connection for each.
  const opened = await Promise.all(
    Array.from({ length: connections }, () => new Promise<boolean>((resolve) => exchange(opening, resolve))),
  );
  if (opened.includes(false)) {
    agent.destroy();
    throw new Error(`opening the pool: ${opening.method} ${opening.path} did not answer 2xx`);
  }
  const latencies = groups.map((): number[] => []);
  const total = Math.round(options.rate * options.seconds);
  let failures = 0;
  let sent = 0;
  let answered = 0;
  const start = performance.now();
  try {
    await new Promise<void>((resolve) => {
      const settle = (group: number, scheduledAt: number, ok: boolean) => {
        if (ok) latencies[group]?.push(performance.now() - scheduledAt);
        else failures += 1;
        answered += 1;
        if (answered === total) resolve();
      };
      const send = (index: number) => {
        const group = index % groups.length;
        const requests = groups[group] as readonly OpenLoopRequest[];
        const request = requests[Math.floor(index / groups.length) % requests.length] as OpenLoopRequest;
        const scheduledAt = start + (index * 1000) / options.rate;
        exchange(request, (ok) => settle(group, scheduledAt, ok));
      };
      const tick = () => {
        const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * options.rate) + 1);
        while (sent < due) send(sent++);
        if (sent < total) setTimeout(tick, TICK_MS);
      };
      tick();
    });
  } finally {
    agent.destroy();
  }
  const all = latencies.flat();
  return {
    reqPerS: (all.length * 1000) / (performance.now() - start),
    failures,
    latencies,
    p50: quantile(all, 0.5),
    p99: quantile(all, 0.99),
    max: Math.max(...all),
  };
}
