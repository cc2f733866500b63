import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeRefreshClock } from './testing/fake-refresh-clock.ts';
import { unsignedToken } from './testing/local-http-server.ts';
import { TokenRefresher, refreshAfterMs, tokenLifetimeMs } from './token-refresh.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

describe('refreshAfterMs', () => {
  it('refreshes at 80 % of the lifetime when that is more than a minute before the end', () => {
    assert.equal(refreshAfterMs(HOUR), 48 * MINUTE, 'a Stream token (1 h)');
    assert.equal(refreshAfterMs(2 * HOUR), 96 * MINUTE, 'a mesh token (2 h)');
    assert.equal(refreshAfterMs(24 * HOUR), 19.2 * HOUR, 'a 100ms token (24 h)');
  });

  it('refreshes a minute before the end when 80 % would be later', () => {
    assert.equal(refreshAfterMs(4 * MINUTE), 3 * MINUTE);
    assert.equal(refreshAfterMs(2 * MINUTE), MINUTE);
  });

  it('never refreshes before half the lifetime, however short the token', () => {
    assert.equal(refreshAfterMs(MINUTE), 30 * SECOND);
    assert.equal(refreshAfterMs(5 * SECOND), 2.5 * SECOND);
    assert.equal(refreshAfterMs(0), 0);
  });
});

describe('tokenLifetimeMs', () => {
  it('takes exp − iat (the issuer’s clock), whatever the local clock says', () => {
    const issuerNow = 1_700_000_000;
    const token = unsignedToken({ iat: issuerNow, exp: issuerNow + 3600 });
    assert.equal(tokenLifetimeMs(token, issuerNow * 1000), HOUR);
    assert.equal(tokenLifetimeMs(token, (issuerNow + 600) * 1000), HOUR, 'a local clock 10 min fast');
  });

  it('counts from the local clock when the token has no iat', () => {
    const now = Date.UTC(2026, 0, 5);
    assert.equal(tokenLifetimeMs(unsignedToken({ exp: now / 1000 + 90 }), now), 90 * SECOND);
    assert.equal(tokenLifetimeMs(unsignedToken({ exp: now / 1000 - 5 }), now), 0, 'expired already');
  });

  it('has no lifetime for a token without exp, or no JWT at all', () => {
    assert.equal(tokenLifetimeMs(unsignedToken({ sub: 'u' }), Date.now()), undefined);
    assert.equal(tokenLifetimeMs('not a jwt', Date.now()), undefined);
  });
});

describe('TokenRefresher on a fake clock', () => {
  /** A refresher whose fetch hands out tokens that live `lifetimesMs[i]` (then none); counts calls. */
  function refresherFor(clock: FakeRefreshClock, lifetimesMs: (number | Error | undefined)[]) {
    const calls: number[] = [];
    const errors: unknown[] = [];
    const refresher = new TokenRefresher({
      clock,
      refresh: async () => {
        calls.push(clock.now());
        const next = lifetimesMs.shift();
        if (next instanceof Error) throw next;
        return next;
      },
      onError: (error) => errors.push(error),
    });
    return { refresher, calls, errors };
  }

  it('refreshes before each token expires, for token after token', async () => {
    const clock = new FakeRefreshClock();
    const start = clock.now();
    const { refresher, calls } = refresherFor(clock, [HOUR, HOUR, undefined]);
    refresher.schedule(HOUR);
    await clock.advance(48 * MINUTE - 1);
    assert.equal(calls.length, 0, 'not before 80 % of the first token');
    await clock.advance(1);
    assert.deepEqual(calls, [start + 48 * MINUTE]);
    await clock.advance(48 * MINUTE);
    assert.deepEqual(calls, [start + 48 * MINUTE, start + 96 * MINUTE], 'the second token, 48 min later');
    await clock.advance(48 * MINUTE);
    assert.equal(calls.length, 3);
    assert.equal(clock.pending, 0, 'the third refresh yielded no token: nothing more is planned');
  });

  it('retries a failed refresh while the old token still lives, then goes on as planned', async () => {
    const clock = new FakeRefreshClock();
    const start = clock.now();
    const { refresher, calls, errors } = refresherFor(clock, [
      new Error('hub unreachable'),
      new Error('hub unreachable'),
      HOUR,
    ]);
    refresher.schedule(HOUR);
    await clock.advance(48 * MINUTE + 60 * SECOND);
    assert.deepEqual(
      calls.map((at) => at - start),
      [48 * MINUTE, 48 * MINUTE + 30 * SECOND, 48 * MINUTE + 60 * SECOND],
      'retried every 30 s (1 h / 20, at most 30 s), well before the hour is over',
    );
    assert.equal(errors.length, 2);
    assert.equal(clock.nextAt, start + 48 * MINUTE + 60 * SECOND + 48 * MINUTE, 'the new token’s own plan');
    refresher.stop();
  });

  it('a token that arrived another way replaces the plan', async () => {
    const clock = new FakeRefreshClock();
    const start = clock.now();
    const { refresher, calls } = refresherFor(clock, [HOUR]);
    refresher.schedule(HOUR);
    await clock.advance(30 * MINUTE);
    refresher.schedule(2 * MINUTE);
    assert.equal(clock.pending, 1, 'one timer, not two');
    assert.equal(clock.nextAt, start + 31 * MINUTE);
    await clock.advance(MINUTE);
    assert.deepEqual(calls, [start + 31 * MINUTE]);
    refresher.stop();
  });

  it('stop() clears the timer, and a refresh in flight then plans nothing', async () => {
    const clock = new FakeRefreshClock();
    let release: (lifetime: number) => void = () => undefined;
    const refresher = new TokenRefresher({
      clock,
      refresh: () => new Promise<number>((resolve) => (release = resolve)),
    });
    refresher.schedule(10 * SECOND);
    await clock.advance(5 * SECOND);
    refresher.stop();
    release(HOUR);
    await clock.advance(0);
    assert.equal(clock.pending, 0);
    refresher.schedule(HOUR);
    assert.equal(clock.pending, 0, 'a stopped refresher stays stopped');

    const idle = new TokenRefresher({ clock, refresh: () => Promise.resolve(HOUR) });
    idle.schedule(HOUR);
    assert.equal(clock.pending, 1);
    idle.stop();
    assert.equal(clock.pending, 0);
  });
});
