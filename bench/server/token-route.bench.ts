/**
 * Token route: what a client pays to get its tokens. Each request verifies the hub JWT (HS256), looks the
 * caller up in the directory and mints a provider token, on two routes loaded together, request by request
 * in turn: a GetStream token (`POST /v1/chat/token`: the caller's directory record, the GetStream user as
 * it is, a token) and a 100ms auth token (`POST /v1/calls/:id/token`, the 100ms adapter configured against
 * the local 100ms peer: the caller's seat in the call read from the database, a token), for 100 students
 * who joined a call of 100. From this process (the hub is its own): 1,000 req/s in all for 10 s as an
 * open-loop load (`support/open-loop.ts`: evenly spaced over 32 keep-alive connections opened beforehand, each
 * latency from the request's scheduled time),
 * then autocannon unthrottled for the most it answers, one instance per route. The row's p50/p99 are the
 * slower route's (a bound of the mix's); each route's are in the details. The baseline is a bare
 * `@hono/node-server` JSON route in a process of its own, measured the same way in the same run.
 */
import autocannon, { type Request, type Result } from 'autocannon';
import { createTestPki } from '../../server/src/testing/peers/tls.ts';
import { startTestHmsPeer } from '../../server/src/testing/peers/hms-peer.ts';
import type { Bench, BenchRow } from '../types.ts';
import { startHelper } from '../support/child.ts';
import { classChat, startBenchHub } from '../support/hub.ts';
import { openLoop, type OpenLoopResult } from '../support/open-loop.ts';
import { log, ms, perSecond, quantile, round } from '../support/stats.ts';

const RATE = 1_000;
const RATE_SECONDS = 10;
const MAX_SECONDS = 6;
const WARM_UP_SECONDS = 2;
/** Keep-alive connections, opened before the clock starts: the open loop's pool, and autocannon's (shared by the routes). */
const CONNECTIONS = 32;
const BUDGET_P99_MS = 25;
/** Below this share of RATE the fixed-rate phase did not happen as asked: the row fails. */
const MIN_RATE_SHARE = 0.9;

/** One route's requests (for 100 users in turn); unthrottled, measured by an autocannon instance of its own. */
interface Route {
  name: string;
  requests: Request[];
}

interface MaxPhase {
  /** Per route, in the order given. */
  results: Result[];
  /** Requests per second answered, all routes together. */
  reqPerS: number;
  /** The worst route's p50 and p99: an upper bound of the mix's own percentiles. */
  p50: number;
  p99: number;
  failures: number;
}

/** Every route at once, unthrottled, each by its own autocannon instance with an equal share of the connections. */
async function unthrottled(url: string, routes: readonly Route[], seconds: number): Promise<MaxPhase> {
  const results = await Promise.all(
    routes.map((route) =>
      autocannon({
        url,
        connections: CONNECTIONS / routes.length,
        requests: route.requests,
        timeout: 10,
        duration: seconds,
      }),
    ),
  );
  return {
    results,
    reqPerS: results.reduce((sum, result) => sum + result.requests.average, 0),
    p50: Math.max(...results.map((result) => result.latency.p50)),
    p99: Math.max(...results.map((result) => result.latency.p99)),
    failures: results.reduce((sum, result) => sum + result.non2xx + result.errors + result.timeouts, 0),
  };
}

/** The fixed rate, open loop: the routes' requests in turn. The worst route's p50 and p99 bound the mix's. */
interface RatePhase extends OpenLoopResult {
  routes: Array<{ p50: number; p99: number }>;
  worstP50: number;
  worstP99: number;
}

async function atRate(url: string, routes: readonly Route[], seconds: number): Promise<RatePhase> {
  const result = await openLoop(
    url,
    routes.map((route) =>
      route.requests.map((request) => ({
        method: request.method ?? 'GET',
        path: request.path ?? '/',
        ...(request.headers ? { headers: request.headers as Record<string, string> } : {}),
      })),
    ),
    { rate: RATE, seconds, connections: CONNECTIONS },
  );
  const perRoute = result.latencies.map((values) => ({
    p50: quantile(values, 0.5),
    p99: quantile(values, 0.99),
  }));
  return {
    ...result,
    routes: perRoute,
    worstP50: Math.max(...perRoute.map((route) => route.p50)),
    worstP99: Math.max(...perRoute.map((route) => route.p99)),
  };
}

interface Measured {
  rate: RatePhase;
  max: MaxPhase;
}

/** Warm-up, then the fixed rate, then unthrottled. */
async function measure(url: string, routes: readonly Route[]): Promise<Measured> {
  await atRate(url, routes, WARM_UP_SECONDS);
  const rate = await atRate(url, routes, RATE_SECONDS);
  const max = await unthrottled(url, routes, MAX_SECONDS);
  return { rate, max };
}

const describe = (measured: Measured, routes: readonly Route[]) =>
  routes
    .map(
      (route, index) =>
        `${route.name}: p50 ${ms(measured.rate.routes[index]?.p50 ?? NaN)} / ` +
        `p99 ${ms(measured.rate.routes[index]?.p99 ?? NaN)}, ` +
        `unthrottled ${perSecond(measured.max.results[index]?.requests.average ?? NaN)}`,
    )
    .join('; ') + ` (at ${perSecond(measured.rate.reqPerS)} in all, max ${ms(measured.rate.max)})`;

async function measureHub(): Promise<Measured & { database: string; routes: Route[] }> {
  const pki = await createTestPki();
  const { peer, env } = await startTestHmsPeer({ pki });
  const hub = await startBenchHub({ ...env, NODE_EXTRA_CA_CERTS: pki.caFile });
  try {
    const { people, teacherToken, chatId } = await classChat(hub, 'tok', 100);
    const started = await hub.call<{ call: { id: string } }>(`/v1/chats/${chatId}/calls`, {
      method: 'POST',
      token: teacherToken,
    });
    const callId = started.call.id;
    const stream: Route = { name: 'Stream token (POST /v1/chat/token)', requests: [] };
    const video: Route = { name: '100ms token (POST /v1/calls/:id/token)', requests: [] };
    for (const student of people.students) {
      const token = await hub.token(student);
      // In the call first: the token route is for members who joined (it refreshes their grant).
      await hub.call(`/v1/calls/${callId}/join`, { method: 'POST', token });
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      stream.requests.push({ method: 'POST', path: '/v1/chat/token', headers });
      video.requests.push({ method: 'POST', path: `/v1/calls/${callId}/token`, headers });
    }
    // Both routes answer as the client expects before anything is timed.
    const answer = async (request: Request) => {
      const response = await fetch(`${hub.url}${request.path}`, { method: 'POST', headers: request.headers });
      const body = await response.text();
      if (!response.ok) throw new Error(`${request.path} answered ${response.status}: ${body}`);
      return body;
    };
    const chatToken = await answer(stream.requests[0] as Request);
    const grant = await answer(video.requests[0] as Request);
    if (!/"token"/.test(chatToken)) throw new Error(`no Stream token in ${chatToken}`);
    if (!/"engine":"hms"/.test(grant)) throw new Error(`no 100ms grant in ${grant}`);
    log(`hub (${hub.database}): a call of 100 students; 100ms peer rooms: ${peer.rooms.size}`);
    const routes = [stream, video];
    return { ...(await measure(hub.url, routes)), database: hub.database, routes };
  } finally {
    await hub.stop();
    await peer.close();
    await pki.cleanup();
  }
}

async function measureBaseline(): Promise<Measured> {
  const server = await startHelper('bench/server/support/bare-hono.ts');
  try {
    const { port } = server.ready as { port: number };
    // The same shape of load as the hub's: two instances, each half the rate and connections.
    const route = { name: 'bare', requests: [{ method: 'POST', path: '/token' }] };
    return await measure(`http://127.0.0.1:${port}`, [route, route]);
  } finally {
    await server.stop();
  }
}

const bench: Bench = {
  id: 'token-route',
  order: 30,
  async run(): Promise<BenchRow[]> {
    const ours = await measureHub();
    log(`hub: ${describe(ours, ours.routes)}`);
    const baseline = await measureBaseline();
    log(
      `bare hono: p50 ${ms(baseline.rate.p50)} / p99 ${ms(baseline.rate.p99)}, unthrottled ${perSecond(baseline.max.reqPerS)}`,
    );
    const reachedRate = ours.rate.reqPerS >= RATE * MIN_RATE_SHARE;
    const clean = ours.rate.failures + ours.max.failures === 0;
    const [stream, video] = ours.rate.routes as [{ p50: number; p99: number }, { p50: number; p99: number }];
    const [streamMax, videoMax] = ours.max.results as [Result, Result];
    const common = {
      database: ours.database,
      connections: CONNECTIONS,
      load: 'both routes in turn, 100 students each: open loop at the rate, then autocannon unthrottled (half the connections each)',
      hubNon2xxOrErrors: ours.rate.failures + ours.max.failures,
      baselineNon2xxOrErrors: baseline.rate.failures + baseline.max.failures,
    };
    return [
      {
        id: 'token-route.latency',
        figure: `token route (JWT + directory + Stream/100ms token) at ${perSecond(RATE, ' req/s')}, p99 of the slower route`,
        ours: `p50 ${ms(ours.rate.worstP50)} / p99 ${ms(ours.rate.worstP99)}`,
        value: round(ours.rate.worstP99),
        unit: 'ms',
        baseline: `p50 ${ms(baseline.rate.p50)} / p99 ${ms(baseline.rate.p99)} (bare hono)`,
        baselineValue: round(baseline.rate.p99),
        ratio: ours.rate.worstP99 / Math.max(baseline.rate.p99, 1),
        budget: `p99 ≤ ${BUDGET_P99_MS} ms`,
        pass: ours.rate.worstP99 <= BUDGET_P99_MS && reachedRate && clean,
        details: {
          ...common,
          achievedReqPerS: round(ours.rate.reqPerS),
          baselineAchievedReqPerS: round(baseline.rate.reqPerS),
          streamTokenP50Ms: round(stream.p50),
          streamTokenP99Ms: round(stream.p99),
          hmsTokenP50Ms: round(video.p50),
          hmsTokenP99Ms: round(video.p99),
          maxMs: round(ours.rate.max),
          baselineMaxMs: round(baseline.rate.max),
          seconds: RATE_SECONDS,
          ratioIs: 'ours p99 / baseline p99 (baseline p99 taken as at least 1 ms)',
        },
      },
      {
        id: 'token-route.max',
        figure: 'token route, most req/s unthrottled, both routes (ratio ours / baseline)',
        ours: perSecond(ours.max.reqPerS, ' req/s'),
        value: round(ours.max.reqPerS),
        unit: 'req/s',
        baseline: `${perSecond(baseline.max.reqPerS, ' req/s')} (bare hono)`,
        baselineValue: round(baseline.max.reqPerS),
        ratio: ours.max.reqPerS / baseline.max.reqPerS,
        budget: `≥ ${perSecond(RATE, ' req/s')}`,
        pass: ours.max.reqPerS >= RATE && clean,
        details: {
          ...common,
          streamTokenReqPerS: round(streamMax.requests.average),
          hmsTokenReqPerS: round(videoMax.requests.average),
          p99Ms: ours.max.p99,
          baselineP99Ms: baseline.max.p99,
          seconds: MAX_SECONDS,
        },
      },
    ];
  },
};

export default bench;
