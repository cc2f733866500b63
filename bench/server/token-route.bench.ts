/**
 * Token route: what a client pays to get its tokens. Each request verifies the hub JWT (HS256), looks the
 * caller up in the directory and mints a provider token. Both token routes are loaded at once, each by an
 * autocannon instance of its own with half the rate: a GetStream token (`POST /v1/chat/token`: the caller's
 * directory record, the GetStream user as it is, a token) and a 100ms auth token (`POST /v1/calls/:id/token`,
 * with the 100ms adapter configured against the local 100ms peer: the caller's seat in the call checked in
 * the database, a token), for 100 students in turn who joined a call of 100. The row's p50/p99 are the
 * slower route's (a bound of the mix's); each route's are in the details. From this process (the hub is its own): 1,000 req/s in all for 10 s, then
 * unthrottled for the most it answers. The baseline is a bare
 * `@hono/node-server` JSON route in a process of its own, measured the same way in the same run.
 */
import autocannon, { type Request, type Result } from 'autocannon';
import { createTestPki } from '../../server/src/testing/peers/tls.ts';
import { startTestHmsPeer } from '../../server/src/testing/peers/hms-peer.ts';
import type { Bench, BenchRow } from '../types.ts';
import { startHelper } from '../support/child.ts';
import { classChat, startBenchHub } from '../support/hub.ts';
import { log, ms, perSecond, round } from '../support/stats.ts';

const RATE = 1_000;
const RATE_SECONDS = 10;
const MAX_SECONDS = 6;
const WARM_UP_SECONDS = 2;
/** Connections in all, shared by the routes. */
const CONNECTIONS = 32;
const BUDGET_P99_MS = 25;
/** Below this share of RATE the fixed-rate phase did not happen as asked: the row fails. */
const MIN_RATE_SHARE = 0.9;

/** One route's requests (for 100 users in turn), measured by an autocannon instance of its own. */
interface Route {
  name: string;
  requests: Request[];
}

interface Phase {
  /** Per route, in the order given. */
  results: Result[];
  /** Requests per second answered, all routes together. */
  reqPerS: number;
  /** The worst route's p50 and p99: an upper bound of the mix's own percentiles. */
  p50: number;
  p99: number;
  failures: number;
}

/**
 * Every route at once, each by its own autocannon instance with an equal share of the rate and of the
 * connections, so the server sees the mix and each route keeps its own percentiles.
 */
async function phase(url: string, routes: readonly Route[], seconds: number, rate?: number): Promise<Phase> {
  const results = await Promise.all(
    routes.map((route) =>
      autocannon({
        url,
        connections: CONNECTIONS / routes.length,
        requests: route.requests,
        timeout: 10,
        duration: seconds,
        ...(rate === undefined ? {} : { overallRate: rate / routes.length }),
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

interface Measured {
  rate: Phase;
  max: Phase;
}

/** Warm-up, then the fixed rate, then unthrottled. */
async function measure(url: string, routes: readonly Route[]): Promise<Measured> {
  await phase(url, routes, WARM_UP_SECONDS, RATE);
  const rate = await phase(url, routes, RATE_SECONDS, RATE);
  const max = await phase(url, routes, MAX_SECONDS);
  return { rate, max };
}

const describe = (measured: Measured, routes: readonly Route[]) =>
  routes
    .map(
      (route, index) =>
        `${route.name}: p50 ${ms(measured.rate.results[index]?.latency.p50 ?? NaN)} / ` +
        `p99 ${ms(measured.rate.results[index]?.latency.p99 ?? NaN)}, ` +
        `unthrottled ${perSecond(measured.max.results[index]?.requests.average ?? NaN)}`,
    )
    .join('; ') + ` (at ${perSecond(measured.rate.reqPerS)} in all)`;

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
    const [stream, video] = ours.rate.results as [Result, Result];
    const [streamMax, videoMax] = ours.max.results as [Result, Result];
    const common = {
      database: ours.database,
      connections: CONNECTIONS,
      load: 'both routes at once, half the rate and connections each (autocannon), 100 students in turn',
      hubNon2xxOrErrors: ours.rate.failures + ours.max.failures,
      baselineNon2xxOrErrors: baseline.rate.failures + baseline.max.failures,
    };
    return [
      {
        id: 'token-route.latency',
        figure: `token route (JWT + directory + Stream/100ms token) at ${perSecond(RATE, ' req/s')}, p99 of the slower route`,
        ours: `p50 ${ms(ours.rate.p50)} / p99 ${ms(ours.rate.p99)}`,
        value: ours.rate.p99,
        unit: 'ms',
        baseline: `p50 ${ms(baseline.rate.p50)} / p99 ${ms(baseline.rate.p99)} (bare hono)`,
        baselineValue: baseline.rate.p99,
        ratio: ours.rate.p99 / Math.max(baseline.rate.p99, 1),
        budget: `p99 ≤ ${BUDGET_P99_MS} ms`,
        pass: ours.rate.p99 <= BUDGET_P99_MS && reachedRate && clean,
        details: {
          ...common,
          achievedReqPerS: round(ours.rate.reqPerS),
          baselineAchievedReqPerS: round(baseline.rate.reqPerS),
          streamTokenP50Ms: stream.latency.p50,
          streamTokenP99Ms: stream.latency.p99,
          hmsTokenP50Ms: video.latency.p50,
          hmsTokenP99Ms: video.latency.p99,
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
