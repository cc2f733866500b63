import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenManager } from '../token-manager.ts';
import { LiveStream, reconnectDelay, streamUrl } from './live-stream.ts';

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
});
