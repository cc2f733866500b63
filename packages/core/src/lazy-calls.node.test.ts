import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Call } from '@teacher-hub/protocol';
import { HubClient } from './hub-client.ts';
import { LazyCalls } from './lazy-calls.ts';
import { sendJson, startLocalHttpServer, unsignedToken } from './testing/local-http-server.ts';
import type { LocalHttpServer } from './testing/local-http-server.ts';

// `client.calls` before and after its service loads: the store elements subscribed to first is the one the
// service fills, a hold taken before the code is there holds the live stream once it is, and nothing is
// loaded until something uses calls.

class FakeSource extends EventTarget {
  closed = false;
  close(): void {
    this.closed = true;
  }
}

const RINGING: Call = {
  id: 'c1',
  chatId: 'chat-c1',
  chatName: 'Algebra club',
  status: 'ringing',
  ringExpiresAt: new Date(Date.now() + 60_000).toISOString(),
  startedBy: 't-ada',
  startedAt: new Date().toISOString(),
  endedAt: null,
  members: [
    { userId: 't-ada', name: 'Ada Lovelace', role: 'teacher', state: 'joined' },
    { userId: 's-01', name: 'Sam Student', role: 'student', state: 'ringing' },
  ],
};

describe('client.calls (LazyCalls)', () => {
  let hub: LocalHttpServer;
  let failDecline = false;

  before(async () => {
    hub = await startLocalHttpServer((request, response) => {
      if (request.path === '/v1/live') return sendJson(response, 200, { calls: [RINGING], sessions: [] });
      if (request.path === '/v1/calls/c1/decline') {
        if (failDecline)
          return sendJson(response, 404, { error: { code: 'NOT_FOUND', message: 'Gone.', requestId: 'r' } });
        return sendJson(response, 200, {
          call: { ...RINGING, members: [RINGING.members[0], { ...RINGING.members[1]!, state: 'declined' }] },
        });
      }
      return sendJson(response, 404, { error: { code: 'NOT_FOUND', message: 'No.', requestId: 'r' } });
    });
  });
  after(() => hub.close());

  function client(sources: FakeSource[]): HubClient {
    return new HubClient({
      server: hub.url,
      token: unsignedToken({
        sub: 's-01',
        name: 'Sam Student',
        role: 'student',
        exp: Date.now() / 1000 + 3600,
      }),
      createEventSource: () => {
        const source = new FakeSource();
        sources.push(source);
        return source as unknown as EventSource;
      },
    });
  }

  async function until(check: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 400; i++) {
      if (check()) return;
      await delay(5);
    }
    assert.fail(`timed out waiting until ${what}`);
  }

  it('has a store from the start, which the service fills once connect() loaded it', async () => {
    const sources: FakeSource[] = [];
    const calls = client(sources).calls;
    assert.ok(calls instanceof LazyCalls);
    const store = calls.store;
    assert.deepEqual(store.get(), { calls: {}, incoming: [], active: null, loaded: false });
    const seen: number[] = [];
    store.subscribe(
      (state) => state.incoming.length,
      (count) => seen.push(count),
    );

    const release = calls.connect();
    await until(() => calls.state.loaded, 'the live calls are loaded');
    assert.equal(calls.store, store, 'the same store');
    assert.deepEqual(seen.at(-1), 1, 'a subscriber taken before the load hears the ring');
    assert.equal((await calls.load()).store, store, 'the service keeps its state there');
    assert.equal(sources.length, 1, 'the service holds the live stream');
    release();
    assert.equal(sources[0]!.closed, true, 'and lets go with the last holder');
  });

  it('a hold let go of before the service loaded holds nothing', async () => {
    const sources: FakeSource[] = [];
    const calls = client(sources).calls;
    calls.connect()();
    await calls.load();
    await delay(20);
    assert.equal(sources.length, 0, 'no live stream was opened');
    assert.equal(calls.state.loaded, false);
  });

  it('intents load the service and reach the hub; its errors come through', async () => {
    const calls = client([]).calls;
    calls.sessionEnded({ sessionId: 'x', occurrenceStart: new Date().toISOString() }); // nothing joined: no-op
    await calls.decline('c1');
    assert.ok(hub.requests.some((request) => request.path === '/v1/calls/c1/decline'));
    failDecline = true;
    await assert.rejects(calls.decline('c1'), { name: 'HubApiError', code: 'NOT_FOUND' });
    failDecline = false;
  });
});
