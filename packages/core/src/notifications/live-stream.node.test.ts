import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { TokenManager } from '../token-manager.ts';
import { LiveStream, reconnectDelay, STALL_FACTOR, streamUrl, type LiveReadyEvent } from './live-stream.ts';

describe('reconnectDelay', () => {
  it('doubles from the initial wait up to the cap, half of it random', () => {
    const low = () => 0;
    const high = () => 1;
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6, 10].map((failures) => reconnectDelay(failures, {}, high)),
      [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000],
    );
    assert.deepEqual(
      [0, 1, 5].map((failures) => reconnectDelay(failures, {}, low)),
      [500, 1000, 15000],
    );
    assert.equal(reconnectDelay(2, { initialMs: 100, maxMs: 250 }, high), 250);
  });

  it('survives absurd failure counts', () => {
    assert.equal(
      reconnectDelay(10_000, {}, () => 1),
      30_000,
    );
  });
});

describe('streamUrl', () => {
  it('carries the token and the id to resume from', () => {
    const base = 'https://hub.example.edu/prefix/v1/notifications/stream';
    assert.equal(streamUrl(base, 'tok.en-1', undefined), `${base}?access_token=tok.en-1`);
    assert.equal(streamUrl(base, 't2', '42'), `${base}?access_token=t2&lastEventId=42`);
  });
});

describe('LiveStream', () => {
  /** A stand-in EventSource that records the URLs it was opened with and never connects. */
  function recordingSources(): { urls: string[]; closed: number; factory: (url: string) => EventSource } {
    const record = {
      urls: [] as string[],
      closed: 0,
      factory: (_url: string): EventSource => {
        throw new Error('replaced below');
      },
    };
    record.factory = (url: string) => {
      record.urls.push(url);
      const target = new EventTarget() as EventTarget & { close(): void };
      target.close = () => {
        record.closed += 1;
      };
      return target as unknown as EventSource;
    };
    return record;
  }

  it('opens one source for several holders and closes it with the last release', async () => {
    const sources = recordingSources();
    const live = new LiveStream({
      url: 'http://hub.test/v1/notifications/stream',
      tokens: new TokenManager({ token: 'fixed' }),
      createEventSource: sources.factory,
    });
    const releaseA = live.connect();
    const releaseB = live.connect();
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.equal(sources.urls.length, 1);
    assert.equal(live.status, 'connecting');
    releaseA();
    releaseA();
    assert.equal(live.connections, 1, 'a release function counts once');
    releaseB();
    assert.equal(live.status, 'closed');
    assert.equal(sources.closed, 1);
  });

  it('on an error, closes the source itself and reopens with a fresh token after a backoff', async () => {
    const sources = recordingSources();
    let issued = 0;
    const live = new LiveStream({
      url: 'http://hub.test/v1/notifications/stream',
      tokens: new TokenManager({ tokenProvider: async () => `token-${++issued}` }),
      createEventSource: (url) => {
        const source = sources.factory(url);
        // Fail at once, as a refused (401) stream does.
        queueMicrotask(() => source.dispatchEvent(new Event('error')));
        return source;
      },
      backoff: { initialMs: 10, maxMs: 20 },
    });
    const release = live.connect();
    await new Promise((resolve) => setTimeout(resolve, 80));
    release();
    assert.ok(sources.urls.length >= 3, `reopened ${sources.urls.length} times`);
    assert.deepEqual(
      sources.urls.slice(0, 3).map((url) => new URL(url).searchParams.get('access_token')),
      ['token-1', 'token-2', 'token-3'],
      'a stream refused before "ready" drops its token',
    );
    assert.equal(sources.closed, sources.urls.length, 'EventSource never retries on its own');
    const closedAt = sources.urls.length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(sources.urls.length, closedAt, 'no retry after the last release');
  });

  describe('noticing a dead stream (a fake clock)', () => {
    /** An EventSource stand-in the test speaks through, as the hub would. */
    class FakeSource extends EventTarget {
      closed = false;
      constructor(readonly url: string) {
        super();
      }
      close(): void {
        this.closed = true;
      }
      emit(type: string, data: unknown, lastEventId = ''): void {
        this.dispatchEvent(new MessageEvent(type, { data: JSON.stringify(data), lastEventId }));
      }
    }

    function setUp(t: TestContext) {
      t.mock.timers.enable({ apis: ['setTimeout'] });
      const sources: FakeSource[] = [];
      const live = new LiveStream({
        url: 'http://hub.test/v1/notifications/stream',
        tokens: new TokenManager({ token: 'fixed' }),
        createEventSource: (url) => {
          const source = new FakeSource(url);
          sources.push(source);
          return source as unknown as EventSource;
        },
        backoff: { initialMs: 100, maxMs: 100 },
        pingMs: 1_000,
      });
      const readies: LiveReadyEvent[] = [];
      live.on('ready', (event) => readies.push(event));
      // The token is fetched asynchronously before each source opens.
      const settle = async () => {
        for (let index = 0; index < 5; index += 1) await Promise.resolve();
      };
      const tick = async (ms: number) => {
        t.mock.timers.tick(ms);
        await settle();
      };
      return { live, sources, readies, settle, tick };
    }

    it('keeps a stream that pings open, and reopens one silent for 2.5 of the ping intervals the hub announced', async (t) => {
      const { live, sources, tick, settle } = setUp(t);
      const release = live.connect();
      await settle();
      assert.equal(sources.length, 1);
      const first = sources[0] as FakeSource;
      first.emit('ready', { unreadCount: 0, pingMs: 10_000 });
      first.emit('notification', { id: 'n-7' }, '7');
      for (let minute = 0; minute < 6; minute += 1) {
        await tick(10_000);
        first.emit('ping', {});
      }
      assert.equal(sources.length, 1, 'pings keep it');
      assert.equal(live.status, 'open');

      await tick(10_000 * STALL_FACTOR - 1);
      assert.equal(first.closed, false, 'not one moment early');
      await tick(1);
      assert.equal(first.closed, true, 'silent for 25 s: taken for dead');
      assert.equal(live.status, 'connecting');
      await tick(100);
      assert.equal(sources.length, 2, 'reopened after the backoff');
      assert.equal(new URL((sources[1] as FakeSource).url).searchParams.get('lastEventId'), '7');
      release();
    });

    it('reopens a source that never says ready, using the default interval until the hub names one', async (t) => {
      const { live, sources, tick, settle } = setUp(t);
      const release = live.connect();
      await settle();
      await tick(1_000 * STALL_FACTOR);
      assert.equal(sources[0]?.closed, true);
      await tick(100);
      assert.equal(sources.length, 2);
      release();
      await tick(10_000);
      assert.equal(sources.length, 2, 'no watchdog after the last release');
      assert.equal(sources[1]?.closed, true);
    });

    it('hands on a resync the hub asks for as a ready event, so stores reload', async (t) => {
      const { live, sources, readies, settle } = setUp(t);
      const release = live.connect();
      await settle();
      const source = sources[0] as FakeSource;
      source.emit('ready', { unreadCount: 2, pingMs: 15_000 });
      source.emit('ready', { unreadCount: 3, pingMs: 15_000, resync: true });
      assert.deepEqual(readies, [
        { unreadCount: 2, resumed: false, resync: false },
        { unreadCount: 3, resumed: false, resync: true },
      ]);
      assert.equal(sources.length, 1, 'the same connection');
      release();
    });
  });
});
