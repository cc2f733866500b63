import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Call, VideoGrant } from '@teacher-hub/protocol';
import { HubClient } from '../hub-client.ts';
import { createStore } from '../store.ts';
import { FakeRefreshClock } from '../testing/fake-refresh-clock.ts';
import { sendJson, startLocalHttpServer, unsignedToken } from '../testing/local-http-server.ts';
import type { LocalHttpServer } from '../testing/local-http-server.ts';
import { initialEngineState } from './call-engine.ts';
import type { CallEngine, CallEngineState } from './call-engine.ts';
import { CallsService } from './calls-service.ts';
import type { CallSession } from './call-types.ts';

/** An engine in the room at once; records the grants it was given. `takesGrants: false` is 100ms-like. */
class GrantRecordingEngine implements CallEngine {
  readonly store = createStore<CallEngineState>(initialEngineState());
  readonly grants: VideoGrant[] = [];
  updateGrant?: (grant: VideoGrant) => void;
  constructor(takesGrants: boolean) {
    if (takesGrants) this.updateGrant = (grant) => this.grants.push(grant);
  }
  async join(grant: VideoGrant): Promise<void> {
    this.grants.push(grant);
    this.store.set({ connection: 'connected' });
  }
  async leave(): Promise<void> {
    this.store.set({ connection: 'left' });
  }
  async setMicrophone(): Promise<void> {}
  async setCamera(): Promise<void> {}
  async setScreenShare(): Promise<void> {}
}

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const TTL_S = 2 * 3600;

/**
 * The video grant's early refresh, on a fake clock: the hub's join and token routes over real HTTP hand out
 * mesh grants whose token lives two hours from the fake clock's now; the service must ask the token route
 * at 96 min (never join again), hand the fresh grant to the engine, and stop once the call is left or ended.
 */
describe('CallsService refreshes the video grant before it expires', () => {
  let hub: LocalHttpServer;
  let clock: FakeRefreshClock;
  let joins: number[] = [];
  /** When the token route was asked, and when the join route was: only the first grant comes from a join. */
  let tokens: number[] = [];
  let callEnded = false;
  let failNext = 0;

  const call = (): Call => ({
    id: 'c1',
    chatId: 'chat-1',
    chatName: 'Algebra',
    status: callEnded ? 'ended' : 'active',
    ringExpiresAt: new Date(clock.now() + 30 * SECOND).toISOString(),
    startedBy: 't-ada',
    startedAt: new Date(clock.now()).toISOString(),
    endedAt: null,
    members: [
      { userId: 't-ada', name: 'Ada', role: 'teacher', state: 'joined' },
      { userId: 's-01', name: 'Sam', role: 'student', state: 'joined' },
    ],
  });

  before(async () => {
    hub = await startLocalHttpServer(async (request, response) => {
      const route = /^\/v1\/calls\/c1\/(join|token)$/.exec(request.path)?.[1];
      if (route && request.method === 'POST') {
        (route === 'join' ? joins : tokens).push(clock.now());
        if (failNext > 0) {
          failNext -= 1;
          return sendJson(response, 503, {
            error: { code: 'UNAVAILABLE', message: 'Busy.', requestId: 'r' },
          });
        }
        if (callEnded) {
          return sendJson(response, 409, {
            error: { code: 'CONFLICT', message: 'This call has ended.', requestId: 'r' },
          });
        }
        const iat = Math.floor(clock.now() / 1000);
        const video: VideoGrant = {
          engine: 'mesh',
          roomId: 'room-c1',
          authToken: unsignedToken({
            sub: 's-01',
            room: 'room-c1',
            iat,
            exp: iat + TTL_S,
            n: joins.length + tokens.length,
          }),
          role: 'student',
          signalUrl: 'ws://hub.test/v1/mesh/connect',
          iceServers: [],
        };
        return sendJson(response, 200, route === 'join' ? { call: call(), video } : { video });
      }
      if (request.path === '/v1/calls/c1/leave') return sendJson(response, 200, { call: call() });
      sendJson(response, 404, { error: { code: 'NOT_FOUND', message: 'No.', requestId: 'r' } });
    });
  });
  after(() => hub.close());
  beforeEach(() => {
    clock = new FakeRefreshClock();
    joins = [];
    tokens = [];
    callEnded = false;
    failNext = 0;
  });

  function service(engines: GrantRecordingEngine[], takesGrants = true): CallsService {
    const client = new HubClient({
      server: hub.url,
      token: unsignedToken({ sub: 's-01', name: 'Sam', role: 'student' }),
      createEventSource: () => new EventTarget() as unknown as EventSource,
    });
    return new CallsService(client.api, client.live, client.tokens, {
      refreshClock: clock,
      createEngine: async () => {
        const engine = new GrantRecordingEngine(takesGrants);
        engines.push(engine);
        return engine;
      },
    });
  }

  async function until(check: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      if (check()) return;
      await delay(5);
    }
    assert.fail(`timed out waiting until ${what}`);
  }

  const tokenNumber = (grant: VideoGrant | undefined) =>
    JSON.parse(Buffer.from(grant?.authToken.split('.')[1] ?? '', 'base64url').toString()) as { n: number };

  it('asks the token route at 96 min of a 2-hour grant, and again for the next one, never joining again', async () => {
    const engines: GrantRecordingEngine[] = [];
    const calls = service(engines);
    const start = clock.now();
    await calls.join('c1');
    const engine = engines[0] as GrantRecordingEngine;
    assert.equal(joins.length, 1);

    await clock.advance(96 * 60 * SECOND - 1);
    assert.equal(tokens.length, 0, 'not before 80 % of the lifetime');
    await clock.advance(1);
    await until(() => engine.grants.length === 2, 'the engine has the fresh grant');
    assert.equal(tokens[0], start + 96 * 60 * SECOND);
    assert.ok((tokens[0] as number) < start + 2 * HOUR, 'before the first token expired');
    assert.equal(tokenNumber(engine.grants[1]).n, 2);
    assert.equal(calls.state.active?.connection, 'connected', 'nothing else changed');

    await clock.advance(96 * 60 * SECOND);
    await until(() => engine.grants.length === 3, 'the engine has the third grant');
    await calls.leave();
    assert.equal(clock.pending, 0, 'leaving stops the refresh');
    await clock.advance(10 * HOUR);
    assert.equal(tokens.length, 2);
    assert.equal(joins.length, 1, 'the refresh never joins again');
  });

  it('retries when the hub is busy and stops for good when it says the call ended', async () => {
    const engines: GrantRecordingEngine[] = [];
    const calls = service(engines);
    await calls.join('c1');
    failNext = 1;
    await clock.advance(96 * 60 * SECOND);
    await until(() => clock.pending === 1 && tokens.length === 1, 'the busy answer is retried later');
    await clock.advance(30 * SECOND);
    await until(() => (engines[0] as GrantRecordingEngine).grants.length === 2, 'the retry succeeds');

    callEnded = true;
    await clock.advance(96 * 60 * SECOND);
    await until(() => tokens.length === 3, 'the refresh asked');
    await until(() => clock.pending === 0, 'the refusal stops the refresh');
    assert.equal((engines[0] as GrantRecordingEngine).grants.length, 2);
    await calls.leave().catch(() => undefined);
  });

  it('stops when the engine finishes on its own (the teacher ended the call)', async () => {
    const engines: GrantRecordingEngine[] = [];
    const calls = service(engines);
    await calls.join('c1');
    assert.equal(clock.pending, 1);
    (engines[0] as GrantRecordingEngine).store.set({ connection: 'ended' });
    assert.equal(clock.pending, 0);
    assert.equal(calls.state.active?.connection, 'ended');
  });

  it('fetches nothing for an engine that takes no fresh grants (100ms keeps the token it joined with)', async () => {
    const engines: GrantRecordingEngine[] = [];
    const calls = service(engines, false);
    await calls.join('c1');
    assert.equal(clock.pending, 0);
    await clock.advance(48 * HOUR);
    assert.deepEqual([joins.length, tokens.length], [1, 0]);
    await calls.leave();
  });

  it('refreshes a session occurrence’s grant by the session’s join, only for the same occurrence', async () => {
    const engines: GrantRecordingEngine[] = [];
    const calls = service(engines);
    const session = (occurrenceStart: string): CallSession =>
      ({ sessionId: 'sess-1', occurrenceStart, title: 'Algebra' }) as unknown as CallSession;
    let occurrence = '2026-01-05T09:00:00.000Z';
    let asked = 0;
    const grant = (): VideoGrant => {
      const iat = Math.floor(clock.now() / 1000);
      asked += 1;
      return {
        engine: 'mesh',
        roomId: 'room-s1',
        authToken: unsignedToken({ iat, exp: iat + 600, n: asked }),
        role: 'student',
        signalUrl: 'ws://hub.test/v1/mesh/connect',
      };
    };
    await calls.joinSession('sess-1', {
      join: async () => ({ session: session(occurrence), video: grant() }),
      end: async () => undefined,
    });
    const engine = engines[0] as GrantRecordingEngine;
    await clock.advance(480 * SECOND);
    await until(() => engine.grants.length === 2, 'the session grant was refreshed at 80 % of 10 min');
    occurrence = '2026-01-12T09:00:00.000Z';
    await clock.advance(480 * SECOND);
    await until(() => asked === 3 && clock.pending === 0, 'another occurrence’s grant stops the refresh');
    assert.equal(engine.grants.length, 2, 'the engine is not given a grant for another room');
  });
});
